"""The values INSERT and UPDATE write, checked and stored as MySQL 8.0 does in its default strict
sql_mode (STRICT_TRANS_TABLES, NO_ZERO_IN_DATE, NO_ZERO_DATE) [docs/reference/sql-compat.md].

`prepare` checks each literal a statement writes in Python and writes it as stored; any other
value it wraps in MYSQL_STORE(value, 'db<US>table<US>column<US>row<US>first<US>strict'), a SQLite
function that checks the value against the column's definition in the catalogue (schema.py)
when the row is written. Either way the value becomes what MySQL would store: '2024-1-5' in a
DATE is '2024-01-05', 12.345 in a DECIMAL(5,2) is 12.35 (MySQL rounds with a note, not an error), 'abc  ' in a
VARCHAR(4) is 'abc ' (extra trailing spaces are cut with a note). What MySQL refuses raises its
error, worded as MySQL 8.0 words it, with the row counted from 1 in the statement:

    1406 Data too long for column 'c' at row N            CHAR/VARCHAR (characters), TEXT/BLOB (bytes)
    1264 Out of range value for column 'c' at row N        integers (per type, UNSIGNED), DECIMAL(M,D),
                                                           FLOAT/DOUBLE, YEAR
    1366 Incorrect integer value: 'x' for column 'c' at row N   (decimal, double, float likewise)
    1265 Data truncated for column 'c' at row N            '12abc' in a number, ENUM/SET non-members
    1292 Incorrect date value: 'x' for column 'c' at row N (datetime, time likewise)
    1048 Column 'c' cannot be null
    1364 Field 'c' doesn't have a default value
    3140 Invalid JSON text: "..." at position N in value for column 't.c'.

Outside a strict sql_mode (a session that sets sql_mode without STRICT_TRANS_TABLES or
STRICT_ALL_TABLES, as mysqldump's output does) MySQL stores a clipped or truncated value with a
warning; the sandbox does not model that and refuses such a value (1235). Values that are valid
are stored the same in both modes. Not checked: LOAD DATA, INSERT ... SELECT *, ON DUPLICATE KEY
UPDATE assignments, multi-table UPDATE.
"""

from __future__ import annotations

import calendar
import json
import math
import re
import sqlite3
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from mysql_mimic.intercept import value_to_expression
from sqlglot import exp

from .errors import SqlError, not_supported
from .schema import Catalogue, Column

if TYPE_CHECKING:
    from .session import AuroraSession

FUNCTION = "MYSQL_STORE"
_SEPARATOR = "\x1f"  # between the parts of MYSQL_STORE's key: db, table, column, row, first, strict
_INT_BITS = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INT": 32, "BIGINT": 64}
_TEXT_BYTES = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215, "LONGTEXT": 4294967295,
               "TINYBLOB": 255, "BLOB": 65535, "MEDIUMBLOB": 16777215, "LONGBLOB": 4294967295}
_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\s*(\d{1,4})[^\d\s](\d{1,2})[^\d\s](\d{1,2})(?:(?:[Tt]|\s+)(.*?))?\s*")
_TIME = re.compile(r"(\d{1,2})[^\d](\d{1,2})(?:[^\d](\d{1,2})(?:\.(\d*))?)?")
_DURATION = re.compile(r"\s*(-)?(?:(\d+)\s+)?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d*))?\s*")
_TIMESTAMP_MIN = datetime(1970, 1, 1, 0, 0, 1)
_TIMESTAMP_MAX = datetime(2038, 1, 19, 3, 14, 7, 999999)


class _Refused(Exception):
    """A value MySQL refuses: its error code and the message's wording before ` at row N`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def is_strict(sql_mode: Any) -> bool:
    modes = {m.strip().upper() for m in str(sql_mode or "").split(",")}
    return bool(modes & {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES"})


def register(connection: sqlite3.Connection, failures: list[SqlError], catalogue: Catalogue) -> None:
    """MYSQL_STORE in the tables' SQLite connection (not deterministic: called for every row)."""

    def store(value: Any, key: str) -> Any:
        found = catalogue.store_keys.get(key)
        if found is None:  # once per key and statement (prepare empties the cache)
            db, table, column, row_text, first, strict = key.split(_SEPARATOR)
            definition = catalogue.get(db, table)
            found = catalogue.store_keys[key] = (definition.column(column) if definition else None, table,
                                                 int(row_text), first == "1", strict == "1")
        column_def, table, row, first, strict = found
        if column_def is None:
            return value
        if not row:
            if first:
                catalogue.rows_written += 1
            row = catalogue.rows_written
        try:
            return stored(column_def, value, strict=strict, table=table, row=row)
        except SqlError as error:
            failures.append(error)
            raise

    connection.create_function(FUNCTION, 2, store)


