"""IAM evaluated on every request the SQL endpoint makes for the cluster, as AWS evaluates it for
the role Aurora assumes [the Aurora ML reference in the auroraml repository, docs/reference/ §1, §4].

Before the endpoint calls Bedrock, Comprehend, SageMaker, Lambda or S3 (or uses a KMS key), `authorize`
takes the role the writer runs with for the feature (aws_default_<service>_role; on v2 the S3
parameters), and:

1. the role must be associated with the cluster and ACTIVE, and exist in IAM;
2. its trust policy must let rds.amazonaws.com call sts:AssumeRole with the request's context:
   aws:SourceAccount = the cluster's account, aws:SourceArn = the cluster's ARN (what Aurora ML
   passes is undocumented; the cluster ARN is the inference the project's trust policy is built
   on, the Aurora ML reference in the auroraml repository, docs/reference/ §4.1). Any failure in 1 or 2 is Aurora's "cannot assume the
   role" answer: `<Service> API returned error: Missing Credentials: Cannot instantiate <Service>
   Client`;
3. the role's attached (default version) and inline policies, capped by its permissions
   boundary, must allow the exact action on the exact resource ARN, with the request's condition
   keys (s3:prefix for ListBucket): explicit Deny wins, Allow is needed, `*` and `?` match, `.` is
   literal, NotAction/NotResource and the condition operators of core/checks/iam_eval.py. A
   refusal is ERROR 1871 `<Service> API returned error: AccessDeniedException: User:
   arn:aws:sts::ACCOUNT:assumed-role/ROLE/CLUSTER is not authorized to perform: ACTION on
   resource: ARN because ...` — AWS's own AccessDenied wording inside Aurora's documented 1871
   envelope; Aurora documents neither the inner text nor the session name (the sandbox uses the
   cluster id). For S3 the inner text is S3's: `AccessDenied: Access Denied` plus the same
   explanation. A condition operator the evaluator does not know is refused (1235), never guessed.

The same evaluator answers `auroraml check` (core/checks/aws_side.py, function_permissions), so a
policy too narrow for a function is found before any SQL runs.

Cost: role documents are parsed once per distinct document text and verdicts are memoised on
(document texts, action, resource, context), so a call re-reads only moto's role object (a few
attribute reads): IAM changes show at once, and `bench/ml_call_checks.py` measures the rest.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from .errors import SqlError, not_supported

RDS = "rds.amazonaws.com"
NAMES = {"comprehend": "Comprehend", "sagemaker": "SageMaker", "bedrock": "Bedrock", "s3": "S3", "lambda": "Lambda"}

Request = tuple[str, str, tuple[tuple[str, str], ...]]  # (action, resource ARN, condition keys)


# What the sandbox checks on each call, and what it does not model. README's "What the sandbox
# checks" is rendered from these (tests/sandbox/sql/test_sql_iam.py keeps it current), and each
# line names the test (in tests/sandbox/sql/) that proves it.
CHECKED = (
    ("the feature's role (`aws_default_*_role`; on v2 `aurora_select_into_s3_role` / "
     "`aurora_load_from_s3_role`) is associated with the cluster and `ACTIVE`", "test_an_unassociated_role_is_missing_credentials"),
    ("its trust policy lets `rds.amazonaws.com` assume it, `aws:SourceAccount` / `aws:SourceArn` "
     "(the cluster's ARN) evaluated", "test_a_trust_for_another_cluster_or_account_is_missing_credentials"),
    ("its attached and inline policies allow the exact action on the exact ARN: `bedrock:InvokeModel` "
     "on the foundation-model (and inference-profile) ARN", "test_a_function_for_a_model_the_policy_does_not_name_fails"),
    ("`comprehend:DetectSentiment` / `BatchDetectSentiment`, `sagemaker:InvokeEndpoint` on the "
     "endpoint ARN", "test_sagemaker_and_comprehend_need_their_actions"),
    ("`lambda:InvokeFunction` on the function's ARN (with its qualifier when the call names one) for "
     "`lambda_sync` / `lambda_async`", "test_a_policy_for_another_function_is_denied"),
    ("export: `s3:ListBucket` with `s3:prefix`, `s3:PutObject` on each object; load: `s3:GetObject` "
     "(and `s3:ListBucket` for `PREFIX`)", "test_s3_outside_the_prefix_is_denied_inside_works"),
    ("`kms:GenerateDataKey` (export, `SSE_KMS 'key'`) / `kms:Decrypt` (load) on a customer managed "
     "key", "test_a_kms_key_the_role_may_not_use_is_denied"),
    ("explicit `Deny` wins; `*` and `?` wildcards, `.` literal; `NotAction` / `NotResource`; the "
     "permissions boundary caps the role", "test_explicit_deny_wildcards_and_not_resource_on_the_sandbox"),
)
NOT_MODELLED = (
    ("condition operators other than String*, Arn*, Bool, Null (and their IfExists / ForAnyValue / "
     "ForAllValues forms): refused with 1235 naming the operator", "test_an_unknown_condition_operator_is_refused"),
    ("S3 bucket policies, KMS key policies, SCPs and session policies: not evaluated (only the role's "
     "own policies and boundary are)", None),
    ("the exact text Aurora prints inside `ERROR 1871` for a denied call, and the role session name: "
     "undocumented; the sandbox uses AWS's AccessDenied wording and the cluster id", None),
    ("Lambda functions' resource-based policies (a function in another account is refused with 1235), and "
     "the function's code: the sandbox checks that the function exists and answers a stand-in payload",
     "test_an_unknown_function_or_a_payload_that_is_not_json_is_lambdas_error"),
)


@dataclass(frozen=True)
class Role:
    arn: str
    name: str
    trust: str
    identity: tuple[str, ...]  # the document texts: attached (default version) and inline
    boundary: str | None


def read_role(account: str, partition: str, arn: str) -> Role | None:
    """The role as moto's IAM holds it now, or None when there is no such role."""
    from moto.iam.models import iam_backends

    try:
        backend = iam_backends[account][partition]
    except KeyError:
        return None
    role = next((r for r in backend.roles.values() if r.arn == arn), None)
    if role is None:
        return None
    identity = [_default_document(p) for p in role.managed_policies.values()]
    identity += [_text(d) for d in role.policies.values()]
    boundary = None
    if role.permissions_boundary_arn:
        policy = backend.managed_policies.get(role.permissions_boundary_arn)
        # A boundary naming no policy allows nothing (AWS refuses to set one; be as strict).
        boundary = _default_document(policy) if policy is not None else '{"Statement": []}'
    return Role(arn, role.name, _text(role.assume_role_policy_document), tuple(identity), boundary)


