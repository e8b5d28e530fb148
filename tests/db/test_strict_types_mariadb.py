"""The sandbox's strict-mode value checks (strict.py) against a real server: for each value, the
sandbox and MariaDB in MySQL 8.0's default sql_mode store the same thing or refuse it with the
same error code, and SHOW CREATE TABLE / DESCRIBE agree on what the two print alike.

MariaDB stands in for MySQL where the two agree. Where they differ the sandbox follows MySQL 8.0
and docs/reference/sql-compat.md lists it: MariaDB words 1292/1366 with `db`.`t`.`c` where MySQL
writes 'c', checks JSON with a CHECK constraint (4025, MySQL: 3140), takes a number in a JSON
column, and prints `int(11)` and `current_timestamp()` where MySQL 8.0 prints `int` and
`CURRENT_TIMESTAMP`.
"""

from __future__ import annotations

import datetime
import decimal

import pymysql
import pytest

AURORA_3 = "8.0.mysql_aurora.3.10.1"
PASSWORD = "Strict-sandbox-1"
MYSQL_8_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
TABLE = ("CREATE TABLE t (v VARCHAR(5), c CHAR(3), i TINYINT, u SMALLINT UNSIGNED, b BIGINT, d DATE, dt DATETIME, "
         "tm TIME, x DECIMAL(5,2), f DOUBLE, e ENUM('small','Large'), s SET('a','b','c'), y YEAR, "
         "n INT NOT NULL DEFAULT 0)")
CASES = [
    ("v", "'abcdefgh'"), ("v", "'abc  '"), ("v", "'abcde   '"), ("v", "'ñandú'"), ("c", "'ab '"), ("c", "'abcd'"),
    ("i", "300"), ("i", "-129"), ("i", "127"), ("i", "'x'"), ("i", "''"), ("i", "'12abc'"), ("i", "'1.5'"),
    ("i", "' 7 '"), ("i", "2.5"), ("i", "-2.5"), ("u", "-1"), ("u", "65535"), ("u", "65536"),
    ("b", "9223372036854775808"), ("b", "-9223372036854775808"),
    ("d", "'not a date'"), ("d", "'2024-1-5'"), ("d", "'2023-02-29'"), ("d", "'2024-02-29'"), ("d", "20240105"),
    ("d", "'0000-00-00'"), ("d", "'2024-01-05 10:11:12'"), ("d", "'24/1/5'"), ("d", "'2024-00-10'"),
    ("dt", "'2024-13-01 10:00:00'"), ("dt", "'2024-1-5 7:8:9'"), ("dt", "'2024-01-05 24:00:00'"),
    ("dt", "'2024-01-05T10:11:12'"), ("tm", "'12:61:00'"), ("tm", "'1 02:03:04'"), ("tm", "'-838:59:59'"),
    ("x", "12345.678"), ("x", "1.005"), ("x", "999.995"), ("x", "'x'"), ("x", "'-999.994'"), ("x", "'12.3456'"),
    ("f", "'x'"), ("f", "'1e3'"), ("e", "'medium'"), ("e", "'LARGE'"), ("e", "1"), ("e", "3"), ("s", "'c,a,a'"),
    ("s", "'a,z'"), ("y", "2156"), ("y", "'69'"), ("y", "70"), ("y", "1901"), ("n", "NULL"),
]


@pytest.fixture(scope="module")
def sandbox():
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="strict", engine_version=AURORA_3, master_password=PASSWORD) as endpoint:
        connection = pymysql.connect(host=endpoint.host, port=endpoint.port, user="admin", password=PASSWORD,
                                     autocommit=True, charset="utf8mb4")
        yield connection
        connection.close()


@pytest.fixture
def both(fresh_accounts, sandbox):
    server = fresh_accounts.connect("root")
    connections = []
    for connection in (server, sandbox):
        with connection.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS strictdb")
            cursor.execute("CREATE DATABASE strictdb")
            cursor.execute("USE strictdb")
            cursor.execute(f"SET SESSION sql_mode = '{MYSQL_8_SQL_MODE}'")
        connections.append(connection)
    yield connections
    with server.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS strictdb")


def _outcome(connection, column: str, value: str):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS t")
        cursor.execute(TABLE)
        try:
            cursor.execute(f"INSERT INTO t ({column}) VALUES ({value})")
        except pymysql.MySQLError as error:
            return ("refused", error.args[0])
        cursor.execute(f"SELECT {column} FROM t")
        (stored,) = cursor.fetchone()
    if isinstance(stored, (decimal.Decimal, float)):
        return ("stored", float(stored))
    if isinstance(stored, datetime.timedelta):
        seconds = int(stored.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return ("stored", f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}")
    if isinstance(stored, set):  # PyMySQL reads a SET as a Python set
        return ("stored", ",".join(sorted(stored)))
    return ("stored", str(stored) if isinstance(stored, (datetime.date, datetime.datetime)) else stored)


def test_same_verdict_as_the_server(both):
    server, sandbox = both
    differences = []
    for column, value in CASES:
        expected, got = _outcome(server, column, value), _outcome(sandbox, column, value)
        if expected != got:
            differences.append((column, value, expected, got))
    assert differences == []


def test_describe_agrees_with_the_server(both):
    server, sandbox = both
    ddl = ("CREATE TABLE p (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'x', "
           "price DECIMAL(7,2) DEFAULT 1, kind ENUM('a','b') NOT NULL, owner INT, body TEXT, PRIMARY KEY (id), "
           "UNIQUE KEY uq_name (name), KEY ix (price, kind), KEY (owner))")
    answers = []
    for connection in (server, sandbox):
        with connection.cursor() as cursor:
            cursor.execute(ddl)
            cursor.execute("DESCRIBE p")
            rows = [(f, t.replace("int(11)", "int").replace("bigint(20)", "bigint"), n, k, d, e)
                    for f, t, n, k, d, e in cursor.fetchall()]
            cursor.execute("SHOW INDEX FROM p")
            indexes = [(r[1], r[2], r[3], r[4], r[9]) for r in cursor.fetchall()]
            answers.append((rows, indexes))
    assert answers[1] == answers[0]
