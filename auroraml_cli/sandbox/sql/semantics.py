"""MySQL 8 semantics where SQLite's differ, as SQLite functions, a collation and a rewrite of the
parsed statement (tables.for_sqlite_expression calls `rewrite`):

- utf8mb4_0900_ai_ci, the default collation: case- and accent-insensitive, NO PAD. Text columns
  are declared `COLLATE MYSQL_AI_CI` (unless declared `_bin`), a comparison of two non-columns
  (`'a' = 'A'`) gets it too, LIKE folds the same way; `BINARY x` and `COLLATE utf8mb4_bin` opt out.
- Date arithmetic: DATE_ADD/DATE_SUB/`+ INTERVAL` clamp to the month's end ('2024-01-31' +
  INTERVAL 1 MONTH = '2024-02-29'); DATEDIFF, TIMESTAMPDIFF, LAST_DAY, DATE_FORMAT, STR_TO_DATE.
- Integer arithmetic: BIGINT overflow of + - * is error 1690, not SQLite's silent float.
- Exact values: a result column MySQL types DECIMAL (a decimal literal, a DECIMAL column, `/`
  with div_precision_increment 4, SUM and AVG) comes back as a Decimal of MySQL's scale
  (`decimal_scales`), so 0.1 + 0.2 is 0.3 and 5/2 is 2.5000.
See docs/reference/sql-compat.md "Semantics and transactions".
"""

from __future__ import annotations

import calendar
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.time import format_time

from .errors import SqlError

AI_CI = "MYSQL_AI_CI"
_BIGINT = (-(2**63), 2**63 - 1)
DIV_PRECISION_INCREMENT = 4


# -- collation ------------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A string's utf8mb4_0900_ai_ci weight, near enough: accents dropped, case folded (ß = ss)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def compare_ai_ci(a: str, b: str) -> int:
    fa, fb = fold(a), fold(b)
    return (fa > fb) - (fa < fb)


@lru_cache(maxsize=4096)
def _like_pattern(pattern: str, escape: str, folded: bool) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(fold(c) if folded else c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _like(pattern: Any, text: Any, escape: Any = "\\") -> int | None:
    if pattern is None or text is None:
        return None
    binary = isinstance(pattern, bytes) or isinstance(text, bytes)
    pattern = pattern.decode("utf-8", "replace") if isinstance(pattern, bytes) else str(pattern)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if isinstance(escape, bytes):
        escape = escape.decode()
    regex = _like_pattern(pattern, str(escape or "\\"), not binary)
    return int(regex.fullmatch(text if binary else fold(text)) is not None)


def _like_binary(text: Any, pattern: Any) -> int | None:
    return _like(pattern.encode() if isinstance(pattern, str) else pattern,
                 text.encode() if isinstance(text, str) else text)


def _collation_of(name: str) -> str:
    return "BINARY" if name.lower().endswith("_bin") or name.lower() == "binary" else AI_CI


# -- dates ------------------------------------------------------------------------------------------

_DATETIME = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?)?\s*$")