def stored(column: Column, value: Any, *, strict: bool, table: str, row: int) -> Any:
    """The value MySQL stores in the column, or the SqlError it raises (1235 outside a strict
    sql_mode, where MySQL would store a clipped value with a warning)."""
    try:
        if value is None:
            if column.nullable or column.auto_increment:
                return None
            raise _Refused(1048, f"Column '{column.name}' cannot be null")
        return normalize(column, value, strict=strict, table=table)
    except _Refused as refused:
        if refused.code == 1048:
            raise SqlError(1048, refused.message) from None
        if not strict:
            raise not_supported(f"storing a value MySQL would clip or truncate with a warning outside a strict "
                                f"sql_mode or with INSERT IGNORE ({refused.message}) in the sandbox") from None
        suffix = "" if refused.code == 3140 else f" at row {row}"
        raise SqlError(refused.code, refused.message + suffix) from None


# -- statements ------------------------------------------------------------------------------------


def prepare(s: AuroraSession, statement: exp.Expression) -> exp.Expression:
    """The statement with each value it writes wrapped in MYSQL_STORE (unchanged if it writes none
    the catalogue knows)."""
    if not isinstance(statement, (exp.Insert, exp.Update)):
        return statement
    catalogue = s.cluster.tables.schema
    strict = is_strict(s.variables.get("sql_mode"))
    catalogue.rows_written = 0
    catalogue.store_keys.clear()
    if isinstance(statement, exp.Insert):
        # INSERT IGNORE turns these errors into warnings and stores a clipped value, as a non-strict mode does.
        return _insert(s, catalogue, statement, strict and not statement.args.get("ignore"))
    return _update(s, catalogue, statement, strict)


def _insert(s: AuroraSession, catalogue: Catalogue, statement: exp.Insert, strict: bool) -> exp.Expression:
    target = statement.this
    table_node = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table_node, exp.Table):
        return statement
    db = table_node.db or s.database
    table = catalogue.get(db, table_node.name) if db else None
    if table is None:
        return statement
    names = [e.name for e in target.expressions] if isinstance(target, exp.Schema) else [c.name for c in table.columns]
    columns = [table.column(name) for name in names]
    if any(c is None for c in columns):
        return statement  # SQLite names the unknown column (1054)
    named = {name.lower() for name in names}
    for column in table.columns:
        if column.name.lower() not in named and not column.has_default:
            if not strict:
                raise not_supported("an omitted NOT NULL column with no DEFAULT outside a strict sql_mode "
                                    "(MySQL stores the type's implicit default with a warning) in the sandbox")
            raise SqlError(1364, f"Field '{column.name}' doesn't have a default value")
    statement = statement.copy()
    source = statement.expression
    if isinstance(source, exp.Values):
        for number, row in enumerate(source.expressions, start=1):
            values = row.expressions if isinstance(row, exp.Tuple) else [row]
            if len(values) != len(columns):
                return statement  # SQLite's count mismatch becomes 1136
            expressions = []
            for column, value in zip(columns, values):
                literal = _literal(value)
                if literal is _NOT_LITERAL:
                    expressions.append((column, value))
                    continue
                # Checked now, in MySQL's order (row by row, column by column), and written as stored.
                result = stored(column, literal, strict=strict, table=table.name, row=number)  # type: ignore[arg-type]
                if result != literal or type(result) is not type(literal):
                    value.replace(value_to_expression(result))
            for column, value in expressions:
                _wrap(value, table.db, table.name, column, number, False, strict)  # type: ignore[arg-type]
    else:
        for select in _selects(source):
            if len(select.expressions) != len(columns) or any(
                    isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
                    for e in select.expressions):
                continue  # SELECT *: not checked
            for index, (column, value) in enumerate(zip(columns, list(select.expressions))):
                inner = value.this if isinstance(value, exp.Alias) else value
                _wrap(inner, table.db, table.name, column, 0, index == 0, strict)  # type: ignore[arg-type]
    return statement