def _default_document(policy: Any) -> str:
    return next((_text(v.document) for v in policy.versions if v.is_default), '{"Statement": []}')


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


@functools.lru_cache(maxsize=512)
def _parsed(text: str) -> dict:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


@functools.lru_cache(maxsize=4096)
def _assume(trust: str, account: str, source_arn: str) -> tuple[bool, str]:
    from ...core.checks import iam_eval

    return iam_eval.trusts_rds(_parsed(trust), account, source_arn)


@functools.lru_cache(maxsize=8192)
def verdict(identity: tuple[str, ...], boundary: str | None, request: Request) -> str:
    """"allowed" | "denied" | "implicitDeny" | "boundary" (allowed by the role, not its boundary)."""
    from ...core.checks import iam_eval

    action, resource, keys = request
    context = dict(keys)
    documents = [_parsed(t) for t in identity]
    mine = iam_eval.decide(documents, action, resource, context)[0]
    if mine != "allowed" or boundary is None:
        return mine
    cap = iam_eval.decide([_parsed(boundary)], action, resource, context)[0]
    return "allowed" if cap == "allowed" else ("denied" if cap == "denied" else "boundary")


class Gate:
    """The checks for one cluster: `authorize` before each request (or batch of them)."""

    def __init__(self, account: str, region: str, cluster_id: str, role_is_active: Any) -> None:
        self.account, self.region, self.cluster_id = account, region, cluster_id
        self.partition = partition_of(region)
        self.cluster_arn = f"arn:{self.partition}:rds:{region}:{account}:cluster:{cluster_id}"
        self._role_is_active = role_is_active

    def authorize(self, service: str, role_arn: str | None, requests: list[Request]) -> None:
        name = NAMES[service]
        missing = SqlError(1871, f"{name} API returned error: Missing Credentials: Cannot instantiate {name} Client")
        if not role_arn or not self._role_is_active(role_arn):
            raise missing
        role = read_role(self.account, self.partition, role_arn)
        if role is None:
            raise missing
        try:
            if not _assume(role.trust, self.account, self.cluster_arn)[0]:
                raise missing
            for request in requests:
                found = verdict(role.identity, role.boundary, request)
                if found != "allowed":
                    raise self._denied(service, role, request, found)
        except ValueError as error:  # iam_eval names what it does not evaluate
            raise not_supported(f"{error} in the policies of {role_arn} (the sandbox evaluates IAM itself)") from None

    def _denied(self, service: str, role: Role, request: Request, found: str) -> SqlError:
        action, resource, _ = request
        why = {"denied": "with an explicit deny in an identity-based policy",
               "boundary": f"because no permissions boundary allows the {action} action"}.get(
            found, f"because no identity-based policy allows the {action} action")
        user = f"arn:{self.partition}:sts::{self.account}:assumed-role/{role.name}/{self.cluster_id}"
        code = "AccessDenied: Access Denied" if service == "s3" else "AccessDeniedException"
        return SqlError(1871, f"{NAMES[service]} API returned error: {code}: User: {user} is not authorized to "
                              f"perform: {action} on resource: {resource} {why}")


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# --- the requests each feature makes ----------------------------------------------------------

