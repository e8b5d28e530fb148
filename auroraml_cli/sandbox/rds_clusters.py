"""Engine versions, cluster create/modify validation, and global-cluster writer roles.

Engines the catalogue does not know (aurora-postgresql, neptune, ...) keep moto's behaviour.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import DBClusterNotFoundError
from moto.rds.models import DBCluster, DBInstance, GlobalCluster, RDSBackend
from moto.rds.responses import RDSResponse

from . import catalog
from ._patch import define, paged, rds_error, wrap
from .rds_groups import default_group_name, group_or_fault
from .rds_instances import instance_state

# DescribeDBEngineVersions parameters and filter names → the EngineVersion attribute they compare.
_VERSION_PARAMETERS = (("Engine", "engine"), ("EngineVersion", "version"), ("DBParameterGroupFamily", "family"))
_VERSION_FILTERS = {"engine": "engine", "engine-version": "version", "db-parameter-group-family": "family"}


def install() -> None:
    define(RDSResponse, "describe_db_engine_versions", _describe_engine_versions)
    wrap(RDSBackend, "create_db_cluster", _create_db_cluster)
    wrap(RDSBackend, "modify_db_cluster", _modify_db_cluster)
    wrap(RDSBackend, "promote_read_replica_db_cluster", _promote_read_replica_db_cluster)
    wrap(RDSBackend, "create_global_cluster", _create_global_cluster)
    wrap(RDSBackend, "create_db_instance", _create_db_instance)
    wrap(DBCluster, "designate_writer", _designate_writer)


def cluster_or_fault(backend: RDSBackend, cluster_id: str) -> DBCluster:
    if cluster_id not in backend.clusters:
        raise DBClusterNotFoundError(cluster_id)
    return backend.clusters[cluster_id]


# --------------------------------------------------------------------------- engine versions


def _describe_engine_versions(response: RDSResponse) -> ActionResult:
    params = response.params
    wanted = _version_criteria(params)
    versions = [v for v in catalog.ENGINE_VERSIONS if all(getattr(v, a) in ok for a, ok in wanted)]
    if params.get("DefaultOnly"):
        versions = [v for v in versions if v.default]
    return paged("DBEngineVersions", [_version_row(v) for v in versions], params)


def _version_criteria(params: Any) -> list[tuple[str, set[str]]]:
    criteria = [(attribute, {params[name]}) for name, attribute in _VERSION_PARAMETERS if params.get(name)]
    for item in params.get("Filters") or []:
        if item["Name"] not in _VERSION_FILTERS:
            raise rds_error("InvalidParameterValue", f"Unrecognized filter name: {item['Name']}")
        criteria.append((_VERSION_FILTERS[item["Name"]], set(item["Values"])))
    return criteria


def _version_row(version: catalog.EngineVersion) -> dict[str, Any]:
    return {
        "Engine": version.engine,
        "EngineVersion": version.version,
        "MajorEngineVersion": version.major,
        "DBParameterGroupFamily": version.family,
        "DBEngineDescription": catalog.ENGINE_DESCRIPTIONS[version.engine],
        "DBEngineVersionDescription": version.description,
        "SupportedFeatureNames": list(version.features),
        "SupportedEngineModes": ["provisioned"],
        "SupportsGlobalDatabases": version.aurora,
        "SupportsReadReplica": True,
        "Status": "available",
    }


def resolve_version(engine: str | None, requested: str | None) -> catalog.EngineVersion | None:
    """The catalogue entry a cluster gets; None for engines the sandbox leaves to moto."""
    if engine not in catalog.catalogued_engines():
        return None
    if requested is None:
        return catalog.default_engine_version(engine)
    found = catalog.find_engine_version(engine, requested)
    if found is None:
        raise rds_error("InvalidParameterCombination", f"Cannot find version {requested} for {engine}")
    return found


# --------------------------------------------------------------------------- create and modify


def _create_db_cluster(original: Any, backend: RDSBackend, kwargs: Any) -> DBCluster:
    if kwargs["db_cluster_identifier"] in backend.clusters:
        raise rds_error("DBClusterAlreadyExistsFault", "DB Cluster already exists")
    version = resolve_version(kwargs.get("engine"), kwargs.get("engine_version"))
    if version is not None:
        kwargs["engine_version"] = version.version
        kwargs["db_cluster_parameter_group_name"] = _group_for(
            backend, kwargs.get("db_cluster_parameter_group_name"), version
        )
    return original(backend, kwargs)


def _group_for(backend: RDSBackend, name: str | None, version: catalog.EngineVersion) -> str:
    """The group a cluster of `version` may use: the named one if its family fits, else the default."""
    if not name:
        return default_group_name(version.family)
    group = group_or_fault(backend, name)
    if group.db_parameter_group_family != version.family:
        raise rds_error(
            "InvalidParameterCombination",
            f"The parameter group {group.name} with DBParameterGroupFamily {group.db_parameter_group_family} "
            "cannot be used for this cluster. Please use a parameter group with DBParameterGroupFamily "
            f"{version.family}",
        )
    return group.name


def _modify_db_cluster(original: Any, backend: RDSBackend, kwargs: Any) -> DBCluster:
    cluster = cluster_or_fault(backend, kwargs["db_cluster_identifier"])
    version = resolve_version(cluster.engine, kwargs.get("engine_version") or cluster.engine_version)
    switching = False
    if kwargs.get("db_cluster_parameter_group_name") and version is not None:
        name = _group_for(backend, kwargs["db_cluster_parameter_group_name"], version)
        kwargs["db_cluster_parameter_group_name"] = name
        switching = name != cluster.parameter_group.lower()
    # A new group reaches each instance only when it reboots.
    states = [instance_state(db) for db in cluster.members] if switching else []
    # moto stores EnableIAMDatabaseAuthentication under a name its IAMDatabaseAuthenticationEnabled
    # never reads (docs/reference/moto-gaps.md); RDS applies it at once for a cluster.
    iam_auth = kwargs.get("enable_iam_database_authentication")
    modified = original(backend, kwargs)
    if iam_auth is not None:  # on the cluster and on the copy moto answers with
        cluster.iam_auth = modified.iam_auth = bool(iam_auth)
    for state in states:
        state.pending_reboot = True
    return modified


def _promote_read_replica_db_cluster(original: Any, backend: RDSBackend, db_cluster_identifier: str) -> Any:
    cluster_or_fault(backend, db_cluster_identifier)  # moto raises KeyError (HTTP 500) instead
    return original(backend, db_cluster_identifier)


# --------------------------------------------------------------------------- global clusters


def _create_global_cluster(original: Any, backend: RDSBackend, **kwargs: Any) -> GlobalCluster:
    global_cluster = original(backend, **kwargs)
    for source in global_cluster.members:  # the cluster it was created from, if any
        source.is_writer = True
        # moto stores the global ARN here; AWS reports the global cluster's identifier.
        source.global_cluster_identifier = global_cluster.global_cluster_identifier
    return global_cluster


def _is_global_secondary(cluster: DBCluster) -> bool:
    return bool(cluster.global_cluster_identifier) and not cluster.is_writer


def _designate_writer(original: Any, cluster: DBCluster) -> None:
    # A secondary region's cluster is read-only: its instances are all readers.
    if not _is_global_secondary(cluster):
        original(cluster)


def _create_db_instance(original: Any, backend: RDSBackend, db_kwargs: Any) -> DBInstance:
    db = original(backend, db_kwargs)
    cluster = getattr(db, "cluster", None)
    if cluster is not None and _is_global_secondary(cluster):
        db.is_cluster_writer = False
    return db
