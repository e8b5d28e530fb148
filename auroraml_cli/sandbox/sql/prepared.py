"""Server-side prepared statements (COM_STMT_PREPARE / COM_STMT_EXECUTE) with parameters bound safely.

mysql-mimic pastes a string parameter into the statement as `'{value}'` without escaping it (a
parameter `x' OR '1'='1` would become SQL) and knows no DATE/DATETIME/TIME/DECIMAL parameter.
Here each `?` the MySQL tokenizer finds outside quotes and comments is replaced by a literal of
the value it was sent as: a string quoted with MySQL's escapes, bytes as a hex literal, numbers
as numbers, temporal values as their MySQL text. A parameter is a value, never SQL
(docs/reference/sql-compat.md, "Client protocol").
"""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any

from mysql_mimic.prepared import PreparedStatement
from mysql_mimic.results import NullBitmap
from mysql_mimic.types import (
    Capabilities,
    ColumnType,
    ComStmtExecuteFlags,
    read_double,
    read_float,
    read_int_1,
    read_int_2,
    read_int_4,
    read_int_8,
    read_str_len,
    read_uint_1,
    read_uint_2,
    read_uint_4,
    read_uint_8,
    read_uint_len,
)

from .errors import SqlError, not_supported
from .lexer import SYMBOL, tokenize

_STRINGS = {ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.STRING, ColumnType.ENUM, ColumnType.SET,
            ColumnType.JSON}
_BLOBS = {ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB, ColumnType.BIT,
          ColumnType.GEOMETRY}
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"}


class Raw:
    """A parameter that is already SQL text of a literal (a DECIMAL's digits, a temporal value)."""

    def __init__(self, sql: str) -> None:
        self.sql = sql


def placeholders(sql: str) -> list[int]:
    """Offsets of the `?` parameter markers: outside strings, quoted names and comments."""
    return [token.start for token in tokenize(sql) if token.kind == SYMBOL and token.text == "?"]


def literal(value: Any) -> str:
    """A parameter's value as a MySQL literal that reads back as exactly that value."""
    if value is None:
        return "NULL"
    if isinstance(value, Raw):
        return value.sql
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "NULL"
    if isinstance(value, (bytes, bytearray)):
        return "X'" + bytes(value).hex() + "'" if value else "''"
    text = str(value)
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in text) + "'"


def bind(sql: str, values: list[Any]) -> str:
    """The statement with its markers replaced by the values' literals (1210 if the counts differ)."""
    offsets = placeholders(sql)
    if len(offsets) != len(values):
        raise SqlError(1210, "Incorrect arguments to mysqld_stmt_execute")
    pieces, last = [], 0
    for offset, value in zip(offsets, values):
        pieces += [sql[last:offset], literal(value)]
        last = offset + 1
    return "".join(pieces) + sql[last:]


def parse_execute(capabilities: Capabilities, data: bytes, stmt: PreparedStatement
                  ) -> tuple[list[Any], dict[str, str], bool]:
    """COM_STMT_EXECUTE's body after the statement id: (parameters, query attributes, use a cursor)."""
    reader = io.BytesIO(data)
    flags = ComStmtExecuteFlags(read_uint_1(reader))
    use_cursor = ComStmtExecuteFlags.CURSOR_TYPE_READ_ONLY in flags
    read_uint_4(reader)  # iteration count, always 1
    count = stmt.num_params
    attributes = Capabilities.CLIENT_QUERY_ATTRIBUTES in capabilities
    if attributes and (count > 0 or ComStmtExecuteFlags.PARAMETER_COUNT_AVAILABLE in flags):
        count = read_uint_len(reader)
    if count == 0:
        return [], {}, use_cursor
    nulls = NullBitmap.from_buffer(reader, count)
    if not read_uint_1(reader):  # new-params-bound-flag: types follow (clients always send them)
        raise not_supported("COM_STMT_EXECUTE without the parameters' types in the sandbox")
    types = []
    for _ in range(count):
        kind = ColumnType(read_uint_1(reader))
        unsigned = bool(read_uint_1(reader) & 0x80)
        name = read_str_len(reader).decode("utf-8") if attributes else ""
        types.append((name, kind, unsigned))
    buffers = stmt.param_buffers or {}
    values: list[tuple[str, Any]] = []
    for index, (name, kind, unsigned) in enumerate(types):
        if nulls.is_flipped(index):
            values.append((name, None))
        elif index in buffers:  # COM_STMT_SEND_LONG_DATA
            values.append((name, _text_or_bytes(bytes(buffers[index]), kind)))
        else:
            values.append((name, _read_value(reader, kind, unsigned)))
    params = [value for _, value in values[: stmt.num_params]]
    attrs = {name: str(value) for name, value in values[stmt.num_params:] if name}
    return params, attrs, use_cursor


