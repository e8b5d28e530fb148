"""SHOW GRANTS text, as MySQL 8.0 (Aurora 3) or 5.7 (Aurora 2) writes it.

8.0: `GRANT USAGE ON *.* TO `u`@`%``, dynamic privileges on a line of their own
(`GRANT ROLE_ADMIN,SET_USER_ID ON *.* ...`), routine grants, then granted roles
(`GRANT `AWS_COMPREHEND_ACCESS`@`%` TO `u`@`%``, WITH ADMIN OPTION ones on their own line).
5.7: accounts in single quotes, Aurora's privileges among the global ones
(`GRANT INVOKE COMPREHEND ON *.* TO 'u'@'%'`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .accounts import GLOBAL, GRANT_OPTION, Account, AccountName, Accounts, Level
from .engine import DATABASE_PRIVILEGES, ROUTINE_PRIVILEGES, TABLE_PRIVILEGES, Engine
from .functions import quote_name

_COMPLETE = {"db": DATABASE_PRIVILEGES, "table": TABLE_PRIVILEGES, "function": ROUTINE_PRIVILEGES,
             "procedure": ROUTINE_PRIVILEGES}


def grant_lines(accounts: Accounts, engine: Engine, account: Account, using: Iterable[AccountName]) -> list[str]:
    """The account's grants, with the privileges of the `using` roles (and theirs) merged in."""
    privileges: dict[Level, set[str]] = {}
    holders = [account] + [accounts.get(r) for r in sorted(accounts.role_graph(using))]
    for holder in holders:
        for level, names in (holder.privileges if holder else {}).items():
            privileges.setdefault(level, set()).update(names)
    to = engine.quote_account(account.name.user, account.name.host)
    lines = _global_lines(engine, privileges.pop(GLOBAL, set()), to)
    for level in sorted(privileges):
        names = privileges[level]
        if names:
            lines.append(f"GRANT {_listed(engine, level, names)} ON {_target(level)} TO {to}{_option(names)}")
    if engine.uses_roles:
        for admin in (False, True):
            roles = sorted(r for r, with_admin in account.roles.items() if with_admin == admin)
            if roles:
                listed = ",".join(engine.quote_account(r.user, r.host) for r in roles)
                lines.append(f"GRANT {listed} TO {to}" + (" WITH ADMIN OPTION" if admin else ""))
    return lines


def _global_lines(engine: Engine, names: set[str], to: str) -> list[str]:
    static = [p for p in engine.static_privileges if p in names]
    if not engine.uses_roles and static and len(static) == len(engine.static_privileges):
        listed = "ALL PRIVILEGES"  # 5.7 abbreviates; 8.0 spells the static privileges out
    else:
        listed = ", ".join(static) or "USAGE"
    lines = [f"GRANT {listed} ON *.* TO {to}{_option(names)}"]
    dynamic = [p for p in engine.dynamic_privileges if p in names]
    if dynamic:
        lines.append(f"GRANT {','.join(dynamic)} ON *.* TO {to}{_option(names)}")
    return lines


def _listed(engine: Engine, level: Level, names: set[str]) -> str:
    held = names - {GRANT_OPTION}
    if held and held == _COMPLETE[level.kind]:
        return "ALL PRIVILEGES"
    return ", ".join(p for p in engine.static_privileges if p in held) or "USAGE"


def _target(level: Level) -> str:
    if level.kind == "db":
        return f"{quote_name(level.db)}.*"
    prefix = {"function": "FUNCTION ", "procedure": "PROCEDURE "}.get(level.kind, "")
    return f"{prefix}{quote_name(level.db)}.{quote_name(level.name)}"


def _option(names: set[str]) -> str:
    return " WITH GRANT OPTION" if GRANT_OPTION in names else ""
