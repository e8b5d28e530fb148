"""Fixtures for the SQL endpoint tests: endpoints (of clusters in in-process moto with the layer,
or one shared endpoint with no cluster behind it) and clients that log in to them over TCP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sandbox_support import PASSWORD, V3_BEDROCK
from sql_support import Client


@pytest.fixture
def sql_engine() -> str | None:
    """The SQL engine endpoint_for starts: None is $AURORAML_SANDBOX_ENGINE, else sqlite (so
    AURORAML_SANDBOX_ENGINE=mariadb runs any module on the server engine); a module that runs
    under both overrides this fixture (sql_support.ENGINES, engine_fixture)."""
    return None


@pytest.fixture
def endpoint_for(make_cluster: Callable[..., Any], sql_engine: str | None) -> Iterator[Callable[..., Any]]:
    """Create an Aurora MySQL cluster in moto and start its SQL endpoint (on `sql_engine`)."""
    from auroraml_cli.sandbox.sql import start_endpoint

    started = []

    def start(name: str = "db", version: str = V3_BEDROCK, **extra: Any) -> Any:
        make_cluster(name, version, **extra)
        endpoint = start_endpoint(cluster_id=name, engine_version=version, sql_engine=sql_engine)
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def client_for() -> Iterator[Callable[..., Client]]:
    """Log in to an endpoint; every connection is closed after the test."""
    opened: list[Client] = []

    def login(endpoint: Any, user: str = "admin", password: str = PASSWORD, **options: Any) -> Client:
        client = Client(endpoint, user, password, **options)
        opened.append(client)
        return client

    yield login
    for client in opened:
        client.close()


@pytest.fixture(scope="module")
def shared_v3() -> Iterator[Any]:
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="v3", engine_version=V3_BEDROCK, master_password=PASSWORD) as endpoint:
        yield endpoint


@pytest.fixture
def v3(shared_v3: Any) -> Any:
    """An Aurora MySQL 3.10.1 endpoint as a new cluster has it, for tests that need nothing of
    the AWS half (no cluster in moto: engine-default parameters, a fixed master password).
    One endpoint per module, reset for each test: starting moto and a cluster each time is slow."""
    shared_v3.reset()
    return shared_v3


@pytest.fixture
def admin(v3: Any, client_for: Callable[..., Client]) -> Client:
    return client_for(v3)
