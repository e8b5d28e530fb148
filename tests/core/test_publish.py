"""`status --watch --publish cloudwatch`, the core: which data points a sample makes, how they are
cut into PutMetricData calls, and the background sender (bounded queue, drop-oldest, retries)
against moto's CloudWatch, read back with GetMetricData."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from auroraml_cli.core import publish as pb
from auroraml_cli.core import status as st

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=timezone.utc)


def doc(seconds: int, **per_instance) -> dict:
    """A status sample: per_instance maps an instance to its delta (None: the first sample)."""
    records = []
    for instance, moved in per_instance.items():
        delta = None if moved is None else {k: None for k in st.SHORT} | moved
        records.append({"instance": instance, "reachable": True, "delta": delta})
    return {"time": (T0 + timedelta(seconds=seconds)).isoformat(timespec="seconds"), "instances": records}


def test_a_sample_makes_counter_deltas_and_interval_ratios_with_rds_dimensions():
    data = pb.metric_data(doc(60, **{"ml-demo-1": {"logical_requests": 100, "actual_requests": 4, "cache_hits": 25,
                                                  "retries": 1}}), "ml-demo")
    by_name = {d["MetricName"]: d for d in data}
    assert by_name["LogicalRequests"]["Value"] == 100 and by_name["LogicalRequests"]["Unit"] == "Count"
    assert by_name["BatchingFactor"]["Value"] == 25 and by_name["BatchingFactor"]["Unit"] == "None"
    assert by_name["CacheHitRatio"]["Value"] == 0.25 and by_name["RetryRate"]["Value"] == 0.25
    assert "SingleRequests" not in by_name and "SingleShare" not in by_name  # absent counters send nothing
    assert by_name["LogicalRequests"]["Dimensions"] == [{"Name": "DBClusterIdentifier", "Value": "ml-demo"},
                                                        {"Name": "DBInstanceIdentifier", "Value": "ml-demo-1"}]
    assert by_name["LogicalRequests"]["Timestamp"] == T0 + timedelta(seconds=60)


def test_the_first_sample_and_an_unreachable_instance_send_nothing():
    assert pb.metric_data(doc(0, a=None), "c") == []
    unreachable = {"time": T0.isoformat(), "instances": [{"instance": "a", "reachable": False, "delta": None}]}
    assert pb.metric_data(unreachable, "c") == []


def test_no_ratio_when_its_divisor_did_not_move():
    names = {d["MetricName"] for d in pb.metric_data(doc(1, a={"logical_requests": 0, "actual_requests": 0}), None)}
    assert names == {"LogicalRequests", "ActualRequests"}


def test_batches_respect_the_metrics_per_call_and_the_payload_budget():
    many = [d for i in range(100) for d in pb.metric_data(
        doc(60, **{f"instance-{i}": {k: i + 1 for k in st.SHORT}}), "c")]
    assert len(many) == 1100
    cut = pb.batches(many)
    assert [len(b) for b in cut] == [1000, 100] and sum(cut, []) == many
    small = pb.batches(many, budget=20_000)
    assert all(sum(pb._size(d) for d in b) <= 20_000 for b in small) and sum(small, []) == many
    # The estimate is generous: a whole call of the largest data points stays under CloudWatch's 1 MB.
    assert sum(pb._size(d) for d in cut[0]) < pb.MAX_PAYLOAD


@pytest.mark.parametrize("namespace", ["", "AWS/RDS", "aws/x", ":x", "x" * 256, "caf\u00e9", "a\nb"])
def test_a_namespace_cloudwatch_refuses_is_refused_first(namespace):
    from auroraml_cli.core.errors import UsageError

    with pytest.raises(UsageError):
        pb.check_namespace(namespace)
    assert pb.check_namespace("AuroraML/prod") == "AuroraML/prod"


@pytest.fixture
def cloudwatch(isolated):
    from moto import mock_aws

    with mock_aws():
        import boto3

        yield boto3.client("cloudwatch", region_name="us-east-1")


def read_back(client, namespace: str, metric: str, instance: str, cluster: str = "ml-demo") -> list[float]:
    got = client.get_metric_data(
        MetricDataQueries=[{"Id": "m", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric,
                       "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster},
                                      {"Name": "DBInstanceIdentifier", "Value": instance}]},
            "Period": 60, "Stat": "Sum"}}],
        StartTime=T0 - timedelta(minutes=5), EndTime=T0 + timedelta(minutes=10))
    return got["MetricDataResults"][0]["Values"]


def test_published_samples_are_read_back_with_get_metric_data(cloudwatch):
    publisher = pb.CloudWatchPublisher(lambda: cloudwatch, "AuroraML-test", "ml-demo")
    publisher.submit(doc(0, **{"ml-demo-1": None}))
    publisher.submit(doc(60, **{"ml-demo-1": {"logical_requests": 120, "actual_requests": 6}}))
    publisher.submit(doc(120, **{"ml-demo-1": {"logical_requests": 30, "actual_requests": 3}}))
    publisher.close()
    assert publisher.notes() == [] and publisher.dropped == 0
    assert sorted(read_back(cloudwatch, "AuroraML-test", "LogicalRequests", "ml-demo-1")) == [30.0, 120.0]
    assert sorted(read_back(cloudwatch, "AuroraML-test", "BatchingFactor", "ml-demo-1")) == [10.0, 20.0]
    assert publisher.sent == 6 and publisher.calls == 2


def test_more_data_points_than_one_call_takes_are_sent_in_several(cloudwatch):
    calls = []

    class Counting:
        def put_metric_data(self, **kw):
            calls.append(len(kw["MetricData"]))
            return cloudwatch.put_metric_data(**kw)

    bodies = []
    cloudwatch.meta.events.register("before-send.cloudwatch.PutMetricData",
                                    lambda request, **_: bodies.append(len(request.body or b"")))
    publisher = pb.CloudWatchPublisher(Counting, "AuroraML-test", "ml-demo")
    publisher.submit(doc(60, **{f"ml-demo-{i}": {k: 1 for k in st.SHORT} for i in range(100)}))
    publisher.close()
    assert calls == [1000, 100]
    assert len(bodies) == 2 and max(bodies) < pb.MAX_PAYLOAD  # the full call, as sent, under CloudWatch's 1 MB
    assert read_back(cloudwatch, "AuroraML-test", "CacheHits", "ml-demo-99") == [1.0]


class Blocking:
    """A CloudWatch client whose first call waits until released: CloudWatch slower than the watch."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.sent: list[str] = []

    def put_metric_data(self, **kw):
        self.entered.set()
        assert self.release.wait(30)
        self.sent.append(kw["MetricData"][0]["Timestamp"].isoformat())


