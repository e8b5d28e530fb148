"""IAM enforced for the sandbox's IAM users: a call signed with the access key of an IAM user
made in the sandbox (CreateUser, CreateAccessKey) is evaluated against that user's policies, as
AWS would, before moto runs it; any other key (the default dummy `testing` ones) is the account's
administrator and unrestricted. So a test — or a user — can create an operator holding exactly
`auroraml iam-policy` and run auroraml as that operator.

moto's own enforcement (`INITIAL_NO_AUTH_ACTION_COUNT`) is all or nothing for every key, matches
every call against Resource "*", and fails any statement with a condition it has no value for.
This evaluates with auroraml's own IAM evaluator (core/checks/iam_eval.py) on the resource ARNs
the request names and the context keys the operator policy relies on: iam:PermissionsBoundary,
iam:PolicyARN, iam:PassedToService (AddRoleToDBCluster passes the role to RDS), aws:PrincipalAccount,
cloudwatch:namespace (PutMetricData: CloudWatch signs as `monitoring`, IAM's actions are `cloudwatch:`).
The calls a request implies are checked too: TagRole / TagPolicy / AddTagsToResource when it
carries tags, PassRole for AddRoleToDBCluster, the parameter group a ModifyDBCluster names.
Not covered: S3 (its own authorisation path in moto), resource-based policies, SCPs.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from moto.core.exceptions import AccessDeniedError, JsonRESTError
from moto.core.responses import BaseResponse
from moto.iam.access_control import CreateAccessKeyFailure, IAMPolicy, IAMUserAccessKey
from moto.iam.models import iam_backends

from ._patch import wrap

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")
Request = tuple[str, str, dict[str, Any]]  # (action, resource, context)


def install() -> None:
    wrap(BaseResponse, "_authenticate_and_authorize_normal_action", _authorize)


def _authorize(original: Any, response: BaseResponse, resource: str = "*") -> None:
    match = _CREDENTIAL.search(response.headers.get("Authorization") or "")
    if not match:
        return original(response, resource)
    key_id, region, service = match.groups()
    if service == "sts" and response._get_action() == "GetCallerIdentity":
        return None  # AWS answers it for any valid key, whatever the policies say
    partition = response.partition if hasattr(response, "partition") else "aws"
    account = response.current_account
    try:
        user = IAMUserAccessKey(account, partition, key_id, dict(response.headers))
    except CreateAccessKeyFailure:
        return original(response, resource)  # not a sandbox user's key: the administrator
    from ..core.checks import iam_eval

    documents = [IAMPolicy(p)._policy_json for p in user.collect_policies()]
    operation = response._get_action()
    base = {"aws:PrincipalAccount": account, "aws:PrincipalArn": user.arn, "aws:username": user.arn.rsplit("/", 1)[-1]}
    for action, arn, context in requests(service, operation, _Params(response), account, region, partition):
        if iam_eval.decide(documents, action, arn, {**base, **context})[0] != "allowed":
            sent_json = "json" in (response.headers.get("Content-Type") or "")  # CloudWatch: JSON or query
            if sent_json or _protocol(service) not in ("query", "ec2", "rest-xml"):
                error = JsonRESTError("AccessDeniedException", f"User: {user.arn} is not authorized to perform: "
                                      f"{action} on resource: {arn}")
                error.code = 403
                raise error
            raise AccessDeniedError(user_arn=f"{user.arn}", action=f"{action} on resource: {arn}")


@functools.lru_cache(maxsize=None)
def _protocol(signing_name: str) -> str:
    """The wire protocol of a service (JSON services answer errors in JSON, with __type)."""
    import botocore.session

    try:  # the services the sandbox serves are named as they sign
        return botocore.session.get_session().get_service_model(signing_name).metadata.get("protocol", "query")
    except Exception:  # noqa: BLE001 - an unknown service: the query protocol's XML error
        return "query"


class _Params:
    """A request's parameters, whatever the protocol: query string, JSON body or URI path."""

    def __init__(self, response: BaseResponse) -> None:
        self.query = {k: v[0] if isinstance(v, list) else v for k, v in (response.querystring or {}).items()}
        body = response.body if isinstance(response.body, (str, bytes)) else None
        try:
            self.json = json.loads(body) if body and str(body)[:1] in "{[" else {}
        except ValueError:
            self.json = {}
        self.uri = getattr(response, "uri_match", None) or {}

    def get(self, name: str) -> str | None:
        for source in (self.query, self.json if isinstance(self.json, dict) else {}, self.uri):
            if source.get(name) not in (None, ""):
                return str(source[name])
        return None

    def has_tags(self) -> bool:
        return any(k.startswith("Tags.") for k in self.query) or bool(isinstance(self.json, dict) and self.json.get("Tags"))


