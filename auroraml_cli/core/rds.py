"""The RDS side of the wiring: parameter groups, role associations, reboots and their waits.

The writes are here; every read goes through the process's reader (core/reader.py)."""

from __future__ import annotations

from .aws import Aws, error_code
from .cluster import IN_SYNC, Cluster
from .errors import AwsError, UsageError
from .reader import ParameterValue
from .waiting import Pending, wait_for

MAX_ROLES_PER_CLUSTER = 5
# Terraform retries AddRoleToDBCluster this long after CreateRole (terraform-provider-aws).
IAM_PROPAGATION_SECONDS = 120.0


# --- parameter groups -----------------------------------------------------------------------

def group_exists(aws: Aws, region: str, name: str) -> dict | None:
    """The cluster parameter group as DescribeDBClusterParameterGroups names its fields; None if absent."""
    group = aws.reader.parameter_group(region, name)
    if group is None:
        return None
    return {"DBClusterParameterGroupName": group.name, "DBParameterGroupFamily": group.family,
            "Description": group.description, "DBClusterParameterGroupArn": group.arn}


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
        has = aws.reader.rds_tags(region, found["DBClusterParameterGroupArn"])
        if not {(t["Key"], t["Value"]) for t in tags} <= set(has.items()):
            raise


def engine_version_info(aws: Aws, region: str, engine_version: str) -> dict:
    """DescribeDBEngineVersions for one version: its family and SupportedFeatureNames."""
    found = aws.reader.engine_version(region, engine_version)
    if found is None:
        raise AwsError(f"RDS does not know engine version {engine_version} in {region}")
    return found.raw


def read_parameters(aws: Aws, region: str, group: str, names: tuple[str, ...]) -> dict[str, ParameterValue]:
    """Current values of `names` in `group`; a name the engine does not know is absent."""
    return aws.reader.parameters(region, group, tuple(names))


def set_parameter(aws: Aws, region: str, group: str, name: str, value: str, apply_type: str | None) -> str:
    """Set one parameter; static ones (or unknown: the safe guess) wait for a reboot."""
    if apply_type is None:
        apply_type = read_parameters(aws, region, group, (name,)).get(name, ParameterValue(name, None, "static")).apply_type
    method = apply_method(apply_type)
    aws.client("rds", region).modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}],
    )
    return method


def apply_method(apply_type: str | None) -> str:
    """`immediate` only for a dynamic parameter: RDS refuses it for a static one (and for one
    whose type is not known yet, `pending-reboot` is the safe guess)."""
    return "immediate" if apply_type == "dynamic" else "pending-reboot"


def reset_parameter(aws: Aws, region: str, group: str, name: str) -> None:
    aws.client("rds", region).reset_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": name, "ApplyMethod": "pending-reboot"}],
    )


def clusters_using_group(aws: Aws, region: str, group: str) -> list[str]:
    return aws.reader.clusters_using_group(region, group)


# --- role associations ----------------------------------------------------------------------

def associate(aws: Aws, cluster: Cluster, role_arn: str, feature: str | None, *, timeout: float,
              interval: float) -> None:
    """AddRoleToDBCluster, retried while IAM has not yet made a new role visible to RDS."""
    kwargs = {"DBClusterIdentifier": cluster.id, "RoleArn": role_arn}
    if feature:
        kwargs["FeatureName"] = feature
    client = aws.client("rds", cluster.region)

    def attempt() -> bool | Pending:
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
                # IAM eventual consistency: the new role is not visible to RDS yet
                return Pending("the new role is not yet visible to RDS")
            raise
        return True

    wait_for(attempt, what=f"IAM to make {role_arn} usable by RDS", subject=cluster.id,
             timeout=min(timeout, IAM_PROPAGATION_SECONDS), interval=interval)


def association_status(aws: Aws, cluster: Cluster, role_arn: str) -> str | None:
    current = aws.reader.cluster(str(cluster.arn), fresh=True)  # a poll: asked again each time
    role = current.roles.get(role_arn)
    return role.get("Status") if role else None


def wait_active(aws: Aws, cluster: Cluster, role_arn: str, *, timeout: float, interval: float) -> None:
    def active() -> bool | Pending:
        status = association_status(aws, cluster, role_arn)
        if status == "INVALID":
            raise AwsError(
                f"the association of {role_arn} with {cluster.id} is INVALID: RDS cannot assume the role",
                "check the role's trust policy allows rds.amazonaws.com for this account; then run the same command again",
            )
        return status == "ACTIVE" or Pending(f"role association {status or 'not listed yet'}")

    wait_for(active, what=f"the role association on {cluster.id} to become ACTIVE", subject=cluster.id,
             timeout=timeout, interval=interval)


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
    for m in aws.reader.cluster(str(cluster.arn), fresh=True).members:  # now, not when the plan was read
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

    def settled() -> bool | Pending:
        instance = aws.reader.instance(cluster.region, instance_id, fresh=True)
        parameters = member_status(aws, cluster, instance_id)
        return (instance.status == "available" and parameters == IN_SYNC) or Pending(
            f"{instance.status}, parameters {parameters}")

    wait_for(settled, what=f"{instance_id} to reboot and reach in-sync", subject=instance_id,
             timeout=timeout, interval=interval)
    return "rebooted; in-sync"
