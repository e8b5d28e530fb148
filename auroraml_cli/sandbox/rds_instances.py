"""Each DB instance's parameter status and reboots.

An instance carries an `InstanceState`: the parameter values it runs with (its cluster's group as
of its creation or last reboot, plus dynamic changes applied immediately) and where it is in a
reboot. The state is brought up to date whenever it is read: time, not a thread, ends a reboot.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidDBInstanceStateError
from moto.rds.models import DBCluster, DBInstance, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse

from . import layer
from ._patch import clock, wrap
from .rds_groups import group_values


def install() -> None:
    wrap(RDSBackend, "create_db_instance", _create_db_instance)
    wrap(RDSBackend, "reboot_db_instance", _reboot_db_instance)
    wrap(RDSResponse, "describe_db_instances", _describe_db_instances)
    # moto's serializer prefers these names to `db_cluster_members` / `status`.
    DBCluster.db_cluster_members = property(_cluster_members)
    DBInstance.db_instance_status = property(_instance_status)


@dataclass
class InstanceState:
    """What one DB instance runs with, and where it is in a reboot."""

    group: str | None  # the cluster parameter group its running values came from
    applied: dict[str, str] = field(default_factory=dict)
    pending_reboot: bool = False
    reboot_started: float | None = None
    late_read: bool = False  # the next DescribeDBInstances still shows "available"
    booted_at: float = field(default_factory=clock)  # creation, or the end of the last reboot (Uptime)

    def take(self, name: str, value: str | None, group: str, now: bool) -> None:
        """A value changed in `group`: run it now, or note that a reboot is needed."""
        if now and self.group == group:
            if value is None:
                self.applied.pop(name, None)
            else:
                self.applied[name] = value
        else:
            self.pending_reboot = True


_STATE = "_auroraml_state"
_STATUS_VIEW = "_auroraml_status_view"


def instance_state(db: DBInstance) -> InstanceState:
    """The instance's state, brought up to date (a reboot whose time is up has finished)."""
    state = db.__dict__.get(_STATE)
    if state is None:
        state = InstanceState(*_running_values(db))
        setattr(db, _STATE, state)
    if _reboot_over(state):
        state.group, state.applied = _running_values(db)
        state.pending_reboot = state.late_read = False
        assert state.reboot_started is not None
        state.booted_at = state.reboot_started + layer.settings.reboot_duration
        state.reboot_started = None
    return state


def _reboot_over(state: InstanceState) -> bool:
    started = state.reboot_started
    return started is not None and clock() >= started + layer.settings.reboot_duration


def _running_values(db: DBInstance) -> tuple[str | None, dict[str, str]]:
    """The values an instance starts with: its cluster's current group (none for a bare instance)."""
    cluster = getattr(db, "cluster", None)
    group = db.backend.db_cluster_parameter_groups.get(cluster.parameter_group) if cluster else None
    return (group.name, group_values(group)) if group else (None, {})


def _create_db_instance(original: Any, backend: RDSBackend, db_kwargs: Any) -> DBInstance:
    db = original(backend, db_kwargs)
    instance_state(db)  # its values are its cluster's as of now, whatever changes next
    return db


def _reboot_db_instance(original: Any, backend: RDSBackend, db_instance_identifier: str) -> DBInstance:
    db = original(backend, db_instance_identifier)
    state = instance_state(db)
    if state.reboot_started is not None or db.status != "available":
        raise InvalidDBInstanceStateError(db.db_instance_identifier, "stop")  # "...is not in available state."
    state.reboot_started = clock()
    state.late_read = layer.settings.reboot_starts_late
    return _with_status(db, "rebooting")


def _describe_db_instances(original: Any, response: RDSResponse) -> ActionResult:
    result = original(response)
    listing = result.result
    listing["DBInstances"] = [_maybe_stale(db) for db in listing["DBInstances"]]
    return result


def _maybe_stale(db: DBInstance) -> DBInstance:
    # AWS starts a reboot a moment after accepting it: a describe right away still says
    # "available", which fools a waiter that only waits for "available".
    state = instance_state(db)
    if not state.late_read:
        return db
    state.late_read = False
    return _with_status(db, "available")


def _with_status(db: DBInstance, status: str) -> DBInstance:
    """A copy of `db` that reports `status` (moto returns copies the same way for clusters)."""
    view = copy.copy(db)
    setattr(view, _STATUS_VIEW, status)
    return view


def _instance_status(db: DBInstance) -> str:
    if _STATUS_VIEW in db.__dict__:
        return db.__dict__[_STATUS_VIEW]
    return "rebooting" if instance_state(db).reboot_started is not None else db.status


def _cluster_members(cluster: DBCluster) -> list[dict[str, Any]]:
    return [
        {
            "DBInstanceIdentifier": db.db_instance_identifier,
            "IsClusterWriter": db.is_cluster_writer,
            "DBClusterParameterGroupStatus": _parameter_status(db),
            "PromotionTier": db.promotion_tier,
        }
        for db in cluster.members
    ]


def _parameter_status(db: DBInstance) -> str:
    return "pending-reboot" if instance_state(db).pending_reboot else "in-sync"


def effective_parameters(account_id: str, region: str, instance_id: str) -> dict[str, str]:
    db = rds_backends[account_id][region].describe_db_instances(instance_id)[0]
    return dict(instance_state(db).applied)


def boot_time(account_id: str, region: str, instance_id: str) -> float:
    """When the instance last started (creation, or the end of its last reboot), on _patch.clock():
    the SQL endpoint's Uptime counts from here, and its Aurora_ml_* counters start again."""
    db = rds_backends[account_id][region].describe_db_instances(instance_id)[0]
    return instance_state(db).booted_at
