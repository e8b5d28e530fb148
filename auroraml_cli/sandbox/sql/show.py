"""SHOW statements: VARIABLES (the writer's parameter values), STATUS (Aurora ML's counters and
Uptime), DATABASES, TABLES, GRANTS, CREATE FUNCTION, WARNINGS. VARIABLES and STATUS take
`LIKE 'pattern'` or `WHERE expr` (over Variable_name and Value)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlglot
from mysql_mimic.results import AllowedResult
from sqlglot.errors import ErrorLevel, ParseError

from . import function_ddl, roles
from .errors import SqlError, not_supported, syntax_error
from .lexer import Parser
from .tables import for_sqlite_expression
from .variables import show_value

if TYPE_CHECKING:
    from .session import AuroraSession


def show(s: AuroraSession, p: Parser) -> AllowedResult:
    if p.at("SHOW", "GRANTS"):
        return roles.show_grants(s, p)
    if p.at("SHOW", "CREATE", "FUNCTION"):
        return function_ddl.show_create(s, p)
    p.expect("SHOW")
    global_scope = p.accept("GLOBAL")
    scoped = global_scope or p.accept("SESSION") or p.accept("LOCAL")
    if p.accept("VARIABLES"):
        return _variables(s, p, global_scope)
    if p.accept("STATUS"):
        # Aurora's ML counters are global: SHOW SESSION STATUS shows the same values.
        return _filtered(p, s.cluster.ml_status.rows(s.instance)), ["Variable_name", "Value"]
    if scoped:
        raise p.error()
    if p.accept("DATABASES") or p.accept("SCHEMAS"):
        matches = _like(p)
        return [(name,) for name in sorted(s.cluster.tables.databases) if matches(name)], ["Database"]
    full = p.accept("FULL")
    if p.accept("TABLES"):
        return _tables(s, p, full)
    if not full and (p.accept("WARNINGS") or p.accept("ERRORS")):
        p.end()
        return [], ["Level", "Code", "Message"]
    raise not_supported(f"SHOW {p.rest().split(' ')[0].upper()} in the sandbox")


def _variables(s: AuroraSession, p: Parser, global_scope: bool) -> AllowedResult:
    variables = s.variables.global_variables if global_scope else s.variables
    if p.at("WHERE"):
        rows = [(name, show_value(variables, name)) for name in sorted(variables.schema)]
        return _filtered(p, rows), ["Variable_name", "Value"]
    matches = _like(p)
    names = sorted(name for name in variables.schema if matches(name))
    return [(name, show_value(variables, name)) for name in names], ["Variable_name", "Value"]


def _filtered(p: Parser, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows an optional `LIKE 'pattern'` or `WHERE expr` keeps (then the end of the statement)."""
    if not p.at("WHERE"):
        matches = _like(p)
        return [row for row in rows if matches(row[0])]
    start = p.position
    p.expect("WHERE")
    condition = p.rest()
    p.i = len(p.tokens)
    try:
        query = sqlglot.parse_one(f"SELECT Variable_name, Value FROM shown WHERE {condition}", read="mysql")
    except ParseError:
        raise syntax_error(p.sql, start) from None
    # A throwaway SQLite table: the condition is MySQL (LIKE, =, OR, IN, ...), SQLite evaluates it.
    with sqlite3.connect(":memory:") as filtering:
        filtering.execute("CREATE TABLE shown (Variable_name TEXT COLLATE NOCASE, Value TEXT)")
        filtering.executemany("INSERT INTO shown VALUES (?, ?)", rows)
        try:
            sql = query.transform(for_sqlite_expression).sql(dialect="sqlite", unsupported_level=ErrorLevel.IGNORE)
            return filtering.execute(sql).fetchall()
        except sqlite3.Error as error:
            raise SqlError(1054, f"Unknown column in 'where clause': {error}") from None


def _tables(s: AuroraSession, p: Parser, full: bool) -> AllowedResult:
    named = p.identifier() if p.accept("FROM") or p.accept("IN") else None
    matches = _like(p)
    database = s.database_for(named)
    names = [name for name in s.cluster.tables.table_names(database) if matches(name)]
    column = f"Tables_in_{database}"
    if full:
        return [(name, "BASE TABLE") for name in names], [column, "Table_type"]
    return [(name,) for name in names], [column]


def _like(p: Parser) -> Callable[[str], bool]:
    """An optional `LIKE 'pattern'` (then the end of the statement) as a case-insensitive test."""
    if p.at_end():
        return lambda _: True
    if p.at("WHERE"):
        raise not_supported("SHOW ... WHERE in the sandbox")
    p.expect("LIKE")
    pattern = _like_regex(p.string())
    p.end()
    return lambda name: pattern.fullmatch(name) is not None


def _like_regex(pattern: str) -> re.Pattern[str]:
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
