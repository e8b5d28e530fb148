"""Fixtures for the sandbox layer's own tests: isolated AWS settings, fast knobs, moto in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox_support import FAST, PASSWORD, V3


@pytest.fixture(autouse=True)
def isolated_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No test reads the developer's ~/.aws or reaches a real endpoint."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def knobs() -> Iterator[Any]:
    """Fast delays for the test, the previous knobs afterwards."""
    from auroraml_cli.sandbox import layer

    saved = layer.current_settings()
    layer.configure(**FAST)
    yield layer.settings
    layer.configure(**saved)


@pytest.fixture
def aws(knobs: Any) -> Iterator[None]:
    from moto import mock_aws

    from auroraml_cli.sandbox import layer

    layer.install()
    with mock_aws():
        yield


@pytest.fixture
def client(aws: None) -> Callable[..., Any]:
    import boto3

    return lambda service, region="us-east-1": boto3.client(service, region_name=region)


@pytest.fixture
def rds(client: Callable[..., Any]) -> Any:
    return client("rds")


@pytest.fixture
def iam(client: Callable[..., Any]) -> Any:
    return client("iam")


@pytest.fixture
def make_cluster(rds: Any) -> Callable[..., dict[str, Any]]:
    """Create an aurora-mysql cluster with `instances` members (NAME-1 is the writer)."""

    def make(name: str, version: str = V3, instances: int = 1, client: Any = rds, **extra: Any) -> dict[str, Any]:
        cluster = client.create_db_cluster(
            DBClusterIdentifier=name,
            Engine="aurora-mysql",
            EngineVersion=version,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            **extra,
        )["DBCluster"]
        for number in range(1, instances + 1):
            client.create_db_instance(
                DBInstanceIdentifier=f"{name}-{number}",
                DBClusterIdentifier=name,
                Engine="aurora-mysql",
                DBInstanceClass="db.r6g.large",
            )
        return cluster

    return make


@pytest.fixture
def make_group(rds: Any) -> Callable[..., str]:
    def make(name: str, family: str = "aurora-mysql8.0") -> str:
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description="test"
        )
        return name

    return make
