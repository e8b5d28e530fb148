"""The client matrix: the tools a data scientist already uses, each against the SQL endpoint over TCP.

The `mariadb` command-line client running a script, `mariadb-dump` of a sandbox database restored
into the sandbox, a dump of a real MariaDB table restored into the sandbox ("load a sample of a
production table"), PyMySQL, mysql-connector-python (plain and server-side prepared statements),
SQLAlchemy Core and ORM, pandas `to_sql` / `read_sql`.

A case the endpoint cannot serve yet is `xfail(strict=True)` with the exact missing feature: it
turns into a failure the moment the feature lands, and the mark comes off then. Each test checks
the rows that come back, never only that nothing raised. SQLAlchemy's own compliance suite is
bench/sqlalchemy_suite.py (docs/reference/sql-compat.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
from sandbox_support import PASSWORD
from sql_support import Client

# The client binaries come with Debian's mariadb-server (`.ci/run` installs it); MySQL's are
# called mysql / mysqldump and take the same options used here.
MARIADB = shutil.which("mariadb") or shutil.which("mysql")
MARIADB_DUMP = shutil.which("mariadb-dump") or shutil.which("mysqldump")
needs_client = pytest.mark.skipif(MARIADB is None, reason="the mariadb (or mysql) client is not installed")
needs_dump = pytest.mark.skipif(MARIADB is None or MARIADB_DUMP is None,
                                reason="mariadb-dump (or mysqldump) is not installed")

LOCK_TABLES = "LOCK TABLES / UNLOCK TABLES, which every mariadb-dump file holds: refused with 1235 today (sqlmeta)"

REVIEWS = [(1, "kettle", "Works great, boils fast!", 5), (2, "kettle", "It's broken after a week.", 1),
           (3, "toaster", None, 3)]


def client_argv(program: str, endpoint: Any, *args: str, user: str = "admin", password: str = PASSWORD) -> list[str]:
    """A client command line that reads no option file and goes over TCP to `endpoint` only."""
    # --no-defaults must come first; the sandbox offers no TLS (mariadb 11's client would insist).
    return [program, "--no-defaults", f"--host={endpoint.host}", f"--port={endpoint.port}", "--protocol=TCP",
            f"--user={user}", f"--password={password}", "--skip-ssl", *args]


def run_client(program: str, endpoint: Any, *args: str, script: str | None = None, **kw: Any
               ) -> subprocess.CompletedProcess:
    return subprocess.run(client_argv(program, endpoint, *args, **kw), input=script, capture_output=True,
                          text=True, timeout=60, stdin=None if script is not None else subprocess.DEVNULL)


def url(endpoint: Any, database: str, driver: str = "pymysql") -> str:
    return f"mysql+{driver}://admin:{PASSWORD}@{endpoint.host}:{endpoint.port}/{database}?charset=utf8mb4"


@pytest.fixture
def engine_for() -> Any:
    """SQLAlchemy engines, disposed after the test."""
    import sqlalchemy as sa

    made = []

    def make(endpoint: Any, database: str, **kw: Any) -> Any:
        engine = sa.create_engine(url(endpoint, database, **kw), pool_pre_ping=False)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def load_reviews(admin: Client, database: str = "shop") -> None:
    admin.run(f"CREATE DATABASE {database}")
    admin.run(f"CREATE TABLE {database}.reviews (id INT PRIMARY KEY, product VARCHAR(40) NOT NULL, "
              "review TEXT, stars TINYINT)")
    admin.run(f"INSERT INTO {database}.reviews VALUES (1, 'kettle', 'Works great, boils fast!', 5), "
              "(2, 'kettle', 'It''s broken after a week.', 1), (3, 'toaster', NULL, 3)")


# -- the mariadb command-line client -------------------------------------------------------------

@needs_client
def test_the_mariadb_client_runs_a_script_file(v3, admin, tmp_path):
    script = tmp_path / "load.sql"
    script.write_text(
        "-- a script as people keep them: comments, several statements a line, USE, quoting\n"
        "CREATE DATABASE shop;\nUSE shop;\n"
        "CREATE TABLE reviews (id INT PRIMARY KEY, product VARCHAR(40) NOT NULL, review TEXT, stars TINYINT);\n"
        "INSERT INTO reviews VALUES (1, 'kettle', 'Works great, boils fast!', 5),\n"
        "  (2, 'kettle', 'It\\'s broken after a week.', 1), (3, 'toaster', NULL, 3);\n"
        "SELECT product, COUNT(*) AS n FROM reviews GROUP BY product ORDER BY product; SELECT 'done' AS status;\n")
    done = run_client(MARIADB, v3, "--batch", script=script.read_text())
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["product\tn", "kettle\t2", "toaster\t1", "status", "done"]
    assert admin.rows("SELECT * FROM shop.reviews ORDER BY id") == REVIEWS


@needs_client
def test_the_mariadb_client_reports_the_servers_error_and_line(v3):
    done = run_client(MARIADB, v3, "--batch", script="SELECT 1;\nSELECT * FROM nowhere.t;\nSELECT 2;\n")
    assert done.returncode == 1 and done.stdout.splitlines() == ["1", "1"]
    assert "\nERROR 1146 (42S02) at line 2: Table 'nowhere.t' doesn't exist\n" in done.stderr, done.stderr


# -- dumps and restores ----------------------------------------------------------------------------

@needs_dump
def test_a_mariadb_dump_of_a_sandbox_database_restores_into_the_sandbox(v3, admin):
    load_reviews(admin)
    dump = run_client(MARIADB_DUMP, v3, "--no-tablespaces", "--databases", "shop")
    assert (dump.returncode, dump.stderr) == (0, ""), dump.stderr
    assert "CREATE TABLE `reviews`" in dump.stdout and "INSERT INTO `reviews` VALUES" in dump.stdout
    admin.run("DROP DATABASE shop")
    restored = run_client(MARIADB, v3, "--batch", script=dump.stdout)
    assert (restored.returncode, restored.stderr) == (0, "")
    assert admin.rows("SELECT * FROM shop.reviews ORDER BY id") == REVIEWS


def _mariadb_dump_of_reviews(mariadb: Any, *options: str) -> str:
    """A mariadb-dump file of a real table (key, AUTO_INCREMENT, defaults, escapes), as a user makes one."""
    root = mariadb.connect()
    try:
        with root.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS shop")
            cur.execute("CREATE DATABASE shop")
            cur.execute("CREATE TABLE shop.reviews (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, product VARCHAR(40) "
                        "NOT NULL, review TEXT, stars TINYINT, KEY by_product (product)) ENGINE=InnoDB "
                        "DEFAULT CHARSET=utf8mb4")
            cur.executemany("INSERT INTO shop.reviews VALUES (%s, %s, %s, %s)", REVIEWS)
        dump = subprocess.run([MARIADB_DUMP, "--no-defaults", f"--host={mariadb.host}", f"--port={mariadb.port}",
                               "--protocol=TCP", "--user=root", "--skip-ssl", *options, "--databases", "shop"],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert dump.returncode == 0, dump.stderr
        return dump.stdout
    finally:
        with root.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS shop")
        root.close()


@needs_dump
def test_a_mariadb_dump_of_a_real_table_restores_into_the_sandbox(mariadb, v3, admin):
    dump = _mariadb_dump_of_reviews(mariadb)
    assert "LOCK TABLES `reviews` WRITE" in dump  # what makes it a real dump file
    restored = run_client(MARIADB, v3, "--batch", script=dump)
    assert (restored.returncode, restored.stderr) == (0, "")
    assert admin.rows("SELECT * FROM shop.reviews ORDER BY id") == REVIEWS


@needs_dump
def test_a_mariadb_dump_of_a_real_table_restores_with_force_today(mariadb, v3, admin):
    """What works today: `--force` goes past the refused LOCK TABLES, and every other statement
    of the dump (versioned comments, SET of the @OLD_ variables, CREATE TABLE with ENGINE and
    CHARSET, the multi-row INSERT with escapes) loads."""
    dump = _mariadb_dump_of_reviews(mariadb)
    restored = run_client(MARIADB, v3, "--batch", "--force", script=dump)
    refused = [line for line in restored.stderr.splitlines() if line.startswith("ERROR")]
    assert all(re.search(r"^ERROR 1235 .*'(UN)?LOCK statements", line) for line in refused), refused
    assert admin.rows("SELECT * FROM shop.reviews ORDER BY id") == REVIEWS


@needs_dump
def test_a_dump_without_locks_of_a_real_table_restores_into_the_sandbox(mariadb, v3, admin):
    """The README's way today: `mariadb-dump --skip-add-locks` leaves LOCK TABLES out."""
    dump = _mariadb_dump_of_reviews(mariadb, "--skip-add-locks")
    assert "LOCK TABLES" not in dump and "CREATE TABLE `reviews`" in dump
    restored = run_client(MARIADB, v3, "--batch", script=dump)
    assert (restored.returncode, restored.stderr) == (0, "")
    assert admin.rows("SELECT * FROM shop.reviews ORDER BY id") == REVIEWS
    assert admin.rows("SELECT product FROM shop.reviews WHERE stars > 2 ORDER BY product") == [("kettle",), ("toaster",)]


