"""RDS IAM database authentication tokens, checked as Aurora checks them.

A token is what `rds.generate_db_auth_token` makes: a SigV4 presigned URL without its scheme,
`HOST:PORT/?Action=connect&DBUser=USER&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=
AKID/DATE/REGION/rds-db/aws4_request&X-Amz-Date=...&X-Amz-Expires=900&X-Amz-SignedHeaders=host
[&X-Amz-Security-Token=...]&X-Amz-Signature=...`. A login with one is accepted when

- the cluster has IAM database authentication enabled (EnableIAMDatabaseAuthentication);
- the signature is right for the secret key the sandbox holds for that access key (an IAM
  user's key made in the sandbox, or the sandbox's default keys, which are the account's root),
  for the region of the cluster and the service `rds-db`;
- DBUser is the user logging in and HOST:PORT an address of the endpoint the client reached
  (the host RDS reports, with this endpoint's port or the cluster endpoint's);
- it is not older than X-Amz-Expires (at most 900 s: 15 minutes), nor dated in the future beyond
  AWS's five minutes of skew. Clients sign with the real clock, so a token's age is real time since
  its X-Amz-Date plus how far layer.advance() has moved the sandbox's clock since the token was
  first presented: a test ages a token without sleeping, and an advance made before a token
  existed (other tests' reboots) does not age it;
- the caller may `rds-db:connect` on `arn:aws:rds-db:REGION:ACCOUNT:dbuser:CLUSTER_RESOURCE_ID/USER`
  (its identity policies, core/checks/iam_eval.py; the root may).

`check` returns None for a good token, else the reason: the endpoint logs it on the sandbox's
side only and the client gets MySQL's 1045, as from Aurora. The token itself is never logged.
"""

from __future__ import annotations

import datetime
import hmac
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from .aws import AwsView

# The sandbox's own keys (commands/sandbox.py SANDBOX_ENV, server.DUMMY_CREDENTIALS, and the ones
# moto's in-process mock_aws puts in the environment): not an IAM user's, so the account's root, as
# sandbox/access.py treats them.
ROOT_KEYS = {"sandbox": "sandbox", "testing": "testing", "FOOBARKEY": "FOOBARSECRET"}
MAX_EXPIRES = 900  # RDS tokens live 15 minutes
SKEW = 300
_CREDENTIAL = re.compile(r"([^/]+)/(\d{8})/([^/]+)/rds-db/aws4_request")


_FIRST_SEEN: dict[str, float] = {}  # a token's signature → the clock's advance when it was first presented
_REMEMBERED = 10_000


def _advanced() -> float:
    """How far layer.advance() has moved the sandbox's clock, in seconds."""
    from .. import _patch

    return _patch.clock() - time.monotonic()


def age(signed: float, signature: str) -> float:
    """Seconds since a token was signed: real time, plus the clock's advance since first presented."""
    advanced = _advanced()
    if signature not in _FIRST_SEEN:
        if len(_FIRST_SEEN) >= _REMEMBERED:
            _FIRST_SEEN.pop(next(iter(_FIRST_SEEN)))
        _FIRST_SEEN[signature] = advanced
    return time.time() - signed + (advanced - _FIRST_SEEN[signature])


