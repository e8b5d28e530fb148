"""Plans for `grant` and `revoke`: Aurora's ML roles (v3) or privileges (v2), EXECUTE on the ML
functions, and the default role that makes a v3 role active at login.

v3 roles do nothing until activated — the most reported "granted but access denied" trap — so
grant sets them as default roles. `SET DEFAULT ROLE` replaces an account's whole list, so the
roles it already has are read and kept. Everything read first: a second run reports `unchanged`.
"""

from __future__ import annotations

import re

from .catalogue import SERVICES, Service
from .errors import DatabaseError, UsageError
from .plan import Plan, Step
from .records import Record
from .sql import Account, FunctionRef, Grants, ident, text
from .versions import AuroraVersion

MYSQL, MARIADB = "mysql", "mariadb"  # SQL dialects; Aurora MySQL speaks MYSQL


class GrantRequest(Record):
    __slots__ = ("service", "account", "functions", "default_role", "revoke")
    service: Service
    account: Account
    functions: list[FunctionRef]
    default_role: bool
    revoke: bool

    def __init__(self, service: Service, account: Account, functions: list[FunctionRef] | None = None,
                 default_role: bool = True, revoke: bool = False) -> None:
        self.service, self.account, self.functions = service, account, [] if functions is None else functions
        self.default_role, self.revoke = default_role, revoke


class _Current(Record):
    """What the server says now; None when planning offline (everything is then `planned`)."""

    __slots__ = ("grants", "default_roles", "activate_all_on_login", "lines")
    grants: Grants
    default_roles: set[str]
    activate_all_on_login: bool
    lines: list[str]  # SHOW GRANTS as read: the journal's `before`

    def __init__(self, grants: Grants, default_roles: set[str], activate_all_on_login: bool,
                 lines: list[str] | None = None) -> None:
        self.grants, self.default_roles, self.activate_all_on_login = grants, default_roles, activate_all_on_login
        self.lines = [] if lines is None else lines


def _check_service(req: GrantRequest, version: AuroraVersion) -> None:
    if not version.uses_roles and not req.service.v2_privileges:
        raise UsageError(f"{req.service.title} is not available on Aurora MySQL {version} (version 2)",
                         f"it needs Aurora MySQL {req.service.minimum_text()}")
    if not req.service.supported_by(version):
        raise UsageError(f"{req.service.title} needs Aurora MySQL {req.service.minimum_text()}; the server runs {version}",
                         "upgrade the cluster's engine version first")


def plan(req: GrantRequest, version: AuroraVersion, *, conn=None, dialect: str = MYSQL, where: str = "") -> Plan:
    """Offline (conn None): the statements for `version`. Online: only what is missing (or present, to revoke)."""
    _check_service(req, version)
    current = _read(conn, req.account, dialect, version) if conn is not None else None
    if current is not None:
        _check_functions(conn, req, current, dialect)
    p = Plan("revoke" if req.revoke else "grant",
             {"service": req.service.name, "account": str(req.account), "server": where,
              "aurora_version": str(version), "offline": conn is None})
    acct = req.account.sql()
    if conn is not None:
        from . import db  # connected only: an offline plan (`--dry-run --aurora-version`) never loads it

        p.who = lambda: db.scalar(conn, "SELECT CURRENT_USER()")
    add = _adder(p, conn, "; ".join(map(without_credentials, current.lines)) if current is not None else None)
    has = (lambda present: present) if not req.revoke else (lambda present: not present)
    verb, prep = ("REVOKE", "FROM") if req.revoke else ("GRANT", "TO")
    undo_verb, undo_prep = ("GRANT", "TO") if req.revoke else ("REVOKE", "FROM")

    if version.uses_roles:
        for role in req.service.db_roles:
            present = current is not None and role in current.grants.roles
            add("revoke-role" if req.revoke else "grant-role", role, f"{verb} {ident(role)} {prep} {acct}", has(present) and current is not None,
                f"{undo_verb} {ident(role)} {undo_prep} {acct}")
    else:
        for privilege in req.service.v2_privileges:
            present = current is not None and privilege in current.grants.global_privileges
            add("revoke-privilege" if req.revoke else "grant-privilege", privilege,
                f"{verb} {privilege} ON *.* {prep} {acct}", has(present) and current is not None,
                f"{undo_verb} {privilege} ON *.* {undo_prep} {acct}")
    for fn in req.functions:
        present = current is not None and (fn.schema, fn.name) in current.grants.functions
        add("revoke-execute" if req.revoke else "grant-execute", str(fn),
            f"{verb} EXECUTE ON FUNCTION {fn.sql()} {prep} {acct}", has(present) and current is not None,
            f"{undo_verb} EXECUTE ON FUNCTION {fn.sql()} {undo_prep} {acct}")
    if version.uses_roles and req.default_role:
        _plan_default_role(p, req, current, dialect, add)
    if current is not None and p.changes:
        _check_can_grant(conn, req, version)
    return p


