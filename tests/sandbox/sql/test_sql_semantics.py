"""MySQL 8 semantics where SQLite's differ: arithmetic, exact decimals, dates, collation, labels.

One table of (expression → value) drives both the sandbox test and a check of the same rows
against a real MariaDB (tests/support/mariadb.py), so the expectations are not invented; the
rows where MySQL 8 and MariaDB differ (utf8mb4_0900_ai_ci's NO PAD and ß = ss, where the test
MariaDB runs utf8mb4_general_ci; the parentheses in 1690's message) are checked on the sandbox
only, after the MySQL 8.0 manual (docs/reference/sql-compat.md "Semantics and transactions").
Every result column is labelled with the expression as typed."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

D = Decimal
# Expressions MySQL 8 and MariaDB agree on: value as PyMySQL reads it (dates compared as text).
AGREED = [
    ("IFNULL(NULL, 3)", 3), ("1+1", 2), ("5/2", D("2.5000")), ("1.0/3", D("0.33333")), ("0.1+0.2", D("0.3")),
    ("7 DIV 2", 3), ("7 % 3", 1), ("-7 % 3", -1), ("MOD(7,3)", 1), ("1/0", None), ("2.50 * 2", D("5.00")),
    ("'a' = 'A'", 1), ("'a' = 'á'", 1), ("BINARY 'a' = 'A'", 0), ("'a' = 'A' COLLATE utf8mb4_bin", 0),
    ("'abc' LIKE 'ÁB%'", 1), ("BINARY 'abc' LIKE 'AB%'", 0), ("'a' < 'B'", 1), ("'B' > 'a'", 1),
    ("DATE_ADD('2024-01-31', INTERVAL 1 MONTH)", "2024-02-29"),
    ("'2024-01-31' + INTERVAL 1 MONTH", "2024-02-29"),
    ("DATE_SUB('2024-03-31', INTERVAL 1 MONTH)", "2024-02-29"),
    ("'2024-03-31' - INTERVAL 1 MONTH", "2024-02-29"),
    ("DATE_ADD('2024-01-31', INTERVAL -1 MONTH)", "2023-12-31"),
    ("DATE_ADD('2023-02-28', INTERVAL 1 YEAR)", "2024-02-28"),
    ("DATE_ADD('2024-02-29', INTERVAL 1 YEAR)", "2025-02-28"),
    ("DATE_ADD('2024-01-31', INTERVAL '1-1' YEAR_MONTH)", "2025-02-28"),
    ("DATE_ADD('2024-01-31 23:59:59', INTERVAL 1 SECOND)", "2024-02-01 00:00:00"),
    ("'2024-01-31 10:00:00' + INTERVAL 90 MINUTE", "2024-01-31 11:30:00"),
    ("DATEDIFF('2024-03-01','2024-02-01')", 29),
    ("TIMESTAMPDIFF(MONTH,'2024-01-31','2024-02-29')", 0),
    ("TIMESTAMPDIFF(DAY, '2024-01-01', '2024-03-01')", 60),
    ("TIMESTAMPDIFF(HOUR, '2024-01-01 00:00:00', '2024-01-01 05:59:59')", 5),
    ("LAST_DAY('2024-02-10')", "2024-02-29"),
    ("DATE_FORMAT('2024-02-10 13:04:05','%Y-%m-%d %H:%i:%s %W %M %D %a %b %j')",
     "2024-02-10 13:04:05 Saturday February 10th Sat Feb 041"),
    ("STR_TO_DATE('10/02/2024','%d/%m/%Y')", "2024-02-10"),
    ("STR_TO_DATE('10 February 2024 01:30 PM','%d %M %Y %h:%i %p')", "2024-02-10 13:30:00"),
]
# MySQL 8 (utf8mb4_0900_ai_ci: NO PAD, ß = ss) where the test MariaDB (general_ci, PAD SPACE) differs.
MYSQL_ONLY = [("'a' = 'a '", 0), ("'Straße' = 'strasse'", 1), ("'Hey! 🙂' = 'Hey! 😡'", 0)]
# Tables whose sums and averages are exact: (rows of a DECIMAL(10,2) x and INT n, query, expected row).
AGGREGATES = "SELECT SUM(x), AVG(x), SUM(n), AVG(n), SUM(x) = 0.3, MAX(x), COUNT(*) FROM m"
AGGREGATED = (D("0.30"), D("0.150000"), D("3"), D("1.5000"), 1, D("0.20"), 2)


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return str(value)
    return value


def _one(cursor, sql):
    cursor.execute(sql)
    return [d[0] for d in cursor.description], [_plain(v) for v in cursor.fetchone()]


@pytest.mark.parametrize(("expression", "expected"), AGREED + MYSQL_ONLY)
def test_expression_value_and_label(admin, expression, expected):
    with admin.connection.cursor() as cursor:
        labels, values = _one(cursor, f"SELECT {expression}")
    assert (labels, values) == ([expression], [expected])
    assert type(values[0]) is type(expected)


def test_the_same_table_against_mariadb(mariadb):
    """The AGREED rows as a real server answers them: same values, same labels."""
    connection = mariadb.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            for expression, expected in AGREED:
                assert _one(cursor, f"SELECT {expression}") == ([expression], [expected]), expression
            cursor.execute("CREATE DATABASE sem_check")
            try:
                cursor.execute("CREATE TABLE sem_check.m (x DECIMAL(10,2), n INT)")
                cursor.execute("INSERT INTO sem_check.m VALUES (0.10, 1), (0.20, 2)")
                cursor.execute(AGGREGATES.replace("FROM m", "FROM sem_check.m"))
                assert cursor.fetchone() == AGGREGATED
                for sql in OVERFLOWS:
                    with pytest.raises(Exception) as caught:
                        cursor.execute(f"SELECT {sql}")
                    assert caught.value.args[0] == 1690
            finally:
                cursor.execute("DROP DATABASE sem_check")
    finally:
        connection.close()


def test_decimal_columns_sum_and_average_exactly(admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.m (x DECIMAL(10,2), n INT)")
    admin.run("INSERT INTO d.m VALUES (0.10, 1), (0.20, 2)")
    assert admin.one(AGGREGATES.replace("FROM m", "FROM d.m")) == AGGREGATED
    assert admin.one("SELECT x * 2, x / 3, x + 1 FROM d.m WHERE n = 1") == (D("0.20"), D("0.033333"), D("1.10"))


OVERFLOWS = ["9223372036854775807 + 1", "-9223372036854775807 - 2", "4611686018427387904 * 2"]


@pytest.mark.parametrize("expression", OVERFLOWS)
def test_bigint_overflow_is_1690_as_mysql_8_words_it(admin, expression):
    # MySQL 8.0 manual, "Out-of-Range and Overflow Handling": '(9223372036854775807 + 1)'.
    assert admin.error(f"SELECT {expression}") == (1690, f"BIGINT value is out of range in '({expression})'")


def test_bigint_limits_themselves_are_fine(admin):
    assert admin.value("SELECT 9223372036854775806 + 1") == 9223372036854775807
    assert admin.value("SELECT -9223372036854775807 - 1") == -9223372036854775808


def test_labels_keep_the_text_as_typed(admin):
    assert admin.columns("SELECT now() IS NOT NULL, IfNull(NULL,  3), 1 + 1, 'x', COUNT(*) AS n") == \
        ["now() IS NOT NULL", "IfNull(NULL,  3)", "1 + 1", "x", "n"]


def test_now_and_curdate_agree(admin):
    now, today = admin.one("SELECT NOW(), CURDATE()")
    assert str(now)[:10] == str(today)


def test_collation_in_tables(admin):
    """Equality, ORDER BY, GROUP BY, DISTINCT, UNIQUE and LIKE follow utf8mb4_0900_ai_ci; a _bin
    column does not."""
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.p (name VARCHAR(20), code VARCHAR(20) COLLATE utf8mb4_bin)")
    admin.run("INSERT INTO d.p VALUES ('José', 'José'), ('jose', 'jose'), ('Bob', 'Bob'), ('alice', 'alice')")
    assert admin.value("SELECT COUNT(*) FROM d.p WHERE name = 'JOSE'") == 2
    assert admin.value("SELECT COUNT(*) FROM d.p WHERE code = 'JOSE'") == 0
    assert admin.value("SELECT COUNT(*) FROM d.p WHERE name LIKE 'jos%'") == 2
    assert [r[0] for r in admin.rows("SELECT name FROM d.p ORDER BY name, code")][:2] == ["alice", "Bob"]
    assert admin.value("SELECT COUNT(DISTINCT name) FROM d.p") == 3
    assert len(admin.rows("SELECT name, COUNT(*) FROM d.p GROUP BY name")) == 3
    assert len(admin.rows("SELECT DISTINCT code FROM d.p")) == 4
    admin.run("CREATE TABLE d.u (name VARCHAR(20) UNIQUE)")
    admin.run("INSERT INTO d.u VALUES ('Ana')")
    assert admin.error("INSERT INTO d.u VALUES ('ANA')") == (1062, "Duplicate entry 'ANA' for key 'u.name'")


def _reference_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


_LATIN = st.text(alphabet="aAbBeEéÉèÈêoOöÖuUüÜnNñÑcCçÇ ", max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=_LATIN, right=_LATIN)
def test_ai_ci_equality_is_accent_and_case_folding(admin, left, right):
    assert admin.value(f"SELECT '{left}' = '{right}'") == int(_reference_fold(left) == _reference_fold(right))


_CENTS = st.decimals(min_value=D("-99999.99"), max_value=D("99999.99"), places=2, allow_nan=False,
                     allow_infinity=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_CENTS, min_size=1, max_size=30))
def test_decimal_sums_are_exact(admin, values):
    admin.run("DROP DATABASE IF EXISTS h")
    admin.run("CREATE DATABASE h")
    admin.run("CREATE TABLE h.t (x DECIMAL(10,2))")
    admin.run("INSERT INTO h.t VALUES " + ", ".join(f"({v})" for v in values))
    total, average = admin.one("SELECT SUM(x), AVG(x) FROM h.t")
    assert total == sum(values)
    assert average == (sum(values) / len(values)).quantize(D("0.000001"))
