"""Which statements the Aurora grammar answers, by their leading words.

Anything not listed here is MySQL that sqlglot parses (SELECT, INSERT, CREATE TABLE, SET, USE,
...) and goes through mysql-mimic's session instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from . import account_ddl, explain, export, function_ddl, grants, load, locks, roles, show, triggers
from .errors import SqlError, not_supported
from .functions import LAMBDA_PROCEDURE
from .lexer import IDENT, WORD, Parser

if TYPE_CHECKING:
    from .session import AuroraSession

Handler = Callable[["AuroraSession", Parser], AllowedResult]

_ROUTES: tuple[tuple[tuple[str, ...], Handler], ...] = (
    (("GRANT",), grants.grant),
    (("REVOKE",), grants.revoke),
    (("CREATE", "USER"), account_ddl.create_user),
    (("DROP", "USER"), account_ddl.drop_user),
    (("CREATE", "ROLE"), account_ddl.create_role),
    (("DROP", "ROLE"), account_ddl.drop_role),
    (("FLUSH",), account_ddl.flush),
    (("SET", "ROLE"), roles.set_role),
    (("SET", "DEFAULT", "ROLE"), roles.set_default_role),
    (("CREATE", "FUNCTION"), function_ddl.create),
    (("DROP", "TRIGGER"), triggers.drop),
    (("LOAD", "DATA"), load.load),
    (("LOAD", "XML"), load.load),
    (("CREATE", "DEFINER"), function_ddl.create),
    (("DROP", "FUNCTION"), function_ddl.drop),
    (("SHOW",), show.show),
    (("EXPLAIN",), explain.explain),
    (("DESCRIBE",), explain.explain),
    (("DESC",), explain.explain),
)


# What follows EXPLAIN / DESCRIBE when it explains a statement, not a table.
_EXPLAIN_WORDS = ("SELECT", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE", "FORMAT", "ANALYZE", "EXTENDED",
                  "PARTITIONS", "TABLE", "FOR")


def route(session: AuroraSession, sql: str) -> Callable[[], AllowedResult] | None:
    """The handler for an Aurora-grammar statement, or None for one sqlglot should parse."""
    parser = Parser(sql, session.engine.reserved)
    if triggers.is_create(parser):  # before CREATE DEFINER, which is a function's otherwise
        return lambda: triggers.create(session, parser)
    if parser.at("DESCRIBE") or parser.at("DESC") or parser.at("EXPLAIN"):
        following = parser.peek(1)
        if following is not None and following.kind in (IDENT, WORD) and not following.is_word(*_EXPLAIN_WORDS):
            return lambda: show.describe(session, parser)
    if parser.at("ALTER", "TABLE") and len(parser.tokens) >= 2 and parser.tokens[-1].is_word("KEYS") and (
            parser.tokens[-2].is_word("DISABLE", "ENABLE")):
        return lambda: locks.keys(session, parser)
    if parser.at("SET", "NAMES"):
        return lambda: set_names(session, parser)
    if parser.at("RENAME"):  # sqlglot reads what follows RENAME as one string: that text is parsed here
        rest = Parser(sql[sql.upper().index("RENAME") + len("RENAME"):], session.engine.reserved)
        if rest.at("TABLE") or rest.at("TABLES"):
            return lambda: rename_tables(session, rest)
    if parser.at("LOCK", "TABLES") or parser.at("LOCK", "TABLE") or parser.at("UNLOCK", "TABLES") or parser.at(
            "UNLOCK", "TABLE"):
        return lambda: locks.lock(session, parser)
    if LAMBDA_PROCEDURE.match(sql):
        return lambda: lambda_procedure(session)
    for words, handler in _ROUTES:
        if parser.at(*words):
            return lambda: handler(session, parser)
    if export.is_export(parser):
        return lambda: export.export(session, parser)
    return None


def lambda_procedure(session: AuroraSession) -> AllowedResult:
    """CALL mysql.lambda_async(...): version 3 has no such procedure (MySQL's 1305); on version 2
    the deprecated procedure is not modelled, refused naming the native function to use instead."""
    if session.engine.uses_roles:
        raise SqlError(1305, "PROCEDURE mysql.lambda_async does not exist")
    raise not_supported("the deprecated procedure mysql.lambda_async (call the native function lambda_async) "
                        "in the sandbox")


def rename_tables(session: AuroraSession, p: Parser) -> AllowedResult:
    """(RENAME) TABLE a TO b [, c TO d ...]: each pair as ALTER TABLE a RENAME TO b, in order (MySQL
    renames them all or none; here a failing pair leaves the earlier ones renamed)."""
    from sqlglot import exp

    from .functions import quote_name
    from .results import Affected

    if not p.accept("TABLE"):
        p.expect("TABLES")
    pairs = []
    while True:
        old = p.qualified()
        p.expect("TO")
        pairs.append((old, p.qualified()))
        if not p.accept(","):
            break
    if not p.at_end():
        raise p.error()

    def name(db: str | None, table: str) -> str:
        return f"{quote_name(db)}.{quote_name(table)}" if db else quote_name(table)

    for (old_db, old_table), (new_db, new_table) in pairs:
        alter = session.parse_one(f"ALTER TABLE {name(old_db, old_table)} RENAME TO {name(new_db, new_table)}")
        assert isinstance(alter, exp.Alter)
        session.run_on_tables(alter)
    return Affected(0)


def set_names(session: AuroraSession, p: Parser) -> AllowedResult:
    """SET NAMES charset [COLLATE collation] | DEFAULT: the three connection character sets and
    the connection's collation (1115 / 1273 for a name MySQL does not know)."""
    from .column_types import MBMAXLEN, _charset_of
    from .results import Affected

    p.expect("SET", "NAMES")
    token = p.peek()
    if token is not None and token.is_word("DEFAULT"):
        p.word()
        p.end()
        for name in ("character_set_client", "character_set_connection", "character_set_results",
                     "collation_connection"):
            session.variables.set(name, None)  # the global value
        return Affected(0)
    charset = (p.string() if token is not None and token.kind == "string" else p.identifier()).lower()
    if charset not in MBMAXLEN:
        raise SqlError(1115, f"Unknown character set: '{charset}'")
    collation = None
    if p.accept("COLLATE"):
        token = p.peek()
        collation = (p.string() if token is not None and token.kind == "string" else p.identifier()).lower()
        owner = _charset_of(collation)
        if owner is None:
            raise SqlError(1273, f"Unknown collation: '{collation}'")
        if owner != charset and {owner, charset} != {"utf8", "utf8mb3"}:
            raise SqlError(1253, f"COLLATION '{collation}' is not valid for CHARACTER SET '{charset}'")
    p.end()
    for name in ("character_set_client", "character_set_connection", "character_set_results"):
        session.variables.set(name, charset)
    session.variables.set("collation_connection", collation or _DEFAULT_COLLATIONS.get(charset, f"{charset}_general_ci"))
    return Affected(0)


_DEFAULT_COLLATIONS = {"utf8mb4": "utf8mb4_0900_ai_ci", "utf8": "utf8mb3_general_ci", "utf8mb3": "utf8mb3_general_ci",
                       "latin1": "latin1_swedish_ci", "binary": "binary", "ascii": "ascii_general_ci"}


def unfold_comments(sql: str, mysql_version: str) -> str:
    """MySQL's executable comments run: `/*! text */` always, `/*!NNNNN text */` when the server's
    version (8.0.39 is 80039) is at least NNNNN; other comments, and MariaDB's `/*M!...*/`, stay
    comments. Quoted text is left alone. (mysqldump writes `/*!40101 SET NAMES utf8mb4 */` and
    `SELECT /*!40001 SQL_NO_CACHE */ ...`; MySQL 8.0 has no query cache, so that hint is dropped.)"""
    if "/*!" not in sql:
        return sql
    major, minor, patch = (int(part) for part in (mysql_version.split("-")[0].split(".") + ["0", "0"])[:3])
    version = major * 10000 + minor * 100 + patch
    out, i, n = [], 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"`":
            end = i + 1
            while end < n and sql[end] != char:
                end += 2 if sql[end] == "\\" and char != "`" else 1
            out.append(sql[i:end + 1])
            i = end + 1
            continue
        if sql.startswith("/*!", i):
            close = sql.find("*/", i + 3)
            if close < 0:
                out.append(sql[i:])
                break
            body = sql[i + 3:close]
            digits = len(body) - len(body.lstrip("0123456789"))
            wanted = int(body[:digits]) if digits in (5, 6) else 0
            text = body[digits:] if wanted <= version else ""
            if text.strip().upper() in ("SQL_NO_CACHE", "SQL_CACHE"):  # no query cache in 8.0: a no-op
                text = ""
            out.append(" " + text + " ")
            i = close + 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
