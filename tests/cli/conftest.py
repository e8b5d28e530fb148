"""In-process AWS for command tests: moto with auroraml's Aurora layer, seeded like the sandbox."""

from __future__ import annotations

import pytest

FAST = {"association_delay": 0.02, "reboot_duration": 0.02, "iam_propagation_delay": 0.0}


@pytest.fixture
def sandbox_aws(isolated):
    """A fresh in-process sandbox (moto + layer + seed) per test, with fast state changes."""
    from moto import mock_aws

    from auroraml_cli.sandbox import layer, seed

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
