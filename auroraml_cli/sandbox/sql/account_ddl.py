"""CREATE USER, DROP USER, CREATE ROLE, DROP ROLE (roles: Aurora 3 only), FLUSH."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from .account_syntax import parse_account, require_create_user, roles_only
from .accounts import Account, AccountName, auth_string
from .errors import SqlError, need_privilege
from .lexer import Parser

if TYPE_CHECKING:
    from .session import AuroraSession

# Plugins whose accounts log in with a password here (the endpoint speaks mysql_native_password;
# a caching_sha2_password account's password is kept the same way). RDS IAM's accounts
# (IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS') log in with a token (auth, iam_token);
# accounts of any other plugin can be created but not logged in to.
PASSWORD_PLUGINS = ("mysql_native_password", "caching_sha2_password")
IAM_PLUGIN = "AWSAuthenticationPlugin"


def create_user(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("CREATE", "USER")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    specs = p.comma_list(lambda: _user_spec(s, p))
    tls = _require(p)
    p.end()
    require_create_user(s)
    for spec in specs:
        spec.require_ssl = bool(tls)
    return _create(s, specs, if_not_exists, "CREATE USER")


def create_role(s: AuroraSession, p: Parser) -> AllowedResult:
    roles_only(s, p)
    p.expect("CREATE", "ROLE")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    names = p.comma_list(lambda: parse_account(s, p))
    p.end()
    require_create_user(s, "CREATE ROLE")
    return _create(s, [Account(name, locked=True) for name in names], if_not_exists, "CREATE ROLE")


def drop_user(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("DROP", "USER")
    return _drop(s, p, "DROP USER")


def drop_role(s: AuroraSession, p: Parser) -> AllowedResult:
    roles_only(s, p)
    p.expect("DROP", "ROLE")
    return _drop(s, p, "DROP ROLE")


def flush(s: AuroraSession, p: Parser) -> AllowedResult:
    """FLUSH [LOCAL | NO_WRITE_TO_BINLOG] option, ...: FLUSH STATUS sets the status counters
    (Aurora_ml_*) back to 0; FLUSH PRIVILEGES (tools send it after GRANT) and the others have
    nothing cached to clear here. MySQL's check: RELOAD (FLUSH_STATUS also does for STATUS on 8.0)."""
    p.expect("FLUSH")
    if not p.accept("LOCAL"):
        p.accept("NO_WRITE_TO_BINLOG")
    options = {word.upper() for word in p.comma_list(p.word)}
    p.end()
    alternative = ("FLUSH_STATUS",) if options == {"STATUS"} and s.engine.uses_roles else ()
    if not any(s.holds(privilege) for privilege in ("RELOAD", *alternative)):
        raise need_privilege("RELOAD", *alternative)
    if "STATUS" in options:
        s.cluster.ml_status.flush(s.instance)
    return None


def _user_spec(s: AuroraSession, p: Parser) -> Account:
    name = parse_account(s, p)
    account = Account(name)
    if p.accept("IDENTIFIED"):
        if p.accept("WITH"):
            plugin = p.name_or_string()
            account.plugin = IAM_PLUGIN if plugin.lower() == IAM_PLUGIN.lower() else plugin
            if p.accept("AS"):
                # mysql_native_password stores '*' + SHA1(SHA1(password)) in hex; anything else
                # (RDS IAM's 'RDS') is no password this endpoint can check.
                stored = p.string()
                account.auth_string = stored[1:].lower() if stored.startswith("*") else None
            elif p.accept("BY"):
                account.auth_string = auth_string(p.string())
        else:
            p.expect("BY")
            account.auth_string = auth_string(p.string())
    return account


def _require(p: Parser) -> bool | None:
    """REQUIRE NONE | SSL (after the last user): whether the accounts need TLS; None when absent.
    X509, CIPHER, ISSUER and SUBJECT (client certificates) are not modelled: refused by name."""
    if not p.accept("REQUIRE"):
        return None
    if p.accept("NONE"):
        return False
    if p.accept("SSL"):
        return True
    word = p.word().upper()
    raise SqlError(1235, f"This version of the sandbox doesn't yet support 'REQUIRE {word}' (client certificates)")


def _create(s: AuroraSession, accounts: list[Account], if_not_exists: bool, operation: str) -> AllowedResult:
    existing = [a.name for a in accounts if a.name in s.cluster.accounts]
    if existing and not if_not_exists:
        raise _operation_failed(operation, existing)
    for account in accounts:
        if account.name not in s.cluster.accounts:
            s.cluster.accounts.add(account)
    return None


def _drop(s: AuroraSession, p: Parser, operation: str) -> AllowedResult:
    if_exists = p.accept("IF", "EXISTS")
    names = p.comma_list(lambda: parse_account(s, p))
    p.end()
    require_create_user(s, "DROP ROLE" if operation == "DROP ROLE" else None)
    missing = [n for n in names if n not in s.cluster.accounts]
    if missing and not if_exists:
        raise _operation_failed(operation, missing)
    for name in names:
        if name in s.cluster.accounts:
            s.cluster.accounts.remove(name)
    return None


def _operation_failed(operation: str, names: list[AccountName]) -> SqlError:
    return SqlError(1396, f"Operation {operation} failed for " + ",".join(_quoted(n) for n in names))


def _quoted(name: AccountName) -> str:
    return f"'{name.user}'@'{name.host}'"
