"""SHOW statements: VARIABLES (the writer's parameter values), STATUS (Aurora ML's counters and
Uptime), DATABASES, TABLES, GRANTS, CREATE FUNCTION, WARNINGS; and the table metadata clients
read (schema.py renders it as MySQL 8.0 does): [FULL] COLUMNS|FIELDS, CREATE TABLE, INDEX|INDEXES|
KEYS, TABLE STATUS, CREATE DATABASE, ENGINES, CHARACTER SET, COLLATION, TRIGGERS (empty, or refused for
a table with triggers).
VARIABLES, STATUS and COLUMNS take `LIKE 'pattern'` or `WHERE expr` (over the columns shown)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlglot
from mysql_mimic.results import AllowedResult
from sqlglot.errors import ErrorLevel, ParseError

from . import function_ddl, roles, schema, system_tables
from .accounts import Level
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
    if p.at("SHOW", "CREATE", "TABLE"):
        return _create_table(s, p)
    if p.at("SHOW", "CREATE", "DATABASE") or p.at("SHOW", "CREATE", "SCHEMA"):
        return _create_database(s, p)
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
    if p.accept("COLUMNS") or p.accept("FIELDS"):
        return columns(s, p, full)
    if not full and (p.accept("WARNINGS") or p.accept("ERRORS")):
        p.end()
        return [], ["Level", "Code", "Message"]
    if full:
        raise p.error()
    if p.accept("INDEX") or p.accept("INDEXES") or p.accept("KEYS"):
        return _indexes(s, p)
    if p.accept("TABLE", "STATUS"):
        return _table_status(s, p)
    if p.accept("ENGINES") or p.accept("STORAGE", "ENGINES"):
        p.end()
        return ENGINES, ["Engine", "Support", "Comment", "Transactions", "XA", "Savepoints"]
    if p.accept("CHARACTER", "SET") or p.accept("CHARSET"):
        return _filtered_rows(p, CHARSETS, ["Charset", "Description", "Default collation", "Maxlen"])
    if p.accept("COLLATION"):
        return _filtered_rows(p, COLLATIONS, ["Collation", "Charset", "Id", "Default", "Compiled", "Sortlen",
                                              "Pad_attribute"])
    if p.accept("TRIGGERS"):
        # Dump tools ask for each table's triggers (LIKE matches the table's name); the body is
        # the text as written (triggers.py keeps it). Created is not kept: NULL.
        database = s.database_for(p.identifier() if p.accept("FROM") or p.accept("IN") else None)
        matches = _like(p)
        texts = s.cluster.tables.schema.trigger_texts
        rows = []
        for db, name, event, table, timing in system_tables.trigger_rows(s):
            if db != database or not matches(table):
                continue
            if (db, name) not in texts:
                raise not_supported("SHOW TRIGGERS of a trigger made before its text was kept in the sandbox")
            body, definer, sql_mode = texts[(db, name)]
            rows.append((name, event, table, body, timing, None, sql_mode, definer, "utf8mb4", "utf8mb4_0900_ai_ci",
                         "utf8mb4_0900_ai_ci"))
        return rows, ["Trigger", "Event", "Table", "Statement", "Timing", "Created", "sql_mode", "Definer",
                      "character_set_client", "collation_connection", "Database Collation"]
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
    return _filtered_rows(p, rows, ["Variable_name", "Value"])[0]


def _filtered_rows(p: Parser, rows: list[tuple], names: list[str]) -> tuple[list[tuple], list[str]]:
    """The rows (of these columns) an optional `LIKE 'pattern'` (on the first column) or
    `WHERE expr` keeps, then the end of the statement."""
    if not p.at("WHERE"):
        matches = _like(p)
        return [row for row in rows if matches(str(row[0]))], names
    start = p.position
    p.expect("WHERE")
    condition = p.rest()
    p.i = len(p.tokens)
    listed = ", ".join(f"`{name}`" for name in names)
    try:
        query = sqlglot.parse_one(f"SELECT {listed} FROM shown WHERE {condition}", read="mysql")
    except ParseError:
        raise syntax_error(p.sql, start) from None
    # A throwaway SQLite table: the condition is MySQL (LIKE, =, OR, IN, ...), SQLite evaluates it.
    with sqlite3.connect(":memory:") as filtering:
        declared = ", ".join(f'"{name}" COLLATE NOCASE' for name in names)
        filtering.execute(f"CREATE TABLE shown ({declared})")
        filtering.executemany(f"INSERT INTO shown VALUES ({', '.join('?' for _ in names)})", rows)
        try:
            sql = query.transform(for_sqlite_expression).sql(dialect="sqlite", unsupported_level=ErrorLevel.IGNORE)
            return filtering.execute(sql).fetchall(), names
        except sqlite3.Error as error:
            raise SqlError(1054, f"Unknown column in 'where clause': {error}") from None


def _tables(s: AuroraSession, p: Parser, full: bool) -> AllowedResult:
    named = p.identifier() if p.accept("FROM") or p.accept("IN") else None
    database = s.database_for(named)
    names = s.cluster.tables.table_names(database)
    column = f"Tables_in_{database}"
    if full:
        return _filtered_rows(p, [(name, "BASE TABLE") for name in names], [column, "Table_type"])
    return _filtered_rows(p, [(name,) for name in names], [column])


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


# -- table metadata (schema.py) --------------------------------------------------------------------

_ANY_TABLE_PRIVILEGE = ("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "REFERENCES",
                        "TRIGGER", "SHOW VIEW")


def table_named(s: AuroraSession, p: Parser, *, second_from: bool = False) -> schema.TableDef:
    """`tbl`, `db.tbl` (or, for SHOW COLUMNS/INDEX, `tbl FROM db`): its definition, once the
    account is seen to hold some privilege on it (MySQL's rule for SHOW and DESCRIBE)."""
    named_db, name = p.qualified()
    if second_from and (p.accept("FROM") or p.accept("IN")):
        named_db = p.identifier()
    database = s.database_for(named_db)
    if not any(s.holds(privilege, Level("table", database, name)) for privilege in _ANY_TABLE_PRIVILEGE):
        raise SqlError(1142, f"SELECT command denied to user {s.who} for table '{name}'")
    return schema.definition(s.cluster.tables, database, name, s.engine)


def columns(s: AuroraSession, p: Parser, full: bool) -> AllowedResult:
    """SHOW [FULL] COLUMNS|FIELDS FROM|IN t [FROM db] [LIKE|WHERE]; DESCRIBE t [column]."""
    if not (p.accept("FROM") or p.accept("IN")):
        raise p.error()
    table = table_named(s, p, second_from=True)
    names = schema.FULL_COLUMNS if full else schema.DESCRIBE_COLUMNS
    return _filtered_rows(p, schema.describe_rows(table, s.engine, full), names)


def describe(s: AuroraSession, p: Parser) -> AllowedResult:
    """DESCRIBE | DESC | EXPLAIN tbl [column | 'pattern']."""
    p.word()
    table = table_named(s, p)
    rows = schema.describe_rows(table, s.engine, False)
    if not p.at_end():
        token = p.peek()
        pattern = _like_regex(p.string() if token is not None and token.kind == "string" else p.identifier())
        p.end()
        rows = [row for row in rows if pattern.fullmatch(row[0])]
    return rows, schema.DESCRIBE_COLUMNS


def _create_table(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("SHOW", "CREATE", "TABLE")
    table = table_named(s, p)
    p.end()
    text = schema.show_create_table(table, s.engine, schema.next_auto_increment(s.cluster.tables, table))
    return [(table.name, text)], ["Table", "Create Table"]


def _create_database(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("SHOW", "CREATE")
    p.word()  # DATABASE or SCHEMA
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    database = s.database_for(p.identifier())
    p.end()
    charset, collation = s.variables.get("character_set_server"), s.variables.get("collation_server")
    text = f"CREATE DATABASE {'/*!32312 IF NOT EXISTS*/ ' if if_not_exists else ''}`{database}` "
    text += f"/*!40100 DEFAULT CHARACTER SET {charset}"
    if s.engine.uses_roles:
        text += f" COLLATE {collation} */ /*!80016 DEFAULT ENCRYPTION='N' */"
    else:
        text += " */"
    return [(database, text)], ["Database", "Create Database"]


def _indexes(s: AuroraSession, p: Parser) -> AllowedResult:
    if not (p.accept("FROM") or p.accept("IN")):
        raise p.error()
    table = table_named(s, p, second_from=True)
    rows = schema.index_rows(table, _cardinality(s, table))
    if p.at("WHERE"):
        return _filtered_rows(p, rows, schema.INDEX_COLUMNS)
    p.end()
    return rows, schema.INDEX_COLUMNS


def _cardinality(s: AuroraSession, table: schema.TableDef) -> dict[str, int]:
    """Distinct values per indexed column (InnoDB's estimate, exact here)."""
    physical = '"' + f"{table.db}\x1f{table.name}".replace('"', '""') + '"'
    counts = {}
    for name in {c.lower() for index in table.indexes for c in index.columns}:
        column = table.column(name)
        if column is not None:
            quoted = '"' + column.name.replace('"', '""') + '"'
            counts[name] = s.cluster.tables.sqlite_rows(f"SELECT COUNT(DISTINCT {quoted}) FROM {physical}")[0][0]
    return counts


TABLE_STATUS_COLUMNS = ["Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length", "Data_length",
                        "Max_data_length", "Index_length", "Data_free", "Auto_increment", "Create_time",
                        "Update_time", "Check_time", "Collation", "Checksum", "Create_options", "Comment"]


def table_status_rows(s: AuroraSession, database: str) -> list[tuple]:
    tables = s.cluster.tables
    rows = []
    for name in tables.table_names(database):
        table = schema.definition(tables, database, name, s.engine)
        count = tables.row_count(database, name)
        rows.append((name, "InnoDB", 10, "Dynamic", count, 0, 16384, 0, 0, 0,
                     schema.next_auto_increment(tables, table), None, None, None, table.collation, None, "",
                     table.comment))
    return rows


def _table_status(s: AuroraSession, p: Parser) -> AllowedResult:
    named = p.identifier() if p.accept("FROM") or p.accept("IN") else None
    database = s.database_for(named)
    return _filtered_rows(p, table_status_rows(s, database), TABLE_STATUS_COLUMNS)


ENGINES = [
    ("InnoDB", "DEFAULT", "Supports transactions, row-level locking, and foreign keys", "YES", "YES", "YES"),
    ("MRG_MYISAM", "YES", "Collection of identical MyISAM tables", "NO", "NO", "NO"),
    ("MEMORY", "YES", "Hash based, stored in memory, useful for temporary tables", "NO", "NO", "NO"),
    ("BLACKHOLE", "YES", "/dev/null storage engine (anything you write to it disappears)", "NO", "NO", "NO"),
    ("MyISAM", "YES", "MyISAM storage engine", "NO", "NO", "NO"),
    ("CSV", "YES", "CSV storage engine", "NO", "NO", "NO"),
    ("ARCHIVE", "YES", "Archive storage engine", "NO", "NO", "NO"),
    ("PERFORMANCE_SCHEMA", "YES", "Performance Schema", "NO", "NO", "NO"),
    ("FEDERATED", "NO", "Federated MySQL storage engine", None, None, None),
]
CHARSETS = [
    ("ascii", "US ASCII", "ascii_general_ci", 1),
    ("binary", "Binary pseudo charset", "binary", 1),
    ("latin1", "cp1252 West European", "latin1_swedish_ci", 1),
    ("utf8mb3", "UTF-8 Unicode", "utf8mb3_general_ci", 3),
    ("utf8mb4", "UTF-8 Unicode", "utf8mb4_0900_ai_ci", 4),
]
COLLATIONS = [
    ("ascii_bin", "ascii", 65, "", "Yes", 1, "PAD SPACE"),
    ("ascii_general_ci", "ascii", 11, "Yes", "Yes", 1, "PAD SPACE"),
    ("binary", "binary", 63, "Yes", "Yes", 1, "NO PAD"),
    ("latin1_bin", "latin1", 47, "", "Yes", 1, "PAD SPACE"),
    ("latin1_swedish_ci", "latin1", 8, "Yes", "Yes", 1, "PAD SPACE"),
    ("utf8mb3_bin", "utf8mb3", 83, "", "Yes", 1, "PAD SPACE"),
    ("utf8mb3_general_ci", "utf8mb3", 33, "Yes", "Yes", 1, "PAD SPACE"),
    ("utf8mb4_0900_ai_ci", "utf8mb4", 255, "Yes", "Yes", 0, "NO PAD"),
    ("utf8mb4_0900_as_cs", "utf8mb4", 278, "", "Yes", 0, "NO PAD"),
    ("utf8mb4_0900_bin", "utf8mb4", 309, "", "Yes", 1, "NO PAD"),
    ("utf8mb4_bin", "utf8mb4", 46, "", "Yes", 1, "PAD SPACE"),
    ("utf8mb4_general_ci", "utf8mb4", 45, "", "Yes", 1, "PAD SPACE"),
    ("utf8mb4_unicode_ci", "utf8mb4", 224, "", "Yes", 8, "PAD SPACE"),
]
