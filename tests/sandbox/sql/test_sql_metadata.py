"""The metadata statements clients issue (DESCRIBE, SHOW CREATE TABLE, SHOW INDEX, information_schema,
LOCK TABLES, SET NAMES, executable comments), answered as MySQL 8.0 prints them."""

from __future__ import annotations

import pytest

SHOP = (
    "CREATE TABLE shop.items (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'x' "
    "COMMENT 'the name', price DECIMAL(7,2) DEFAULT 1, kind ENUM('a','b') NOT NULL, "
    "changed TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, owner INT, flag BOOL, doc JSON, "
    "body TEXT, PRIMARY KEY (id), UNIQUE KEY uq_name (name), KEY (price, kind), "
    "CONSTRAINT fk_owner FOREIGN KEY (owner) REFERENCES owners (id) ON DELETE CASCADE) COMMENT='stuff'"
)


@pytest.fixture
def shop(admin):
    admin.run("CREATE DATABASE shop")
    admin.run("USE shop")
    admin.run("CREATE TABLE owners (id INT PRIMARY KEY, name VARCHAR(10))")
    admin.run(SHOP)
    return admin


def test_show_create_table_as_mysql_8_prints_it(shop):
    shop.run("INSERT INTO items (name, kind) VALUES ('one', 'a'), ('two', 'b')")
    assert shop.one("SHOW CREATE TABLE items") == ("items", (
        "CREATE TABLE `items` (\n"
        "  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\n"
        "  `name` varchar(20) NOT NULL DEFAULT 'x' COMMENT 'the name',\n"
        "  `price` decimal(7,2) DEFAULT '1.00',\n"
        "  `kind` enum('a','b') NOT NULL,\n"
        "  `changed` timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
        "  `owner` int DEFAULT NULL,\n"
        "  `flag` tinyint(1) DEFAULT NULL,\n"
        "  `doc` json,\n"
        "  `body` text,\n"
        "  PRIMARY KEY (`id`),\n"
        "  UNIQUE KEY `uq_name` (`name`),\n"
        "  KEY `price` (`price`,`kind`),\n"
        "  KEY `fk_owner` (`owner`),\n"
        "  CONSTRAINT `fk_owner` FOREIGN KEY (`owner`) REFERENCES `owners` (`id`) ON DELETE CASCADE\n"
        ") ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci COMMENT='stuff'"))
    assert shop.columns("SHOW CREATE TABLE shop.owners") == ["Table", "Create Table"]


