"""`check --iam-auth`: whether RDS IAM database authentication can log the user in.

An IAM login (docs/reference/cli-surface.md, `--iam-auth`) works when three things hold, and a
refusal is the same "Access denied" (1045) whichever fails:
- the cluster has IAM database authentication enabled (`IAMDatabaseAuthenticationEnabled`);
- the caller's AWS identity may `rds-db:connect` on
  `arn:PARTITION:rds-db:REGION:ACCOUNT:dbuser:CLUSTER_RESOURCE_ID/USER` (its identity policies and
  permissions boundary, core/checks/iam_eval.py; the account root may);
- the database account was created `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'` (read from
  mysql.user once connected; when the login itself was refused and the other two hold, that is
  the cause left).
"""

from __future__ import annotations

from typing import Any

from ..aws import Aws, error_code
from . import FAIL, PASS, SKIP, WARN, Finding

PLUGIN = "AWSAuthenticationPlugin"


def dbuser_arn(raw: dict, user: str) -> str:
    from ..names import Arn

    arn = Arn.parse(raw["DBClusterArn"])
    return f"arn:{arn.partition}:rds-db:{arn.region}:{arn.account}:dbuser:{raw.get('DbClusterResourceId', '*')}/{user}"


def check(aws: Aws, raw: dict, request: Any) -> list[Finding]:
    """Every IAM-login finding: the cluster, the caller, then a login as the user (its plugin)."""
    out = aws_findings(aws, raw, request.user)
    out.append(login(aws, request, out))
    return out


def login(aws: Aws, request: Any, findings: list[Finding]) -> Finding:
    from .. import db
    from ..errors import AccessDenied

    try:
        target, creds = db.resolve(request, aws)
        conn = db.connect(target, creds)
    except AccessDenied:
        return refused(findings, request.user)
    except Exception as exc:  # noqa: BLE001 - reported; the other findings stand on their own
        message = getattr(exc, "message", None) or str(exc)
        return Finding("iam-auth-user", None, SKIP, f"no IAM login to read the account's plugin ({message})")
    try:
        return user_plugin(conn, creds.user)
    finally:
        conn.close()


def aws_findings(aws: Aws, raw: dict, user: str | None) -> list[Finding]:
    """The cluster's setting and the caller's permission (no database connection needed)."""
    cluster = raw["DBClusterIdentifier"]
    out = []
    if raw.get("IAMDatabaseAuthenticationEnabled"):
        out.append(Finding("iam-auth-cluster", None, PASS, f"{cluster} has IAM database authentication enabled"))
    else:
        out.append(Finding("iam-auth-cluster", None, FAIL, f"{cluster} does not have IAM database authentication "
                           "enabled: every IAM token is refused (1045)",
                           f"aws rds modify-db-cluster --db-cluster-identifier {cluster} "
                           "--enable-iam-database-authentication --apply-immediately"))
    if not user:
        out.append(Finding("iam-auth-caller", None, SKIP, "no database user to check rds-db:connect for (--db-user)"))
        return out
    out.append(_caller(aws, raw, user))
    return out


def _caller(aws: Aws, raw: dict, user: str) -> Finding:
    from ..names import Arn
    from . import iam_eval

    target = dbuser_arn(raw, user)
    region = Arn.parse(raw["DBClusterArn"]).region
    try:
        caller = aws.reader.caller_identity(region).arn
        documents, boundary = _identity_policies(aws, caller)
    except Exception as exc:  # noqa: BLE001 - a read the operator may not be allowed: reported, not fatal
        code = error_code(exc) or exc.__class__.__name__
        return Finding("iam-auth-caller", None, WARN, f"could not read what your AWS identity may do ({code}): "
                       f"rds-db:connect on {target} is unverified",
                       f"auroraml iam-policy --iam-auth --db-user {user} --cluster {raw['DBClusterIdentifier']}")
    if documents is None:
        return Finding("iam-auth-caller", None, PASS, f"{caller} is the account root: it may rds-db:connect as {user}")
    verdict = iam_eval.effective(documents, boundary, "rds-db:connect", target,
                                 {"aws:PrincipalArn": caller, "aws:PrincipalAccount": Arn.parse(caller).account})
    if verdict == "allowed":
        return Finding("iam-auth-caller", None, PASS, f"{caller} may rds-db:connect on {target}")
    why = "an explicit Deny refuses" if verdict == "denied" else "no policy allows"
    return Finding("iam-auth-caller", None, FAIL, f"{why} {caller} rds-db:connect on {target}: the token is refused (1045)",
                   f"attach a policy allowing rds-db:connect on {target} (auroraml iam-policy --iam-auth --db-user {user} "
                   f"--cluster {raw['DBClusterIdentifier']})")