def _parse(value: Any) -> tuple[datetime, bool] | None:
    """A MySQL date or datetime value, and whether it had a time part."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value, True
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), False
    if isinstance(value, int) and 10000101 <= value <= 99991231:
        value = str(value)
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if not isinstance(value, str):
        return None
    match = _DATETIME.match(value)
    if match is None:
        return None
    y, mo, d, h, mi, s, f = match.groups()
    try:
        when = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                        int((f or "0").ljust(6, "0")))
    except ValueError:
        return None
    return when, h is not None


def _show(when: datetime, with_time: bool) -> str:
    if not with_time:
        return when.strftime("%Y-%m-%d")
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{when.microsecond:06d}" if when.microsecond else "")


_UNITS = {"MICROSECOND": ("microseconds",), "SECOND": ("seconds",), "MINUTE": ("minutes",), "HOUR": ("hours",),
          "DAY": ("days",), "WEEK": ("weeks",), "MONTH": ("months",), "QUARTER": ("quarters",), "YEAR": ("years",),
          "MINUTE_SECOND": ("minutes", "seconds"), "HOUR_MINUTE": ("hours", "minutes"),
          "HOUR_SECOND": ("hours", "minutes", "seconds"), "DAY_HOUR": ("days", "hours"),
          "DAY_MINUTE": ("days", "hours", "minutes"), "DAY_SECOND": ("days", "hours", "minutes", "seconds"),
          "YEAR_MONTH": ("years", "months"), "SECOND_MICROSECOND": ("seconds", "microseconds")}


def _add_months(when: datetime, months: int) -> datetime | None:
    total = when.year * 12 + when.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def date_add(value: Any, amount: Any, unit: str, sign: int) -> str | None:
    """MySQL's DATE_ADD (sign 1) / DATE_SUB (sign -1); NULL for a value that is not a date."""
    parsed = _parse(value)
    parts = _UNITS.get(unit.upper())
    if parsed is None or amount is None or parts is None:
        return None
    when, with_time = parsed
    text = amount.decode() if isinstance(amount, bytes) else str(amount)
    negative = text.strip().startswith("-")
    numbers = [n for n in re.split(r"[^0-9.]+", text) if n]
    if len(parts) == 1:
        try:
            numbers = [str(round(float(text)))] if parts[0] != "seconds" else [text.strip().lstrip("-")]
        except ValueError:
            return None
        numbers = [numbers[0].lstrip("-")]
    if not numbers or len(numbers) > len(parts):
        return None
    numbers = ["0"] * (len(parts) - len(numbers)) + numbers
    direction = sign * (-1 if negative else 1)
    delta, months = timedelta(), 0
    for part, number in zip(parts, numbers):
        if part in ("years", "months", "quarters"):
            months += int(float(number)) * {"years": 12, "months": 1, "quarters": 3}[part]
        else:
            delta += timedelta(**{part: float(number)})
    try:
        result = _add_months(when, direction * months) if months else when
        if result is None:
            return None
        result = result + direction * delta
    except OverflowError:
        return None
    keeps_date = not with_time and all(p in ("days", "weeks", "months", "quarters", "years") for p in parts)
    return _show(result, not keeps_date or bool(delta.seconds or delta.microseconds))


def datediff(a: Any, b: Any) -> int | None:
    pa, pb = _parse(a), _parse(b)
    if pa is None or pb is None:
        return None
    return (pa[0].date() - pb[0].date()).days


def timestampdiff(unit: str, a: Any, b: Any) -> int | None:
    pa, pb = _parse(a), _parse(b)
    if pa is None or pb is None:
        return None
    start, end = pa[0], pb[0]
    unit = unit.upper()
    if unit in ("MONTH", "QUARTER", "YEAR"):
        months = (end.year - start.year) * 12 + end.month - start.month
        rest_end = (end.day, end.time())
        rest_start = (start.day, start.time())
        if months > 0 and rest_end < rest_start:
            months -= 1
        elif months < 0 and rest_end > rest_start:
            months += 1
        return int(months / {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit])
    micro = (end - start) // timedelta(microseconds=1)
    size = {"MICROSECOND": 1, "SECOND": 10**6, "MINUTE": 60 * 10**6, "HOUR": 3600 * 10**6,
            "DAY": 86400 * 10**6, "WEEK": 7 * 86400 * 10**6}.get(unit)
    if size is None:
        return None
    return int(micro / size)


def last_day(value: Any) -> str | None:
    parsed = _parse(value)
    if parsed is None:
        return None
    when = parsed[0]
    return when.replace(day=calendar.monthrange(when.year, when.month)[1]).strftime("%Y-%m-%d")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_FORMAT: dict[str, Callable[[datetime], str]] = {
    "Y": lambda d: f"{d.year:04d}", "y": lambda d: f"{d.year % 100:02d}", "m": lambda d: f"{d.month:02d}",
    "c": lambda d: str(d.month), "d": lambda d: f"{d.day:02d}", "e": lambda d: str(d.day),
    "H": lambda d: f"{d.hour:02d}", "k": lambda d: str(d.hour), "h": lambda d: f"{(d.hour % 12) or 12:02d}",
    "I": lambda d: f"{(d.hour % 12) or 12:02d}", "l": lambda d: str((d.hour % 12) or 12),
    "i": lambda d: f"{d.minute:02d}", "s": lambda d: f"{d.second:02d}", "S": lambda d: f"{d.second:02d}",
    "f": lambda d: f"{d.microsecond:06d}", "p": lambda d: "AM" if d.hour < 12 else "PM",
    "M": lambda d: calendar.month_name[d.month], "b": lambda d: calendar.month_abbr[d.month],
    "W": lambda d: calendar.day_name[d.weekday()], "a": lambda d: calendar.day_abbr[d.weekday()],
    "j": lambda d: f"{d.timetuple().tm_yday:03d}", "T": lambda d: d.strftime("%H:%M:%S"),
    "r": lambda d: f"{(d.hour % 12) or 12:02d}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}",
    "D": lambda d: _ordinal(d.day), "w": lambda d: str((d.weekday() + 1) % 7), "%": lambda d: "%",
}


