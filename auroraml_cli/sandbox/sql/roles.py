"""Roles in use (Aurora 3): SET DEFAULT ROLE, SET ROLE, and SHOW GRANTS, which shows an account's
grants with the privileges of its active roles merged in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from .account_syntax import no_such_grant, not_granted, parse_account, require_create_user, roles_only
from .accounts import AccountName, Level
from .errors import database_denied, unknown_authorization_id
from .grants_view import grant_lines
from .lexer import Parser

if TYPE_CHECKING:
    from .session import AuroraSession


def set_default_role(s: AuroraSession, p: Parser) -> AllowedResult:
    roles_only(s, p, at=2)
    p.expect("SET", "DEFAULT", "ROLE")
    if p.accept("NONE"):
        roles: list[AccountName] | None = []
    elif p.accept("ALL"):
        roles = None
    else:
        roles = p.comma_list(lambda: parse_account(s, p))
    p.expect("TO")
    users = p.comma_list(lambda: parse_account(s, p))
    p.end()
    for name in users:
        if name not in s.cluster.accounts:
            raise unknown_authorization_id(s.engine.quote_account(name.user, name.host))
    if any(u != s.account for u in users):
        require_create_user(s)
    for name in users:
        account = s.cluster.accounts.get(name)
        for role in roles or []:
            if role not in account.roles:
                raise not_granted(s.engine, role, name)
    for name in users:
        account = s.cluster.accounts.get(name)
        account.default_roles = set(account.roles) if roles is None else set(roles)
    return None


def set_role(s: AuroraSession, p: Parser) -> AllowedResult:
    roles_only(s, p)
    p.expect("SET", "ROLE")
    account = s.cluster.accounts.get(s.account)
    granted = set(account.roles) if account else set()
    if p.accept("DEFAULT"):
        active = (account.default_roles if account else set()) & granted
    elif p.accept("NONE"):
        active = set()
    elif p.accept("ALL"):
        active = granted - set(p.comma_list(lambda: parse_account(s, p)) if p.accept("EXCEPT") else [])
    else:
        active = set(p.comma_list(lambda: parse_account(s, p)))
    p.end()
    missing = sorted(active - granted)
    if missing:
        raise not_granted(s.engine, missing[0], s.account)
    s.active_roles = active
    return None


def show_grants(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("SHOW", "GRANTS")
    name = parse_account(s, p) if p.accept("FOR") else s.account
    using = p.comma_list(lambda: parse_account(s, p)) if s.engine.uses_roles and p.accept("USING") else None
    p.end()
    if name != s.account and not s.holds("SELECT", Level("db", "mysql")):
        raise database_denied(s.who, "mysql")
    account = s.cluster.accounts.get(name)
    if account is None:
        raise no_such_grant(name)
    if using is None:
        # Without USING, your own grants include your active roles' privileges.
        using = sorted(s.active_roles) if name == s.account else []
    for role in using:
        if role not in account.roles:
            raise not_granted(s.engine, role, name)
    lines = grant_lines(s.cluster.accounts, s.engine, account, using)
    return [(line,) for line in lines], [f"Grants for {name.user}@{name.host}"]