def bedrock_requests(partition: str, region: str, account: str, model_id: str) -> list[Request]:
    """bedrock:InvokeModel on the foundation-model ARN; an inference profile (id or ARN) on the
    profile's ARN and on its model's ARN in every region it routes to [the Aurora ML reference in the auroraml repository, docs/reference/ §1]."""
    from .. import catalog

    action = "bedrock:InvokeModel"
    if model_id.startswith("arn:") and ":inference-profile/" not in model_id:
        return [(action, model_id, ())]
    profile_id = model_id.rsplit("inference-profile/", 1)[-1]
    profile = next((p for p in catalog.INFERENCE_PROFILES if p.profile_id == profile_id), None)
    if profile is None:
        return [(action, f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}", ())]
    arn = model_id if model_id.startswith("arn:") else f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile_id}"
    return [(action, arn, ())] + [(action, f"arn:{partition}:bedrock:{r}::foundation-model/{profile.model_id}", ())
                                   for r in profile.regions]


def comprehend_requests(batch: bool) -> list[Request]:
    return [("comprehend:BatchDetectSentiment" if batch else "comprehend:DetectSentiment", "*", ())]


def sagemaker_requests(partition: str, region: str, account: str, endpoint: str) -> list[Request]:
    return [("sagemaker:InvokeEndpoint", f"arn:{partition}:sagemaker:{region}:{account}:endpoint/{endpoint.lower()}", ())]


def lambda_requests(arn: str, qualifier: str | None) -> list[Request]:
    """lambda:InvokeFunction on the function's ARN, qualified when the call names a version or
    alias (a policy naming `function:NAME` alone does not cover `function:NAME:alias`) [Lambda
    developer guide, permissions for qualified ARNs]."""
    return [("lambda:InvokeFunction", f"{arn}:{qualifier}" if qualifier else arn, ())]


def s3_list(partition: str, bucket: str, prefix: str) -> Request:
    return ("s3:ListBucket", f"arn:{partition}:s3:::{bucket}", (("s3:prefix", prefix),))


def s3_object(partition: str, action: str, bucket: str, key: str) -> Request:
    return (action, f"arn:{partition}:s3:::{bucket}/{key}", ())


def kms_key_arn(account: str, region: str, key: str) -> str | None:
    """A key's ARN from its ARN, id or alias in the sandbox's KMS; None when KMS has no such key."""
    from moto.kms.models import kms_backends

    try:
        found = kms_backends[account][region].describe_key(key)
    except Exception:  # noqa: BLE001 - moto raises KeyError or NotFoundException for an unknown key
        return None
    return found.arn


def kms_is_customer_managed(account: str, region: str, key_arn: str) -> bool:
    """An AWS managed key (aws/s3) is used through S3 without a grant in the role [SaveIntoS3]."""
    from moto.kms.models import kms_backends

    try:
        return kms_backends[account][region].describe_key(key_arn).key_manager == "CUSTOMER"
    except Exception:  # noqa: BLE001
        return True