def _text_or_bytes(raw: bytes, kind: ColumnType) -> Any:
    if kind in _BLOBS:
        return raw
    if kind == ColumnType.NEWDECIMAL or kind == ColumnType.DECIMAL:
        return _decimal(raw.decode("ascii", "replace"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _decimal(text: str) -> Raw:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SqlError(1210, "Incorrect arguments to mysqld_stmt_execute") from None
    if not value.is_finite():
        raise SqlError(1210, "Incorrect arguments to mysqld_stmt_execute")
    return Raw(format(value, "f"))


def _read_value(reader: io.BytesIO, kind: ColumnType, unsigned: bool) -> Any:
    if kind in _STRINGS or kind in _BLOBS or kind in (ColumnType.NEWDECIMAL, ColumnType.DECIMAL):
        return _text_or_bytes(read_str_len(reader), kind)
    if kind == ColumnType.TINY:
        return (read_uint_1 if unsigned else read_int_1)(reader)
    if kind in (ColumnType.SHORT, ColumnType.YEAR):
        return (read_uint_2 if unsigned else read_int_2)(reader)
    if kind in (ColumnType.LONG, ColumnType.INT24):
        return (read_uint_4 if unsigned else read_int_4)(reader)
    if kind == ColumnType.LONGLONG:
        return (read_uint_8 if unsigned else read_int_8)(reader)
    if kind == ColumnType.FLOAT:
        return read_float(reader)
    if kind == ColumnType.DOUBLE:
        return read_double(reader)
    if kind == ColumnType.NULL:
        return None
    if kind in (ColumnType.DATE, ColumnType.DATETIME, ColumnType.TIMESTAMP):
        return _datetime(reader, kind == ColumnType.DATE)
    if kind == ColumnType.TIME:
        return _time(reader)
    raise not_supported(f"prepared-statement parameters of type {kind.name} in the sandbox")


def _datetime(reader: io.BytesIO, date_only: bool) -> str:
    length = read_uint_1(reader)
    year = month = day = hour = minute = second = micro = 0
    if length >= 4:
        year, month, day = read_uint_2(reader), read_uint_1(reader), read_uint_1(reader)
    if length >= 7:
        hour, minute, second = read_uint_1(reader), read_uint_1(reader), read_uint_1(reader)
    if length >= 11:
        micro = read_uint_4(reader)
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if not date_only and length >= 7:
        text += f" {hour:02d}:{minute:02d}:{second:02d}" + (f".{micro:06d}" if micro else "")
    return text


def _time(reader: io.BytesIO) -> str:
    length = read_uint_1(reader)
    negative = days = hour = minute = second = micro = 0
    if length >= 8:
        negative, days = read_uint_1(reader), read_uint_4(reader)
        hour, minute, second = read_uint_1(reader), read_uint_1(reader), read_uint_1(reader)
    if length >= 12:
        micro = read_uint_4(reader)
    text = f"{'-' if negative else ''}{days * 24 + hour:02d}:{minute:02d}:{second:02d}"
    return text + (f".{micro:06d}" if micro else "")

