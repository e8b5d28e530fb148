"""Logging in: mysql_native_password against the cluster's accounts, MySQL's refusal messages.

mysql-mimic's own plugin answers an unknown user with error 3162 and any refusal with a bare
"Access denied for user u"; MySQL says `Access denied for user 'u'@'host' (using password: YES)`
for both, which is what clients (and their users) look for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mysql_mimic import IdentityProvider, NativePasswordAuthPlugin, User, utils
from mysql_mimic.auth import AuthInfo, AuthState, Forbidden, Success

from .account_ddl import PASSWORD_PLUGINS

if TYPE_CHECKING:
    from .cluster import ClusterState


@dataclass
class _Candidate(User):
    """The account a user name logs in as; `known` False: no password can log it in."""

    known: bool = True
    locked: bool = False  # a role


class Login(IdentityProvider):
    """Who may log in to one cluster from one client address."""

    def __init__(self, cluster: ClusterState, client_host: str) -> None:
        self.cluster = cluster
        self.client_host = client_host

    def get_plugins(self) -> list[Any]:
        return [_NativePassword(self.client_host)]

    async def get_user(self, username: str) -> User | None:
        account = self.cluster.accounts.login(username, self.client_host)
        if account is None or account.plugin not in PASSWORD_PLUGINS:
            return _Candidate(username, known=False)
        if account.locked:
            return _Candidate(username, locked=True)
        if account.password is None:
            return _Candidate(username, auth_string=account.auth_string)
        current = account.password()  # the master: whatever RDS holds now
        if current is None:
            return _Candidate(username, known=False)
        return _Candidate(username, auth_string=NativePasswordAuthPlugin.create_auth_string(current))


class _NativePassword(NativePasswordAuthPlugin):
    def __init__(self, client_host: str) -> None:
        self.client_host = client_host

    async def auth(self, auth_info: AuthInfo | None = None) -> AuthState:
        # As mysql-mimic's plugin: reuse the handshake's nonce, else send a fresh one.
        if auth_info and auth_info.handshake_plugin_name == self.name and auth_info.handshake_auth_data:
            nonce = auth_info.handshake_auth_data.rstrip(b"\x00")
        else:
            nonce = utils.nonce(20)
            auth_info = yield nonce + b"\x00"
        user = auth_info.user
        denied = f"Access denied for user '{user.name}'@'{self.client_host}'"
        if getattr(user, "locked", False):
            yield Forbidden(f"{denied}. Account is locked.")
        elif getattr(user, "known", False) and self.password_matches(user=user, scramble=auth_info.data, nonce=nonce):
            yield Success(user.name)
        else:
            yield Forbidden(f"{denied} (using password: {'YES' if auth_info.data else 'NO'})")
