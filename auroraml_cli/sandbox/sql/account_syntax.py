"""What the account statements share: account names as written, MySQL 5.7's missing roles,
and the errors several statements raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import GLOBAL, AccountName, Level
from .engine import Engine
from .errors import SqlError, need_privilege
from .lexer import Parser

if TYPE_CHECKING:
    from .session import AuroraSession


def parse_account(s: AuroraSession, p: Parser) -> AccountName:
    """`user`, `'user'@'host'`, `` `user`@`host` ``, or CURRENT_USER[()]; the host defaults to %."""
    if p.accept("CURRENT_USER"):
        p.accept("(", ")")
        return s.account
    user = p.name_or_string()
    host = p.name_or_string() if p.accept("@") else "%"
    return AccountName(user, host.lower())


def roles_only(s: AuroraSession, p: Parser, at: int = 1) -> None:
    """MySQL 5.7 has no roles: the statement is a syntax error at the word ROLE."""
    if not s.engine.uses_roles:
        raise p.error(p.tokens[at].start)


def not_granted(engine: Engine, role: AccountName, user: AccountName) -> SqlError:
    return SqlError(3530, f"{engine.quote_account(role.user, role.host)} is not granted to "
                          f"{engine.quote_account(user.user, user.host)}")


def no_such_grant(name: AccountName, level: Level = GLOBAL) -> SqlError:
    text = f"There is no such grant defined for user '{name.user}' on host '{name.host}'"
    if level.kind in ("function", "procedure"):
        return SqlError(1403, f"{text} on routine '{level.name}'")
    if level.kind == "table":
        return SqlError(1147, f"{text} on table '{level.name}'")
    return SqlError(1141, text)


def require_create_user(s: AuroraSession, alternative: str | None = None) -> None:
    if not s.holds("CREATE USER") and not (alternative and s.holds(alternative)):
        raise need_privilege("CREATE USER", *([alternative] if alternative else []))
