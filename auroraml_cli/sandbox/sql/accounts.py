"""Accounts, roles and privileges of one cluster, with MySQL 8's rules for what is in effect.

A role is an account that cannot log in. Privileges are kept per level; "GRANT OPTION" in a
level's set is that level's grant option. A session's privileges are its account's plus those
of its active roles and of every role granted to them (MySQL's role graph).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mysql_mimic import NativePasswordAuthPlugin

from .engine import SUPERUSER_ROLE, Engine

GRANT_OPTION = "GRANT OPTION"


@dataclass(frozen=True, order=True)
class AccountName:
    user: str
    host: str = "%"

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"  # what CURRENT_USER() returns


@dataclass(frozen=True, order=True)
class Level:
    """Where a privilege applies: kind is global, db, table, function or procedure."""

    kind: str
    db: str = ""
    name: str = ""

    def covering(self) -> tuple[Level, ...]:
        """This level and the ones whose privileges also apply here."""
        if self.kind == "global":
            return (self,)
        if self.kind == "db":
            return (self, GLOBAL)
        return (self, Level("db", self.db), GLOBAL)


GLOBAL = Level("global")


@dataclass
class Account:
    name: AccountName
    auth_string: str | None = None  # SHA1(SHA1(password)) in hex, as mysql_native_password keeps it
    plugin: str = "mysql_native_password"  # IDENTIFIED WITH ...
    locked: bool = False  # roles cannot log in
    require_ssl: bool = False  # REQUIRE SSL: refused over plain TCP
    password: Callable[[], str | None] | None = None  # the master: RDS's current password, read at login
    privileges: dict[Level, set[str]] = field(default_factory=dict)
    roles: dict[AccountName, bool] = field(default_factory=dict)  # granted role → WITH ADMIN OPTION
    default_roles: set[AccountName] = field(default_factory=set)


def auth_string(password: str) -> str | None:
    return NativePasswordAuthPlugin.create_auth_string(password) if password else None


class Accounts:
    def __init__(self) -> None:
        self._all: dict[AccountName, Account] = {}

    def __contains__(self, name: AccountName) -> bool:
        return name in self._all

    def get(self, name: AccountName) -> Account | None:
        return self._all.get(name)

    def all(self) -> list[Account]:
        return [self._all[name] for name in sorted(self._all)]

    def add(self, account: Account) -> None:
        self._all[account.name] = account

    def remove(self, name: AccountName) -> None:
        """Drop an account; roles granted to others and default-role entries go with it."""
        del self._all[name]
        for account in self._all.values():
            account.roles.pop(name, None)
            account.default_roles.discard(name)

    def login(self, user: str, client_host: str) -> Account | None:
        """The account a client logs in as: MySQL sorts matching hosts most specific first."""
        matching = [a for a in self._all.values() if a.name.user == user and _host_matches(a.name.host, client_host)]
        matching.sort(key=lambda a: (_has_wildcard(a.name.host), a.name.host == "%", -len(a.name.host)))
        return matching[0] if matching else None

    # -- what is in effect --------------------------------------------------------------------

    def role_graph(self, roots: Iterable[AccountName]) -> set[AccountName]:
        """The roots and every role granted to them, transitively."""
        seen: set[AccountName] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            account = self._all.get(name)
            if name in seen or account is None:
                continue
            seen.add(name)
            pending.extend(account.roles)
        return seen

    def holds(self, name: AccountName, active: Iterable[AccountName], privilege: str, level: Level) -> bool:
        """Whether the account, with these roles active, holds `privilege` at `level`."""
        for holder in {name} | self.role_graph(active):
            account = self._all.get(holder)
            if account and any(privilege in account.privileges.get(lvl, ()) for lvl in level.covering()):
                return True
        return False

    def may_grant(self, name: AccountName, active: Iterable[AccountName], privilege: str, level: Level) -> bool:
        return self.holds(name, active, privilege, level) and self.holds(name, active, GRANT_OPTION, level)

    def may_administer(self, name: AccountName, active: Iterable[AccountName], role: AccountName) -> bool:
        """ROLE_ADMIN, or the role held WITH ADMIN OPTION by the account or an active role."""
        if self.holds(name, active, "ROLE_ADMIN", GLOBAL):
            return True
        holders = {name} | self.role_graph(active)
        return any(self._all[h].roles.get(role) for h in holders if h in self._all)

    def is_master(self, name: AccountName) -> bool:
        """The master user holds rds_superuser_role (active or not) on v3; on v2 nobody does."""
        account = self._all.get(name)
        return account is not None and AccountName(SUPERUSER_ROLE) in account.roles


def new_cluster_accounts(engine: Engine, master: str, password: Callable[[], str | None]) -> Accounts:
    """A new cluster: the master user and, on v3, Aurora's built-in roles.

    The master holds its privileges directly (so it can grant without activating anything) and
    rds_superuser_role, which holds the same and the ML roles WITH ADMIN OPTION."""
    accounts = Accounts()
    privileges = set(engine.master_privileges) | {GRANT_OPTION}
    master_account = Account(AccountName(master), password=password, privileges={GLOBAL: set(privileges)})
    if engine.uses_roles:
        superuser = Account(AccountName(SUPERUSER_ROLE), locked=True, privileges={GLOBAL: set(privileges)})
        for role in engine.ml_roles:
            accounts.add(Account(AccountName(role), locked=True))
            superuser.roles[AccountName(role)] = True
        accounts.add(superuser)
        master_account.roles[superuser.name] = False
    accounts.add(master_account)
    return accounts


def _has_wildcard(host: str) -> bool:
    return "%" in host or "_" in host


def _host_matches(pattern: str, client_host: str) -> bool:
    if pattern.lower() == "localhost":
        return client_host in ("127.0.0.1", "::1", "localhost")
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.lower())
    return re.fullmatch(regex, client_host.lower()) is not None
