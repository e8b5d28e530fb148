"""Databases and tables: MySQL statements run on an in-memory SQLite through sqlglot."""

from __future__ import annotations

import pytest


@pytest.fixture
def reviews(admin):
    admin.run("CREATE DATABASE IF NOT EXISTS mldb")
    admin.run("USE mldb")
    admin.run("CREATE TABLE support (id INT NOT NULL AUTO_INCREMENT, comment TEXT NOT NULL, stars TINYINT, "
              "price DECIMAL(10,2), KEY ix_stars (stars), PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")
    return admin


def test_insert_select_group_by(reviews):
    assert reviews.run("INSERT INTO support (comment, stars) VALUES ('great', 5), ('awful', 1), ('fine', 5)") == 3
    grouped = reviews.rows("SELECT stars, COUNT(*), AVG(stars) FROM support WHERE stars > 1 GROUP BY stars")
    assert grouped == [(5, 2, 5.0)]
    assert reviews.columns("SELECT stars, COUNT(*) AS n, AVG(stars) FROM support") == ["stars", "n", "AVG(stars)"]
    assert reviews.rows("SELECT s.id FROM mldb.support AS s WHERE s.comment LIKE 'f%'") == [(3,)]
    assert reviews.run("UPDATE support SET stars = 4 WHERE comment = 'fine'") == 1
    assert reviews.run("DELETE FROM support WHERE stars < 2") == 1
    assert reviews.rows("SELECT comment FROM support ORDER BY id") == [("great",), ("fine",)]


def test_auto_increment_and_last_insert_id(reviews):
    with reviews.connection.cursor() as cursor:
        cursor.execute("INSERT INTO support (comment) VALUES ('one')")
        cursor.execute("INSERT INTO support (comment) VALUES ('two')")
        assert cursor.lastrowid == 2


