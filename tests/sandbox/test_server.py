"""The sandbox as a real moto server on loopback, reached over HTTP as the CLI and e2e tests do."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import urllib.error
import urllib.request

import pytest
from sandbox_support import FAST, LONG_DELAY, RDS_TRUST, after_delay

from auroraml_cli.sandbox import layer, server


@pytest.fixture(scope="module")
def sandbox():
    saved = layer.current_settings()
    with server.start(**FAST) as running:
        yield running
    layer.configure(**saved)


def call_config(sandbox, method="GET", body=None, path=server.CONFIG_PATH):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(sandbox.endpoint_url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_listens_on_loopback_on_a_free_port(sandbox):
    assert sandbox.host == "127.0.0.1" and sandbox.port > 0
    assert sandbox.endpoint_url == f"http://127.0.0.1:{sandbox.port}"


def test_seeded_resources_and_layer_are_served(sandbox):
    rds = sandbox.client("rds")
    cluster = rds.describe_db_clusters(DBClusterIdentifier="bedrock-ready")["DBClusters"][0]
    assert cluster["EngineVersion"] == "8.0.mysql_aurora.3.10.1"
    assert cluster["DBClusterParameterGroup"] == "bedrock-ready-params"
    assert [m["DBClusterParameterGroupStatus"] for m in cluster["DBClusterMembers"]] == ["in-sync"]
    versions = rds.describe_db_engine_versions(Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.10.1")
    assert versions["DBEngineVersions"][0]["SupportedFeatureNames"] == ["Bedrock"]
    models = sandbox.client("bedrock", "us-west-2").list_foundation_models()["modelSummaries"]
    assert "anthropic.claude-3-haiku-20240307-v1:0" in {m["modelId"] for m in models}
    endpoint = sandbox.client("sagemaker", "us-west-2").describe_endpoint(EndpointName="churn-predictor")
    assert endpoint["EndpointStatus"] == "InService"


def test_missing_cluster_is_a_fault_not_a_server_error(sandbox):
    rds = sandbox.client("rds")
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.modify_db_cluster(DBClusterIdentifier="nope", ApplyImmediately=True)


def test_config_route_reads_and_sets_knobs(sandbox, knobs):
    assert call_config(sandbox) == (200, FAST)
    status, body = call_config(sandbox, "POST", {"reboot_duration": 0.3, "reboot_starts_late": False})
    assert status == 200 and body == {**FAST, "reboot_duration": 0.3, "reboot_starts_late": False}
    assert layer.settings.reboot_duration == 0.3


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [("POST", {"no_such_knob": 1}, 400), ("POST", {"reboot_duration": "slow"}, 400), ("POST", b"{not json", 400),
     ("POST", [1], 400), ("PUT", {}, 405)],
)
def test_config_route_refuses_bad_requests(sandbox, knobs, method, body, status):
    code, answer = call_config(sandbox, method, body)
    assert code == status and "error" in answer
    assert layer.current_settings() == FAST


def test_ml_answers_route_sets_what_the_services_answer(sandbox):
    from auroraml_cli.sandbox import ml_answers

    fixed = {"sentiment": {"meh": "MIXED"}, "endpoints": {"churn-predictor": [0.25, 0.75]},
             "models": {"amazon.titan-text-express-v1": "fixed reply"}}
    try:
        assert call_config(sandbox, "POST", fixed, server.ML_PATH) == (200, fixed)
        assert call_config(sandbox, path=server.ML_PATH) == (200, fixed)
        comprehend = sandbox.client("comprehend")
        assert comprehend.detect_sentiment(Text="meh", LanguageCode="en")["Sentiment"] == "MIXED"
        runtime = sandbox.client("sagemaker-runtime")
        body = runtime.invoke_endpoint(EndpointName="churn-predictor", ContentType="text/csv", Body=b"1\n2\n3\n")
        assert body["Body"].read() == b"0.25\n0.75\n0.25\n"
        answer = sandbox.client("bedrock-runtime").invoke_model(modelId="amazon.titan-text-express-v1",
                                                               body=json.dumps({"inputText": "hi"}))
        assert json.loads(answer["body"].read())["results"][0]["outputText"] == "fixed reply"
        status, refused = call_config(sandbox, "POST", {"sentiment": {"x": "ANGRY"}}, server.ML_PATH)
        assert status == 400 and "ANGRY" in refused["error"]
        assert call_config(sandbox, "POST", {"nope": {}}, server.ML_PATH)[0] == 400
        assert call_config(sandbox, path=server.ML_PATH) == (200, fixed)  # a refused POST changes nothing
    finally:
        ml_answers.reset()


def test_knobs_set_over_http_change_what_clients_see(sandbox, knobs):
    call_config(sandbox, "POST", {"association_delay": LONG_DELAY})
    rds, iam = sandbox.client("rds"), sandbox.client("iam")
    arn = iam.create_role(RoleName="http-ml", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))["Role"]["Arn"]
    rds.add_role_to_db_cluster(DBClusterIdentifier="legacy-v2", RoleArn=arn)

    def status():
        found = rds.describe_db_clusters(DBClusterIdentifier="legacy-v2")["DBClusters"][0]["AssociatedRoles"]
        return {r["RoleArn"]: r["Status"] for r in found}[arn]

    assert status() == "PENDING"
    after_delay()
    assert status() == "ACTIVE"
    rds.remove_role_from_db_cluster(DBClusterIdentifier="legacy-v2", RoleArn=arn)


def test_reset_forgets_and_reseeds(sandbox):
    rds = sandbox.client("rds")
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="scratch", DBParameterGroupFamily="aurora-mysql8.0", Description="x"
    )
    created = sandbox.reset()
    assert "rds cluster ml-demo (us-east-1)" in created
    groups = rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
    names = {g["DBClusterParameterGroupName"] for g in groups}
    assert "scratch" not in names and "shared-params" in names


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::1", "example.com"])
def test_refuses_to_listen_beyond_ipv4_loopback(host):
    with pytest.raises(ValueError, match="loopback"):
        server.start(host=host, seed=False)


def test_serve_forever_returns_cleanly_on_sigterm(knobs):
    seen = {}

    def on_ready(sandbox):
        seen["port"] = sandbox.port
        seen["versions"] = sandbox.client("rds").describe_db_engine_versions(Engine="mysql")["DBEngineVersions"]
        # Signal while serve_forever waits, as `kill` from another terminal would.
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()

    previous = signal.getsignal(signal.SIGTERM)
    server.serve_forever(seed=False, on_ready=on_ready)
    assert seen["versions"][0]["EngineVersion"] == "8.0.36"
    assert signal.getsignal(signal.SIGTERM) is previous
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", seen["port"]), timeout=1)


def test_a_taken_port_fails_fast_instead_of_hanging(sandbox):
    with pytest.raises(OSError):
        server.start(port=sandbox.port, seed=False)