def date_format(value: Any, fmt: Any) -> str | None:
    parsed = _parse(value)
    if parsed is None or fmt is None:
        return None
    when = parsed[0]
    return re.sub(r"%(.)", lambda m: _FORMAT[m.group(1)](when) if m.group(1) in _FORMAT else m.group(1), str(fmt))


_PARSE = {"Y": r"(?P<Y>\d{4})", "y": r"(?P<y>\d{2})", "m": r"(?P<m>\d{1,2})", "c": r"(?P<m>\d{1,2})",
          "d": r"(?P<d>\d{1,2})", "e": r"(?P<d>\d{1,2})", "H": r"(?P<H>\d{1,2})", "k": r"(?P<H>\d{1,2})",
          "h": r"(?P<I>\d{1,2})", "I": r"(?P<I>\d{1,2})", "l": r"(?P<I>\d{1,2})", "i": r"(?P<i>\d{1,2})",
          "s": r"(?P<s>\d{1,2})", "S": r"(?P<s>\d{1,2})", "f": r"(?P<f>\d{1,6})", "p": r"(?P<p>AM|PM)",
          "M": r"(?P<M>[A-Za-z]+)", "b": r"(?P<b>[A-Za-z]{3})", "T": r"(?P<H>\d{1,2}):(?P<i>\d{1,2}):(?P<s>\d{1,2})",
          "%": "%"}
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})


def str_to_date(text: Any, fmt: Any) -> str | None:
    """STR_TO_DATE: a DATE, DATETIME or TIME string as the format's parts decide; NULL if no match."""
    if text is None or fmt is None:
        return None
    pattern, specifiers = "", set()
    for match in re.finditer(r"%(.)|([^%]+)", str(fmt)):
        if match.group(1) is not None:
            if match.group(1) not in _PARSE:
                return None
            pattern += _PARSE[match.group(1)]
            specifiers.add(match.group(1))
        else:
            pattern += re.escape(match.group(2))
    try:
        found = re.match(pattern, str(text).strip(), re.IGNORECASE)
    except re.error:
        return None
    if found is None:
        return None
    g = found.groupdict()
    has_date = bool(specifiers & set("YymcdeMb"))
    has_time = bool(specifiers & set("HkhIlisSfpT"))
    try:
        year = int(g["Y"]) if g.get("Y") else (2000 + int(g["y"]) if int(g["y"]) < 70 else 1900 + int(g["y"])) \
            if g.get("y") else 0
        month = int(g["m"]) if g.get("m") else _MONTHS.get((g.get("M") or g.get("b") or "").lower(), 0)
        day = int(g["d"]) if g.get("d") else 0
        hour = int(g["H"]) if g.get("H") else (int(g["I"]) % 12 + (12 if (g.get("p") or "").upper() == "PM" else 0)
                                                 if g.get("I") else 0)
        minute, second = int(g.get("i") or 0), int(g.get("s") or 0)
        micro = int((g.get("f") or "0").ljust(6, "0"))
        if has_date:
            datetime(year, month, day)
    except (ValueError, KeyError):
        return None
    day_part = f"{year:04d}-{month:02d}-{day:02d}"
    time_part = f"{hour:02d}:{minute:02d}:{second:02d}" + (f".{micro:06d}" if "f" in specifiers else "")
    if has_date and has_time:
        return f"{day_part} {time_part}"
    return day_part if has_date else time_part


# -- arithmetic -------------------------------------------------------------------------------------

