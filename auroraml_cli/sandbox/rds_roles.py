"""IAM role associations of DB clusters, as AWS keeps them: keyed by role ARN, at most five,
PENDING for a while, then ACTIVE if RDS can assume the role and INVALID if it cannot."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam.exceptions import NotFoundException
from moto.iam.models import Role, iam_backends
from moto.rds.exceptions import InvalidDBClusterStateFault
from moto.rds.models import DBCluster, RDSBackend
from moto.rds.responses import RDSResponse

from . import catalog, layer
from ._patch import clock, define, rds_error
from .rds_clusters import cluster_or_fault

QUOTA = 5  # roles per DB cluster
RDS_PRINCIPAL = "rds.amazonaws.com"
_ENGINE_LABELS = {"aurora-mysql": "Aurora (MySQL)", "mysql": "MySQL"}


def install() -> None:
    define(RDSBackend, "add_role_to_db_cluster", add_role_to_db_cluster)
    define(RDSBackend, "remove_role_from_db_cluster", remove_role_from_db_cluster)
    define(RDSResponse, "remove_role_from_db_cluster", _remove_role_response)


class RoleAssociation:
    """One entry of a cluster's AssociatedRoles; its Status is worked out when it is read."""

    def __init__(self, role_arn: str, feature_name: str | None) -> None:
        self.role_arn = role_arn
        self.feature_name = feature_name
        self.created = clock()

    @property
    def status(self) -> str:
        if clock() - self.created < layer.settings.association_delay:
            return "PENDING"
        return "ACTIVE" if _assumable_by_rds(self.role_arn) else "INVALID"


def add_role_to_db_cluster(
    backend: RDSBackend, db_cluster_identifier: str, role_arn: str, feature_name: str | None
) -> None:
    cluster = cluster_or_fault(backend, db_cluster_identifier)
    if cluster.status != "available":
        raise InvalidDBClusterStateFault(f"DB cluster {db_cluster_identifier} is not in the available state.")
    roles = cluster._associated_roles
    if any(r.role_arn == role_arn for r in roles):
        raise rds_error(
            "DBClusterRoleAlreadyExists",
            f"Role ARN {role_arn} is already associated with DB Cluster: Verify your role ARN and try again.",
        )
    if len(roles) >= QUOTA:
        raise rds_error(
            "DBClusterRoleQuotaExceeded",
            f"DB cluster {cluster.db_cluster_identifier} already has {QUOTA} IAM roles associated with it.",
        )
    _check_feature(cluster, feature_name)
    if _too_young(role_arn):
        # What IAM's eventual consistency looks like right after CreateRole (Terraform retries
        # this exact message for two minutes).
        raise rds_error(
            "InvalidParameterValue",
            "IAM role ARN value is invalid or does not include the required permissions for: DB_CLUSTER",
        )
    roles.append(RoleAssociation(role_arn, feature_name))


def remove_role_from_db_cluster(
    backend: RDSBackend, db_cluster_identifier: str, role_arn: str, feature_name: str | None
) -> None:
    cluster = cluster_or_fault(backend, db_cluster_identifier)
    for association in cluster._associated_roles:
        if association.role_arn == role_arn and feature_name in (None, association.feature_name):
            cluster._associated_roles.remove(association)
            return
    raise rds_error(
        "DBClusterRoleNotFound",
        f"Role ARN {role_arn} cannot be found for DB Cluster: {cluster.db_cluster_identifier}. "
        "Verify your role ARN and try again.",
    )


def _remove_role_response(response: RDSResponse) -> ActionResult:
    params = response.params
    response.backend.remove_role_from_db_cluster(
        params.get("DBClusterIdentifier"), params.get("RoleArn"), params.get("FeatureName")
    )
    return EmptyResult()


def _check_feature(cluster: DBCluster, feature_name: str | None) -> None:
    version = catalog.find_engine_version(cluster.engine, cluster.engine_version)
    if feature_name is None or version is None or feature_name in version.features:
        return
    raise rds_error(
        "InvalidParameterValue",
        f"The feature-name parameter value {feature_name} is not supported for the "
        f"{_ENGINE_LABELS.get(cluster.engine, cluster.engine)} engine version {version.version}. "
        f"Supported feature names: {', '.join(version.features) or 'none'}.",
    )


# --------------------------------------------------------------------------- the role in IAM


def _find_role(role_arn: str) -> Role | None:
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    try:
        return iam_backends[parts[4]][parts[1]].get_role_by_arn(role_arn)
    except (NotFoundException, KeyError):  # no such role, or not a partition IAM knows
        return None


def _too_young(role_arn: str) -> bool:
    role = _find_role(role_arn)
    delay = timedelta(seconds=layer.settings.iam_propagation_delay)
    return role is not None and utcnow() - role.create_date < delay


def _assumable_by_rds(role_arn: str) -> bool:
    role = _find_role(role_arn)
    return role is not None and trusts_rds(role.assume_role_policy_document)


def trusts_rds(document: str) -> bool:
    """Whether a trust policy lets rds.amazonaws.com call sts:AssumeRole. Conditions are not
    evaluated: AWS does not document which aws:SourceArn Aurora ML passes."""
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):  # not a JSON object: nobody can assume the role
        return False
    return any(_allows_rds(s) for s in (statements if isinstance(statements, list) else [statements]))


def _allows_rds(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal", {})
    if isinstance(principal, dict):
        trusted = RDS_PRINCIPAL in _as_list(principal.get("Service", []))
    else:
        trusted = principal == "*"
    assume = any(a in ("sts:AssumeRole", "sts:*", "*") for a in _as_list(statement.get("Action", [])))
    return statement.get("Effect") == "Allow" and trusted and assume


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
