"""Logging in: mysql_native_password against the cluster's accounts, RDS IAM tokens for accounts
IDENTIFIED WITH AWSAuthenticationPlugin, REQUIRE SSL, and MySQL's refusal messages.

mysql-mimic's own plugin answers an unknown user with error 3162 and any refusal with a bare
"Access denied for user u"; MySQL says `Access denied for user 'u'@'host' (using password: YES)`
for both, which is what clients (and their users) look for. An account created REQUIRE SSL (or
X509) is refused the same way over plain TCP, as MySQL refuses it.

An IAM account (Aurora's `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`) logs in with the
clear-text plugin over TLS, its password an RDS token; iam_token checks the token. Every refusal
is the same 1045 to the client; the reason is logged on the sandbox's side only (never the token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mysql_mimic import IdentityProvider, NativePasswordAuthPlugin, User, utils
from mysql_mimic.auth import AuthInfo, AuthPlugin, AuthState, Forbidden, Success

from .account_ddl import IAM_PLUGIN, PASSWORD_PLUGINS

if TYPE_CHECKING:
    from .cluster import ClusterState

log = logging.getLogger(__name__)


@dataclass
class _Candidate(User):
    """The account a user name logs in as; `known` False: no password can log it in."""

    known: bool = True
    locked: bool = False  # a role
    require_ssl: bool = False


class Login(IdentityProvider):
    """Who may log in to one cluster from one client address."""

    def __init__(self, cluster: ClusterState, client_host: str, tls: Callable[[], bool] = lambda: False,
                 addresses: Callable[[], list[tuple[str, int]]] = list) -> None:
        self.cluster = cluster
        self.client_host = client_host
        self.tls = tls  # whether the connection is TLS by now (the client asked for it before logging in)
        self.addresses = addresses  # host:port pairs a token may be made for to log in here

    def get_plugins(self) -> list[Any]:
        return [_NativePassword(self.client_host, self.tls), _IamToken(self)]

    async def get_user(self, username: str) -> User | None:
        account = self.cluster.accounts.login(username, self.client_host)
        if account is not None and account.plugin == IAM_PLUGIN and not account.locked:
            return _Candidate(username, auth_plugin=IAM_PLUGIN, require_ssl=True)
        if account is None or account.plugin not in PASSWORD_PLUGINS:
            return _Candidate(username, known=False)
        if account.locked:
            return _Candidate(username, locked=True)
        if account.password is None:
            return _Candidate(username, auth_string=account.auth_string, require_ssl=account.require_ssl)
        current = account.password()  # the master: whatever RDS holds now
        if current is None:
            return _Candidate(username, known=False)
        return _Candidate(username, auth_string=NativePasswordAuthPlugin.create_auth_string(current),
                          require_ssl=account.require_ssl)


class _NativePassword(NativePasswordAuthPlugin):
    def __init__(self, client_host: str, tls: Callable[[], bool]) -> None:
        self.client_host = client_host
        self.tls = tls

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
        elif getattr(user, "known", False) and self.password_matches(user=user, scramble=auth_info.data, nonce=nonce) \
                and (self.tls() or not getattr(user, "require_ssl", False)):
            yield Success(user.name)
        else:
            yield Forbidden(f"{denied} (using password: {'YES' if auth_info.data else 'NO'})")


class _IamToken(AuthPlugin):
    """An RDS IAM account: the client sends its token in the clear (mysql_clear_password), which
    Aurora takes only over TLS."""

    name = IAM_PLUGIN
    client_plugin_name = "mysql_clear_password"

    def __init__(self, login: Login) -> None:
        self.login = login

    async def auth(self, auth_info: AuthInfo | None = None) -> AuthState:
        if not auth_info:
            auth_info = yield b""  # switch the client to the clear-text plugin
        user = auth_info.user.name
        token = auth_info.data.split(b"\x00", 1)[0].decode("utf-8", "replace")
        if not self.login.tls():
            reason = "not over TLS (Aurora takes IAM tokens only over TLS)"
        else:
            from .iam_token import check

            try:
                reason = check(token, user, self.login.addresses(), self.login.cluster.aws)
            except Exception as error:  # noqa: BLE001 - a refusal, never a crash of the login
                reason = f"the token could not be checked ({error.__class__.__name__})"
        if reason is None:
            yield Success(user)
            return
        log.warning("IAM login of '%s'@'%s' refused: %s", user, self.login.client_host, reason)
        given = "YES" if token else "NO"
        yield Forbidden(f"Access denied for user '{user}'@'{self.login.client_host}' (using password: {given})")
