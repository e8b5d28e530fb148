"""MySQL's transaction statements and rules for one client session, on the session's own SQLite
connection (tables.Tables): BEGIN / START TRANSACTION / COMMIT / ROLLBACK, SAVEPOINT,
ROLLBACK TO [SAVEPOINT], RELEASE SAVEPOINT; `SET autocommit=0` (a transaction begins with the
next statement and lasts until COMMIT or ROLLBACK) and `SET autocommit=1` (commits an open one);
statements that commit implicitly first (DDL, account statements, LOCK TABLES), as MySQL's
"Statements That Cause an Implicit Commit". See docs/reference/sql-compat.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import syntax_error

if TYPE_CHECKING:
    from .session import AuroraSession

# First words of statements that commit the open transaction before they run.
_IMPLICIT_COMMIT = frozenset({"CREATE", "DROP", "ALTER", "TRUNCATE", "RENAME", "GRANT", "REVOKE", "LOCK",
                              "UNLOCK", "INSTALL", "UNINSTALL", "OPTIMIZE", "ANALYZE", "REPAIR"})


_COMMENTS = re.compile(r"\s*(?:/\*.*?\*/|(?:--|#)[^\n]*)", re.DOTALL)


def first_words(sql: str) -> list[str]:
    """A statement's first four words, upper case, after any leading comments (sqlglot's
    tokenizer reads what follows RELEASE or SAVEPOINT as a command's text, so not with it)."""
    start = 0
    while match := _COMMENTS.match(sql, start):
        if match.end() == start:
            break
        start = match.end()
    return [w.upper() for w in re.findall(r"[A-Za-z_]+", sql[start : start + 80])[:4]]


def handle(s: AuroraSession, sql: str, words: list[str]) -> bool:
    """Run `sql` if it is a transaction statement; whether it was."""
    if not words:
        return False
    tables = s.cluster.tables
    first = words[0]
    if (first == "BEGIN" and words[1:2] in ([], ["WORK"])) or words[:2] == ["START", "TRANSACTION"]:
        tables.begin()
        return True
    if first == "COMMIT":
        tables.commit()
        return True
    if first == "ROLLBACK":
        if "TO" in words:
            tables.savepoint("ROLLBACK", _savepoint_name(sql))
        else:
            tables.rollback()
        return True
    if first == "SAVEPOINT":
        tables.savepoint("SAVEPOINT", _savepoint_name(sql))
        return True
    if words[:2] == ["RELEASE", "SAVEPOINT"]:
        tables.savepoint("RELEASE", _savepoint_name(sql))
        return True
    return False


_NAME = re.compile(r"(?:`((?:[^`]|``)+)`|([\w$]+))\s*;?\s*$")


def _savepoint_name(sql: str) -> str:
    """The savepoint's name, the statement's last word (sqlglot's tokenizer reads what follows
    SAVEPOINT as a command's text)."""
    match = _NAME.search(sql)
    words = sql.split()
    if match is None or len(words) < 2 or (match.group(2) or "").upper() in ("SAVEPOINT", "TO", "WORK"):
        raise syntax_error(sql, len(sql.rstrip()))
    return match.group(1).replace("``", "`") if match.group(1) else match.group(2)


def autocommit(s: AuroraSession) -> bool:
    return bool(s.variables.get("autocommit"))


def before(s: AuroraSession, words: list[str]) -> None:
    """Before a statement: DDL and its kin commit first; note autocommit before a SET."""
    if words and words[0] in _IMPLICIT_COMMIT and "TEMPORARY" not in words[:3]:
        s.cluster.tables.commit()
    s.autocommit_before = autocommit(s)


def after(s: AuroraSession, words: list[str]) -> None:
    """After a statement: `SET autocommit = 1` when it was 0 commits the open transaction."""
    if words and words[0] == "SET" and not s.autocommit_before and autocommit(s):
        s.cluster.tables.commit()


def implicit_begin(s: AuroraSession) -> None:
    """With autocommit off, a statement on the tables begins a transaction if none is open."""
    if not autocommit(s) and not s.cluster.tables.in_transaction:
        s.cluster.tables.begin()