def requests(service: str, operation: str, p: _Params, account: str, region: str, partition: str) -> list[Request]:
    """What IAM authorises for one API call: its action on each resource it names, and the calls it implies."""
    action = f"{service}:{operation}"
    iam = f"arn:{partition}:iam::{account}"
    rds = f"arn:{partition}:rds:{region}:{account}"
    if service == "iam":
        return _iam(action, operation, p, iam, account, partition)
    if service == "rds":
        out: list[Request] = []
        if p.get("DBClusterIdentifier"):
            ident = p.get("DBClusterIdentifier") or ""
            out.append((action, ident if ident.startswith("arn:") else f"{rds}:cluster:{ident}", {}))
        if p.get("DBInstanceIdentifier"):
            out.append((action, f"{rds}:db:{p.get('DBInstanceIdentifier')}", {}))
        if p.get("DBClusterParameterGroupName"):
            group = (action, f"{rds}:cluster-pg:{p.get('DBClusterParameterGroupName')}", {})
            out.append(group)
            if p.has_tags():
                out.append(("rds:AddTagsToResource", group[1], {}))
        if p.get("ResourceName"):
            out.append((action, p.get("ResourceName") or "", {}))
        if operation == "AddRoleToDBCluster":
            out.append(("iam:PassRole", p.get("RoleArn") or "", {"iam:PassedToService": "rds.amazonaws.com"}))
        return out or [(action, "*", {})]
    if service == "monitoring":  # CloudWatch signs as `monitoring`; IAM names its actions `cloudwatch:`
        namespace = p.get("Namespace")
        return [(f"cloudwatch:{operation}", "*", {"cloudwatch:namespace": namespace} if namespace else {})]
    if service == "secretsmanager" and p.get("SecretId"):
        secret = p.get("SecretId") or ""
        return [(action, secret if secret.startswith("arn:") else
                 f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret}", {})]
    resource = _DATA_PLANE_RESOURCES.get((service, operation)) or _DATA_PLANE_RESOURCES.get((service, None))
    named = resource(p, partition, region, account) if resource else None
    return [(action, named or "*", {})]


def _lambda_function(p: _Params, partition: str, region: str, account: str) -> str | None:
    name = p.get("FunctionName") or ""
    return name if name.startswith("arn:") else f"arn:{partition}:lambda:{region}:{account}:function:{name}" if name else None


# (service, operation or None: any) → the resource ARN IAM authorises the call on (the rest: "*").
_DATA_PLANE_RESOURCES: dict[tuple[str, str | None], Any] = {
    ("sagemaker", None): lambda p, partition, region, account: (
        f"arn:{partition}:sagemaker:{region}:{account}:endpoint/{(p.get('EndpointName') or '').lower()}"
        if p.get("EndpointName") else None),
    ("bedrock", "GetFoundationModel"): lambda p, partition, region, account: (
        f"arn:{partition}:bedrock:{region}::foundation-model/{p.get('modelIdentifier')}"),
    ("bedrock", "GetInferenceProfile"): lambda p, partition, region, account: (
        f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{p.get('inferenceProfileIdentifier')}"),
    ("lambda", "GetFunction"): _lambda_function,
}


def _iam(action: str, operation: str, p: _Params, iam: str, account: str, partition: str) -> list[Request]:
    role_name, policy_arn = p.get("RoleName"), p.get("PolicyArn")
    role = f"{iam}:role/{role_name}" if role_name else None
    context: dict[str, Any] = {}
    current = _boundary_of(account, partition, role_name) if role_name else None
    if operation == "CreateRole" and p.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = p.get("PermissionsBoundary")
    elif operation == "PutRolePermissionsBoundary":
        context["iam:PermissionsBoundary"] = p.get("PermissionsBoundary")
    elif operation in ("AttachRolePolicy", "DetachRolePolicy", "DeleteRolePermissionsBoundary") and current:
        context["iam:PermissionsBoundary"] = current
    if operation in ("AttachRolePolicy", "DetachRolePolicy"):
        context["iam:PolicyARN"] = policy_arn
    if operation == "CreatePolicy":
        path = p.get("Path") or "/"
        target = f"{iam}:policy{path}{p.get('PolicyName')}"
        return [(action, target, {}), *([("iam:TagPolicy", target, {})] if p.has_tags() else [])]
    if role:
        out: list[Request] = [(action, role, context)]
        if operation == "CreateRole" and p.has_tags():
            out.append(("iam:TagRole", role, {}))
        return out
    if policy_arn:
        return [(action, policy_arn, {})]
    if p.get("PolicySourceArn"):
        return [(action, p.get("PolicySourceArn") or "", {})]
    return [(action, "*", {})]


def _boundary_of(account: str, partition: str, role_name: str | None) -> str | None:
    backend = iam_backends[account][partition]
    for role in backend.roles.values():
        if role.name == role_name:
            return role.permissions_boundary_arn or None
    return None
