"""The RDS side of the wiring: parameter groups, role associations, reboots and their waits."""

from __future__ import annotations

from dataclasses import dataclass

from .aws import Aws, error_code
from .cluster import IN_SYNC, Cluster, describe
from .errors import AwsError, UsageError
from .waiting import wait_for

MAX_ROLES_PER_CLUSTER = 5
# Terraform retries AddRoleToDBCluster this long after CreateRole (terraform-provider-aws).
IAM_PROPAGATION_SECONDS = 120.0


@dataclass
class ParameterValue:
    name: str
    value: str | None
    apply_type: str | None  # "static" / "dynamic"; None when RDS did not say


# --- parameter groups -----------------------------------------------------------------------

def group_exists(aws: Aws, region: str, name: str) -> dict | None:
    try:
        groups = aws.client("rds", region).describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)
    except Exception as exc:
        if error_code(exc) == "DBParameterGroupNotFound":
            return None
        raise
    return groups["DBClusterParameterGroups"][0]


def create_group(aws: Aws, region: str, name: str, family: str, description: str, tags: list[dict]) -> None:
    """A custom cluster parameter group. Already existing with this family, description and
    tags is done: it is this call's own group, its first answer lost and the call sent again."""
    client = aws.client("rds", region)
    try:
        client.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=description, Tags=tags)
    except Exception as exc:
        if error_code(exc) != "DBParameterGroupAlreadyExists":
            raise
        found = group_exists(aws, region, name)
        if not found or (found["DBParameterGroupFamily"], found.get("Description")) != (family, description):
            raise
        has = client.list_tags_for_resource(ResourceName=found["DBClusterParameterGroupArn"])["TagList"]
        if not {(t["Key"], t["Value"]) for t in tags} <= {(t["Key"], t["Value"]) for t in has}:
            raise


def engine_version_info(aws: Aws, region: str, engine_version: str) -> dict:
    """DescribeDBEngineVersions for one version: its family and SupportedFeatureNames."""
    found = aws.client("rds", region).describe_db_engine_versions(Engine="aurora-mysql", EngineVersion=engine_version)
    versions = found.get("DBEngineVersions", [])
    if not versions:
        raise AwsError(f"RDS does not know engine version {engine_version} in {region}")
    return versions[0]


def read_parameters(aws: Aws, region: str, group: str, names: tuple[str, ...]) -> dict[str, ParameterValue]:
    """Current values of `names` in `group`; a name the engine does not know is absent."""
    paginator = aws.client("rds", region).get_paginator("describe_db_cluster_parameters")
    wanted = set(names)
    found: dict[str, ParameterValue] = {}
    pages = paginator.paginate(DBClusterParameterGroupName=group,
                               Filters=[{"Name": "parameter-name", "Values": sorted(wanted)}])
    for page in pages:
        for p in page.get("Parameters", []):
            # Filters are honoured by RDS but not by every stand-in: filter again here.
            if p["ParameterName"] in wanted:
                found[p["ParameterName"]] = ParameterValue(p["ParameterName"], p.get("ParameterValue"), p.get("ApplyType"))
    return found


def set_parameter(aws: Aws, region: str, group: str, name: str, value: str, apply_type: str | None) -> str:
    """Set one parameter; static ones (or unknown: the safe guess) wait for a reboot."""
    if apply_type is None:
        apply_type = read_parameters(aws, region, group, (name,)).get(name, ParameterValue(name, None, "static")).apply_type
    method = "immediate" if apply_type == "dynamic" else "pending-reboot"
    aws.client("rds", region).modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}],
    )
    return method


def reset_parameter(aws: Aws, region: str, group: str, name: str) -> None:
    aws.client("rds", region).reset_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": name, "ApplyMethod": "pending-reboot"}],
    )


def clusters_using_group(aws: Aws, region: str, group: str) -> list[str]:
    paginator = aws.client("rds", region).get_paginator("describe_db_clusters")
    return sorted(
        c["DBClusterIdentifier"]
        for page in paginator.paginate()
        for c in page["DBClusters"]
        if c.get("DBClusterParameterGroup") == group
    )