def test_describe_and_show_columns(shop):
    expected = [
        ("id", "bigint unsigned", "NO", "PRI", None, "auto_increment"),
        ("name", "varchar(20)", "NO", "UNI", "x", ""),
        ("price", "decimal(7,2)", "YES", "MUL", "1.00", ""),
        ("kind", "enum('a','b')", "NO", "", None, ""),
        ("changed", "timestamp", "YES", "", "CURRENT_TIMESTAMP", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP"),
        ("owner", "int", "YES", "MUL", None, ""),
        ("flag", "tinyint(1)", "YES", "", None, ""),
        ("doc", "json", "YES", "", None, ""),
        ("body", "text", "YES", "", None, ""),
    ]
    assert shop.rows("DESCRIBE items") == expected
    assert shop.rows("DESC shop.items") == expected
    assert shop.rows("EXPLAIN items") == expected
    assert shop.rows("SHOW COLUMNS FROM items FROM shop") == expected
    assert shop.columns("DESCRIBE items") == ["Field", "Type", "Null", "Key", "Default", "Extra"]
    assert shop.rows("DESCRIBE items name") == [expected[1]]
    assert shop.rows("SHOW FIELDS IN items LIKE 'p%'") == [expected[2]]
    assert shop.rows("SHOW COLUMNS FROM items WHERE `Key` = 'MUL'") == [expected[2], expected[5]]
    full = shop.rows("SHOW FULL COLUMNS FROM items")
    assert full[1] == ("name", "varchar(20)", "utf8mb4_0900_ai_ci", "NO", "UNI", "x", "",
                       "select,insert,update,references", "the name")
    assert full[0][2] is None  # no collation for a number


def test_show_index(shop):
    shop.run("INSERT INTO items (name, kind, price) VALUES ('one', 'a', 1), ('two', 'b', 1)")
    rows = shop.rows("SHOW INDEX FROM items")
    assert [(r[2], r[3], r[4], r[1], r[9]) for r in rows] == [
        ("PRIMARY", 1, "id", 0, ""), ("uq_name", 1, "name", 0, ""), ("price", 1, "price", 1, "YES"),
        ("price", 2, "kind", 1, ""), ("fk_owner", 1, "owner", 1, "YES")]
    assert rows[0] == ("items", 0, "PRIMARY", 1, "id", "A", 2, None, None, "", "BTREE", "", "", "YES", None)
    assert shop.rows("SHOW KEYS IN items WHERE Key_name = 'uq_name'") == [rows[1]]
    assert shop.rows("SHOW INDEXES FROM items FROM shop") == rows


def test_ddl_the_catalogue_follows(shop):
    shop.run("CREATE TABLE copy LIKE items")
    assert "CONSTRAINT" not in shop.one("SHOW CREATE TABLE copy")[1]  # LIKE copies no foreign keys
    shop.run("ALTER TABLE copy ADD COLUMN extra SMALLINT NOT NULL DEFAULT 0")
    shop.run("ALTER TABLE copy RENAME TO renamed")
    assert shop.rows("DESCRIBE renamed extra") == [("extra", "smallint", "NO", "", "0", "")]
    shop.run("CREATE INDEX ix_extra ON renamed (extra)")
    assert ("ix_extra", "extra") in [(r[2], r[4]) for r in shop.rows("SHOW INDEX FROM renamed")]
    shop.run("DROP INDEX ix_extra ON renamed")
    assert "ix_extra" not in [r[2] for r in shop.rows("SHOW INDEX FROM renamed")]
    shop.run("DROP TABLE renamed")
    assert shop.error("DESCRIBE renamed") == (1146, "Table 'shop.renamed' doesn't exist")
    assert shop.error("SHOW CREATE TABLE nothere") == (1146, "Table 'shop.nothere' doesn't exist")


def test_implicit_foreign_key_index_names(admin):
    admin.run("CREATE DATABASE d")
    admin.run("USE d")
    admin.run("CREATE TABLE d.p (id INT PRIMARY KEY)")
    admin.run("CREATE TABLE d.c (id INT, pid INT, FOREIGN KEY (pid) REFERENCES p (id))")
    text = admin.one("SHOW CREATE TABLE d.c")[1]
    assert "  KEY `pid` (`pid`),\n  CONSTRAINT `c_ibfk_1` FOREIGN KEY (`pid`) REFERENCES `p` (`id`)\n" in text
    admin.run("CREATE INDEX ix_both ON d.c (pid, id)")  # serves the foreign key: MySQL drops `pid`
    assert [r[2] for r in admin.rows("SHOW INDEX FROM d.c")] == ["ix_both", "ix_both"]


def test_information_schema_tables_an_orm_reads(shop):
    assert shop.rows("SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, "
                     "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, COLUMN_TYPE, COLUMN_KEY, EXTRA "
                     "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'items' "
                     "AND ORDINAL_POSITION <= 3 ORDER BY ORDINAL_POSITION") == [
        ("id", 1, None, "NO", "bigint", None, 20, 0, "bigint unsigned", "PRI", "auto_increment"),
        ("name", 2, "x", "NO", "varchar", 20, None, None, "varchar(20)", "UNI", ""),
        ("price", 3, "1.00", "YES", "decimal", None, 7, 2, "decimal(7,2)", "MUL", "")]
    assert shop.rows("SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS "
                     "WHERE TABLE_NAME = 'items' AND INDEX_NAME = 'price' ORDER BY SEQ_IN_INDEX") == [
        ("price", 1, "price", 1), ("price", 2, "kind", 1)]
    assert shop.rows("SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS "
                     "WHERE TABLE_NAME = 'items'") == [("PRIMARY", "PRIMARY KEY"), ("uq_name", "UNIQUE"),
                                                       ("fk_owner", "FOREIGN KEY")]
    assert shop.rows("SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
                     "FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_NAME = 'items' "
                     "AND REFERENCED_TABLE_NAME IS NOT NULL") == [("fk_owner", "owner", "owners", "id")]
    assert shop.rows("SELECT CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE, "
                     "REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS") == [
        ("fk_owner", "PRIMARY", "NO ACTION", "CASCADE", "owners")]
    assert shop.rows("SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT FROM information_schema.TABLES "
                     "WHERE TABLE_SCHEMA = 'shop' ORDER BY TABLE_NAME") == [
        ("items", "BASE TABLE", "InnoDB", "stuff"), ("owners", "BASE TABLE", "InnoDB", "")]
    assert shop.rows("SELECT * FROM information_schema.FILES") == []
    assert shop.rows("SELECT TABLE_NAME, PARTITION_NAME FROM information_schema.PARTITIONS "
                     "WHERE TABLE_SCHEMA = 'shop' ORDER BY TABLE_NAME") == [("items", None), ("owners", None)]


def test_table_status_and_create_database(shop):
    status = shop.rows("SHOW TABLE STATUS LIKE 'items'")
    assert [(r[0], r[1], r[4], r[10], r[14], r[17]) for r in status] == [
        ("items", "InnoDB", 0, 1, "utf8mb4_0900_ai_ci", "stuff")]
    assert shop.one("SHOW CREATE DATABASE shop") == (
        "shop", "CREATE DATABASE `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ "
                "/*!80016 DEFAULT ENCRYPTION='N' */")
    assert shop.error("SHOW CREATE DATABASE nowhere") == (1049, "Unknown database 'nowhere'")
    assert ("InnoDB", "DEFAULT") == shop.rows("SHOW ENGINES")[0][:2]
    assert shop.rows("SHOW CHARACTER SET LIKE 'utf8mb4'") == [("utf8mb4", "UTF-8 Unicode", "utf8mb4_0900_ai_ci", 4)]
    assert shop.rows("SHOW COLLATION WHERE Collation = 'utf8mb4_bin'")[0][:3] == ("utf8mb4_bin", "utf8mb4", 46)
    assert shop.rows("SHOW FULL TABLES WHERE Table_type = 'VIEW'") == []  # how SQLAlchemy lists views
    assert shop.rows("SHOW FULL TABLES FROM shop WHERE Table_type = 'BASE TABLE'") == [
        ("items", "BASE TABLE"), ("owners", "BASE TABLE")]


def test_lock_tables_privilege_rule(shop, v3, client_for):
    assert shop.run("LOCK TABLES items READ /*!32311 LOCAL */, owners AS o WRITE") == 0
    assert shop.run("UNLOCK TABLES") == 0
    assert shop.error("LOCK TABLES nothere READ") == (1146, "Table 'shop.nothere' doesn't exist")
    shop.run("CREATE USER 'reader'@'%' IDENTIFIED BY 'Reader-pass-1'")
    shop.run("GRANT SELECT ON shop.* TO 'reader'@'%'")
    reader = client_for(v3, "reader", "Reader-pass-1", database="shop")
    assert reader.error("LOCK TABLES items READ") == (
        1044, "Access denied for user 'reader'@'%' to database 'shop'")
    shop.run("GRANT LOCK TABLES ON shop.* TO 'reader'@'%'")
    assert reader.run("LOCK TABLES items READ") == 0
    shop.run("CREATE USER 'nobody'@'%' IDENTIFIED BY 'Nobody-pass-1'")
    nobody = client_for(v3, "nobody", "Nobody-pass-1")
    assert nobody.error("DESCRIBE shop.items") == (
        1142, "SELECT command denied to user 'nobody'@'%' for table 'items'")
    assert nobody.rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop'") == []


def test_what_dump_tools_and_drivers_set_on_connect(shop):
    # mysqldump's preamble: executable comments run, user variables keep the old values.
    shop.run("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */")
    assert shop.value("SELECT @@sql_mode") == "NO_AUTO_VALUE_ON_ZERO"
    shop.run("/*!40101 SET SQL_MODE=@OLD_SQL_MODE */")
    assert "STRICT_TRANS_TABLES" in shop.value("SELECT @@sql_mode")
    assert shop.error("/*!99999 SET SQL_MODE='' */")[0] == 1065  # for a later server version: a comment
    assert "STRICT_TRANS_TABLES" in shop.value("SELECT @@sql_mode")
    assert shop.value("SELECT '/*!40101 not run */'") == "/*!40101 not run */"
    for statement in ("SET NAMES utf8mb4", "SET character_set_client = utf8mb4", "SET SQL_QUOTE_SHOW_CREATE=1",
                      "/*!40014 SET UNIQUE_CHECKS=0 */", "/*!40014 SET FOREIGN_KEY_CHECKS=0 */",
                      "/*!40111 SET SQL_NOTES=0 */", "SET SESSION character_set_results = 'binary'",
                      "SET @@session.sql_mode = DEFAULT", "SET NAMES utf8"):
        shop.run(statement)
    assert shop.rows("SELECT name FROM owners") == []  # still answering after character_set_results=binary
    assert shop.rows("SHOW VARIABLES LIKE 'lower_case_table_names'") == [("lower_case_table_names", "0")]
    assert shop.error("SET NAMES nonsense") == (1115, "Unknown character set: 'nonsense'")
    assert shop.rows("SHOW TRIGGERS LIKE 'items'") == []
    assert shop.rows("SELECT COLUMN_NAME FROM information_schema.COLUMN_STATISTICS") == []


def test_sqlalchemy_reflection_and_create_all(v3):
    sa = pytest.importorskip("sqlalchemy")
    from sandbox_support import PASSWORD

    url = f"mysql+pymysql://admin:{PASSWORD}@{v3.host}:{v3.port}"
    with sa.create_engine(url + "/").begin() as connection:
        connection.exec_driver_sql("CREATE DATABASE orm")
    engine = sa.create_engine(url + "/orm")
    try:
        metadata = sa.MetaData()
        sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("name", sa.String(30), nullable=False, unique=True), sa.Column("score", sa.Numeric(5, 2)))
        sa.Table("orders", metadata, sa.Column("id", sa.BigInteger, primary_key=True),
                 sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
                 sa.Index("ix_orders_user", "user_id"))
        metadata.create_all(engine)
        inspector = sa.inspect(engine)
        assert inspector.get_table_names() == ["orders", "users"]
        assert inspector.get_view_names() == []
        columns = inspector.get_columns("users")
        assert [(c["name"], str(c["type"]), c["nullable"]) for c in columns] == [
            ("id", "INTEGER", False), ("name", "VARCHAR(30)", False), ("score", "DECIMAL(5, 2)", True)]
        assert inspector.get_pk_constraint("orders")["constrained_columns"] == ["id"]
        assert inspector.get_foreign_keys("orders") == [{
            "name": "orders_ibfk_1", "constrained_columns": ["user_id"], "referred_schema": None,
            "referred_table": "users", "referred_columns": ["id"], "options": {"ondelete": "CASCADE"}}]
        assert inspector.get_indexes("orders") == [
            {"name": "ix_orders_user", "column_names": ["user_id"], "unique": False}]
        assert inspector.get_unique_constraints("users")[0]["column_names"] == ["name"]
        metadata.drop_all(engine)
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_mariadb_dump_round_trip(shop, v3):
    """mariadb-dump reads the metadata (SHOW CREATE TABLE, information_schema, LOCK TABLES, ...);
    its output, replayed by the mariadb client, makes the same table with the same rows."""
    import shutil
    import subprocess

    from sandbox_support import PASSWORD

    dump, client = shutil.which("mariadb-dump"), shutil.which("mariadb")
    if dump is None or client is None:
        pytest.skip("the mariadb client tools are not installed")
    shop.run("INSERT INTO owners (id, name) VALUES (1, 'it''s'), (2, NULL)")
    shop.run("INSERT INTO items (name, kind, owner, doc) VALUES ('one', 'b', 1, '[1, 2]')")
    login = ["-h", v3.host, "-P", str(v3.port), "-uadmin", f"-p{PASSWORD}", "--skip-ssl"]
    dumped = subprocess.run([dump, *login, "shop"], capture_output=True, text=True, timeout=60, check=False)
    assert dumped.returncode == 0, dumped.stderr
    shop.run("CREATE DATABASE copy")
    restored = subprocess.run([client, *login, "copy"], input=dumped.stdout, capture_output=True, text=True,
                              timeout=60, check=False)
    assert restored.returncode == 0, restored.stderr
    for table in ("owners", "items"):
        assert shop.one(f"SHOW CREATE TABLE copy.{table}") == shop.one(f"SHOW CREATE TABLE shop.{table}")
    assert shop.rows("SELECT * FROM copy.owners ORDER BY id") == [(1, "it's"), (2, None)]
    assert shop.rows("SELECT name, kind, owner, doc FROM copy.items") == [("one", "b", 1, "[1, 2]")]


