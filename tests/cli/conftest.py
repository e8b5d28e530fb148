"""In-process AWS for command tests: moto with auroraml's Aurora layer, seeded like the sandbox."""

from __future__ import annotations

import pytest

FAST = {"association_delay": 0.02, "reboot_duration": 0.02, "iam_propagation_delay": 0.0}


@pytest.fixture
def sandbox_aws(isolated, monkeypatch):
    """A fresh in-process sandbox (moto + layer + seed) per test, with fast state changes. Its
    clusters report moto's own endpoints: the SQL endpoint addresses an end-to-end sandbox of this
    process (the same pytest worker) advertised for clusters of the same names are set aside for
    the test, and endpoints the test starts itself are advertised as usual."""
    from moto import mock_aws

    from auroraml_cli.sandbox import layer, seed
    from auroraml_cli.sandbox.sql import rds_address

    monkeypatch.setattr(rds_address, "_ADVERTISED", {})
    monkeypatch.setattr(rds_address, "_INSTANCES", {})

    layer.install()
    layer.configure(**FAST)
    with mock_aws():
        import boto3

        seed.seed(boto3.session.Session(region_name="us-east-1"))
        yield layer
    layer.configure(**FAST)


@pytest.fixture
def boto(sandbox_aws):
    """Plain boto3 clients for the tests' own reads of the sandbox's state."""
    import boto3

    return lambda service, region="us-east-1": boto3.client(service, region_name=region)


AURORA_PASSWORD = "status-Pa55word"


@pytest.fixture(scope="module")
def aurora_server():
    """An Aurora MySQL 3 SQL endpoint of the sandbox, one per test module."""
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="status-v3", engine_version="8.0.mysql_aurora.3.10.1",
                        master_password=AURORA_PASSWORD) as endpoint:
        yield endpoint


@pytest.fixture
def aurora(aurora_server, isolated):
    """--host/--port/--defaults-file for the Aurora MySQL 3 endpoint, reset for the test."""
    aurora_server.reset()
    cnf = isolated / "aurora.cnf"
    cnf.write_text(f"[client]\nuser = admin\npassword = {AURORA_PASSWORD}\n")
    return ("--host", aurora_server.host, "--port", str(aurora_server.port), "--defaults-file", str(cnf))
