"""The mariadb engine (`--engine mariadb`, docs/reference/sql-compat.md "Engine choice"): what a real
server gives that the SQLite engine imitates, what the engine refuses, and its server's life cycle.
The Aurora layer's own behaviour on it is tested by running test_sql_ml, test_sql_export and
test_sql_iam on both engines."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pymysql
import pytest
from sandbox_support import PASSWORD, V3_BEDROCK

from sql_support import ENGINES, engine_fixture


@pytest.fixture(scope="module")
def server_v3() -> Any:
    engine_fixture(type("Param", (), {"param": "mariadb"})())  # skips where no server is installed
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="v3", engine_version=V3_BEDROCK, master_password=PASSWORD,
                        sql_engine="mariadb") as endpoint:
        yield endpoint


@pytest.fixture
def v3(server_v3: Any) -> Any:
    server_v3.reset()
    return server_v3


@pytest.fixture
def admin(v3: Any, client_for: Any) -> Any:
    sql = client_for(v3)
    sql.run("CREATE DATABASE shop")
    sql.run("USE shop")
    return sql


def test_the_servers_types_strict_mode_and_metadata(v3, admin):
    admin.run("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, price DECIMAL(8, 2) NOT NULL COMMENT 'EUR', "
              "at DATETIME(6), name VARCHAR(5))")
    admin.run("INSERT INTO t (price, at, name) VALUES (0.10, '2026-12-05 10:00:00.123456', 'ab'), (0.20, NULL, 'cd')")
    assert admin.one("SELECT SUM(price), MAX(at) FROM t")[0] == Decimal("0.30")
    assert admin.error("INSERT INTO t (price, name) VALUES (1, 'too long')")[0] == 1406  # strict sql_mode
    assert admin.error("SELECT name, COUNT(*) FROM t GROUP BY price")[0] == 1055  # ONLY_FULL_GROUP_BY
    assert [row[0] for row in admin.rows("DESCRIBE t")] == ["id", "price", "at", "name"]
    assert "COMMENT 'EUR'" in admin.one("SHOW CREATE TABLE t")[1]
    assert admin.value("SELECT @@version") == v3.cluster.engine.mysql_version  # the layer's answers: Aurora's
    assert admin.value("SELECT CURRENT_USER()") == "admin@%"


def test_mariadb_only_syntax_is_refused_as_mysql_8_refuses_it(admin):
    admin.run("CREATE TABLE t (id INT)")
    for sql in ("INSERT INTO t VALUES (1) RETURNING id", "DELETE FROM t RETURNING id", "CREATE SEQUENCE s",
                "SELECT NEXTVAL(s)", "CREATE OR REPLACE TABLE t (id INT)"):
        assert admin.error(sql)[0] == 1064, sql


def test_the_system_databases_stay(admin):
    for name in ("mysql", "information_schema", "performance_schema", "sys"):
        assert admin.error(f"DROP DATABASE {name}")[0] == 1008, name
        assert admin.error(f"DROP SCHEMA IF EXISTS `{name}`")[0] == 1008, name
    assert admin.error("CREATE DATABASE shop")[0] == 1007
    assert admin.run("DROP SCHEMA shop") == 0 and "shop" not in {row[0] for row in admin.rows("SHOW DATABASES")}


def test_the_server_reads_and_writes_no_file_of_the_machine(admin, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("1\n")
    admin.run("CREATE TABLE t (id INT)")
    assert admin.error(f"LOAD DATA INFILE '{secret}' INTO TABLE t")[0] == 1235  # the layer's LOAD
    assert admin.value(f"SELECT LOAD_FILE('{secret}')") is None
    assert admin.error(f"SELECT 1 INTO OUTFILE '{tmp_path / 'out.txt'}'")[0] == 1290  # secure_file_priv
    assert not (tmp_path / "out.txt").exists()


def test_ml_calls_where_the_engine_cannot_answer_them_are_refused_by_name(admin):
    admin.run("CREATE TABLE a (id INT, note TEXT)")
    admin.run("CREATE TABLE b (id INT)")
    refused = {
        "SELECT * FROM a JOIN b ON aws_comprehend_detect_sentiment(a.note, 'en') = 'POSITIVE'": "JOIN ... ON",
        "SELECT id FROM a GROUP BY id HAVING MAX(aws_comprehend_detect_sentiment(note, 'en')) = 'x'": "HAVING",
        "DELETE FROM a WHERE aws_comprehend_detect_sentiment(note, 'en') = 'NEGATIVE'": "DELETE",
        "SELECT (SELECT aws_comprehend_detect_sentiment(a.note, 'en') FROM b LIMIT 1) FROM a":
            "a correlated subquery",
    }
    for sql, place in refused.items():
        code, message = admin.error(sql)
        assert code == 1235 and f"Aurora ML calls in {place} on the mariadb engine" in message, (sql, message)


def test_a_lock_wait_holds_up_only_its_own_session(v3, client_for):
    """Sessions are the server's: a writer waiting on another's row lock does not stop the endpoint
    (the lock holder can still commit, and the waiter then goes on)."""
    first = client_for(v3)
    first.run("CREATE DATABASE shop")
    first.run("CREATE TABLE shop.t (id INT PRIMARY KEY, n INT)")
    first.run("INSERT INTO shop.t VALUES (1, 0)")
    first.run("BEGIN")
    first.run("UPDATE shop.t SET n = 1 WHERE id = 1")
    second = pymysql.connect(host=v3.host, port=v3.port, user="admin", password=PASSWORD, autocommit=True)
    done: list[int] = []
    waiter = threading.Thread(target=lambda: done.append(second.cursor().execute("UPDATE shop.t SET n = n + 10 "
                                                                                  "WHERE id = 1")))
    waiter.start()
    try:
        first.run("COMMIT")  # answered although the other session is waiting on the server
        waiter.join(30)
        assert done == [1] and first.value("SELECT n FROM shop.t") == 11
    finally:
        second.close()


def test_a_stopped_endpoints_server_serves_the_next_one_empty(server_v3):
    from auroraml_cli.sandbox.sql import start_endpoint

    pids = []
    for _ in range(2):
        with start_endpoint(cluster_id="other", engine_version=V3_BEDROCK, master_password=PASSWORD,
                            sql_engine="mariadb") as endpoint:
            conn = pymysql.connect(host=endpoint.host, port=endpoint.port, user="admin", password=PASSWORD)
            with conn.cursor() as cursor:
                cursor.execute("SHOW DATABASES")
                assert {row[0] for row in cursor.fetchall()} == {"information_schema", "mysql",
                                                                  "performance_schema", "sys"}
                cursor.execute("CREATE DATABASE leftover")
            conn.close()
            pids.append(endpoint.cluster.tables.holder.server.pid)
    assert pids[0] == pids[1]  # one server, reused, its databases dropped in between


def test_both_engines_are_offered(sql_engine_names=ENGINES):
    assert sql_engine_names == ("sqlite", "mariadb")
