"""The one AWS reader of a process: every read a command makes, typed, and made once.

`Aws.reader` (and `App.reader`) is the one instance. Each read is memoised under a key that starts
with the botocore service name (("rds", "cluster", region, id), ("iam", "role", region, name), ...):
a second read of the same resource in the same process is answered from memory, so `status
--cluster X` reads the cluster once and each secret once, `check` reads a role shared by two
services once, and fleet mode (threads) reads a region's clusters once. A read that fails is
remembered as its exception and raised again to every caller, so a missing permission costs one
call too.

Writes invalidate: the Aws seam tells the reader of every write call (before it is sent and after
it answers) and the reader forgets everything it read from that service, so a setup that changes
a cluster and then reads it sees the new state. Polls (waiting for an association or a reboot)
pass `fresh=True`: they ask again each time and keep the newest answer.

Only reads live here; the writes stay with the steps that make them (core/iam.py, core/rds.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .aws import error_code
from .catalogue import MANAGED_BY, TAG_MANAGED_BY

if TYPE_CHECKING:
    from .aws import Aws
    from .cluster import Cluster

# IAM is global per partition; its endpoint lives in one region of the partition.
_IAM_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


# --- typed records ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Instance:
    id: str
    cluster_id: str | None
    status: str
    address: str | None
    port: int
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> "Instance":
        endpoint = data.get("Endpoint") or {}
        return cls(data["DBInstanceIdentifier"], data.get("DBClusterIdentifier"), data.get("DBInstanceStatus", ""),
                   endpoint.get("Address"), int(endpoint.get("Port") or 3306), data)


@dataclass(frozen=True)
class EngineVersion:
    version: str
    family: str | None
    features: tuple[str, ...]
    raw: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ParameterGroup:
    name: str
    family: str
    description: str | None
    arn: str | None


@dataclass(frozen=True)
class ParameterValue:
    name: str
    value: str | None
    apply_type: str | None  # "static" / "dynamic"; None when RDS did not say


@dataclass(frozen=True)
class Role:
    arn: str
    name: str
    trust: Any
    tags: dict[str, str]
    attached: frozenset[str]  # ARNs of the attached managed policies
    boundary: str | None  # the ARN of the permissions boundary, if any

    @property
    def ours(self) -> bool:
        return self.tags.get(TAG_MANAGED_BY) == MANAGED_BY


@dataclass(frozen=True)
class Policy:
    arn: str
    default_version: str
    tags: dict[str, str]

    @property
    def ours(self) -> bool:
        return self.tags.get(TAG_MANAGED_BY) == MANAGED_BY


@dataclass(frozen=True)
class Principal:
    """An IAM user or group: its inline policy documents, attached policy ARNs, boundary, groups."""

    arn: str | None
    inline: tuple[Any, ...]
    attached: tuple[str, ...]
    boundary: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Secret:
    arn: str
    string: str | None = field(repr=False)  # never in a repr, a log or a traceback's locals


@dataclass(frozen=True)
class CallerIdentity:
    arn: str
    account: str
    user_id: str | None


@dataclass(frozen=True)
class KeyDescription:
    """DescribeKey's KeyMetadata, the parts auroraml decides on."""

    arn: str
    usage: str
    spec: str
    state: str
    manager: str | None


def policy_document(value: Any) -> Any:
    """IAM returns documents URL-encoded; boto3 usually decodes them, but not every stand-in does."""
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value


