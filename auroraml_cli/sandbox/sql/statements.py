"""Which statements the Aurora grammar answers, by their leading words.

Anything not listed here is MySQL that sqlglot parses (SELECT, INSERT, CREATE TABLE, SET, USE,
...) and goes through mysql-mimic's session instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from . import account_ddl, explain, export, function_ddl, grants, load, roles, show, triggers
from .lexer import Parser

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


def route(session: AuroraSession, sql: str) -> Callable[[], AllowedResult] | None:
    """The handler for an Aurora-grammar statement, or None for one sqlglot should parse."""
    parser = Parser(sql, session.engine.reserved)
    if triggers.is_create(parser):  # before CREATE DEFINER, which is a function's otherwise
        return lambda: triggers.create(session, parser)
    for words, handler in _ROUTES:
        if parser.at(*words):
            return lambda: handler(session, parser)
    if export.is_export(parser):
        return lambda: export.export(session, parser)
    return None
