"""How a client finds an endpoint: RDS reports it; `server.start()` starts one per seeded cluster."""

from __future__ import annotations

import json
import socket

import pytest
from sandbox_support import FAST, V3_BEDROCK, after_delay, allow_all
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
    instances = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": ["found"]}])["DBInstances"]
    # Each instance has a port of its own: a tool that reads every instance reaches each one.
    assert {i["DBInstanceIdentifier"]: i["Endpoint"] for i in instances} == {
        name: {"Address": "127.0.0.1", "Port": port} for name, port in endpoint.instances.items()}
    assert sorted(endpoint.instances) == ["found-1", "found-2"] and endpoint.port not in endpoint.instances.values()
    for name, port in endpoint.instances.items():
        sql = Client(Address("127.0.0.1", port))
        assert sql.value("SELECT @@aurora_server_id") == name
        sql.close()
    endpoint.stop()
    host, port, _ = writer_endpoint(rds, "found")
    assert host.startswith("found.cluster-") and port == 3306  # moto's own once the endpoint is gone


def test_a_second_endpoint_of_a_cluster_stopping_gives_the_address_back_to_the_first(endpoint_for, rds):
    """Two endpoints of one cluster in one process (a test's sandbox beside the module's): the
    later one's address while it runs, the earlier one's again once it stops."""
    from auroraml_cli.sandbox.sql import start_endpoint

    first = endpoint_for("twice", instances=1)
    second = start_endpoint(cluster_id="twice", engine_version=V3_BEDROCK)
    assert writer_endpoint(rds, "twice")[1] == second.port
    second.stop()
    assert writer_endpoint(rds, "twice")[1] == first.port
    instance = rds.describe_db_instances(DBInstanceIdentifier="twice-1")["DBInstances"][0]["Endpoint"]
    assert instance["Port"] == first.instances["twice-1"]


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


def test_the_guides_tables_are_seeded_and_come_back_after_a_reset(sandbox):
    legacy = Client(sandbox.sql_endpoints["legacy-v2"], "admin", seed.MASTER_PASSWORD)
    counts = "SELECT (SELECT COUNT(*) FROM demo.support), (SELECT COUNT(*) FROM demo.nyc_taxi)"
    assert legacy.one(counts) == (10, 48)
    legacy.run("DROP TABLE demo.support")
    sandbox.reset()
    assert legacy.one(counts) == (10, 48)
    assert ("demo",) not in Client(sandbox.sql_endpoints["bedrock-ready"], "admin", seed.MASTER_PASSWORD).rows(
        "SHOW DATABASES")
    legacy.close()


def test_the_guides_queries_on_the_seeded_sandbox_after_setup(sandbox, knobs):
    """What a user rehearses: wire ml-demo for Comprehend and SageMaker as `auroraml setup` does,
    then run the guide's queries on the seeded tables and read the counters."""
    from auroraml_cli.sandbox import ml_answers

    sandbox.reset()
    ml_answers.reset()
    rds, iam = sandbox.client("rds"), sandbox.client("iam")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="ml-demo-ml",
                                          DBParameterGroupFamily="aurora-mysql8.0", Description="Aurora ML")
    parameters = []
    for service in ("comprehend", "sagemaker"):
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=f"ml-demo-{service}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        allow_all(iam, f"ml-demo-{service}", service)
        rds.add_role_to_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=arn)
        parameters.append({"ParameterName": f"aws_default_{service}_role", "ParameterValue": arn,
                           "ApplyMethod": "pending-reboot"})
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="ml-demo-ml", Parameters=parameters)
    rds.modify_db_cluster(DBClusterIdentifier="ml-demo", DBClusterParameterGroupName="ml-demo-ml",
                          ApplyImmediately=True)
    rds.reboot_db_instance(DBInstanceIdentifier="ml-demo-1")
    after_delay()
    cluster = rds.describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    secret = sandbox.client("secretsmanager").get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])
    sql = Client(sandbox.sql_endpoints["ml-demo"], "admin", json.loads(secret["SecretString"])["password"],
                 database="demo")
    assert [round(v, 6) if isinstance(v, float) else v for v in sql.one(
        "SELECT AVG(CASE aws_comprehend_detect_sentiment(feedback, 'en') WHEN 'POSITIVE' THEN 1.0 WHEN 'NEGATIVE' "
        "THEN -1.0 ELSE 0.0 END) AS avg_sentiment, COUNT(*) AS total FROM support "
        "WHERE aws_comprehend_detect_sentiment_confidence(feedback, 'en') >= 0.80")] == [-0.111111, 9]
    sql.run("CREATE FUNCTION anomaly_score(value real) RETURNS real "
            "ALIAS aws_sagemaker_invoke_endpoint ENDPOINT NAME 'rcf-taxi'")
    assert [row[1] for row in sql.rows(
        "SELECT *, anomaly_score(value) score FROM nyc_taxi WHERE anomaly_score(value) > "
        "(SELECT AVG(anomaly_score(value)) + 3 * STD(anomaly_score(value)) FROM nyc_taxi)")] == [39197, 1200]
    status = dict(sql.rows("SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Aurora_ml%' OR Variable_name = 'Uptime'"))
    logical = 19 + 48 + 96 + 2  # average query; outer WHERE, subquery's two calls, SELECT list
    assert (status["Aurora_ml_actual_request_cnt"], status["Aurora_ml_logical_request_cnt"]) == ("2", str(logical))
    sql.close()
    # The calls were real: Comprehend got one batch of ten texts, rcf-taxi one CSV body of 48 rows.
    assert [(c["service"], c["size"]) for c in ml_answers.received()] == [("comprehend", 10), ("sagemaker", 48)]
    ml_answers.reset()
    sandbox.reset()


def test_an_outage_drops_connections_refuses_new_ones_and_keeps_the_state(endpoint_for, client_for):
    import pymysql

    endpoint = endpoint_for("outage", instances=2)
    sql = client_for(endpoint)
    sql.run("CREATE DATABASE kept")
    endpoint.go_down()
    with pytest.raises(pymysql.err.OperationalError):
        sql.value("SELECT 1")  # the open connection is gone
    for port in (endpoint.port, *endpoint.instances.values()):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    endpoint.come_back()
    again = client_for(endpoint)
    assert ("kept",) in again.rows("SHOW DATABASES")
    assert client_for(Address("127.0.0.1", endpoint.instances["outage-2"])).value("SELECT @@aurora_server_id") == "outage-2"
