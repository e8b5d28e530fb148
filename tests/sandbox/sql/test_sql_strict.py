"""Column types enforced as MySQL 8.0 does in its default strict sql_mode: the value stored, or
MySQL's error code and message exactly (strict.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auroraml_cli.sandbox.sql.functions import DataType
from auroraml_cli.sandbox.sql.schema import Column
from auroraml_cli.sandbox.sql.strict import _Refused, normalize


@pytest.fixture
def typed(admin):
    admin.run("CREATE DATABASE d")
    admin.run("USE d")
    admin.run("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(5), c CHAR(3), i TINYINT, "
              "u SMALLINT UNSIGNED, b BIGINT, d DATE, dt DATETIME, ts TIMESTAMP(3) NULL, tm TIME, x DECIMAL(5,2), "
              "f DOUBLE, e ENUM('small','Large'), s SET('a','b','c'), j JSON, y YEAR, n INT NOT NULL DEFAULT 0)")
    return admin


@pytest.mark.parametrize(("column", "value", "error"), [
    ("v", "'abcdefgh'", (1406, "Data too long for column 'v' at row 1")),
    ("i", "300", (1264, "Out of range value for column 'i' at row 1")),
    ("i", "-129", (1264, "Out of range value for column 'i' at row 1")),
    ("u", "-1", (1264, "Out of range value for column 'u' at row 1")),
    ("u", "65536", (1264, "Out of range value for column 'u' at row 1")),
    ("b", "9223372036854775808", (1264, "Out of range value for column 'b' at row 1")),
    ("d", "'not a date'", (1292, "Incorrect date value: 'not a date' for column 'd' at row 1")),
    ("d", "'2023-02-29'", (1292, "Incorrect date value: '2023-02-29' for column 'd' at row 1")),
    ("d", "'0000-00-00'", (1292, "Incorrect date value: '0000-00-00' for column 'd' at row 1")),
    ("dt", "'2024-13-01 10:00:00'", (1292, "Incorrect datetime value: '2024-13-01 10:00:00' for column 'dt' at row 1")),
    ("ts", "'1969-12-31 23:59:59'", (1292, "Incorrect datetime value: '1969-12-31 23:59:59' for column 'ts' at row 1")),
    ("tm", "'12:61:00'", (1292, "Incorrect time value: '12:61:00' for column 'tm' at row 1")),
    ("x", "12345.678", (1264, "Out of range value for column 'x' at row 1")),
    ("x", "'x'", (1366, "Incorrect decimal value: 'x' for column 'x' at row 1")),
    ("i", "'x'", (1366, "Incorrect integer value: 'x' for column 'i' at row 1")),
    ("i", "''", (1366, "Incorrect integer value: '' for column 'i' at row 1")),
    ("i", "'12abc'", (1265, "Data truncated for column 'i' at row 1")),
    ("f", "'x'", (1366, "Incorrect double value: 'x' for column 'f' at row 1")),
    ("e", "'medium'", (1265, "Data truncated for column 'e' at row 1")),
    ("e", "3", (1265, "Data truncated for column 'e' at row 1")),
    ("s", "'a,z'", (1265, "Data truncated for column 's' at row 1")),
    ("j", "'{bad'", (3140, "Invalid JSON text: \"Invalid value.\" at position 1 in value for column 't.j'.")),
    ("j", "1", (3140, "Invalid JSON text: \"not a JSON text, may need CAST\" at position 0 in value for column 't.j'.")),
    ("y", "2156", (1264, "Out of range value for column 'y' at row 1")),
    ("n", "NULL", (1048, "Column 'n' cannot be null")),
])
def test_refused_values(typed, column, value, error):
    assert typed.error(f"INSERT INTO t ({column}) VALUES ({value})") == error
    assert typed.value("SELECT COUNT(*) FROM t") == 0


@pytest.mark.parametrize(("column", "value", "stored"), [
    ("v", "'abc  '", "abc  "),
    ("v", "'abcde   '", "abcde"),  # only spaces cut: a note in MySQL, not an error
    ("v", "'ñandú'", "ñandú"),  # five characters (seven bytes)
    ("c", "'ab '", "ab"),  # CHAR drops trailing spaces
    ("i", "'1.5'", 2),
    ("i", "-128", -128),
    ("i", "127", 127),
    ("u", "65535", 65535),
    ("b", "-9223372036854775808", -9223372036854775808),
    ("d", "'2024-1-5'", date(2024, 1, 5)),  # DATE/DATETIME/TIME go out typed: PyMySQL's objects
    ("d", "20240105", date(2024, 1, 5)),
    ("d", "'24/1/5'", date(2024, 1, 5)),
    ("d", "'2024-01-05 10:11:12'", date(2024, 1, 5)),
    ("dt", "'2024-1-5 7:8:9'", datetime(2024, 1, 5, 7, 8, 9)),
    ("dt", "'2024-01-05T10:11:12.6'", datetime(2024, 1, 5, 10, 11, 13)),
    ("ts", "'2024-01-05 10:11:12.12345'", datetime(2024, 1, 5, 10, 11, 12, 123000)),
    ("tm", "'1 02:03:04'", timedelta(hours=26, minutes=3, seconds=4)),
    ("tm", "'-838:59:59'", -timedelta(hours=838, minutes=59, seconds=59)),
    ("e", "'LARGE'", "Large"),
    ("e", "1", "small"),
    ("s", "'c,a,a'", "a,c"),
    ("j", "'{\"b\": 1,\"a\":[1,2]}'", '{"a": [1, 2], "b": 1}'),
    ("y", "'69'", 2069),
    ("y", "70", 1970),
])
def test_stored_values(typed, column, value, stored):
    typed.run(f"INSERT INTO t ({column}) VALUES ({value})")
    assert typed.value(f"SELECT {column} FROM t") == stored


def test_decimal_rounds_extra_digits(typed):
    typed.run("INSERT INTO t (x) VALUES (1.005), ('-999.994'), (999.99)")
    assert [float(v) for (v,) in typed.rows("SELECT x FROM t ORDER BY id")] == [1.01, -999.99, 999.99]
    assert typed.error("INSERT INTO t (x) VALUES (999.995)") == (1264, "Out of range value for column 'x' at row 1")


def test_row_numbers_as_mysql_counts_them(typed):
    assert typed.error("INSERT INTO t (i) VALUES (1), (2), (300)") == (
        1264, "Out of range value for column 'i' at row 3")
    assert typed.error("INSERT INTO t (i, v) SELECT 1, 'ok' UNION ALL SELECT 2, 'too long'") == (
        1406, "Data too long for column 'v' at row 2")
    typed.run("INSERT INTO t (i) VALUES (1), (2), (3)")
    assert typed.error("UPDATE t SET i = i * 60 WHERE i >= 2") == (1264, "Out of range value for column 'i' at row 2")
    assert typed.rows("SELECT i FROM t ORDER BY id") == [(1,), (2,), (3,)]  # nothing written
    assert typed.run("UPDATE t SET i = i + 1") == 3


def test_missing_value_for_a_column_with_no_default(typed):
    typed.run("CREATE TABLE need (a INT NOT NULL, b VARCHAR(3) NOT NULL DEFAULT 'x')")
    assert typed.error("INSERT INTO need (b) VALUES ('y')") == (1364, "Field 'a' doesn't have a default value")
    typed.run("INSERT INTO need (a) VALUES (1)")
    assert typed.rows("SELECT a, b FROM need") == [(1, "x")]


def test_outside_a_strict_sql_mode(typed):
    """Valid values are stored in any mode; what MySQL would clip with a warning is refused by name."""
    typed.run("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'")
    typed.run("INSERT INTO t (i, d) VALUES (5, '2024-1-5')")
    assert typed.rows("SELECT i, d FROM t") == [(5, date(2024, 1, 5))]
    code, message = typed.error("INSERT INTO t (i) VALUES (300)")
    assert code == 1235 and "outside a strict sql_mode" in message and "Out of range value" in message
    typed.run("SET SESSION sql_mode = DEFAULT")
    assert typed.error("INSERT IGNORE INTO t (i) VALUES (300)")[0] == 1235  # IGNORE: MySQL clips with a warning
    typed.run("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
    assert typed.error("INSERT INTO t (i) VALUES (300)")[0] == 1264


# -- the checker on values hypothesis picks: MySQL's ranges written out independently here ----------

_RANGES = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INT": 32, "BIGINT": 64}
_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(kind=st.sampled_from(sorted(_RANGES)), unsigned=st.booleans(), value=st.integers(-(2**65), 2**65))
@settings(max_examples=400, deadline=None)
def test_integer_ranges(kind, unsigned, value):
    bits = _RANGES[kind]
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    column = Column("c", DataType(kind, unsigned=unsigned))
    for written in (value, str(value), f" {value} "):
        if low <= value <= high:
            assert normalize(column, written) == value
        else:
            with pytest.raises(_Refused) as refused:
                normalize(column, written)
            assert (refused.value.code, refused.value.message) == (1264, "Out of range value for column 'c'")


@given(length=st.integers(1, 20), text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
@settings(max_examples=400, deadline=None)
def test_varchar_lengths_in_characters(length, text):
    column = Column("c", DataType("VARCHAR", f"({length})"))
    if len(text) <= length:
        assert normalize(column, text) == text
    elif not text[length:].strip(" "):
        assert normalize(column, text) == text[:length]
    else:
        with pytest.raises(_Refused) as refused:
            normalize(column, text)
        assert refused.value.code == 1406


@_PROPERTY
@given(value=st.integers(-200, 400), text=st.text("ab ", max_size=9))
def test_round_trip_or_documented_error_over_the_wire(typed, value, text):
    """Through the endpoint: a TINYINT and a VARCHAR(5) either store the value or refuse it with
    1264 / 1406, and nothing is written when refused."""
    typed.run("DELETE FROM t")
    fits = -128 <= value <= 127 and (len(text) <= 5 or not text[5:].strip(" "))
    escaped = text.replace("'", "''")
    if fits:
        typed.run(f"INSERT INTO t (i, v) VALUES ({value}, '{escaped}')")
        assert typed.one("SELECT i, v FROM t") == (value, text[:5] if len(text) > 5 else text)
    else:
        code, _ = typed.error(f"INSERT INTO t (i, v) VALUES ({value}, '{escaped}')")
        assert code == (1264 if not -128 <= value <= 127 else 1406)
        assert typed.value("SELECT COUNT(*) FROM t") == 0


def test_sql_mode_as_mysql_stores_it(admin):
    admin.run("SET sql_mode = traditional")
    assert admin.value("SELECT @@sql_mode") == (
        "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,TRADITIONAL,"
        "NO_ENGINE_SUBSTITUTION")
    admin.run("SET sql_mode = 'no_auto_value_on_zero, only_full_group_by'")
    assert admin.value("SELECT @@sql_mode") == "ONLY_FULL_GROUP_BY,NO_AUTO_VALUE_ON_ZERO"
    assert admin.error("SET sql_mode = 'NOPE'") == (1231, "Variable 'sql_mode' can't be set to the value of 'NOPE'")
    assert admin.error("SET sql_mode = NULL") == (1231, "Variable 'sql_mode' can't be set to the value of 'NULL'")
    code, message = admin.error("SET sql_mode = 'ANSI'")
    assert code == 1235 and "ANSI_QUOTES,PIPES_AS_CONCAT" in message
    admin.run("SET sql_mode = ''")
    assert admin.value("SELECT @@sql_mode") == ""
