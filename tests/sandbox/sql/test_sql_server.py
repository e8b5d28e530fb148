"""How a client finds an endpoint: RDS reports it; `server.start()` starts one per seeded cluster."""

from __future__ import annotations

import json
import socket

import pytest
from sandbox_support import FAST
from sql_support import Address, Client, login_error

from auroraml_cli.sandbox import layer, seed, server

SEEDED = {"ml-demo": "3.08.0", "legacy-v2": "2.11.2", "bedrock-ready": "3.10.1", "shared-a": "3.06.0",
          "shared-b": "3.06.0", "ml-global-use1": "3.10.1"}


def writer_endpoint(rds, cluster):
    found = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    return found["Endpoint"], found["Port"], found


def test_rds_reports_the_endpoint_of_a_cluster_and_its_instances(endpoint_for, rds):
    endpoint = endpoint_for("found", instances=2)
    host, port, cluster = writer_endpoint(rds, "found")
    assert (host, port, cluster["ReaderEndpoint"]) == ("127.0.0.1", endpoint.port, "127.0.0.1")
    for instance in rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": ["found"]}])["DBInstances"]:
        assert instance["Endpoint"] == {"Address": "127.0.0.1", "Port": endpoint.port}
    endpoint.stop()
    host, port, _ = writer_endpoint(rds, "found")
    assert host.startswith("found.cluster-") and port == 3306  # moto's own once the endpoint is gone


@pytest.fixture(scope="module")
def sandbox():
    saved = layer.current_settings()
    with server.start(**FAST) as running:
        yield running
    layer.configure(**saved)


def test_one_endpoint_per_seeded_aurora_cluster(sandbox):
    assert {c.name for c in seed.SQL_CLUSTERS} == set(SEEDED)
    rds = sandbox.client("rds")
    for cluster, version in SEEDED.items():
        host, port, _ = writer_endpoint(rds, cluster)
        assert (host, port) == (sandbox.sql_endpoints[cluster].host, sandbox.sql_endpoints[cluster].port)
        if cluster != "ml-demo":
            sql = Client(Address(host, port), "admin", seed.MASTER_PASSWORD)
            assert sql.value("SELECT AURORA_VERSION()") == version
            sql.close()


def test_the_managed_master_password_is_the_secrets(sandbox):
    host, port, cluster = writer_endpoint(sandbox.client("rds"), "ml-demo")
    secret = sandbox.client("secretsmanager").get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])
    sql = Client(Address(host, port), "admin", json.loads(secret["SecretString"])["password"])
    assert sql.one("SELECT CURRENT_USER(), @@aurora_server_id") == ("admin@%", "ml-demo-1")
    sql.close()
    assert login_error(Address(host, port), "admin", seed.MASTER_PASSWORD)[0] == 1045


def test_reset_forgets_the_databases(sandbox):
    endpoint = sandbox.sql_endpoints["bedrock-ready"]
    sql = Client(endpoint, "admin", seed.MASTER_PASSWORD)
    sql.run("CREATE DATABASE scratch")
    sql.run("CREATE USER analyst")
    sandbox.reset()
    assert ("scratch",) not in sql.rows("SHOW DATABASES")
    assert sql.error("SHOW GRANTS FOR analyst")[0] == 1141
    sql.close()
    assert writer_endpoint(sandbox.client("rds"), "bedrock-ready")[1] == endpoint.port  # the new cluster too


def test_stop_stops_the_endpoints():
    saved = layer.current_settings()
    running = server.start(seed=False, **FAST)
    assert running.sql_endpoints == {}  # nothing seeded, nothing to serve
    running.start_sql_endpoints()
    ports = [e.port for e in running.sql_endpoints.values()]
    running.stop()
    layer.configure(**saved)
    for port in ports:
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