def test_a_slow_cloudwatch_never_blocks_submit_and_the_oldest_waiting_sample_is_dropped():
    client = Blocking()
    publisher = pb.CloudWatchPublisher(lambda: client, "N", "c", queue_size=2)
    publisher.submit(doc(1, a={"logical_requests": 1}))
    assert client.entered.wait(30)  # the thread is inside the first call, held there
    for second in (2, 3, 4, 5):  # returns at once although the sender is stuck
        publisher.submit(doc(second, a={"logical_requests": second}))
    assert publisher.dropped == 2
    notes = publisher.notes()
    assert len(notes) == 2 and "dropped the oldest waiting sample (2 dropped so far)" in notes[-1]
    client.release.set()
    publisher.close()
    assert client.sent == [(T0 + timedelta(seconds=s)).isoformat() for s in (1, 4, 5)]


class Failing:
    def __init__(self, codes: list[str]) -> None:
        self.codes, self.calls = list(codes), 0

    def put_metric_data(self, **kw):
        from botocore.exceptions import ClientError

        self.calls += 1
        if self.codes:
            code = self.codes.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": f"{code} here"}}, "PutMetricData")


def test_a_failed_call_is_retried_with_growing_jittered_backoff():
    client, waits = Failing(["Throttling", "InternalFailure"]), []
    publisher = pb.CloudWatchPublisher(lambda: client, "N", "c", backoff=(1.0, 3.0),
                                       wait=lambda _event, seconds: waits.append(seconds))
    publisher.submit(doc(1, a={"logical_requests": 1}))
    publisher.close()
    assert client.calls == 3 and publisher.sent == 1 and publisher.notes() == []
    assert len(waits) == 2 and 0 <= waits[0] <= 1.0 and 0 <= waits[1] <= 2.0


def test_a_call_failing_every_attempt_is_dropped_with_a_warning_and_the_next_sample_still_goes():
    client = Failing(["Throttling"] * 3)
    publisher = pb.CloudWatchPublisher(lambda: client, "N", "c", attempts=3, wait=lambda _e, _s: None)
    publisher.submit(doc(1, a={"logical_requests": 1}))
    publisher.submit(doc(2, a={"logical_requests": 1}))
    publisher.close()
    assert client.calls == 4 and publisher.failed == 1 and publisher.sent == 1
    (note,) = publisher.notes()
    assert "failed 3 time(s)" in note and "dropped" in note


def test_access_denied_stops_publishing_and_names_the_policy_to_ask_for():
    client = Failing(["AccessDenied"])
    publisher = pb.CloudWatchPublisher(lambda: client, "AuroraML", "c", wait=lambda _e, _s: None)
    publisher.submit(doc(1, a={"logical_requests": 1}))
    publisher.close()
    publisher.submit(doc(2, a={"logical_requests": 1}))
    assert client.calls == 1
    (note,) = publisher.notes()
    assert "publishing stopped" in note and "iam-policy --command status --publish cloudwatch --namespace AuroraML" in note


def test_a_403_whose_error_code_cannot_be_read_stops_publishing_too():
    from botocore.exceptions import ClientError

    class Forbidden:
        calls = 0

        def put_metric_data(self, **_):
            Forbidden.calls += 1
            raise ClientError({"Error": {"Code": "403", "Message": "<xml/>"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, "PutMetricData")

    publisher = pb.CloudWatchPublisher(Forbidden, "AuroraML", "c", wait=lambda _e, _s: None)
    publisher.submit(doc(1, a={"logical_requests": 1}))
    publisher.close()
    assert Forbidden.calls == 1 and "iam-policy" in publisher.notes()[0]


@given(hs.text(max_size=300))
def test_any_namespace_is_taken_as_cloudwatch_would_or_refused_with_a_usage_error(namespace):
    from auroraml_cli.core.errors import UsageError

    try:
        taken = pb.check_namespace(namespace)
    except UsageError as exc:
        assert "\n" not in exc.message
        return
    assert taken == namespace and 1 <= len(namespace) <= 255 and namespace.isascii()
    assert not namespace.upper().startswith("AWS/") and not namespace.startswith(":")


def test_the_sender_thread_leaves_ctrl_c_and_sigterm_to_the_main_thread():
    """Delivered to the sender, a signal would be raised in the main thread at once, through the
    watch's holding it back while a sample is printed and counted (seen: a sample shown and never
    published nor counted)."""
    import signal

    masks = []

    class Looking:
        def put_metric_data(self, **_):
            masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))

    publisher = pb.CloudWatchPublisher(Looking, "N", "c")
    publisher.submit(doc(1, a={"logical_requests": 1}))
    publisher.close()
    assert len(masks) == 1 and {signal.SIGINT, signal.SIGTERM} <= masks[0]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the caller's own is untouched