@needs_client
def test_a_dump_restores_over_its_own_database(v3, admin):
    admin.run("CREATE DATABASE shop")
    done = run_client(MARIADB, v3, "--batch", script="CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop`;\n")
    assert (done.returncode, done.stderr) == (0, "")


# -- Python drivers --------------------------------------------------------------------------------

def test_pymysql_executemany_rowcounts_and_parameters(v3, admin):
    import pymysql

    admin.run("CREATE DATABASE shop")
    conn = pymysql.connect(host=v3.host, port=v3.port, user="admin", password=PASSWORD, database="shop",
                           charset="utf8mb4", autocommit=True, connect_timeout=5, read_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE reviews (id INT PRIMARY KEY, product VARCHAR(40) NOT NULL, review TEXT, "
                        "stars TINYINT)")
            assert cur.executemany("INSERT INTO reviews VALUES (%s, %s, %s, %s)", REVIEWS) == 3
            assert cur.execute("UPDATE reviews SET stars = stars + 1 WHERE product = %s", ("kettle",)) == 2
            cur.execute("SELECT id, review, stars FROM reviews WHERE review LIKE %(pattern)s ORDER BY id",
                        {"pattern": "%'s%"})
            assert cur.fetchall() == ((2, "It's broken after a week.", 2),)
        with conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SELECT product, stars FROM reviews WHERE review IS NULL")
            assert cur.fetchall() == [{"product": "toaster", "stars": 3}]
    finally:
        conn.close()


def _connector(endpoint: Any, **kw: Any) -> Any:
    import mysql.connector

    return mysql.connector.connect(host=endpoint.host, port=endpoint.port, user="admin", password=PASSWORD,
                                   database="shop", autocommit=True, ssl_disabled=True, connection_timeout=10, **kw)


def test_mysql_connector_plain_statements(v3, admin):
    load_reviews(admin)
    conn = _connector(v3)
    try:
        cur = conn.cursor()
        cur.execute("SELECT id, product, review, stars FROM reviews WHERE stars >= %s ORDER BY id", (3,))
        assert cur.fetchall() == [REVIEWS[0], REVIEWS[2]]
        cur.executemany("INSERT INTO reviews VALUES (%s, %s, %s, %s)", [(4, "mug", "Nice 'mug'", 4), (5, "mug", None, 2)])
        assert cur.rowcount == 2
        cur.execute("SELECT review FROM reviews WHERE id = 4")
        assert cur.fetchall() == [("Nice 'mug'",)]
        cur.close()
    finally:
        conn.close()


def test_mysql_connector_prepared_statement_without_parameters(v3, admin):
    load_reviews(admin)
    conn = _connector(v3)
    try:
        cur = conn.cursor(prepared=True)
        cur.execute("SELECT COUNT(*), MAX(stars) FROM reviews")
        assert cur.fetchall() == [(3, 5)]
    finally:
        conn.close()


def test_mysql_connector_prepared_statements(v3, admin):
    load_reviews(admin)
    conn = _connector(v3)
    try:
        cur = conn.cursor(prepared=True)
        cur.execute("SELECT id, review FROM reviews WHERE product = %s AND stars > %s ORDER BY id", ("kettle", 0))
        assert cur.fetchall() == [(1, "Works great, boils fast!"), (2, "It's broken after a week.")]
        # A parameter is a value, never SQL: a quote inside it is data.
        cur.execute("INSERT INTO reviews VALUES (%s, %s, %s, %s)", (4, "mug", "it's 'fine'); DROP TABLE reviews; --", 3))
        cur.execute("SELECT review FROM reviews WHERE id = %s", (4,))
        assert cur.fetchall() == [("it's 'fine'); DROP TABLE reviews; --",)]
    finally:
        conn.close()


# -- SQLAlchemy ------------------------------------------------------------------------------------

def test_sqlalchemy_core_text_and_table_statements(v3, admin, engine_for):
    """Core on a table made elsewhere (no reflection): INSERT, SELECT with aggregates, text()."""
    import sqlalchemy as sa

    load_reviews(admin)
    engine = engine_for(v3, "shop")
    reviews = sa.Table("reviews", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("product", sa.String(40)), sa.Column("review", sa.Text), sa.Column("stars", sa.Integer))
    with engine.begin() as conn:
        result = conn.execute(reviews.insert(), [{"id": 4, "product": "mug", "review": "ok", "stars": 4},
                                                 {"id": 5, "product": "mug", "review": None, "stars": 2}])
        assert result.rowcount == 2
    with engine.connect() as conn:
        query = sa.select(reviews.c.product, sa.func.count().label("n"), sa.func.max(reviews.c.stars).label("best"))
        rows = conn.execute(query.group_by(reviews.c.product).order_by(reviews.c.product)).all()
        assert [tuple(r) for r in rows] == [("kettle", 2, 5), ("mug", 2, 4), ("toaster", 1, 3)]
        found = conn.execute(sa.select(reviews.c.id).where(reviews.c.review.is_(None)).order_by(reviews.c.id))
        assert found.scalars().all() == [3, 5]
        assert conn.execute(sa.text("SELECT review FROM reviews WHERE id = :id"), {"id": 2}).scalar_one() == \
            "It's broken after a week."


def test_sqlalchemy_core_update_and_delete(v3, admin, engine_for):
    import sqlalchemy as sa

    load_reviews(admin)
    reviews = sa.Table("reviews", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("product", sa.String(40)), sa.Column("stars", sa.Integer))
    with engine_for(v3, "shop").begin() as conn:
        changed = conn.execute(reviews.update().where(reviews.c.product == "kettle").values(stars=reviews.c.stars + 1))
        assert changed.rowcount == 2
        assert conn.execute(reviews.delete().where(reviews.c.stars < 3)).rowcount == 1
    assert admin.rows("SELECT id, stars FROM shop.reviews ORDER BY id") == [(1, 6), (3, 3)]


def test_sqlalchemy_core_create_all_insert_select(v3, admin, engine_for):
    import sqlalchemy as sa

    admin.run("CREATE DATABASE shop")
    engine = engine_for(v3, "shop")
    metadata = sa.MetaData()
    items = sa.Table("items", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                     sa.Column("name", sa.String(30), nullable=False), sa.Column("price", sa.Numeric(8, 2)))
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(items.insert(), [{"name": "kettle", "price": 19.5}, {"name": "mug", "price": 4}])
        assert result.rowcount == 2
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(sa.select(items.c.id, items.c.name).order_by(items.c.id))] == \
            [(1, "kettle"), (2, "mug")]
    metadata.drop_all(engine)
    assert admin.rows("SHOW TABLES FROM shop") == []


