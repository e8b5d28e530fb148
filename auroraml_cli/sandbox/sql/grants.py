"""GRANT and REVOKE of privileges (global, database, table, routine) and of roles, with MySQL's
privilege checks and error numbers. On Aurora 2 (MySQL 5.7) the ML services are global
privileges (`INVOKE SAGEMAKER ON *.*`) and a role name where a privilege belongs is a syntax error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from .account_syntax import no_such_grant, not_granted, parse_account, require_create_user
from .accounts import GLOBAL, GRANT_OPTION, AccountName, Level
from .engine import DATABASE_PRIVILEGES, ROUTINE_PRIVILEGES, TABLE_PRIVILEGES, Engine
from .errors import SqlError, database_denied, need_privilege, unknown_authorization_id, unknown_function
from .lexer import SYMBOL, WORD, Parser

if TYPE_CHECKING:
    from .session import AuroraSession


def grant(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("GRANT")
    if _first_of(p, "ON", "TO") == "TO":
        return _grant_roles(s, p)
    privileges, level, grantees = _privilege_clause(s, p, "TO")
    with_grant_option = p.accept("WITH", "GRANT", "OPTION")
    p.end()
    wanted = _expand(s.engine, privileges, level) | ({GRANT_OPTION} if with_grant_option else set())
    _authorize(s, wanted, level)
    for name in grantees:
        if name not in s.cluster.accounts:
            if s.engine.uses_roles:
                raise SqlError(1410, "You are not allowed to create a user with GRANT")
            raise SqlError(1133, "Can't find any matching row in the user table")
    for name in grantees:
        if wanted:
            s.cluster.accounts.get(name).privileges.setdefault(level, set()).update(wanted)
    return None


def revoke(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("REVOKE")
    if_exists = s.engine.uses_roles and p.accept("IF", "EXISTS")
    if _first_of(p, "ON", "FROM") == "FROM":
        if p.at("ALL"):
            return _revoke_all(s, p)
        return _revoke_roles(s, p, if_exists)
    privileges, level, grantees = _privilege_clause(s, p, "FROM")
    ignore_unknown = _ignore_unknown_user(s, p)
    p.end()
    wanted = _expand(s.engine, privileges, level)
    _authorize(s, wanted, level)
    for name in grantees:
        account = s.cluster.accounts.get(name)
        if account is None:
            if ignore_unknown:
                continue
            raise no_such_grant(name)
        held = account.privileges.get(level)
        if held is None and level != GLOBAL and not if_exists:
            raise no_such_grant(name, level)
        if held is not None:
            held -= wanted
            if not held:
                del account.privileges[level]
    return None


def _privilege_clause(s: AuroraSession, p: Parser, preposition: str) -> tuple[list[str], Level, list[AccountName]]:
    """`priv [, priv] ON level TO|FROM account [, account]`."""
    privileges = p.comma_list(lambda: _privilege(s.engine, p))
    p.expect("ON")
    level = _level(s, p)
    p.expect(preposition)
    return privileges, level, p.comma_list(lambda: parse_account(s, p))


def _revoke_all(s: AuroraSession, p: Parser) -> AllowedResult:
    """REVOKE ALL [PRIVILEGES], GRANT OPTION FROM account [, account]: every privilege, no roles."""
    p.expect("ALL")
    p.accept("PRIVILEGES")
    p.expect(",", "GRANT", "OPTION", "FROM")
    names = p.comma_list(lambda: parse_account(s, p))
    ignore_unknown = _ignore_unknown_user(s, p)
    p.end()
    require_create_user(s)
    for name in names:
        account = s.cluster.accounts.get(name)
        if account is None and not ignore_unknown:
            raise no_such_grant(name)
        if account is not None:
            account.privileges.clear()
    return None


def _grant_roles(s: AuroraSession, p: Parser) -> AllowedResult:
    if not s.engine.uses_roles:
        raise p.error()  # MySQL 5.7: a role name is not a privilege
    roles = p.comma_list(lambda: parse_account(s, p))
    p.expect("TO")
    grantees = p.comma_list(lambda: parse_account(s, p))
    with_admin = p.accept("WITH", "ADMIN", "OPTION")
    p.end()
    _check_role_statement(s, roles, grantees)
    for name in grantees:
        account = s.cluster.accounts.get(name)
        for role in roles:
            account.roles[role] = account.roles.get(role, False) or with_admin
    return None


def _revoke_roles(s: AuroraSession, p: Parser, if_exists: bool) -> AllowedResult:
    if not s.engine.uses_roles:
        raise p.error()
    roles = p.comma_list(lambda: parse_account(s, p))
    p.expect("FROM")
    users = p.comma_list(lambda: parse_account(s, p))
    ignore_unknown = _ignore_unknown_user(s, p)
    p.end()
    if ignore_unknown:
        users = [u for u in users if u in s.cluster.accounts]
    _check_role_statement(s, roles, users)
    for name in users:
        account = s.cluster.accounts.get(name)
        for role in roles:
            if role not in account.roles and not if_exists:
                raise not_granted(s.engine, role, name)
    for name in users:
        account = s.cluster.accounts.get(name)
        for role in roles:
            account.roles.pop(role, None)
            account.default_roles.discard(role)
    return None


def _check_role_statement(s: AuroraSession, roles: list[AccountName], users: list[AccountName]) -> None:
    for name in roles + users:
        if name not in s.cluster.accounts:
            raise unknown_authorization_id(s.engine.quote_account(name.user, name.host))
    for role in roles:
        if not s.cluster.accounts.may_administer(s.account, s.active_roles, role):
            raise need_privilege("WITH ADMIN", "ROLE_ADMIN", "SUPER")


def _privilege(engine: Engine, p: Parser) -> str:
    """The longest privilege name at the cursor; a syntax error where no known name goes on."""
    known = (*engine.static_privileges, *engine.dynamic_privileges, "ALL PRIVILEGES", "ALL", "USAGE", GRANT_OPTION)
    best, deepest = "", 0
    for name in known:
        words = name.split()
        matched = 0
        while matched < len(words) and (token := p.peek(matched)) is not None and token.is_word(words[matched]):
            matched += 1
        deepest = max(deepest, matched)
        if matched == len(words) and len(words) > len(best.split()):
            best = name
    if not best:
        token = p.peek(deepest)
        raise p.error(token.start if token else len(p.sql))
    p.i += len(best.split())
    return best


def _level(s: AuroraSession, p: Parser) -> Level:
    """`*.*`, `*`, `db.*`, `db.table`, `table`, `FUNCTION db.fn`, `PROCEDURE db.proc`."""
    kind = "function" if p.accept("FUNCTION") else "procedure" if p.accept("PROCEDURE") else "table"
    if kind == "table":
        p.accept("TABLE")
    if kind == "table" and p.accept("*"):
        if p.accept(".", "*"):
            return GLOBAL
        return Level("db", s.database_for(None))
    first = p.identifier()
    if p.accept("."):
        if kind == "table" and p.accept("*"):
            return Level("db", first)
        db, name = first, p.identifier()
    else:
        db, name = s.database_for(None), first
    return _existing_object(s, Level(kind, db, name))


def _existing_object(s: AuroraSession, level: Level) -> Level:
    """The level of a routine or table that exists (routines under their stored name)."""
    if level.kind == "function":
        function = s.cluster.functions.get(level.db, level.name)
        if function is None:
            raise unknown_function(f"{level.db}.{level.name}")
        return Level("function", function.db, function.name)
    if level.kind == "procedure":  # no stored procedures exist here
        raise SqlError(1305, f"PROCEDURE {level.db}.{level.name} does not exist")
    if level.db not in s.cluster.tables.databases or level.name not in s.cluster.tables.table_names(level.db):
        raise SqlError(1146, f"Table '{level.db}.{level.name}' doesn't exist")
    return level


def _expand(engine: Engine, privileges: list[str], level: Level) -> set[str]:
    """The privileges named, ALL spelled out for the level; 1144/1221 for one the level cannot take."""
    allowed = {"global": set(engine.static_privileges) | set(engine.dynamic_privileges), "db": DATABASE_PRIVILEGES,
               "table": TABLE_PRIVILEGES, "function": ROUTINE_PRIVILEGES, "procedure": ROUTINE_PRIVILEGES}[level.kind]
    wanted: set[str] = set()
    for name in privileges:
        if name in ("ALL", "ALL PRIVILEGES"):
            wanted |= allowed
        elif name == GRANT_OPTION:
            wanted.add(GRANT_OPTION)
        elif name != "USAGE":
            if name not in allowed:
                if level.kind == "db":
                    raise SqlError(1221, "Incorrect usage of DB GRANT and GLOBAL PRIVILEGES")
                raise SqlError(1144, "Illegal GRANT/REVOKE command; please consult the manual to see which "
                                     "privileges can be used")
            wanted.add(name)
    return wanted


def _authorize(s: AuroraSession, privileges: set[str], level: Level) -> None:
    """The granting account must hold each privilege, and GRANT OPTION, at the level."""
    for privilege in sorted(privileges):
        if s.cluster.accounts.may_grant(s.account, s.active_roles, privilege, level):
            continue
        if level.kind == "global":
            raise SqlError(1045, f"Access denied for user {s.who} (using password: YES)")
        if level.kind == "db":
            raise database_denied(s.who, level.db)
        if level.kind == "table":
            raise SqlError(1142, f"GRANT command denied to user {s.who} for table '{level.name}'")
        raise SqlError(1370, f"grant command denied to user {s.who} for routine '{level.db}.{level.name}'")


def _ignore_unknown_user(s: AuroraSession, p: Parser) -> bool:
    return s.engine.uses_roles and p.accept("IGNORE", "UNKNOWN", "USER")


def _first_of(p: Parser, *words: str) -> str | None:
    """Which of `words` comes first at bracket depth 0 from the cursor on."""
    depth = 0
    for token in p.tokens[p.i :]:
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.kind == WORD and token.text.upper() in words:
            return token.text.upper()
    return None
