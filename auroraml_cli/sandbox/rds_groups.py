"""Cluster parameter groups as the layer sees them: AWS's default groups, lookups, and values.

moto keeps a group's user-set values in `group.parameters` (name → the Parameter dict as sent);
the engine's defaults come from `catalog`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError
from moto.rds.models import DBCluster, DBClusterParameterGroup, RDSBackend, rds_backends

from . import catalog
from ._patch import rds_error, wrap


def install() -> None:
    wrap(RDSBackend, "__init__", _backend_init)
    for account in rds_backends.values():  # backends made before install() lack the defaults
        for backend in account.values():
            add_default_groups(backend)
    wrap(RDSBackend, "create_db_cluster_parameter_group", _create_group)
    wrap(RDSBackend, "delete_db_cluster_parameter_group", _delete_group)


def default_group_name(family: str) -> str:
    return f"default.{family}"


def add_default_groups(backend: RDSBackend) -> None:
    for family in catalog.families():
        name = default_group_name(family)
        if name not in backend.db_cluster_parameter_groups:
            backend.db_cluster_parameter_groups[name] = DBClusterParameterGroup(
                backend=backend,
                db_cluster_parameter_group_name=name,
                description=f"Default cluster parameter group for {family}",
                db_parameter_group_family=family,
            )


def _backend_init(original: Any, backend: RDSBackend, *args: Any, **kwargs: Any) -> None:
    # moto's reset re-runs __init__, so the default groups come back after every reset.
    original(backend, *args, **kwargs)
    add_default_groups(backend)


def group_or_fault(backend: RDSBackend, name: str | None) -> DBClusterParameterGroup:
    group = backend.db_cluster_parameter_groups.get(name or "")
    if group is None:
        raise DBClusterParameterGroupNotFoundError(name)
    return group


def modifiable_group(backend: RDSBackend, name: str | None) -> DBClusterParameterGroup:
    group = group_or_fault(backend, name)
    if group.name.startswith("default."):
        raise rds_error("InvalidParameterValue", "Cannot modify a default parameter group.")
    return group


def _create_group(original: Any, backend: RDSBackend, **kwargs: Any) -> DBClusterParameterGroup:
    family = kwargs.get("db_parameter_group_family")
    if family and family not in catalog.families():
        raise rds_error(
            "InvalidParameterValue",
            f"DBParameterGroupFamily {family} is not a valid parameter group family "
            f"(valid: {', '.join(catalog.families())}).",
        )
    return original(backend, **kwargs)


def _delete_group(original: Any, backend: RDSBackend, db_cluster_parameter_group_name: str) -> None:
    name = db_cluster_parameter_group_name
    if name.lower().startswith("default."):
        raise rds_error(
            "InvalidDBParameterGroupState", f"Default DBClusterParameterGroup cannot be deleted: {name}"
        )
    if next(clusters_using(backend, name), None) is not None:
        raise rds_error(
            "InvalidDBParameterGroupState",
            f"One or more database clusters are still members of this parameter group {name}, "
            "so the group cannot be deleted",
        )
    original(backend, db_cluster_parameter_group_name=name)


def group_values(group: DBClusterParameterGroup) -> dict[str, str]:
    """Every parameter that has a value in the group: engine defaults, then user values."""
    family = group.db_parameter_group_family
    values = {p.name: p.default for p in catalog.parameters(family) if p.default is not None}
    values.update({name: raw["ParameterValue"] for name, raw in group.parameters.items()})
    return values


def clusters_using(backend: RDSBackend, group_name: str) -> Iterator[DBCluster]:
    return (c for c in backend.clusters.values() if c.parameter_group.lower() == group_name.lower())