def _number(value: Any) -> int | float:
    if isinstance(value, (int, float)):
        return value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    match = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text)
    return float(match.group()) if match else 0.0


def _checked(operator: str, failures: list[SqlError]) -> Callable[[Any, Any, str], Any]:
    def apply(a: Any, b: Any, text: str) -> Any:
        if a is None or b is None:
            return None
        x, y = _number(a), _number(b)
        result = x + y if operator == "+" else x - y if operator == "-" else x * y
        if isinstance(result, int) and not _BIGINT[0] <= result <= _BIGINT[1]:
            failures.append(SqlError(1690, f"BIGINT value is out of range in '{text}'"))
            raise OverflowError(text)
        return result

    return apply


class _ExactSum:
    """SUM without float drift: each REAL is taken as the decimal it prints as (0.1 is 0.1), so a
    DECIMAL column's sum is exact (then shown at its scale by `exact`); integers stay integers."""

    def __init__(self) -> None:
        self.total: Decimal | int = 0
        self.count = 0
        self.real = False

    def step(self, value: Any) -> None:
        if value is None:
            return
        number = _number(value)
        self.count += 1
        if isinstance(number, float):
            self.real = True
            self.total = Decimal(self.total) + Decimal(repr(number))
        else:
            self.total += number

    def finalize(self) -> Any:
        if not self.count:
            return None
        return float(self.total) if self.real else self.total


class _ExactAvg(_ExactSum):
    def finalize(self) -> Any:
        if not self.count:
            return None
        return float(Decimal(self.total) / self.count)


def add_functions(connection: sqlite3.Connection, failures: list[SqlError]) -> None:
    connection.create_aggregate("MYSQL_SUM", 1, _ExactSum)
    connection.create_aggregate("MYSQL_AVG", 1, _ExactAvg)
    connection.create_collation(AI_CI, compare_ai_ci)
    connection.create_function("like", 2, _like, deterministic=True)
    connection.create_function("like", 3, _like, deterministic=True)
    connection.create_function("MYSQL_LIKE_BINARY", 2, _like_binary, deterministic=True)
    for name, operator in (("MYSQL_ADD", "+"), ("MYSQL_SUB", "-"), ("MYSQL_MUL", "*")):
        connection.create_function(name, 3, _checked(operator, failures), deterministic=True)
    connection.create_function("MYSQL_DATE_ADD", 4, date_add, deterministic=True)
    connection.create_function("MYSQL_DATEDIFF", 2, datediff, deterministic=True)
    connection.create_function("MYSQL_TIMESTAMPDIFF", 3, timestampdiff, deterministic=True)
    connection.create_function("MYSQL_LAST_DAY", 1, last_day, deterministic=True)
    connection.create_function("MYSQL_DATE_FORMAT", 2, date_format, deterministic=True)
    connection.create_function("MYSQL_STR_TO_DATE", 2, str_to_date, deterministic=True)


# -- the rewrite ------------------------------------------------------------------------------------

_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.NullSafeEQ)
_EXACT_TYPES = {exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL}
_TEXT_TYPES = {exp.DataType.Type.CHAR, exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT,
               exp.DataType.Type.TINYTEXT, exp.DataType.Type.MEDIUMTEXT, exp.DataType.Type.LONGTEXT,
               exp.DataType.Type.ENUM, exp.DataType.Type.SET, exp.DataType.Type.NCHAR, exp.DataType.Type.NVARCHAR}


def _udf(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _unit(node: exp.Expression) -> str:
    unit = node.args.get("unit")
    return unit.name.upper() if unit is not None else "DAY"


def _is_binary(node: exp.Expression) -> bool:
    return (isinstance(node, exp.Collate) and _collation_of(node.expression.name) == "BINARY") or (
        isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY))


def _collated(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Column, exp.Collate)) or (
        isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.BINARY)