def test_aurora_2_prints_as_mysql_5_7(client_for):
    """Aurora MySQL 2 is MySQL 5.7: integer display widths, latin1 the server's default."""
    from sandbox_support import PASSWORD, V2

    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="v2", engine_version=V2, master_password=PASSWORD) as endpoint:
        old = client_for(endpoint)
        old.run("CREATE DATABASE d")
        old.run("CREATE TABLE d.t (id INT UNSIGNED NOT NULL, name VARCHAR(5), PRIMARY KEY (id))")
        assert old.one("SHOW CREATE TABLE d.t")[1] == (
            "CREATE TABLE `t` (\n  `id` int(10) unsigned NOT NULL,\n  `name` varchar(5) DEFAULT NULL,\n"
            "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1")
        assert old.rows("DESCRIBE d.t")[0] == ("id", "int(10) unsigned", "NO", "PRI", None, "")


def test_keys_added_and_dropped_by_alter_table(admin):
    admin.run("CREATE DATABASE d")
    admin.run("USE d")
    admin.run("CREATE TABLE p (id INT PRIMARY KEY)")
    admin.run("CREATE TABLE t (a INT, b INT)")
    admin.run("ALTER TABLE t ADD UNIQUE INDEX ux (a, b)")
    admin.run("ALTER TABLE t ADD KEY (b)")
    admin.run("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id)")
    assert admin.one("SHOW CREATE TABLE t")[1] == (
        "CREATE TABLE `t` (\n  `a` int DEFAULT NULL,\n  `b` int DEFAULT NULL,\n  UNIQUE KEY `ux` (`a`,`b`),\n"
        "  KEY `b` (`b`),\n  CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci")
    admin.run("INSERT INTO t VALUES (1, 1)")
    assert admin.error("INSERT INTO t VALUES (1, 1)")[0] == 1062  # the unique key is enforced
    admin.run("ALTER TABLE t DROP FOREIGN KEY fk")
    admin.run("ALTER TABLE t DROP INDEX ux")
    admin.run("INSERT INTO t VALUES (1, 1)")
    assert [r[2] for r in admin.rows("SHOW INDEX FROM t")] == ["b"]
    assert admin.error("ALTER TABLE t DROP INDEX nope") == (1091, "Can't DROP 'nope'; check that column/key exists")
