"""What a DB cluster is, read from RDS (through the process's reader, core/reader.py): nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field

from .aws import Aws
from .errors import UsageError
from .names import Arn
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
    raw: dict = field(default_factory=dict, repr=False, compare=False)  # DescribeDBClusters' answer, whole

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
            raw=data,
        )


def describe(aws: Aws, ref: str, region: str | None = None) -> Cluster:
    """The cluster named by id or ARN; a one-line usage error when it does not exist."""
    return aws.reader.cluster(ref, region)


def describe_raw(aws: Aws, ref: str, region: str | None = None) -> dict:
    """DescribeDBClusters for one cluster, as RDS answers it (endpoints, secrets, members...)."""
    return aws.reader.cluster(ref, region).raw


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
    by_id = aws.reader.instances(cluster.region, cluster.id)
    return [(m.instance_id, by_id[m.instance_id].address, by_id[m.instance_id].port)
            for m in cluster.ordered_members() if m.instance_id in by_id and by_id[m.instance_id].address]
