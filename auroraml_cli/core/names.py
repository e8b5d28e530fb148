"""Validation of what users type (cluster ids, ARNs, IAM names, buckets), before anything changes."""

from __future__ import annotations

import re
from .errors import UsageError
from .patterns import lazy
from .records import Frozen

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
_CLUSTER_ID = lazy(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
# re.ASCII: \d would take any script's digits, and IGNORECASE would let "İ" pass for "i".
_ARN = lazy(r"^arn:(?P<partition>[a-z-]+):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}|):(?P<resource>.+)$", re.ASCII)
_IAM_NAME = lazy(r"^[A-Za-z0-9+=,.@_-]+$")
_PARAM_GROUP = lazy(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$")
_BUCKET = lazy(r"^(?!xn--)(?!sthree-)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?<!-s3alias)(?<!--ol-s3)$")
_IP_LIKE = lazy(r"^\d+\.\d+\.\d+\.\d+$", re.ASCII)
_ENDPOINT = lazy(r"^(?=.{1,63}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
_MODEL_ID = lazy(r"^[a-z0-9][a-z0-9.:_-]{1,200}$", re.IGNORECASE | re.ASCII)

ROLE_NAME_MAX = 64
POLICY_NAME_MAX = 128


class Arn(Frozen):
    __slots__ = ("partition", "service", "region", "account", "resource")
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __init__(self, partition: str, service: str, region: str, account: str, resource: str) -> None:
        self._init(partition, service, region, account, resource)

    @classmethod
    def parse(cls, text: str) -> "Arn":
        match = _ARN.fullmatch(text or "")
        if not match or match["partition"] not in PARTITIONS:
            raise UsageError(f"not a valid ARN: {text!r}", "an ARN looks like arn:aws:rds:us-east-1:123456789012:cluster:my-cluster")
        return cls(**match.groupdict())

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def cluster_ref(text: str) -> tuple[str, str | None]:
    """(cluster id, region or None) from a cluster id or a cluster ARN."""
    if text.startswith("arn:"):
        arn = Arn.parse(text)
        kind, _, ident = arn.resource.partition(":")
        if arn.service != "rds" or kind != "cluster" or not ident or not arn.region or not arn.account:
            raise UsageError(f"not a DB cluster ARN: {text!r}", "use arn:PARTITION:rds:REGION:ACCOUNT:cluster:ID or just the cluster id")
        cluster_id(ident)
        return ident, arn.region
    return cluster_id(text), None


def cluster_id(text: str) -> str:
    if not _CLUSTER_ID.fullmatch(text or ""):
        raise UsageError(
            f"not a valid DB cluster identifier: {text!r}",
            "1-63 letters, digits or hyphens, starting with a letter, no trailing or double hyphen",
        )
    return text


def iam_name(text: str, kind: str, limit: int) -> str:
    if not text or len(text) > limit or not _IAM_NAME.fullmatch(text):
        raise UsageError(f"not a valid IAM {kind} name: {text!r}",
                         f"1-{limit} characters from letters, digits and +=,.@_-")
    return text


def derived_name(prefix: str, suffix: str, limit: int) -> str:
    """`prefix-suffix`, shortened with a stable hash when it would pass IAM's length limit."""
    import hashlib  # OpenSSL's: 3 ms at start-up otherwise

    name = f"{prefix}-{suffix}"
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"


def parameter_group_name(text: str) -> str:
    if not _PARAM_GROUP.fullmatch(text or "") or text.lower().startswith("default."):
        raise UsageError(f"not a valid custom DB cluster parameter group name: {text!r}",
                         "1-255 letters, digits or hyphens, starting with a letter; default.* groups cannot be modified")
    return text


WILDCARDS = "*?"
WILDCARD_HINT = "pass --allow-wildcards if you mean IAM wildcards (they match every name they fit)"


def bucket(text: str, allow_wildcards: bool = False) -> str:
    """An S3 bucket name by S3's naming rules; `*` and `?` only when the user said they mean them."""
    wild = any(c in (text or "") for c in WILDCARDS)
    if wild and not allow_wildcards:
        raise UsageError(f"wildcards in the bucket name {text!r} would grant more than one bucket", WILDCARD_HINT)
    plain = re.sub(r"[*?]", "a", text or "") if wild else (text or "")
    if not _BUCKET.fullmatch(plain) or _IP_LIKE.fullmatch(plain):
        raise UsageError(f"not a valid S3 bucket name: {text!r}", "3-63 lower-case letters, digits, dots and hyphens")
    return text


def s3_prefix(text: str | None, allow_wildcards: bool = False) -> str:
    """A key prefix as a folder: `ml`, `ml/` and `/ml/` are all `ml` (the policy grants `ml/*`, so
    `ml-backups/` is not included). Empty means the whole bucket. Empty segments (`a//b`) and `.`
    or `..` segments are refused rather than guessed at; `*` and `?` need `allow_wildcards`."""
    prefix = (text or "").strip("/")
    segments = prefix.split("/") if prefix else []
    if any(s in ("", ".", "..") for s in segments) or any(ord(c) < 32 or c == "\x7f" for c in prefix) or len(prefix) > 900:
        raise UsageError(f"not a usable S3 prefix: {text!r}",
                         "a folder such as exports/daily: no empty, '.' or '..' parts, no control characters")
    if not allow_wildcards and any(c in prefix for c in WILDCARDS):
        raise UsageError(f"wildcards in the S3 prefix {text!r} would grant more than one folder", WILDCARD_HINT)
    return prefix


_KMS_KEY_ID = lazy(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$", re.ASCII)
_KMS_ALIAS = lazy(r"^alias/[A-Za-z0-9/_-]{1,250}$", re.ASCII)
KMS_KEY_HINT = "a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), a key id, or an alias (alias/NAME)"


def kms_key(text: str) -> str:
    """A KMS key ARN, key id, alias name or alias ARN, as typed; anything else (`*`, another
    service's ARN, a wildcard) is refused. The key it names is looked up later, in the cluster's region."""
    if any(c in (text or "") for c in WILDCARDS):
        raise UsageError(f"--kms-key must name one key, not a pattern: {text!r}", KMS_KEY_HINT)
    if (text or "").startswith("arn:"):
        arn = Arn.parse(text)
        kind, _, rest = arn.resource.partition("/")
        ok = (kind == "key" and _KMS_KEY_ID.fullmatch(rest)) or (kind == "alias" and _KMS_ALIAS.fullmatch(arn.resource))
        if arn.service != "kms" or not arn.region or not arn.account or not ok:
            raise UsageError(f"not a KMS key or alias ARN: {text!r}", KMS_KEY_HINT)
        return text
    if not (_KMS_KEY_ID.fullmatch(text or "") or _KMS_ALIAS.fullmatch(text or "")):
        raise UsageError(f"not a KMS key: {text!r}", KMS_KEY_HINT)
    return text


def endpoint_name(text: str) -> str:
    if not _ENDPOINT.fullmatch(text or ""):
        raise UsageError(f"not a valid SageMaker endpoint name: {text!r}",
                         "1-63 letters, digits and hyphens, starting with a letter or digit")
    return text


def model_id(text: str) -> str:
    if text.startswith("arn:"):
        Arn.parse(text)
        return text
    if not _MODEL_ID.fullmatch(text or ""):
        raise UsageError(f"not a valid Bedrock model id: {text!r}", "for example anthropic.claude-3-haiku-20240307-v1:0")
    return text


_LAMBDA_NAME = lazy(r"^[A-Za-z0-9_-]{1,64}$", re.ASCII)
_LAMBDA_ARN = lazy(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$",
                         re.ASCII)
LAMBDA_HINT = "a function name (1-64 letters, digits, - and _) or its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"


def lambda_function(text: str) -> str:
    """A Lambda function name, or a function ARN (with an optional version or alias qualifier).
    Partial ARNs and wildcards are refused: the policy names exactly the functions given."""
    if (text or "").startswith("arn:"):
        if not _LAMBDA_ARN.fullmatch(text) or Arn.parse(text).partition not in PARTITIONS:
            raise UsageError(f"not a Lambda function ARN: {text!r}", LAMBDA_HINT)
        return text
    if not _LAMBDA_NAME.fullmatch(text or ""):
        raise UsageError(f"not a valid Lambda function name: {text!r}", LAMBDA_HINT)
    return text
