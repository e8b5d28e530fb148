"""`auroraml status` into the tools teams watch: `-o prometheus` with mysqld_exporter's names,
`--prometheus-textfile` for node_exporter, `--watch --publish cloudwatch` (on moto, read back with
GetMetricData), against the sandbox's Aurora SQL endpoint."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from auroraml_cli.core import prometheus as pm
from auroraml_cli.core.operator_policy import ACTIONS, PUBLISH_ACTIONS

# aurora_server / aurora: tests/cli/conftest.py


def families(text: str) -> dict[str, str]:
    return {line.split()[2]: line.split()[3] for line in text.splitlines() if line.startswith("# TYPE ")}


def test_prometheus_output_uses_mysqld_exporters_names_and_types_counters(cli, aurora):
    text = cli("-o", "prometheus", "status", *aurora).stdout
    types = families(text)
    assert types["mysql_global_status_aurora_ml_logical_request_cnt"] == "counter"
    assert types["mysql_global_status_uptime"] == "counter"
    assert types["auroraml_batching_factor"] == "gauge" and types["auroraml_instance_up"] == "gauge"
    assert set(types) == set(pm.metric_names())
    assert f'mysql_global_status_aurora_ml_actual_request_cnt{{instance="{aurora[1]}:{aurora[3]}"}} 0' in text


def test_the_textfile_is_written_whole_0644_beside_the_usual_output(cli, aurora, isolated):
    (isolated / "textfile").mkdir()
    path = isolated / "textfile" / "aurora_ml.prom"
    r = cli("-o", "json", "status", *aurora, "--prometheus-textfile", str(path))
    assert r.json()["instances"][0]["reachable"]  # stdout keeps its document
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert set(families(path.read_text())) == set(pm.metric_names())
    assert [p.name for p in path.parent.iterdir()] == ["aurora_ml.prom"]


def test_with_watch_the_textfile_is_rewritten_each_sample(cli, aurora, isolated, monkeypatch):
    path = isolated / "aurora_ml.prom"
    written: list[str] = []
    real = pm.write_textfile
    monkeypatch.setattr(pm, "write_textfile", lambda target, text: (written.append(text), real(target, text)))
    r = cli("-o", "json", "status", *aurora, "--watch", "--interval", "0.1", "--count", "3", "--prometheus-textfile", str(path))
    last = json.loads(r.stdout.splitlines()[-1])["instances"][0]
    assert len(written) == 3 and path.read_text() == written[-1]
    assert f"mysql_global_status_uptime{{instance=\"{last['instance']}\"}} {last['uptime']}" in written[-1]


def test_a_textfile_directory_that_does_not_exist_is_exit_2_before_connecting(cli, isolated):
    r = cli("status", "--host", "127.0.0.1", "--port", "1", "--prometheus-textfile",
            str(isolated / "nowhere" / "aurora_ml.prom"), code=2)
    r.assert_refused()
    assert "does not exist" in r.stderr


@pytest.mark.parametrize("args, said", [
    (("--publish", "cloudwatch"), "--watch"),
    (("--watch", "--publish", "datadog"), "cloudwatch"),
    (("--watch", "--namespace", "X"), "--publish"),
    (("--watch", "--publish", "cloudwatch", "--namespace", "AWS/RDS"), "AWS/"),
])
def test_publish_refusals_are_exit_2_before_anything_runs(cli, args, said):
    r = cli("status", "--host", "127.0.0.1", "--port", "1", *args, code=2)
    r.assert_refused()
    assert said in r.stderr


@pytest.fixture
def cloudwatch(isolated):
    from moto import mock_aws

    with mock_aws():
        import boto3

        yield boto3.client("cloudwatch", region_name="us-east-1")


def test_watch_publishes_each_interval_to_cloudwatch_read_back_with_get_metric_data(cli, aurora, cloudwatch):
    r = cli("-o", "json", "status", *aurora, "--watch", "--interval", "0.1", "--count", "3",
            "--publish", "cloudwatch", "--namespace", "AuroraML-test")
    assert len(r.stdout.splitlines()) == 3
    instance = f"{aurora[1]}:{aurora[3]}"
    now = datetime.now(timezone.utc)
    got = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "m", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "AuroraML-test", "MetricName": "ActualRequests",
                       "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance}]},
            "Period": 60, "Stat": "SampleCount"}}],
        StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=1))
    assert sum(got["MetricDataResults"][0]["Values"]) == 2  # the second and third samples: deltas over an interval
    assert "cloudwatch.PutMetricData" in r.calls
    assert "to CloudWatch namespace AuroraML-test" in r.stderr
    granted = set(ACTIONS["status"]) | set(PUBLISH_ACTIONS["cloudwatch"])
    assert {c.replace(".", ":", 1) for c in r.calls} <= granted  # `iam-policy --publish cloudwatch` covers it


def test_without_cloudwatch_access_the_watch_goes_on_and_says_what_policy_is_missing(cli, aurora, cloudwatch, monkeypatch):
    from botocore.exceptions import ClientError

    from auroraml_cli.core import aws

    made = aws.Aws.client

    def client(self, service, region=None):
        real = made(self, service, region)
        if service != "cloudwatch":
            return real

        class Refusing:
            def put_metric_data(self, **_):
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "PutMetricData")

        return Refusing()

    monkeypatch.setattr(aws.Aws, "client", client)
    r = cli("-o", "json", "status", *aurora, "--watch", "--interval", "0.1", "--count", "3", "--publish", "cloudwatch")
    assert len(r.stdout.splitlines()) == 3
    assert "publishing stopped" in r.stderr and "iam-policy --command status --publish cloudwatch" in r.stderr