def _identity_policies(aws: Aws, caller: str) -> tuple[list[dict] | None, dict | None]:
    """The caller's identity policies and boundary; (None, None) for the account root."""
    from ..names import Arn

    arn = Arn.parse(caller)
    kind, _, rest = arn.resource.partition("/")
    if arn.resource == "root":
        return None, None
    reader = aws.reader
    if arn.service == "sts" and kind == "assumed-role":
        role_arn = f"arn:{arn.partition}:iam::{arn.account}:role/{rest.split('/', 1)[0]}"
        role = reader.role(role_arn)
        if role is None:
            raise ValueError(f"the role of {caller} does not exist")
        inline = list(reader.role_policies(role_arn).values())
        attached, bound = sorted(role.attached), role.boundary
    elif kind == "user":
        user = reader.user(rest.rsplit("/", 1)[-1])
        inline, attached, bound = list(user.inline), list(user.attached), user.boundary
        for name in user.groups:
            group = reader.group(name)
            inline += group.inline
            attached += group.attached
    else:
        raise ValueError(f"not a user or role: {caller}")
    documents = inline + [reader.policy_document(a) for a in attached]
    return documents, (reader.policy_document(bound) if bound else None)


def user_plugin(conn, user: str) -> Finding:
    """The login user's plugin, as mysql.user holds it."""
    from .. import db
    from ..sql import text

    try:
        plugins = [str(r[0]) for r in db.rows(conn, f"SELECT plugin FROM mysql.user WHERE User = {text(user)}")]
    except Exception as exc:  # noqa: BLE001 - a user without SELECT on mysql.user
        if not db.is_mysql_error(exc):
            raise
        return Finding("iam-auth-user", None, SKIP, f"cannot read {user}'s plugin from mysql.user")
    if not plugins:
        return Finding("iam-auth-user", None, FAIL, f"no account {user} on the server", _create(user))
    if any(p.lower() == PLUGIN.lower() for p in plugins):
        return Finding("iam-auth-user", None, PASS, f"{user} is IDENTIFIED WITH {PLUGIN}")
    return Finding("iam-auth-user", None, FAIL, f"{user} is IDENTIFIED WITH {plugins[0]}, not {PLUGIN}: an IAM token "
                   "is not its password", _create(user))


def refused(findings: list[Finding], user: str | None) -> Finding:
    """The IAM login was refused: with the cluster and the caller in order, the account is what is left."""
    if any(f.check in ("iam-auth-cluster", "iam-auth-caller") and f.status == FAIL for f in findings):
        return Finding("iam-auth-user", None, SKIP, "the login was refused for the reason above: the account's plugin "
                       "was not read")
    return Finding("iam-auth-user", None, FAIL, f"the IAM login as {user} was refused although the cluster takes IAM "
                   f"tokens and your identity may rds-db:connect: {user} is missing or not IDENTIFIED WITH {PLUGIN}",
                   _create(user or "USER"))


def _create(user: str) -> str:
    return f"CREATE USER '{user}' IDENTIFIED WITH {PLUGIN} AS 'RDS' (or ALTER USER), as the master user"
