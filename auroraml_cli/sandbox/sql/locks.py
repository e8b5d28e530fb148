"""LOCK TABLES and UNLOCK TABLES, as mysqldump and mariadb-dump issue them around each table, and
the ALTER TABLE t DISABLE KEYS / ENABLE KEYS their output wraps each table's rows in (InnoDB
ignores it: MySQL answers OK with a note; here, once the table exists and ALTER is held).

MySQL's privilege rule is kept: LOCK TABLES on the table's database (else 1044) and SELECT on
each table (else 1142); each table must exist (1146). The locks themselves are not modelled: the
endpoint runs one statement at a time on one thread, so a dump's reads already see one state,
and a session holding locks may still use tables it did not lock (MySQL refuses that with 1100)
[docs/reference/sql-compat.md].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from .accounts import Level
from .errors import SqlError
from .lexer import Parser
from .results import Affected

if TYPE_CHECKING:
    from .session import AuroraSession


def lock(s: AuroraSession, p: Parser) -> AllowedResult:
    if p.accept("UNLOCK"):
        p.word()  # TABLES or TABLE
        p.end()
        return Affected(0)
    p.expect("LOCK")
    keyword = p.peek()
    p.word()  # TABLES or TABLE
    # sqlglot's tokenizer reads the rest of LOCK TABLES as one string: the list is read on its own.
    rest = Parser(p.sql[keyword.start + len(keyword.text):], p.reserved) if keyword is not None else p
    targets = rest.comma_list(lambda: _lock_item(s, rest))
    rest.end()
    for database, table in targets:
        if not s.holds("LOCK TABLES", Level("db", database)):
            raise SqlError(1044, f"Access denied for user {s.who} to database '{database}'")
        if not s.holds("SELECT", Level("table", database, table)):
            raise SqlError(1142, f"SELECT command denied to user {s.who} for table '{table}'")
        if table not in s.cluster.tables.table_names(database):
            raise SqlError(1146, f"Table '{database}.{table}' doesn't exist")
    return Affected(0)


def _lock_item(s: AuroraSession, p: Parser) -> tuple[str, str]:
    named_db, table = p.qualified()
    if p.accept("AS"):
        p.identifier()
    elif not p.at("READ") and not p.at("WRITE") and not p.at("LOW_PRIORITY"):
        p.identifier()  # an alias without AS
    if p.accept("READ"):
        p.accept("LOCAL")
    else:
        p.accept("LOW_PRIORITY")
        p.expect("WRITE")
    return s.database_for(named_db), table


def keys(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("ALTER", "TABLE")
    named_db, table = p.qualified()
    p.word()  # DISABLE or ENABLE
    p.expect("KEYS")
    p.end()
    database = s.database_for(named_db)
    if not s.holds("ALTER", Level("table", database, table)):
        raise SqlError(1142, f"ALTER command denied to user {s.who} for table '{table}'")
    if table not in s.cluster.tables.table_names(database):
        raise SqlError(1146, f"Table '{database}.{table}' doesn't exist")
    return Affected(0)