def rewrite(node: exp.Expression, inner: Callable[[exp.Expression], exp.Expression]) -> exp.Expression | None:
    """The SQLite form of a MySQL node whose meaning SQLite's differs from, or None. `inner` rewrites
    a kept child (a replacement's children are not visited again)."""
    if isinstance(node, (exp.DateAdd, exp.DateSub)):
        sign = exp.Literal.number(1 if isinstance(node, exp.DateAdd) else -1)
        return _udf("MYSQL_DATE_ADD", inner(node.this), inner(node.expression), exp.Literal.string(_unit(node)), sign)
    if isinstance(node, (exp.Add, exp.Sub)) and isinstance(node.expression, exp.Interval):
        interval = node.expression
        sign = exp.Literal.number(1 if isinstance(node, exp.Add) else -1)
        return _udf("MYSQL_DATE_ADD", inner(node.this), inner(interval.this), exp.Literal.string(_unit(interval)), sign)
    if isinstance(node, exp.Add) and isinstance(node.this, exp.Interval):
        interval = node.this
        return _udf("MYSQL_DATE_ADD", inner(node.expression), inner(interval.this),
                    exp.Literal.string(_unit(interval)), exp.Literal.number(1))
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)) and not _approximate(node):
        name = {exp.Add: "MYSQL_ADD", exp.Sub: "MYSQL_SUB", exp.Mul: "MYSQL_MUL"}[type(node)]
        text = f"({node.this.sql(dialect='mysql')} {'+' if isinstance(node, exp.Add) else '-' if isinstance(node, exp.Sub) else '*'} {node.expression.sql(dialect='mysql')})"
        return _udf(name, inner(node.this), inner(node.expression), exp.Literal.string(text))
    if isinstance(node, (exp.Sum, exp.Avg)) and not isinstance(node.parent, exp.Window):
        return _udf("MYSQL_SUM" if isinstance(node, exp.Sum) else "MYSQL_AVG", inner(node.this))
    if isinstance(node, exp.DateDiff) and node.args.get("unit") is None:
        return _udf("MYSQL_DATEDIFF", inner(node.this), inner(node.expression))
    if isinstance(node, exp.TimestampDiff):
        return _udf("MYSQL_TIMESTAMPDIFF", exp.Literal.string(_unit(node)), inner(node.expression), inner(node.this))
    if isinstance(node, exp.LastDay):
        return _udf("MYSQL_LAST_DAY", inner(node.this))
    if isinstance(node, exp.TimeToStr):
        value = node.this.this if isinstance(node.this, exp.TsOrDsToTimestamp) else node.this
        return _udf("MYSQL_DATE_FORMAT", inner(value), _mysql_format(node.args["format"], inner))
    if isinstance(node, (exp.StrToDate, exp.StrToTime)):
        return _udf("MYSQL_STR_TO_DATE", inner(node.this), _mysql_format(node.args["format"], inner))
    if isinstance(node, exp.Collate):
        name = node.expression.name if isinstance(node.expression, (exp.Var, exp.Column, exp.Identifier)) else ""
        return exp.Collate(this=inner(node.this), expression=exp.var(_collation_of(name)))
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.BINARY and not node.to.expressions:
        return exp.Collate(this=inner(node.this), expression=exp.var("BINARY"))
    if isinstance(node, exp.Like) and (_is_binary(node.this) or _is_binary(node.expression)):
        return _udf("MYSQL_LIKE_BINARY", inner(node.this), inner(node.expression))
    if isinstance(node, _COMPARISONS) and not (_collated(node.this) or _collated(node.expression)) and (
            _textual(node.this) or _textual(node.expression)):
        return type(node)(this=exp.Collate(this=inner(node.this), expression=exp.var(AI_CI)),
                          expression=inner(node.expression))
    if isinstance(node, exp.DataType) and node.this in _EXACT_TYPES and isinstance(node.parent, exp.ColumnDef):
        # Declared as written (SQLite's NUMERIC affinity): decimal_scales reads the scale back.
        params = ", ".join(p.name for p in node.expressions)
        return exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=f"DECIMAL({params})" if params else "DECIMAL")
    if isinstance(node, exp.ColumnDef) and isinstance(node.args.get("kind"), exp.DataType) and (
            node.args["kind"].this in _TEXT_TYPES):
        return _text_column(node, inner)
    return None