def without_credentials(grant_line: str) -> str:
    """A SHOW GRANTS line without its IDENTIFIED ... clause: MariaDB (and MySQL 5.6) show the
    password hash there, and the journal keeps no credential, not even a hash."""
    return re.sub(r"\s+IDENTIFIED\s.*?(?=\s+WITH\s+GRANT\s+OPTION\s*$|$)", " IDENTIFIED [...]", grant_line,
                  flags=re.I | re.S)


def _adder(p: Plan, conn, before: str | None):
    """add(action, target, sql, already, undo, before=): `before` defaults to the SHOW GRANTS read."""
    def run(sql: str):
        from . import db

        return lambda step: db.execute(conn, sql)

    def add(action: str, target: str, sql: str, already: bool, undo: str | None = None, *, was: str | None = None) -> None:
        if already:
            p.unchanged(action, target, sql)
        else:
            p.add(Step(action, target, sql, run=run(sql) if conn is not None else None,
                       before=was if was is not None else before, after=sql, undo=undo))
    return add


def _plan_default_role(p: Plan, req: GrantRequest, current: _Current | None, dialect: str, add) -> None:
    roles = set(req.service.db_roles)
    acct = req.account.sql()
    if dialect == MARIADB and not req.revoke and len(roles | (current.default_roles if current else set())) > 1:
        raise UsageError(f"MariaDB allows one default role; {req.account} would need {', '.join(sorted(roles))}",
                         "pass --no-default-role and SET ROLE in the session instead")
    if current is None:
        wanted = roles if not req.revoke else set()
        p.notes.append("SET DEFAULT ROLE replaces the account's default roles; connected, auroraml keeps the ones it has")
        add("set-default-role", ", ".join(sorted(roles)), _set_default(wanted, acct, dialect), False)
        return
    have = current.default_roles
    wanted = (have | roles) if not req.revoke else (have - roles)
    if wanted == have:
        add("set-default-role", ", ".join(sorted(roles)), "default roles already " + (", ".join(sorted(have)) or "NONE"), True)
    elif current.activate_all_on_login and not req.revoke:
        add("set-default-role", ", ".join(sorted(roles)),
            "activate_all_roles_on_login=1 already activates granted roles at login", True)
    else:
        add("set-default-role", ", ".join(sorted(roles)), _set_default(wanted, acct, dialect), False,
            _set_default(have, acct, dialect), was="default roles: " + (", ".join(sorted(have)) or "NONE"))


def _set_default(roles: set[str], acct: str, dialect: str) -> str:
    names = ", ".join(ident(r) for r in sorted(roles)) or "NONE"
    return f"SET DEFAULT ROLE {names} FOR {acct}" if dialect == MARIADB else f"SET DEFAULT ROLE {names} TO {acct}"


def _read(conn, account: Account, dialect: str, version: AuroraVersion) -> _Current:
    from . import db

    try:
        lines = [r[0] for r in db.rows(conn, f"SHOW GRANTS FOR {account.sql()}")]
    except Exception as exc:
        code = exc.args[0] if getattr(exc, "args", None) else None
        if code in (1141, 1403):  # there is no such grant defined / no such user
            raise DatabaseError(f"no account {account} on the server", f"create it first: CREATE USER {account.sql()} ...") from None
        raise
    grants = Grants.parse(lines)
    if not version.uses_roles:
        return _Current(grants, set(), False, lines)
    if dialect == MARIADB:
        found = db.rows(conn, f"SELECT default_role FROM mysql.user WHERE User = {text(account.user)} AND Host = {text(account.host)}")
        defaults = {found[0][0]} if found and found[0][0] else set()
        activate_all = False
    else:
        found = db.rows(conn, "SELECT DEFAULT_ROLE_USER FROM mysql.default_roles "
                              f"WHERE USER = {text(account.user)} AND HOST = {text(account.host)}")
        defaults = {r[0] for r in found}
        activate_all = str(db.scalar(conn, "SELECT @@activate_all_roles_on_login")) in ("1", "ON")
    return _Current(grants, defaults, activate_all, lines)


# The Aurora ALIAS each service's own functions are made with (`auroraml ddl`); a service whose
# functions are built in (Comprehend's aws_comprehend_*) has only wrappers around them of one's own.
_ALIAS = {s.name: s.ddl_alias for s in SERVICES.values() if s.ddl_alias}
_BUILT_IN = {s.name: re.compile(s.builtin_call, re.I) for s in SERVICES.values() if s.builtin_call}
_NAME = r"`(?:[^`]|``)+`|[A-Za-z0-9_$]+"
_CALL = re.compile(rf"(?:({_NAME})\s*\.\s*)?({_NAME})\s*\(")
_WRAPPED_CALLS_READ = 20  # calls in a wrapper's body looked up; a wrapper makes one


