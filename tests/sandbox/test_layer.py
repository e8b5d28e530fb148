"""The layer's public knobs and life cycle."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sandbox_support import FAST

from auroraml_cli.sandbox import layer
from auroraml_cli.sandbox.layer import Settings


def test_configure_sets_known_knobs(knobs):
    layer.configure(association_delay=3, reboot_starts_late=False)
    assert layer.current_settings() == {**FAST, "association_delay": 3.0, "reboot_starts_late": False}


@pytest.mark.parametrize(
    "bad",
    [
        {"no_such_knob": 1},
        {"reboot_duration": -1},
        {"reboot_duration": "2"},
        {"association_delay": True},
        {"reboot_starts_late": 1},
    ],
)
def test_configure_refuses_bad_knobs_and_changes_nothing(knobs, bad):
    with pytest.raises(ValueError):
        layer.configure(iam_propagation_delay=5, **bad)
    assert layer.current_settings() == FAST


def test_install_is_idempotent(aws):
    from moto.rds.models import RDSBackend

    wrapped = RDSBackend.create_db_cluster
    layer.install()
    assert RDSBackend.create_db_cluster is wrapped


def test_reset_state_restores_default_knobs_and_forgets_resources(make_cluster, rds):
    make_cluster("c", instances=0)
    layer.reset_state()
    assert layer.current_settings() == Settings().__dict__
    assert rds.describe_db_clusters()["DBClusters"] == []


def test_importing_the_package_imports_neither_moto_nor_boto3():
    code = "import sys, auroraml_cli.sandbox; print(sorted({'moto', 'boto3'} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_advance_ends_the_delays_under_way_without_waiting(make_cluster, rds, iam, client):
    """Tests move the sandbox's clock instead of sleeping: a sleep only promises *at least* its
    time, so a state asserted after one is luck on a loaded machine; an hour of clock is not."""
    import json

    from sandbox_support import LONG_DELAY, RDS_TRUST, deploy

    layer.configure(association_delay=LONG_DELAY, reboot_duration=LONG_DELAY, endpoint_update_duration=LONG_DELAY,
                    reboot_starts_late=False)
    make_cluster("c", instances=1)
    arn = iam.create_role(RoleName="ml", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))["Role"]["Arn"]
    rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    rds.reboot_db_instance(DBInstanceIdentifier="c-1")
    deploy(client, "e")
    sagemaker = client("sagemaker")
    sagemaker.update_endpoint(EndpointName="e", EndpointConfigName="e")

    def states():
        cluster = rds.describe_db_clusters(DBClusterIdentifier="c")["DBClusters"][0]
        instance = rds.describe_db_instances(DBInstanceIdentifier="c-1")["DBInstances"][0]
        return (cluster["AssociatedRoles"][0]["Status"], instance["DBInstanceStatus"],
                sagemaker.describe_endpoint(EndpointName="e")["EndpointStatus"])

    assert states() == ("PENDING", "rebooting", "Updating")
    layer.advance(LONG_DELAY - 60)
    assert states() == ("PENDING", "rebooting", "Updating")
    layer.advance(61)
    assert states() == ("ACTIVE", "available", "InService")


@pytest.mark.parametrize("bad", [-1, True, "1"])
def test_the_clock_only_moves_on(bad):
    with pytest.raises(ValueError):
        layer.advance(bad)