# --- role associations ----------------------------------------------------------------------

def associate(aws: Aws, cluster: Cluster, role_arn: str, feature: str | None, *, timeout: float,
              interval: float) -> None:
    """AddRoleToDBCluster, retried while IAM has not yet made a new role visible to RDS."""
    kwargs = {"DBClusterIdentifier": cluster.id, "RoleArn": role_arn}
    if feature:
        kwargs["FeatureName"] = feature
    client = aws.client("rds", cluster.region)

    def attempt() -> bool:
        try:
            client.add_role_to_db_cluster(**kwargs)
        except Exception as exc:
            code = error_code(exc)
            if code == "DBClusterRoleAlreadyExists":
                return True
            if code == "DBClusterRoleQuotaExceeded":
                raise UsageError(f"cluster {cluster.id} already has {MAX_ROLES_PER_CLUSTER} roles associated",
                                 "remove one it no longer needs (aws rds remove-role-from-db-cluster), then run again") from None
            if code == "InvalidParameterValue" and "IAM role" in str(exc):
                return False  # IAM eventual consistency: the new role is not visible to RDS yet
            raise
        return True

    wait_for(attempt, what=f"IAM to make {role_arn} usable by RDS",
             timeout=min(timeout, IAM_PROPAGATION_SECONDS), interval=interval)


def association_status(aws: Aws, cluster: Cluster, role_arn: str) -> str | None:
    current = describe(aws, cluster.arn.__str__())
    role = current.roles.get(role_arn)
    return role.get("Status") if role else None


def wait_active(aws: Aws, cluster: Cluster, role_arn: str, *, timeout: float, interval: float) -> None:
    def active() -> bool:
        status = association_status(aws, cluster, role_arn)
        if status == "INVALID":
            raise AwsError(
                f"the association of {role_arn} with {cluster.id} is INVALID: RDS cannot assume the role",
                "check the role's trust policy allows rds.amazonaws.com for this account; then run the same command again",
            )
        return status == "ACTIVE"

    wait_for(active, what=f"role association on {cluster.id} to become ACTIVE", timeout=timeout, interval=interval)


def disassociate(aws: Aws, cluster: Cluster, role_arn: str, feature: str | None) -> None:
    kwargs = {"DBClusterIdentifier": cluster.id, "RoleArn": role_arn}
    if feature:
        kwargs["FeatureName"] = feature
    try:
        aws.client("rds", cluster.region).remove_role_from_db_cluster(**kwargs)
    except Exception as exc:
        if error_code(exc) != "DBClusterRoleNotFound":
            raise


# --- reboots ---------------------------------------------------------------------------------

def member_status(aws: Aws, cluster: Cluster, instance_id: str) -> str:
    for m in describe(aws, str(cluster.arn)).members:
        if m.instance_id == instance_id:
            return m.parameter_status
    raise AwsError(f"instance {instance_id} is no longer a member of {cluster.id}",
                   "the cluster changed while auroraml ran; run the same command again")


ALREADY_IN_SYNC = "already in-sync"


def reboot_member(aws: Aws, cluster: Cluster, instance_id: str, *, wait: bool, timeout: float, interval: float) -> str:
    """RebootDBInstance (never RebootDBCluster: that is for Multi-AZ DB clusters, not Aurora).

    Done means the member's DBClusterParameterGroupStatus is `in-sync`: right after the call an
    instance can still read `available` before its reboot has even begun.
    """
    if member_status(aws, cluster, instance_id) == IN_SYNC:
        return ALREADY_IN_SYNC
    client = aws.client("rds", cluster.region)
    try:
        client.reboot_db_instance(DBInstanceIdentifier=instance_id)
    except Exception as exc:
        if error_code(exc) != "InvalidDBInstanceState":  # already rebooting: just wait for it
            raise
    if not wait:
        return "reboot started (not waiting)"

    def settled() -> bool:
        instance = client.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]
        return instance["DBInstanceStatus"] == "available" and member_status(aws, cluster, instance_id) == IN_SYNC

    wait_for(settled, what=f"{instance_id} to reboot and reach in-sync", timeout=timeout, interval=interval)
    return "rebooted; in-sync"