def _selects(source: exp.Expression | None) -> list[exp.Select]:
    """The SELECTs whose rows an INSERT ... SELECT writes (each branch of a UNION)."""
    if isinstance(source, exp.Subquery):
        return _selects(source.this)
    if isinstance(source, exp.Select):
        return [source]
    if isinstance(source, exp.SetOperation):
        return _selects(source.this) + _selects(source.expression)
    return []


def _update(s: AuroraSession, catalogue: Catalogue, statement: exp.Update, strict: bool) -> exp.Expression:
    target = statement.this
    if not isinstance(target, exp.Table) or statement.args.get("joins"):
        return statement
    db = target.db or s.database
    table = catalogue.get(db, target.name) if db else None
    if table is None:
        return statement
    statement = statement.copy()
    for index, assignment in enumerate(statement.expressions):
        if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
            continue
        column = table.column(assignment.this.name)
        if column is not None:
            _wrap(assignment.expression, table.db, table.name, column, 0, index == 0, strict)
    return statement


_NOT_LITERAL = object()


def _literal(node: exp.Expression) -> Any:
    """A literal's value as SQLite will hand it to MYSQL_STORE, or _NOT_LITERAL."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        inner = _literal(node.this)
        return -inner if isinstance(inner, (int, float)) else _NOT_LITERAL
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.name
        try:
            return int(node.name)
        except ValueError:
            try:
                return float(node.name)
            except ValueError:
                return _NOT_LITERAL
    return _NOT_LITERAL


def _wrap(value: exp.Expression, db: str, table: str, column: Column, row: int, first: bool, strict: bool) -> None:
    if isinstance(value, exp.Var) and value.name.upper() == "DEFAULT":
        return
    key = _SEPARATOR.join((db, table, column.name, str(row), str(int(first)), str(int(strict))))
    value.replace(exp.Anonymous(this=FUNCTION, expressions=[value.copy(), exp.Literal.string(key)]))


# -- values ----------------------------------------------------------------------------------------


def normalize(column: Column, value: Any, *, strict: bool = True, table: str = "") -> Any:
    """What MySQL stores for `value` in `column`, or _Refused (without its ` at row N`)."""
    name = column.type.name
    if isinstance(value, bytes) and name not in ("BINARY", "VARBINARY") and name not in _TEXT_BYTES:
        value = value.decode("utf-8", "replace")
    if name in _INT_BITS:
        return _integer(column, value)
    if name == "DECIMAL":
        return _decimal(column, value)
    if name in ("FLOAT", "DOUBLE"):
        return _float(column, value)
    if name in ("CHAR", "VARCHAR", "BINARY", "VARBINARY") or name in _TEXT_BYTES:
        return _string(column, value)
    if name == "DATE":
        return _date(column, value)
    if name in ("DATETIME", "TIMESTAMP"):
        return _datetime(column, value)
    if name == "TIME":
        return _time(column, value)
    if name == "YEAR":
        return _year(column, value)
    if name in ("ENUM", "SET"):
        return _member(column, value)
    if name == "JSON":
        return _json(column, value, table)
    return value


def _out_of_range(column: Column) -> _Refused:
    return _Refused(1264, f"Out of range value for column '{column.name}'")


def _incorrect(kind: str, column: Column, value: Any) -> _Refused:
    return _Refused(1366, f"Incorrect {kind} value: '{value}' for column '{column.name}'")


def _truncated(column: Column) -> _Refused:
    return _Refused(1265, f"Data truncated for column '{column.name}'")


def _number(column: Column, value: Any, kind: str) -> Decimal:
    """A number as MySQL reads it from a value: a string's leading number (trailing spaces are
    fine, anything else is 1265; no number at all is 1366)."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _out_of_range(column)
        return Decimal(repr(value))
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    match = _NUMBER.match(text)
    if match is None:
        raise _incorrect(kind, column, text)
    if text[match.end():].strip():
        raise _truncated(column)
    try:
        return Decimal(match.group().strip())
    except InvalidOperation:
        raise _incorrect(kind, column, text) from None


def _integer(column: Column, value: Any) -> int:
    number = _number(column, value, "integer")
    bits = _INT_BITS[column.type.name]
    low, high = (0, 2**bits - 1) if column.type.unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not number.is_finite() or abs(number) > 2**65:
        raise _out_of_range(column)
    stored = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not low <= stored <= high:
        raise _out_of_range(column)
    return stored


