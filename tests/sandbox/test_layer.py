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