def test_sqlalchemy_orm_session_add_commit_query(v3, admin, engine_for):
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Session

    class Base(DeclarativeBase):
        pass

    class Customer(Base):  # Column() style: annotations would need the names at module level
        __tablename__ = "customers"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(40), nullable=False)
        churn_risk = sa.Column(sa.Float)

    admin.run("CREATE DATABASE crm")
    engine = engine_for(v3, "crm")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Customer(name="ann", churn_risk=0.2), Customer(name="bob", churn_risk=0.9)])
        session.commit()
        assert [c.id for c in session.query(Customer).order_by(Customer.id)] == [1, 2]
    with Session(engine) as session:
        risky = session.scalars(sa.select(Customer).where(Customer.churn_risk > 0.5)).all()
        assert [c.name for c in risky] == ["bob"]
        risky[0].churn_risk = 0.1
        session.commit()
    assert admin.rows("SELECT name, churn_risk FROM crm.customers ORDER BY id") == [("ann", 0.2), ("bob", 0.1)]


# -- pandas ----------------------------------------------------------------------------------------

def test_pandas_read_sql(v3, admin, engine_for):
    import pandas as pd

    load_reviews(admin)
    frame = pd.read_sql("SELECT id, product, review, stars FROM reviews ORDER BY id", engine_for(v3, "shop"))
    assert list(frame.columns) == ["id", "product", "review", "stars"]
    assert [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)] == REVIEWS


def test_pandas_to_sql_then_read_sql(v3, admin, engine_for):
    import pandas as pd

    admin.run("CREATE DATABASE shop")
    engine = engine_for(v3, "shop")
    frame = pd.DataFrame(REVIEWS, columns=["id", "product", "review", "stars"])
    assert frame.to_sql("reviews", engine, index=False, if_exists="replace") == 3
    more = pd.DataFrame([(4, "mug", "fine", 4)], columns=frame.columns)
    more.to_sql("reviews", engine, index=False, if_exists="append")
    back = pd.read_sql("SELECT * FROM reviews ORDER BY id", engine)
    assert back["id"].tolist() == [1, 2, 3, 4] and back["product"].tolist() == ["kettle", "kettle", "toaster", "mug"]
    assert admin.value("SELECT COUNT(*) FROM shop.reviews WHERE review IS NULL") == 1
