"""DescribeDBClusterParameters, ModifyDBClusterParameterGroup and ResetDBClusterParameterGroup
as AWS answers them: the family's whole parameter list, AWS's checks, and pending reboots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.models import DBClusterParameterGroup, RDSBackend
from moto.rds.responses import RDSResponse

from . import catalog
from ._patch import define, paged, rds_error
from .rds_groups import clusters_using, group_or_fault, group_values, modifiable_group
from .rds_instances import instance_state

MAX_CHANGES = 20  # AWS takes at most 20 parameters per modify or reset call


def install() -> None:
    define(RDSResponse, "describe_db_cluster_parameters", _describe_parameters)
    define(RDSResponse, "modify_db_cluster_parameter_group", _modify_group)
    define(RDSResponse, "reset_db_cluster_parameter_group", _reset_group)


def _describe_parameters(response: RDSResponse) -> ActionResult:
    params = response.params
    group = group_or_fault(response.backend, params.get("DBClusterParameterGroupName"))
    specs = catalog.parameters(group.db_parameter_group_family)
    rows = [_row(spec, group.parameters.get(spec.name)) for spec in specs]
    if source := params.get("Source"):
        rows = [row for row in rows if row["Source"] == source]
    names = _names_filter(params.get("Filters") or [])
    if names is not None:
        rows = [row for row in rows if row["ParameterName"] in names]
    return paged("Parameters", rows, params)


def _names_filter(filters: list[Any]) -> set[str] | None:
    """The names asked for by `parameter-name` filters (the only filter AWS takes here)."""
    names: set[str] | None = None
    for item in filters:
        if item["Name"] != "parameter-name":
            raise rds_error("InvalidParameterValue", f"Unrecognized filter name: {item['Name']}")
        names = (names or set()) | set(item["Values"])
    return names


def _row(spec: catalog.Parameter, raw: dict[str, str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ParameterName": spec.name,
        "Description": spec.description,
        "Source": "user" if raw else "engine-default",
        "ApplyType": spec.apply_type,
        "DataType": spec.data_type,
        "IsModifiable": spec.modifiable,
        "SupportedEngineModes": ["provisioned"],
    }
    if spec.allowed:
        row["AllowedValues"] = spec.allowed
    value = raw["ParameterValue"] if raw else spec.default
    if value is not None:
        row["ParameterValue"] = value
    if raw:
        row["ApplyMethod"] = raw["ApplyMethod"]
    return row


# --------------------------------------------------------------------------- modify and reset


@dataclass(frozen=True)
class _Change:
    spec: catalog.Parameter
    value: str | None  # None puts the engine default back
    method: str  # "immediate" or "pending-reboot"


def _modify_group(response: RDSResponse) -> ActionResult:
    backend = response.backend
    group = modifiable_group(backend, response.params.get("DBClusterParameterGroupName"))
    requested = _requested(response)
    apply_changes(backend, group, [_change_to(group, item) for item in requested])
    return ActionResult({"DBClusterParameterGroupName": group.name})


def _reset_group(response: RDSResponse) -> ActionResult:
    backend = response.backend
    group = modifiable_group(backend, response.params.get("DBClusterParameterGroupName"))
    requested = _requested(response)
    if bool(response.params.get("ResetAllParameters")) == bool(requested):
        raise rds_error(
            "InvalidParameterCombination", "Specify either ResetAllParameters or Parameters, not both."
        )
    if not requested:  # reset all: every user-set parameter
        requested = [{"ParameterName": name} for name in group.parameters]
    apply_changes(backend, group, [_reset_of(group, item) for item in requested])
    return ActionResult({"DBClusterParameterGroupName": group.name})


def _requested(response: RDSResponse) -> list[dict[str, str]]:
    requested = [item.original_dict() for item in response.params.get("Parameters") or []]
    if len(requested) > MAX_CHANGES:
        raise rds_error(
            "InvalidParameterCombination", f"Cannot modify more than {MAX_CHANGES} parameters in a single request"
        )
    return requested


def _change_to(group: DBClusterParameterGroup, item: dict[str, str]) -> _Change:
    spec = _known(group, item.get("ParameterName"))
    if not spec.modifiable:
        raise rds_error("InvalidParameterValue", f"The parameter {spec.name} cannot be modified.")
    value = item.get("ParameterValue")
    if not value:
        raise rds_error("InvalidParameterValue", f"The parameter value for {spec.name} must not be blank.")
    if not catalog.accepts(spec, value):
        raise rds_error(
            "InvalidParameterValue", f"Value: {value} is not a valid value for the parameter {spec.name}"
        )
    return _Change(spec, value, _method(spec, item.get("ApplyMethod") or "pending-reboot"))


def _reset_of(group: DBClusterParameterGroup, item: dict[str, str]) -> _Change:
    spec = _known(group, item.get("ParameterName"))
    # Without an ApplyMethod, AWS resets dynamic parameters now and static ones at reboot.
    default_method = "pending-reboot" if spec.apply_type == "static" else "immediate"
    return _Change(spec, None, _method(spec, item.get("ApplyMethod") or default_method))


def _known(group: DBClusterParameterGroup, name: str | None) -> catalog.Parameter:
    spec = catalog.find_parameter(group.db_parameter_group_family, name or "")
    if spec is None:
        raise rds_error("InvalidParameterValue", f"Could not find parameter with name: {name}")
    return spec


def _method(spec: catalog.Parameter, method: str) -> str:
    if method not in ("immediate", "pending-reboot"):
        raise rds_error("InvalidParameterValue", f"Invalid apply method: {method}")
    if method == "immediate" and spec.apply_type == "static":
        raise rds_error(
            "InvalidParameterCombination", "cannot use immediate apply method for static parameter"
        )
    return method


def apply_changes(backend: RDSBackend, group: DBClusterParameterGroup, changes: list[_Change]) -> None:
    """Store the changes; running instances take immediate ones now, the rest at reboot."""
    states = [instance_state(db) for c in clusters_using(backend, group.name) for db in c.members]
    before = group_values(group)
    for change in changes:
        if change.value is None:
            group.parameters.pop(change.spec.name, None)
        else:
            group.parameters[change.spec.name] = {
                "ParameterName": change.spec.name,
                "ParameterValue": change.value,
                "ApplyMethod": change.method,
            }
    after = group_values(group)
    for change in changes:
        name = change.spec.name
        if before.get(name) != after.get(name):
            for state in states:
                state.take(name, after.get(name), group.name, now=change.method == "immediate")