def _mysql_format(node: exp.Expression, inner: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """sqlglot reads a literal MySQL date format into strftime's letters: back to MySQL's."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Literal.string(format_time(node.name, MySQL.INVERSE_TIME_MAPPING, MySQL.INVERSE_TIME_TRIE) or "")
    return inner(node)


def _textual(node: exp.Expression) -> bool:
    """Whether a comparison operand may be text (a number compares as a number anyway)."""
    return not (isinstance(node, exp.Literal) and not node.is_string) and not isinstance(node, (exp.Null, exp.Boolean))


def _approximate(node: exp.Expression) -> bool:
    """An operand that is surely not an integer: no BIGINT overflow to check."""
    return any(isinstance(side, exp.Literal) and not side.is_string and ("." in side.name or "e" in side.name.lower())
               for side in (node.this, node.expression))


def _text_column(column: exp.ColumnDef, inner: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """A text column compares under its collation: utf8mb4_0900_ai_ci unless declared `_bin`."""
    column = column.copy()
    collation = AI_CI
    for constraint in list(column.constraints):
        kind = constraint.kind
        if isinstance(kind, exp.CollateColumnConstraint):
            collation = _collation_of(kind.this.name)
            constraint.pop()
        elif isinstance(kind, exp.CharacterSetColumnConstraint):
            if kind.this.name.lower() == "binary":
                collation = "BINARY"
            constraint.pop()
    column.append("constraints", exp.ColumnConstraint(kind=exp.CollateColumnConstraint(this=exp.var(collation))))
    column.set("kind", inner(column.args["kind"]))
    for constraint in column.constraints:
        constraint.set("kind", inner(constraint.kind))
    return column


# -- exact values ------------------------------------------------------------------------------------

Kind = tuple[str, int] | None  # ("int", 0) or ("dec", scale); None: approximate, text or unknown


def decimal_scales(select: exp.Expression, column_type: Callable[[str], str | None]) -> list[Kind]:
    """What MySQL types each of a SELECT's result columns (an INT, a DECIMAL of a scale, or other)."""
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return []
    return [_kind(node.this if isinstance(node, exp.Alias) else node, column_type) for node in select.expressions]


def _kind(node: exp.Expression, column_type: Callable[[str], str | None]) -> Kind:
    if isinstance(node, exp.Paren):
        return _kind(node.this, column_type)
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.name.lower()
        if "e" in text:
            return None
        return ("dec", len(text.split(".", 1)[1])) if "." in text else ("int", 0)
    if isinstance(node, exp.Column):
        declared = (column_type(node.name) or "").upper()
        if match := re.match(r"(DECIMAL|NUMERIC|DEC|FIXED)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?", declared):
            return ("dec", int(match.group(2) or 0))
        if re.match(r"(TINY|SMALL|MEDIUM|BIG)?INT(EGER)?\b", declared):
            return ("int", 0)
        return None
    if isinstance(node, exp.Neg):
        return _kind(node.this, column_type)
    if isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL):
        scale = node.to.expressions[1] if len(node.to.expressions) > 1 else None  # CAST(x AS DECIMAL(M,D))
        return ("dec", int(scale.name) if scale is not None and scale.name.isdigit() else 0)
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        if isinstance(node.expression, exp.Interval) or isinstance(node.this, exp.Interval):
            return None
        left, right = _kind(node.this, column_type), _kind(node.expression, column_type)
        if left is None or right is None:
            return None
        if isinstance(node, exp.Div):
            return ("dec", left[1] + DIV_PRECISION_INCREMENT)
        if left[0] == right[0] == "int":
            return ("int", 0)
        if isinstance(node, exp.Mul):
            return ("dec", left[1] + right[1])
        return ("dec", max(left[1], right[1]))
    if isinstance(node, exp.IntDiv):
        return ("int", 0)
    if isinstance(node, exp.Sum):
        inner = _kind(node.this, column_type)
        return ("dec", inner[1]) if inner else None
    if isinstance(node, exp.Avg):
        inner = _kind(node.this, column_type)
        return ("dec", inner[1] + DIV_PRECISION_INCREMENT) if inner else None
    if isinstance(node, (exp.Min, exp.Max)):
        return _kind(node.this, column_type)
    return None


def exact(value: Any, kind: Kind) -> Any:
    """A result value as MySQL sends a column of this kind."""
    if value is None or kind is None or kind[0] != "dec" or isinstance(value, (str, bytes)):
        return value
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number.quantize(Decimal(1).scaleb(-kind[1]))
    except (InvalidOperation, ValueError):
        return value
