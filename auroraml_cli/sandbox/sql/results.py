"""What a statement answers: the OK packet's numbers of one that returns no rows but counts
some, and the names of a result's columns (label_columns).

mysql-mimic's Connection always sends `0 rows affected` (and its ResultSet, compiled, cannot be
subclassed); the endpoint's Connection subclass sends these counts instead, which PyMySQL returns
from `cursor.execute`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mysql_mimic.charset import CharacterSet
from mysql_mimic.results import ResultColumn, infer_type
from mysql_mimic.types import ColumnType
from sqlglot import exp

from .lexer import SYMBOL, WORD, tokenize


@dataclass(frozen=True)
class Affected:
    rows: int
    last_insert_id: int = 0


# Words that end a SELECT list at bracket depth 0.
_LIST_ENDS = frozenset({"FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "UNION", "EXCEPT",
                        "INTERSECT", "FOR", "LOCK"})
_MODIFIERS = frozenset({"ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT",
                        "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS"})


def label_columns(expression: exp.Expression, sql: str) -> None:
    """Name a SELECT's unnamed result columns as MySQL does: after the expression as the user
    wrote it (`LEFT(comment,  3)`, `VERSION()`), not as it is rewritten to run (a value, an ML
    call's stand-in). A UNION takes its first SELECT's names. Columns and `*` keep theirs."""
    select = expression
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    texts = _select_list(sql)
    if texts is None or len(texts) != len(select.expressions):
        return
    for node, text in zip(list(select.expressions), texts):
        if isinstance(node, (exp.Alias, exp.Column, exp.Star)):
            continue
        label = node.name if isinstance(node, exp.Literal) and node.is_string else text
        node.replace(exp.alias_(node.copy(), exp.to_identifier(label, quoted=True)))


def _select_list(sql: str) -> list[str] | None:
    """The texts of the outermost SELECT's list, split at its commas."""
    tokens = tokenize(sql)
    depth, begin = 0, None
    for index, token in enumerate(tokens):
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.is_word("SELECT"):
            begin = index + 1
            break
    if begin is None:
        return None
    while begin < len(tokens) and tokens[begin].kind == WORD and tokens[begin].text.upper() in _MODIFIERS:
        begin += 1
    texts: list[str] = []
    start = tokens[begin].start if begin < len(tokens) else len(sql)
    depth = 0
    for token in tokens[begin:]:
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.kind == SYMBOL and token.text == ",":
            texts.append(sql[start : token.start].strip())
            start = token.start + 1
            continue
        if depth < 0 or (depth == 0 and token.kind == WORD and token.text.upper() in _LIST_ENDS) or (
                depth == 0 and token.kind == SYMBOL and token.text == ";"):
            texts.append(sql[start : token.start].strip())
            return texts
    texts.append(sql[start:].strip())
    return texts


def declared_types(statement: exp.Expression, database: str | None, catalogue: Any, width: int) -> list[Any]:
    """Each result column's declared type (schema.DataType) where the column reads a table's
    column directly (`c`, `t.c`, `db.t.c`, `c AS x`, `*` and `t.*`); None for an expression. The
    endpoint sends those as MySQL's own types (DATE as DATE, DECIMAL as NEWDECIMAL, BLOB as binary)."""
    if not isinstance(statement, exp.Select):
        return [None] * width
    tables: list[tuple[str, Any]] = []  # (name or alias, TableDef) in FROM/JOIN order
    for table in [statement.args.get("from_")] + list(statement.args.get("joins") or []):
        node = table.this if table is not None else None
        if not isinstance(node, exp.Table) or not node.name:
            continue
        definition = catalogue.get(node.db or database or "", node.name)
        if definition is not None:
            tables.append((node.alias_or_name.lower(), definition))
    found: list[Any] = []
    for node in statement.expressions:
        inner = node.this if isinstance(node, exp.Alias) else node
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.Subquery) and isinstance(inner.this, exp.Select) and \
                len(inner.this.expressions) == 1:  # (SELECT c FROM t ...): c's type
            found += declared_types(inner.this, database, catalogue, 1)
            continue
        if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star)):
            qualifier = inner.table.lower() if isinstance(inner, exp.Column) else ""
            for name, definition in tables:
                if not qualifier or qualifier == name:
                    found += [column.type for column in definition.columns]
            continue
        if not isinstance(inner, exp.Column):
            found.append(None)
            continue
        qualifier = inner.table.lower()
        matches = [definition.column(inner.name) for name, definition in tables if not qualifier or qualifier == name]
        matches = [m for m in matches if m is not None]
        found.append(matches[0].type if len(matches) == 1 else None)
    return found if len(found) == width else [None] * width


_TEMPORAL = {"DATE": ColumnType.DATE, "DATETIME": ColumnType.DATETIME, "TIMESTAMP": ColumnType.TIMESTAMP,
             "TIME": ColumnType.TIME, "YEAR": ColumnType.YEAR}
_BINARY = {"BINARY": ColumnType.STRING, "VARBINARY": ColumnType.VAR_STRING, "TINYBLOB": ColumnType.BLOB,
           "BLOB": ColumnType.BLOB, "MEDIUMBLOB": ColumnType.BLOB, "LONGBLOB": ColumnType.BLOB}


def wire_column(name: str, declared: Any, values: list[Any]) -> tuple[ResultColumn, Any]:
    """The column definition a result column goes out with, and how its values change for it
    (None: as they are); without a declared type, mysql-mimic's inference from the values."""
    kind = declared.name if declared is not None else None
    first = next((v for v in values if v is not None), None)
    if kind in _TEMPORAL and (first is None or isinstance(first, str)):
        column_type = _TEMPORAL[kind]
        return ResultColumn(name=name, type=column_type, binary_encoder=_binary_temporal), None
    if kind in ("DECIMAL", "NUMERIC") or isinstance(first, Decimal):
        return ResultColumn(name=name, type=ColumnType.NEWDECIMAL), None
    if kind in _BINARY or isinstance(first, (bytes, bytearray)):
        column_type = _BINARY.get(kind or "", ColumnType.BLOB)
        return (ResultColumn(name=name, type=column_type, character_set=CharacterSet.binary),
                lambda v: v.encode("utf-8") if isinstance(v, str) else v)
    # mysql-mimic's own inference keys columns by name: two columns named alike would trip it.
    return ResultColumn(name=name, type=ColumnType.NULL if first is None else infer_type(first)), None


_PROTOTYPES: dict[ColumnType, ResultColumn] = {}


def _binary_temporal(column: ResultColumn, value: Any) -> bytes:
    """A DATE/DATETIME/TIME stored as MySQL's text, in the binary protocol (prepared statements)."""
    prototype = _PROTOTYPES.setdefault(column.type, ResultColumn(name="", type=column.type))
    if column.type == ColumnType.YEAR:
        return prototype.binary_encode(int(value))
    text = str(value)
    if column.type == ColumnType.TIME:
        negative = text.startswith("-")
        hours, minutes, seconds = text.lstrip("-").split(":")
        delta = datetime.timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))
        return prototype.binary_encode(-delta if negative else delta)
    if column.type == ColumnType.DATE:
        return prototype.binary_encode(datetime.date.fromisoformat(text[:10]))
    return prototype.binary_encode(datetime.datetime.fromisoformat(text))