def test_mysql_table_definitions_sqlite_lacks(admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.t (id INT AUTO_INCREMENT PRIMARY KEY, kind ENUM('a', 'b'), code VARCHAR(8), "
              "changed DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, UNIQUE KEY uq_code (code))")
    admin.run("INSERT INTO d.t (kind, code) VALUES ('a', 'x')")
    assert admin.error("INSERT INTO d.t (kind, code) VALUES ('b', 'x')") == (1062, "Duplicate entry 'x' for key 't.uq_code'")
    admin.run("INSERT INTO d.t (kind, code) VALUES ('b', 'x') ON DUPLICATE KEY UPDATE kind = 'b'")
    assert admin.rows("SELECT id, kind, changed IS NOT NULL FROM d.t") == [(1, "b", 1)]
    admin.run("ALTER TABLE d.t ADD COLUMN note TEXT")
    assert admin.run("TRUNCATE TABLE d.t") == 1
    assert admin.columns("SELECT * FROM d.t") == ["id", "kind", "code", "changed", "note"]


def test_show_databases_and_tables(reviews):
    assert reviews.rows("SHOW DATABASES") == [("information_schema",), ("mldb",), ("mysql",), ("performance_schema",),
                                              ("sys",)]
    assert reviews.rows("SHOW TABLES") == [("support",)]
    assert reviews.columns("SHOW TABLES") == ["Tables_in_mldb"]
    assert reviews.rows("SHOW FULL TABLES FROM mldb LIKE 'supp%'") == [("support", "BASE TABLE")]
    assert reviews.rows("SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mldb'") == [
        ("support", 0)
    ]


def test_mysql_errors(reviews):
    assert reviews.error("SELECT * FROM nope") == (1146, "Table 'mldb.nope' doesn't exist")
    assert reviews.error("SELECT nope FROM support") == (1054, "Unknown column 'nope' in 'field list'")
    assert reviews.error("CREATE TABLE support (x INT)") == (1050, "Table 'support' already exists")
    assert reviews.error("INSERT INTO support (comment) VALUES (NULL)") == (1048, "Column 'comment' cannot be null")
    assert reviews.error("CREATE DATABASE mldb") == (1007, "Can't create database 'mldb'; database exists")
    assert reviews.error("USE nowhere") == (1049, "Unknown database 'nowhere'")
    assert reviews.error("DROP TABLE nope") == (1051, "Unknown table 'mldb.nope'")
    assert reviews.error("CREATE TABLE other.t (x INT)") == (1049, "Unknown database 'other'")


def test_drop_table_and_database(reviews):
    reviews.run("DROP TABLE support")
    assert reviews.rows("SHOW TABLES") == []
    reviews.run("CREATE TABLE t (x INT)")
    assert reviews.run("DROP DATABASE mldb") == 1  # one table went with it
    assert reviews.error("SHOW TABLES") == (1046, "No database selected")
    assert reviews.run("DROP DATABASE IF EXISTS mldb") == 0


def test_without_a_database(admin):
    assert admin.error("CREATE TABLE t (x INT)") == (1046, "No database selected")
    assert admin.one("SELECT 1 + 1, 'text', NULL") == (2, "text", None)
    assert admin.columns("SELECT 1 + 1, 'text'") == ["1 + 1", "text"]
    assert admin.value("SELECT CONCAT('a', 'b') FROM DUAL") == "ab"


def test_connect_with_a_database_and_select_db(reviews, v3, client_for):
    other = client_for(v3, database="mldb")
    assert other.rows("SELECT COUNT(*) FROM support") == [(0,)]
    other.connection.select_db("mysql")
    assert other.value("SELECT DATABASE()") == "mysql"


def test_column_labels_are_the_expressions_as_written(reviews):
    reviews.run("INSERT INTO support (comment, stars) VALUES ('great', 5)")
    labels = reviews.columns("SELECT  stars+1, LEFT(comment,  3), NOW() IS NOT NULL, VERSION(), version(), "
                             "CONVERT('{\"a\":1}', JSON), @@version, comment FROM support")
    assert labels == ["stars+1", "LEFT(comment,  3)", "NOW() IS NOT NULL", "VERSION()", "version()",
                      "CONVERT('{\"a\":1}', JSON)", "@@version", "comment"]
    assert reviews.columns("SELECT DISTINCT stars * 2 FROM support UNION SELECT 1") == ["stars * 2"]


def test_left_right_and_json_as_mysql_answers(reviews):
    reviews.run("INSERT INTO support (comment, stars) VALUES ('great', 5)")
    assert reviews.one("SELECT LEFT(comment, 3), RIGHT(comment, 2), LEFT(comment, 0), LEFT(NULL, 1) FROM support") == (
        "gre", "at", "", None)
    assert reviews.value("SELECT CAST('{\"b\":[1,2],\"a\":1}' AS JSON)") == '{"a": 1, "b": [1, 2]}'
    assert reviews.value("SELECT JSON_EXTRACT(CAST('{\"a\":{\"x\":\"y\"}}' AS JSON), '$.a')") == '{"x": "y"}'
    assert reviews.value("SELECT JSON_UNQUOTE(JSON_EXTRACT(CONVERT('{\"a\":\"y\"}', JSON), '$.a'))") == "y"
    assert reviews.error("SELECT CAST('not json' AS JSON)")[0] == 3141


def test_triggers_without_ml_calls_run(reviews):
    reviews.run("CREATE TABLE audit (review INT, said TEXT)")
    reviews.run("CREATE TRIGGER shout BEFORE INSERT ON support FOR EACH ROW SET NEW.comment = UPPER(NEW.comment)")
    reviews.run("CREATE DEFINER = CURRENT_USER TRIGGER mldb.logged AFTER INSERT ON support FOR EACH ROW BEGIN "
                "INSERT INTO audit VALUES (NEW.id, NEW.comment); UPDATE audit SET said = CASE WHEN said = '' "
                "THEN NULL ELSE said END WHERE review = NEW.id; END")
    assert reviews.run("INSERT INTO support (comment, stars) VALUES ('great', 5)") == 1
    assert reviews.rows("SELECT id, comment FROM support") == [(1, "GREAT")]
    assert reviews.rows("SELECT review, said FROM audit") == [(1, "great")]  # NEW as it was written
    assert reviews.error("CREATE TRIGGER shout AFTER DELETE ON support FOR EACH ROW DELETE FROM audit") == (
        1359, "Trigger already exists")
    assert reviews.error("CREATE TRIGGER late AFTER INSERT ON support FOR EACH ROW SET NEW.stars = 1") == (
        1362, "Updating of NEW row is not allowed in after trigger")
    assert reviews.error("CREATE TRIGGER t2 BEFORE INSERT ON support FOR EACH ROW BEGIN DECLARE x INT; END") == (
        1235, "This version of MySQL doesn't yet support 'DECLARE statements in trigger bodies in the sandbox'")
    assert reviews.error("CREATE TRIGGER t3 BEFORE INSERT ON nope FOR EACH ROW DELETE FROM audit") == (
        1146, "Table 'mldb.nope' doesn't exist")
    assert reviews.run("DROP TRIGGER logged") == 0
    reviews.run("INSERT INTO support (comment) VALUES ('fine')")
    assert reviews.value("SELECT COUNT(*) FROM audit") == 1
    assert reviews.error("DROP TRIGGER logged") == (1360, "Trigger does not exist")
    assert reviews.run("DROP TRIGGER IF EXISTS logged") == 0
    reviews.run("CREATE TABLE marks (begin INT); INSERT INTO marks VALUES (1)")  # only a trigger's BEGIN nests
    assert reviews.value("SELECT begin FROM marks") == 1
    assert reviews.rows("SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING "
                        "FROM information_schema.TRIGGERS") == [("shout", "INSERT", "support", "BEFORE")]
    assert [row[:5] for row in reviews.rows("SHOW TRIGGERS LIKE 'support'")] == [
        ("shout", "INSERT", "support", "SET NEW.comment = UPPER(NEW.comment)", "BEFORE")]  # the body as written


def test_a_stored_function_over_a_table_with_a_generated_column_is_refused(reviews):
    reviews.run("CREATE TABLE totals (net INT, gross INT GENERATED ALWAYS AS (net * 2) STORED)")
    reviews.run("INSERT INTO totals (net) VALUES (3)")
    assert reviews.rows("SELECT * FROM totals") == [(3, 6)]  # the table itself works
    reviews.run("CREATE FUNCTION net_sum() RETURNS INT READS SQL DATA RETURN (SELECT SUM(net) FROM totals)")
    reviews.run("CREATE FUNCTION star_sum() RETURNS INT READS SQL DATA RETURN (SELECT SUM(stars) FROM support)")
    assert reviews.error("SELECT net_sum()") == (
        1235, "This version of MySQL doesn't yet support 'stored functions that read a table with a "
              "generated-always column (mldb.totals)'")
    assert reviews.value("SELECT star_sum()") is None
