"""Parameter status of cluster members, reboots, and the values each instance runs with."""

from __future__ import annotations

import pytest
from sandbox_support import ACCOUNT, LONG_DELAY, after_delay, error_code, instance_status, members

from auroraml_cli.sandbox import layer

ROLE = "arn:aws:iam::123456789012:role/ml"


def set_role(rds, group, value=ROLE):
    change = {"ParameterName": "aws_default_sagemaker_role", "ParameterValue": value, "ApplyMethod": "pending-reboot"}
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[change])


def running(instance):
    return layer.effective_parameters(ACCOUNT, "us-east-1", instance)


@pytest.fixture
def shared(make_cluster, make_group):
    """Two clusters of two instances on one custom group."""
    group = make_group("shared")
    make_cluster("a", instances=2, DBClusterParameterGroupName=group)
    make_cluster("b", instances=2, DBClusterParameterGroupName=group)
    return group


def test_new_members_are_in_sync(shared, rds):
    assert members(rds, "a") == {"a-1": "in-sync", "a-2": "in-sync"}


def test_static_change_leaves_every_member_of_every_cluster_pending_reboot(shared, rds, make_cluster):
    make_cluster("other", instances=1)  # on the default group: untouched
    set_role(rds, shared)
    assert members(rds, "a") == {"a-1": "pending-reboot", "a-2": "pending-reboot"}
    assert members(rds, "b") == {"b-1": "pending-reboot", "b-2": "pending-reboot"}
    assert members(rds, "other") == {"other-1": "in-sync"}
    assert "aws_default_sagemaker_role" not in running("a-1")


def test_setting_the_same_value_again_needs_no_reboot(shared, rds):
    set_role(rds, shared)
    for instance in ("a-1", "a-2", "b-1", "b-2"):
        rds.reboot_db_instance(DBInstanceIdentifier=instance)
    after_delay()
    set_role(rds, shared)
    assert set(members(rds, "a").values()) == {"in-sync"}


def test_dynamic_immediate_change_runs_at_once(shared, rds):
    change = {"ParameterName": "activate_all_roles_on_login", "ParameterValue": "1", "ApplyMethod": "immediate"}
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=shared, Parameters=[change])
    assert members(rds, "a") == {"a-1": "in-sync", "a-2": "in-sync"}
    assert running("a-1")["activate_all_roles_on_login"] == "1"


def test_reboot_goes_rebooting_then_available_and_in_sync(shared, rds):
    layer.configure(reboot_duration=LONG_DELAY)
    set_role(rds, shared)
    response = rds.reboot_db_instance(DBInstanceIdentifier="a-1")
    assert response["DBInstance"]["DBInstanceStatus"] == "rebooting"
    assert instance_status(rds, "a-1") == "available"  # AWS has not started it yet
    assert instance_status(rds, "a-1") == "rebooting"
    assert members(rds, "a")["a-1"] == "pending-reboot"  # in-sync only once the reboot is done
    after_delay()
    assert instance_status(rds, "a-1") == "available"
    assert members(rds, "a") == {"a-1": "in-sync", "a-2": "pending-reboot"}
    assert running("a-1")["aws_default_sagemaker_role"] == ROLE
    assert "aws_default_sagemaker_role" not in running("a-2")


def test_without_the_late_start_the_first_read_says_rebooting(shared, rds):
    layer.configure(reboot_starts_late=False, reboot_duration=LONG_DELAY)
    rds.reboot_db_instance(DBInstanceIdentifier="a-1")
    assert instance_status(rds, "a-1") == "rebooting"


def test_waiter_for_available_is_fooled_by_the_late_start(shared, rds):
    layer.configure(reboot_duration=LONG_DELAY)  # outlasts loading the waiter model
    set_role(rds, shared)
    rds.reboot_db_instance(DBInstanceIdentifier="a-1")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="a-1")
    assert members(rds, "a")["a-1"] == "pending-reboot"


def test_rebooting_twice_is_refused(shared, rds):
    layer.configure(reboot_duration=LONG_DELAY)
    rds.reboot_db_instance(DBInstanceIdentifier="a-1")
    with pytest.raises(rds.exceptions.InvalidDBInstanceStateFault):
        rds.reboot_db_instance(DBInstanceIdentifier="a-1")
    after_delay()
    rds.reboot_db_instance(DBInstanceIdentifier="a-1")


def test_switching_group_needs_a_reboot_and_brings_its_values(make_cluster, make_group, rds):
    make_cluster("c", instances=2)
    group = make_group("p")
    set_role(rds, group)
    rds.modify_db_cluster(DBClusterIdentifier="c", DBClusterParameterGroupName=group, ApplyImmediately=True)
    cluster = rds.describe_db_clusters(DBClusterIdentifier="c")["DBClusters"][0]
    assert cluster["DBClusterParameterGroup"] == group
    assert members(rds, "c") == {"c-1": "pending-reboot", "c-2": "pending-reboot"}
    rds.reboot_db_instance(DBInstanceIdentifier="c-2")
    after_delay()
    assert members(rds, "c") == {"c-1": "pending-reboot", "c-2": "in-sync"}
    assert running("c-2")["aws_default_sagemaker_role"] == ROLE


def test_switching_to_a_missing_or_wrong_family_group_is_refused(make_cluster, make_group, rds):
    make_cluster("c", instances=1)
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.modify_db_cluster(DBClusterIdentifier="c", DBClusterParameterGroupName="missing")
    make_group("p57", family="aurora-mysql5.7")
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.modify_db_cluster(DBClusterIdentifier="c", DBClusterParameterGroupName="p57")
    assert error_code(excinfo) == "InvalidParameterCombination"
    assert members(rds, "c") == {"c-1": "in-sync"}


def test_reset_of_a_static_value_needs_a_reboot(shared, rds):
    set_role(rds, shared)
    for instance in ("a-1", "a-2", "b-1", "b-2"):
        rds.reboot_db_instance(DBInstanceIdentifier=instance)
    after_delay()
    rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName=shared, ResetAllParameters=True)
    assert set(members(rds, "b").values()) == {"pending-reboot"}
    assert running("b-1")["aws_default_sagemaker_role"] == ROLE


def test_a_new_member_starts_with_the_groups_current_values(shared, rds):
    set_role(rds, shared)
    rds.create_db_instance(
        DBInstanceIdentifier="a-3", DBClusterIdentifier="a", Engine="aurora-mysql", DBInstanceClass="db.r6g.large"
    )
    assert members(rds, "a")["a-3"] == "in-sync"
    assert running("a-3")["aws_default_sagemaker_role"] == ROLE


def test_state_follows_a_moto_reset(shared, rds):
    from moto.moto_api._internal import moto_api_backend

    set_role(rds, shared)
    moto_api_backend.reset()
    assert rds.describe_db_clusters()["DBClusters"] == []
    groups = rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
    defaults = {"default.aurora-mysql5.7", "default.aurora-mysql8.0", "default.mysql8.0"}
    assert {g["DBClusterParameterGroupName"] for g in groups} == defaults
