"""What a DB cluster is, read from RDS: one DescribeDBClusters call, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field

from .aws import Aws, error_code
from .errors import UsageError
from .names import Arn, cluster_ref
from .versions import AuroraVersion

IN_SYNC = "in-sync"
PENDING_REBOOT = "pending-reboot"


@dataclass
class Member:
    instance_id: str
    is_writer: bool
    parameter_status: str


@dataclass
class Cluster:
    id: str
    arn: Arn
    engine: str
    engine_version: str
    parameter_group: str
    members: list[Member]
    roles: dict[str, dict] = field(default_factory=dict)  # role ARN -> {"Status", "FeatureName"}
    global_cluster_id: str | None = None

    @property
    def region(self) -> str:
        return self.arn.region

    @property
    def account(self) -> str:
        return self.arn.account

    @property
    def partition(self) -> str:
        return self.arn.partition

    @property
    def version(self) -> AuroraVersion:
        return AuroraVersion.parse(self.engine_version)

    def ordered_members(self) -> list[Member]:
        """Writer first, then readers: the order reboots must follow."""
        return sorted(self.members, key=lambda m: (not m.is_writer, m.instance_id))

    @classmethod
    def from_api(cls, data: dict) -> "Cluster":
        return cls(
            id=data["DBClusterIdentifier"],
            arn=Arn.parse(data["DBClusterArn"]),
            engine=data.get("Engine", ""),
            engine_version=data.get("EngineVersion", ""),
            parameter_group=data.get("DBClusterParameterGroup", ""),
            members=[
                Member(m["DBInstanceIdentifier"], bool(m.get("IsClusterWriter")),
                       m.get("DBClusterParameterGroupStatus", IN_SYNC))
                for m in data.get("DBClusterMembers", [])
            ],
            roles={r["RoleArn"]: r for r in data.get("AssociatedRoles", [])},
            global_cluster_id=data.get("GlobalClusterIdentifier") or None,
        )


def describe(aws: Aws, ref: str, region: str | None = None) -> Cluster:
    """The cluster named by id or ARN; a one-line usage error when it does not exist."""
    return Cluster.from_api(describe_raw(aws, ref, region))


def describe_raw(aws: Aws, ref: str, region: str | None = None) -> dict:
    """DescribeDBClusters for one cluster, as RDS answers it (endpoints, secrets, members...)."""
    ident, arn_region = cluster_ref(ref)
    region = arn_region or region or aws.region
    try:
        data = aws.client("rds", region).describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"]
    except Exception as exc:
        if error_code(exc) == "DBClusterNotFoundFault":
            raise UsageError(
                f"no DB cluster {ident!r} in {region}",
                "check --cluster, --region and --profile; `aws rds describe-db-clusters` lists what exists",
            ) from None
        raise
    if not data:
        raise UsageError(f"no DB cluster {ident!r} in {region}", "check --cluster and --region")
    if ref.startswith("arn:"):
        # RDS finds clusters by id in the caller's own account: an ARN naming another account or
        # partition must not quietly act on a same-named cluster here.
        given, found = Arn.parse(ref), Arn.parse(data[0]["DBClusterArn"])
        if (given.partition, given.account) != (found.partition, found.account):
            raise UsageError(f"{ref} is in account {given.account} ({given.partition}), but these credentials "
                             f"reach {found}", "use credentials for that account (--profile), or pass the cluster id")
    return data[0]


def require_aurora_mysql(cluster: Cluster) -> AuroraVersion:
    if cluster.engine != "aurora-mysql":
        raise UsageError(
            f"cluster {cluster.id} runs {cluster.engine or 'an unknown engine'} {cluster.engine_version}, not aurora-mysql",
            "Aurora machine learning for MySQL needs an Aurora MySQL cluster (aurora-postgresql has its own aws_ml extension)",
        )
    return cluster.version


def instance_endpoints(aws: Aws, ref: str) -> list[tuple[str, str, int]]:
    """(instance id, address, port) of every member, writer first: status reads each one."""
    cluster = describe(aws, ref)
    found = aws.client("rds", cluster.region).describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [cluster.id]}])["DBInstances"]
    by_id = {i["DBInstanceIdentifier"]: i for i in found}
    out = []
    for member in cluster.ordered_members():
        endpoint = by_id.get(member.instance_id, {}).get("Endpoint") or {}
        if endpoint.get("Address"):
            out.append((member.instance_id, endpoint["Address"], int(endpoint.get("Port") or 3306)))
    return out