def tags_of(items: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


def iam_region(arn: str) -> str | None:
    return _IAM_REGION.get(arn.split(":")[1], None) if arn.startswith("arn:") else None


def iam_client(aws: "Aws", arn: str):
    """The IAM client of the ARN's partition."""
    return aws.client("iam", iam_region(arn))


def _missing(exc: BaseException, *codes: str) -> bool:
    return error_code(exc) in codes


# --- the reader ---------------------------------------------------------------------------------

class Reader:
    def __init__(self, aws: "Aws") -> None:
        self.aws = aws
        self._values: dict[tuple, tuple[bool, Any]] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._generation: dict[str, int] = {}  # per service: bumped by every write
        self._guard = threading.Lock()

    # --- memo ------------------------------------------------------------------------------

    def once(self, key: tuple, read: Callable[[], Any], *, fresh: bool = False) -> Any:
        """read() once per key (key[0] is the service); `fresh` reads again and keeps the answer."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if fresh or key not in self._values:
                with self._guard:
                    generation = self._generation.get(key[0], 0)
                try:
                    outcome: tuple[bool, Any] = (True, read())
                except Exception as exc:  # noqa: BLE001 - remembered, raised to every caller
                    outcome = (False, exc)
                with self._guard:
                    if self._generation.get(key[0], 0) == generation:  # no write of the service meanwhile
                        self._values[key] = outcome
            else:
                outcome = self._values[key]
        ok, value = outcome
        if not ok:
            raise value
        return value

    def forget(self, service: str | None = None, *, cluster: str | None = None) -> None:
        """Forget what was read: of one service (every write of it calls this, through the Aws
        seam), of one cluster (its id), or everything."""
        with self._guard:
            if service is not None:
                self._generation[service] = self._generation.get(service, 0) + 1
            for key in list(self._values):
                if cluster is not None:
                    if key[:2] == ("rds", "cluster") and key[-1] == cluster:
                        del self._values[key]
                elif service is None or key[0] == service:
                    del self._values[key]

    def written(self, service: str) -> None:
        """A write call of `service` is about to be sent, or has answered."""
        self.forget(service)

    # --- RDS clusters and instances ---------------------------------------------------------

    def cluster(self, ref: str, region: str | None = None, *, fresh: bool = False) -> "Cluster":
        """The cluster named by id or ARN (DescribeDBClusters); a one-line usage error when it
        does not exist, or when an ARN names another account than the credentials reach."""
        from .cluster import Cluster
        from .errors import UsageError
        from .names import Arn, cluster_ref

        ident, arn_region = cluster_ref(ref)
        region = arn_region or region or self.aws.region

        def read() -> Cluster:
            try:
                data = self.aws.client("rds", region).describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"]
            except Exception as exc:
                if _missing(exc, "DBClusterNotFoundFault"):
                    raise UsageError(f"no DB cluster {ident!r} in {region}", self._closest_clusters(ident, region)) from None
                raise
            if not data:
                raise UsageError(f"no DB cluster {ident!r} in {region}", "check --cluster and --region")
            return Cluster.from_api(data[0])

        found = self.once(("rds", "cluster", region, ident), read, fresh=fresh)
        if ref.startswith("arn:"):
            # RDS finds clusters by id in the caller's own account: an ARN naming another account or
            # partition must not quietly act on a same-named cluster here.
            given = Arn.parse(ref)
            if (given.partition, given.account) != (found.arn.partition, found.arn.account):
                raise UsageError(f"{ref} is in account {given.account} ({given.partition}), but these credentials "
                                 f"reach {found.arn}", "use credentials for that account (--profile), or pass the cluster id")
        return found

    def _closest_clusters(self, ident: str, region: str) -> str:
        """The next step after a cluster id not found: the closest ids of the account's list in the
        region (the one `--cluster` TAB completion caches), else where to look."""
        import difflib

        from . import cluster_cache

        known = cluster_cache.clusters(self.aws.profile, region, endpoint_url=self.aws.endpoint_url)
        close = difflib.get_close_matches(ident, known, n=3) or difflib.get_close_matches(ident.lower(), known, n=3)
        if close:
            return f"did you mean {' or '.join(f'--cluster {c}' for c in close)}? (in {region})"
        return "check --cluster, --region and --profile; `aws rds describe-db-clusters` lists what exists"

    def clusters(self, region: str) -> list["Cluster"]:
        """Every DB cluster of the region (one paginated read); each is then known by id too."""
        from .cluster import Cluster

        def read() -> list[Cluster]:
            pages = self.aws.client("rds", region).get_paginator("describe_db_clusters").paginate()
            return [Cluster.from_api(c) for page in pages for c in page.get("DBClusters", [])]

        found = self.once(("rds", "clusters", region), read)
        with self._guard:
            for c in found:
                self._values.setdefault(("rds", "cluster", region, c.id), (True, c))
        return found

    def clusters_using_group(self, region: str, group: str) -> list[str]:
        return sorted(c.id for c in self.clusters(region) if c.parameter_group == group)

    def instances(self, region: str, cluster_id: str | None = None) -> dict[str, Instance]:
        """The region's DB instances by id, or one cluster's (filtered: a big account's region is
        not listed for one cluster); answered from the region's list when that was read."""
        def read() -> dict[str, Instance]:
            kwargs = {"Filters": [{"Name": "db-cluster-id", "Values": [cluster_id]}]} if cluster_id else {}
            pages = self.aws.client("rds", region).get_paginator("describe_db_instances").paginate(**kwargs)
            return {i["DBInstanceIdentifier"]: Instance.from_api(i) for page in pages for i in page.get("DBInstances", [])}

        if cluster_id is not None:
            with self._guard:
                everything = self._values.get(("rds", "instances", region, None))
            if everything is not None and everything[0]:
                return {k: v for k, v in everything[1].items() if v.cluster_id == cluster_id}
        return self.once(("rds", "instances", region, cluster_id), read)

    def instance(self, region: str, ident: str, *, fresh: bool = False) -> Instance:
        def read() -> Instance:
            return Instance.from_api(
                self.aws.client("rds", region).describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0])
        return self.once(("rds", "instance", region, ident), read, fresh=fresh)

    def engine_version(self, region: str, version: str) -> EngineVersion | None:
        """DescribeDBEngineVersions for one Aurora MySQL version: its family and feature names."""
        def read() -> EngineVersion | None:
            found = self.aws.client("rds", region).describe_db_engine_versions(Engine="aurora-mysql", EngineVersion=version)
            first = (found.get("DBEngineVersions") or [None])[0]
            if first is None:
                return None
            return EngineVersion(first.get("EngineVersion", version), first.get("DBParameterGroupFamily"),
                                 tuple(first.get("SupportedFeatureNames", [])), first)
        return self.once(("rds", "engine-version", region, version), read)

    def global_cluster(self, ident: str, region: str) -> dict | None:
        def read() -> dict | None:
            found = self.aws.client("rds", region).describe_global_clusters(GlobalClusterIdentifier=ident)
            return (found.get("GlobalClusters") or [None])[0]
        return self.once(("rds", "global", ident), read)

    def subnet_group(self, region: str, name: str) -> dict | None:
        def read() -> dict | None:
            try:
                found = self.aws.client("rds", region).describe_db_subnet_groups(DBSubnetGroupName=name)
            except Exception as exc:
                if _missing(exc, "DBSubnetGroupNotFoundFault"):
                    return None
                raise
            return (found.get("DBSubnetGroups") or [None])[0]
        return self.once(("rds", "subnet-group", region, name), read)

    # --- RDS parameter groups ---------------------------------------------------------------

    def parameter_group(self, region: str, name: str) -> ParameterGroup | None:
        def read() -> ParameterGroup | None:
            try:
                groups = self.aws.client("rds", region).describe_db_cluster_parameter_groups(
                    DBClusterParameterGroupName=name)["DBClusterParameterGroups"]
            except Exception as exc:
                if _missing(exc, "DBParameterGroupNotFound"):
                    return None
                raise
            g = groups[0]
            return ParameterGroup(g["DBClusterParameterGroupName"], g["DBParameterGroupFamily"], g.get("Description"),
                                  g.get("DBClusterParameterGroupArn"))
        return self.once(("rds", "parameter-group", region, name), read)

    def parameters(self, region: str, group: str, names: tuple[str, ...] | None = None) -> dict[str, ParameterValue]:
        """The group's parameters: every one, or only `names` (a filtered read, answered from the
        whole group when that was read). A name the engine does not know is absent."""
        def read() -> dict[str, ParameterValue]:
            paginator = self.aws.client("rds", region).get_paginator("describe_db_cluster_parameters")
            kwargs: dict[str, Any] = {"DBClusterParameterGroupName": group}
            if names is not None:
                kwargs["Filters"] = [{"Name": "parameter-name", "Values": sorted(set(names))}]
            found: dict[str, ParameterValue] = {}
            for page in paginator.paginate(**kwargs):
                for p in page.get("Parameters", []):
                    # Filters are honoured by RDS but not by every stand-in: filter again here.
                    if names is None or p["ParameterName"] in names:
                        found[p["ParameterName"]] = ParameterValue(p["ParameterName"], p.get("ParameterValue"),
                                                                   p.get("ApplyType"))
            return found

        if names is not None:
            names = tuple(sorted(set(names)))
            with self._guard:
                whole = self._values.get(("rds", "parameters", region, group, None))
            if whole is not None and whole[0]:
                return {n: v for n, v in whole[1].items() if n in names}
        return self.once(("rds", "parameters", region, group, names), read)

    def rds_tags(self, region: str, arn: str) -> dict[str, str]:
        def read() -> dict[str, str]:
            return tags_of(self.aws.client("rds", region).list_tags_for_resource(ResourceName=arn)["TagList"])
        return self.once(("rds", "tags", region, arn), read)

    # --- IAM ----------------------------------------------------------------------------------

    def role(self, arn: str) -> Role | None:
        """GetRole and ListAttachedRolePolicies; None when the role does not exist."""
        name = arn.rsplit("/", 1)[-1]

        def read() -> Role | None:
            iam = iam_client(self.aws, arn)
            try:
                role = iam.get_role(RoleName=name)["Role"]
            except Exception as exc:
                if _missing(exc, "NoSuchEntity"):
                    return None
                raise
            attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            return Role(role["Arn"], role.get("RoleName", name), policy_document(role["AssumeRolePolicyDocument"]),
                        tags_of(role.get("Tags")), frozenset(p["PolicyArn"] for p in attached),
                        (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"))
        return self.once(("iam", "role", iam_region(arn), name), read)

    def role_policies(self, arn: str) -> dict[str, Any]:
        """The role's inline policies: name → document."""
        name = arn.rsplit("/", 1)[-1]

        def read() -> dict[str, Any]:
            iam = iam_client(self.aws, arn)
            return {p: policy_document(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                    for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}
        return self.once(("iam", "role-policies", iam_region(arn), name), read)

    def _policy(self, arn: str) -> dict:
        def read() -> dict:
            return iam_client(self.aws, arn).get_policy(PolicyArn=arn)["Policy"]
        return self.once(("iam", "policy", arn), read)

    def policy(self, arn: str) -> Policy | None:
        """GetPolicy; None when the policy does not exist."""
        try:
            found = self._policy(arn)
        except Exception as exc:
            if _missing(exc, "NoSuchEntity"):
                return None
            raise
        return Policy(arn, found["DefaultVersionId"], tags_of(found.get("Tags")))

    def policy_document(self, arn: str) -> Any:
        """The default version's document (GetPolicy, GetPolicyVersion); NoSuchEntity raised."""
        def read() -> Any:
            version = self._policy(arn)["DefaultVersionId"]
            return policy_document(iam_client(self.aws, arn).get_policy_version(
                PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])
        return self.once(("iam", "policy-document", arn), read)

    def policy_versions(self, arn: str) -> list[dict]:
        """ListPolicyVersions: VersionId, IsDefaultVersion, CreateDate of each (NoSuchEntity raised)."""
        def read() -> list[dict]:
            return iam_client(self.aws, arn).list_policy_versions(PolicyArn=arn)["Versions"]
        return self.once(("iam", "policy-versions", arn), read)

    def user(self, name: str, region: str | None = None) -> Principal:
        def read() -> Principal:
            iam = self.aws.client("iam", region)
            user = iam.get_user(UserName=name)["User"]
            inline = tuple(policy_document(iam.get_user_policy(UserName=name, PolicyName=p)["PolicyDocument"])
                           for p in iam.list_user_policies(UserName=name)["PolicyNames"])
            attached = tuple(p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"])
            groups = tuple(g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"])
            return Principal(user.get("Arn"), inline, attached,
                             (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"), groups)
        return self.once(("iam", "user", region, name), read)

    def group(self, name: str, region: str | None = None) -> Principal:
        def read() -> Principal:
            iam = self.aws.client("iam", region)
            inline = tuple(policy_document(iam.get_group_policy(GroupName=name, PolicyName=p)["PolicyDocument"])
                           for p in iam.list_group_policies(GroupName=name)["PolicyNames"])
            attached = tuple(p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"])
            return Principal(None, inline, attached)
        return self.once(("iam", "group", region, name), read)

    def simulate(self, role_arn: str, actions: tuple[str, ...], resources: tuple[str, ...]) -> dict[tuple[str, str], str]:
        """IAM's own verdict per (action, resource): "allowed", "explicitDeny", "implicitDeny"."""
        def read() -> dict[tuple[str, str], str]:
            iam = iam_client(self.aws, role_arn)
            out: dict[tuple[str, str], str] = {}
            for page in iam.get_paginator("simulate_principal_policy").paginate(
                    PolicySourceArn=role_arn, ActionNames=list(actions), ResourceArns=list(resources)):
                for result in page.get("EvaluationResults", []):
                    out[(result["EvalActionName"], result.get("EvalResourceName", "*"))] = result["EvalDecision"]
            return out
        return self.once(("iam", "simulate", role_arn, actions, resources), read)

    # --- STS, Secrets Manager, KMS ------------------------------------------------------------

    def caller_identity(self, region: str | None = None) -> CallerIdentity:
        """sts:GetCallerIdentity (one answer per process: the credentials do not change)."""
        def read() -> CallerIdentity:
            found = self.aws.client("sts", region).get_caller_identity()
            return CallerIdentity(found["Arn"], found.get("Account", ""), found.get("UserId"))
        return self.once(("sts", "caller"), read)

    def secret(self, arn: str, region: str | None = None) -> Secret:
        """GetSecretValue of a secret (its ARN or name), in `region` (the ARN's) or the default."""
        def read() -> Secret:
            found = self.aws.client("secretsmanager", region).get_secret_value(SecretId=arn)
            return Secret(found.get("ARN", arn), found.get("SecretString"))
        return self.once(("secretsmanager", "secret", region, arn), read)

    def kms_key(self, region: str, key: str) -> KeyDescription:
        """DescribeKey (a key id, key ARN, alias name or alias ARN) in `region`."""
        def read() -> KeyDescription:
            meta = self.aws.client("kms", region).describe_key(KeyId=key)["KeyMetadata"]
            return KeyDescription(meta["Arn"], meta.get("KeyUsage", "ENCRYPT_DECRYPT"),
                                  meta.get("KeySpec", "SYMMETRIC_DEFAULT"), meta.get("KeyState", "Enabled"),
                                  meta.get("KeyManager"))
        return self.once(("kms", "key", region, key), read)

    # --- EC2 ----------------------------------------------------------------------------------

    def security_groups(self, region: str, ids: tuple[str, ...]) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_security_groups(GroupIds=list(ids))["SecurityGroups"]
        return self.once(("ec2", "security-groups", region, ids), read)

    def route_tables(self, region: str, vpc: str) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_route_tables(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        return self.once(("ec2", "route-tables", region, vpc), read)

    def vpc_endpoints(self, region: str, vpc: str) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_vpc_endpoints(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
        return self.once(("ec2", "vpc-endpoints", region, vpc), read)

    # --- the ML services ----------------------------------------------------------------------

    def foundation_model(self, region: str, model_id: str) -> dict | None:
        """GetFoundationModel's modelDetails; None when the region does not offer the model."""
        def read() -> dict | None:
            try:
                return self.aws.client("bedrock", region).get_foundation_model(modelIdentifier=model_id)["modelDetails"]
            except Exception as exc:
                if _missing(exc, "ResourceNotFoundException", "ValidationException"):
                    return None
                raise
        return self.once(("bedrock", "model", region, model_id), read)

    def inference_profile(self, region: str, profile_id: str) -> dict | None:
        """GetInferenceProfile; None when the region does not offer the profile."""
        def read() -> dict | None:
            try:
                return self.aws.client("bedrock", region).get_inference_profile(inferenceProfileIdentifier=profile_id)
            except Exception as exc:
                if _missing(exc, "ResourceNotFoundException", "ValidationException"):
                    return None
                raise
        return self.once(("bedrock", "inference-profile", region, profile_id), read)

    def model_availability(self, region: str, model_id: str) -> dict:
        def read() -> dict:
            return self.aws.client("bedrock", region).get_foundation_model_availability(modelId=model_id)
        return self.once(("bedrock", "model-availability", region, model_id), read)

    def sagemaker_endpoint(self, region: str, name: str) -> dict | None:
        """DescribeEndpoint; None when there is no such endpoint in the region."""
        def read() -> dict | None:
            try:
                return self.aws.client("sagemaker", region).describe_endpoint(EndpointName=name)
            except Exception as exc:
                if _missing(exc, "ValidationException", "ResourceNotFound"):
                    return None
                raise
        return self.once(("sagemaker", "endpoint", region, name), read)

    def lambda_function(self, region: str, name: str) -> dict | None:
        """GetFunction's Configuration (a name, ARN or partial ARN); None when there is no such function."""
        def read() -> dict | None:
            try:
                return self.aws.client("lambda", region).get_function(FunctionName=name)["Configuration"]
            except Exception as exc:
                if _missing(exc, "ResourceNotFoundException"):
                    return None
                raise
        return self.once(("lambda", "function", region, name), read)