def _check_functions(conn, req: GrantRequest, current: _Current, dialect: str) -> None:
    """Before any statement: each --function exists and is one of the service's ML functions, so
    a typo or an ordinary function never leaves the role granted and the EXECUTE refused (nor
    EXECUTE on something that is not ML). Revoke also takes a function the account holds EXECUTE
    on, whatever it is now. MariaDB (the tests' stand-in for Aurora's account model) has no ALIAS
    functions: there, a function only has to exist."""
    for fn in req.functions:
        if req.revoke and (fn.schema, fn.name) in current.grants.functions:
            continue
        ddl = _definition(conn, fn.schema, fn.name)
        if ddl is None:
            raise UsageError(f"--function {fn}: no such function on the server; nothing was changed",
                             "check the name (DB.NAME), create it first with `auroraml ddl ... --apply`, or connect as "
                             "an account that can see it (MySQL hides a routine from an account with no privilege on it)")
        if dialect == MARIADB:
            continue
        if ddl == "":
            raise UsageError(f"--function {fn}: its definition is hidden from this account, so auroraml cannot tell it is an "
                             f"ML function; nothing was changed", "connect as its definer or an account with SHOW_ROUTINE")
        if not _is_ml_function(conn, fn.schema, ddl, req.service.name, wrapped=True):
            kind = req.service.title.removeprefix("Amazon ").split(" (")[0]
            service = req.service
            marker = f"ALIAS {service.ddl_alias}" if service.ddl_alias else f"call to {' or '.join(service.builtin_functions)}"
            raise UsageError(f"--function {fn} is not a {kind} function (no {marker} in its definition); nothing was changed",
                             f"grant EXECUTE on ordinary functions with SQL; --function is for {kind} functions "
                             "made with `auroraml ddl`")


def _definition(conn, schema: str, name: str) -> str | None:
    """SHOW CREATE FUNCTION's text; None when there is no such function (or database); "" when the
    server hides it from this account (MySQL shows NULL then)."""
    from . import db

    try:
        found = db.rows(conn, f"SHOW CREATE FUNCTION {ident(schema)}.{ident(name)}")
    except Exception as exc:
        if db.is_mysql_error(exc) and exc.args and exc.args[0] in (1305, 1049):  # no such function / database
            return None
        raise
    if not found:
        return None
    return str(found[0][2] or "") if len(found[0]) > 2 else ""


def _is_ml_function(conn, schema: str, ddl: str, service: str, *, wrapped: bool) -> bool:
    """An ALIAS of the service's invoke function, a function calling its built-ins, or (one level)
    a wrapper calling such a function, as `auroraml ddl --wrapper` makes."""
    body = re.split(r"\bRETURN\b", ddl, maxsplit=1, flags=re.I)  # an ALIAS function has no RETURN body
    alias = re.search(r"\bRETURNS\b.*\bALIAS\s+(\w+)", body[0], re.I | re.S)  # after the signature: not a parameter's name
    if alias:
        return alias.group(1).upper() == _ALIAS.get(service)
    if len(body) < 2:
        return False
    if service in _BUILT_IN and _BUILT_IN[service].search(body[1]):
        return True
    if not wrapped:
        return False
    called = {(_unquote(s) if s else schema, _unquote(n)) for s, n in _CALL.findall(body[1])}
    for called_schema, called_name in sorted(called)[:_WRAPPED_CALLS_READ]:
        inner = _definition(conn, called_schema, called_name)
        if inner and _is_ml_function(conn, called_schema, inner, service, wrapped=False):
            return True
    return False


def _unquote(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def _check_can_grant(conn, req: GrantRequest, version: AuroraVersion) -> None:
    """Before changing anything: may the connected account grant these at all?"""
    from . import db

    mine = Grants.parse([r[0] for r in db.rows(conn, "SHOW GRANTS")])
    privileged = bool({"SUPER", "ALL PRIVILEGES"} & mine.global_privileges and mine.grant_option_global) \
        or "rds_superuser_role" in mine.roles
    if privileged:
        return
    if version.uses_roles:
        missing = [r for r in req.service.db_roles
                   if r not in (mine.admin_roles or set()) and "ROLE_ADMIN" not in mine.global_privileges]
    else:
        missing = [] if mine.grant_option_global else list(req.service.v2_privileges)
    if req.functions and not mine.grant_option_global:
        missing += [f"EXECUTE ON {f}" for f in req.functions]
    if missing:
        who = db.scalar(conn, "SELECT CURRENT_USER()")
        raise DatabaseError(f"{who} may not grant {', '.join(missing)}: nothing was changed",
                            "connect as the master user (rds_superuser_role) or an account with ROLE_ADMIN / WITH ADMIN OPTION / GRANT OPTION")