def _precision(column: Column) -> tuple[int, int]:
    sizes = column.type.size.strip("()").split(",")
    return (int(sizes[0]), int(sizes[1]) if len(sizes) > 1 else 0) if sizes[0] else (10, 0)


def _decimal(column: Column, value: Any) -> str:
    number = _number(column, value, "decimal")
    precision, scale = _precision(column)
    if not number.is_finite() or abs(number) >= Decimal(10) ** 66:
        raise _out_of_range(column)
    stored = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if abs(stored) >= Decimal(10) ** (precision - scale) or (column.type.unsigned and stored < 0):
        raise _out_of_range(column)
    return str(stored)


def _float(column: Column, value: Any) -> float:
    number = _number(column, value, column.type.name.lower())
    stored = float(number)
    limit = 3.402823466e38 if column.type.name == "FLOAT" else 1.7976931348623157e308
    if math.isinf(stored) or abs(stored) > limit or (column.type.unsigned and stored < 0):
        raise _out_of_range(column)
    return stored


def _string(column: Column, value: Any) -> Any:
    name = column.type.name
    binary = name in ("BINARY", "VARBINARY") or name.endswith("BLOB")
    if isinstance(value, float):
        value = repr(value)
    if binary:
        data = value if isinstance(value, bytes) else str(value).encode()
        limit = _TEXT_BYTES.get(name) or int(column.type.size.strip("()") or 1)
        if len(data) > limit:
            raise _Refused(1406, f"Data too long for column '{column.name}'")
        return value
    text = str(value)
    if name in _TEXT_BYTES:
        if len(text.encode("utf-8")) > _TEXT_BYTES[name]:
            raise _Refused(1406, f"Data too long for column '{column.name}'")
        return text
    limit = int(column.type.size.strip("()") or 1)
    if len(text) > limit:
        if text[limit:].strip(" "):
            raise _Refused(1406, f"Data too long for column '{column.name}'")
        text = text[:limit]  # only spaces cut: a note in MySQL
    return text.rstrip(" ") if name == "CHAR" else text


def _two_digit_year(year: int, digits: int) -> int:
    if digits <= 2:
        return year + (2000 if year < 70 else 1900)
    return year