def check(token: str, user: str, addresses: Iterable[tuple[str, int]], aws: AwsView) -> str | None:
    cluster = aws._cluster()
    if cluster is None:
        return "the cluster is not in RDS"
    if not getattr(cluster, "iam_auth", False):
        return "IAM database authentication is not enabled on the cluster (EnableIAMDatabaseAuthentication)"
    where, _, query = token.partition("/?")
    if not query or "/" in where:
        return "not an RDS IAM token (HOST:PORT/?Action=connect&...)"
    pairs = [pair.partition("=") for pair in query.split("&")]
    params = {key: unquote(value) for key, _, value in pairs}
    if params.get("Action") != "connect" or params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" \
            or params.get("X-Amz-SignedHeaders") != "host" or "X-Amz-Signature" not in params:
        return "not an RDS IAM token (Action=connect, AWS4-HMAC-SHA256, signed host)"
    credential = _CREDENTIAL.fullmatch(params.get("X-Amz-Credential", ""))
    if credential is None:
        return "the token's credential scope is not for rds-db"
    key_id, day, region = credential.groups()
    if region != aws.region:
        return f"the token was signed for region {region}, the cluster is in {aws.region}"
    if params.get("DBUser") != user:
        return "the token was made for another database user"
    host, _, port = where.rpartition(":")
    if (host.lower(), port) not in {(h.lower(), str(p)) for h, p in addresses}:
        return f"the token was made for another endpoint ({where})"
    try:
        signed = datetime.datetime.strptime(params.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        expires = int(params.get("X-Amz-Expires", ""))
    except ValueError:
        return "the token's X-Amz-Date or X-Amz-Expires is malformed"
    if not 1 <= expires <= MAX_EXPIRES or not params["X-Amz-Date"].startswith(day):
        return "the token's X-Amz-Expires or date is out of range"
    found = _secret(aws, key_id)
    if found is None:
        return "the token's access key is not known to the sandbox"
    secret, principal = found
    if not hmac.compare_digest(_signature(token, key_id, secret, params, region), params["X-Amz-Signature"]):
        return "the token's signature does not match"
    elapsed = age(signed, params["X-Amz-Signature"])  # signed: only a genuine token is remembered
    if elapsed > expires:
        return f"the token expired {elapsed - expires:.0f} s ago"
    if elapsed < -SKEW:
        return "the token is dated in the future"
    if principal is not None:
        arn = f"arn:aws:rds-db:{aws.region}:{aws.account_id}:dbuser:{cluster.db_cluster_resource_id}/{user}"
        verdict = _may_connect(aws, principal, arn)
        if verdict != "allowed":
            return f"{principal} is not allowed rds-db:connect on {arn} ({verdict})"
    return None


def _signature(token: str, key_id: str, secret: str, params: dict[str, str], region: str) -> str:
    """SigV4 over the same canonical request botocore signed (SigV4QueryAuth, UNSIGNED payload)."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    where, _, query = token.partition("?")
    unsigned = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Signature="))
    request = AWSRequest(method="GET", url=f"https://{where}?{unsigned}")
    request.context["timestamp"] = params["X-Amz-Date"]
    auth = SigV4QueryAuth(Credentials(key_id, secret, params.get("X-Amz-Security-Token")), "rds-db", region,
                          expires=int(params["X-Amz-Expires"]))
    return auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)


def _secret(aws: AwsView, key_id: str) -> tuple[str, Any] | None:
    """(secret key, the IAM user owning it; None for the root) or None for a key nobody holds."""
    from moto.iam.models import iam_backends

    backend = iam_backends[aws.account_id]["aws"]
    for iam_user in backend.users.values():
        for key in iam_user.access_keys:
            if key.access_key_id == key_id and key.status == "Active":
                return key.secret_access_key, iam_user
    if key_id in ROOT_KEYS:
        return ROOT_KEYS[key_id], None
    return None


def _may_connect(aws: AwsView, iam_user: Any, arn: str) -> str:
    """The IAM user's verdict on rds-db:connect from its identity policies (its own, attached,
    its groups'); moto keeps no permissions boundary for users (docs/reference/moto-gaps.md)."""
    from moto.iam.access_control import IAMPolicy, IAMUserAccessKey

    from ...core.checks import iam_eval

    owner = IAMUserAccessKey(aws.account_id, "aws", iam_user.access_keys[0].access_key_id, {})
    documents = [IAMPolicy(p)._policy_json for p in owner.collect_policies()]
    context = {"aws:PrincipalAccount": aws.account_id, "aws:PrincipalArn": iam_user.arn, "aws:username": iam_user.name}
    return iam_eval.effective(documents, None, "rds-db:connect", arn, context)