def _date_parts(value: Any) -> tuple[int, int, int, str] | None:
    """(year, month, day, the rest) of a date or datetime value, or None if it is none."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value) == int(value) else repr(value)
    text = str(value)
    match = _DATE.fullmatch(text)
    if match:
        year_text = match.group(1)
        return (_two_digit_year(int(year_text), len(year_text)), int(match.group(2)), int(match.group(3)),
                match.group(4) or "")
    digits = text.strip()
    head, _, fraction = digits.partition(".")
    if not head.isdigit():
        return None
    if len(head) in (8, 14):
        rest = head[8:]
        time = f"{rest[0:2]}:{rest[2:4]}:{rest[4:6]}" + (f".{fraction}" if fraction else "") if rest else ""
        return int(head[:4]), int(head[4:6]), int(head[6:8]), time
    if len(head) in (6, 12):
        rest = head[6:]
        time = f"{rest[0:2]}:{rest[2:4]}:{rest[4:6]}" if rest else ""
        return _two_digit_year(int(head[:2]), 2), int(head[2:4]), int(head[4:6]), time
    return None


def _valid_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1] and 1 <= year <= 9999


def _date(column: Column, value: Any) -> str:
    parts = _date_parts(value)
    if parts is None or not _valid_date(*parts[:3]):
        raise _Refused(1292, f"Incorrect date value: '{value}' for column '{column.name}'")
    year, month, day, _ = parts  # a time part is cut with a note
    return f"{year:04d}-{month:02d}-{day:02d}"


def _fsp(column: Column) -> int:
    size = column.type.size.strip("()")
    return int(size) if size.isdigit() else 0


def _datetime(column: Column, value: Any) -> str:
    parts = _date_parts(value)
    refused = _Refused(1292, f"Incorrect datetime value: '{value}' for column '{column.name}'")
    if parts is None or not _valid_date(*parts[:3]):
        raise refused
    year, month, day, rest = parts
    hour = minute = second = 0
    fraction = ""
    if rest.strip():
        match = _TIME.fullmatch(rest.strip())
        if match is None:
            raise refused
        hour, minute = int(match.group(1)), int(match.group(2))
        second = int(match.group(3) or 0)
        fraction = match.group(4) or ""
        if hour > 23 or minute > 59 or second > 59:
            raise refused
    moment = datetime(year, month, day, hour, minute, second)
    fsp = _fsp(column)
    micro = Decimal("0." + (fraction or "0")).quantize(Decimal(1).scaleb(-fsp), rounding=ROUND_HALF_UP)
    moment += timedelta(microseconds=int(micro * 1000000))
    if column.type.name == "TIMESTAMP" and not _TIMESTAMP_MIN <= moment <= _TIMESTAMP_MAX:
        raise refused
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{moment.microsecond:06d}"[: fsp + 1] if fsp else "")


def _time(column: Column, value: Any) -> str:
    refused = _Refused(1292, f"Incorrect time value: '{value}' for column '{column.name}'")
    text = str(value).strip()
    match = _DURATION.fullmatch(text)
    if match:
        negative, days, hours, minutes, seconds, fraction = match.groups()
        hours_total = int(days or 0) * 24 + int(hours)
        minutes, seconds = int(minutes), int(seconds or 0)
    else:
        head, _, fraction = text.lstrip("-").partition(".")
        negative = "-" if text.startswith("-") else None
        if not head.isdigit() or len(head) > 7:
            raise refused
        head = head.zfill(6)
        hours_total, minutes, seconds = int(head[:-4]), int(head[-4:-2]), int(head[-2:])
    if minutes > 59 or seconds > 59:
        raise refused
    fsp = _fsp(column)
    micro = Decimal("0." + (fraction or "0")).quantize(Decimal(1).scaleb(-fsp), rounding=ROUND_HALF_UP)
    total = Decimal(hours_total * 3600 + minutes * 60 + seconds) + micro
    if total > Decimal("3020399"):  # 838:59:59
        raise refused
    whole = int(total)
    shown = f"{'-' if negative and total else ''}{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return shown + (f".{int((total - whole) * 1000000):06d}"[: fsp + 1] if fsp else "")


def _year(column: Column, value: Any) -> int:
    text = str(value).strip()
    number = _number(column, value, "integer")
    year = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if isinstance(value, str) and len(text) <= 2 and 0 <= year < 100:
        return year + (2000 if year < 70 else 1900)
    if year == 0:
        return 0
    if 1 <= year < 70:
        return year + 2000
    if 70 <= year < 100:
        return year + 1900
    if not 1901 <= year <= 2155:
        raise _out_of_range(column)
    return year


def members(column: Column) -> list[str]:
    from .lexer import STRING, tokenize

    return [t.text for t in tokenize(column.type.size) if t.kind == STRING]


def _member(column: Column, value: Any) -> str:
    allowed = members(column)
    lookup = {m.lower().rstrip(" "): m for m in allowed}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        index = int(value)
        if column.type.name == "ENUM":
            if 1 <= index <= len(allowed) and index == value:
                return allowed[index - 1]
            raise _truncated(column)
        if index != value or not 0 <= index < 2 ** len(allowed):
            raise _truncated(column)
        return ",".join(m for bit, m in enumerate(allowed) if index >> bit & 1)
    text = str(value)
    if column.type.name == "ENUM":
        found = lookup.get(text.lower().rstrip(" "))
        if found is None:
            raise _truncated(column)
        return found
    chosen = {lookup.get(part.lower().rstrip(" ")) for part in text.split(",")} if text else set()
    if None in chosen:
        raise _truncated(column)
    return ",".join(m for m in allowed if m in chosen)


def _json(column: Column, value: Any, table: str) -> str:
    where = f"in value for column '{table}.{column.name}'."
    if not isinstance(value, (str, bytes)):
        raise _Refused(3140, f'Invalid JSON text: "not a JSON text, may need CAST" at position 0 {where}')
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    try:
        parsed = json.loads(text)
    except ValueError as error:
        position = getattr(error, "pos", 0)
        reason = "The document is empty." if not text.strip() else "Invalid value."
        raise _Refused(3140, f'Invalid JSON text: "{reason}" at position {position} {where}') from None
    from .tables import _mysql_json

    return _mysql_json(parsed)
