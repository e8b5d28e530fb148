"""`auroraml status` against the sandbox's writers, with ML calls that really ran (Comprehend
batches through the sandbox's AWS half), as an operator would read them."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import auroraml
from .test_database_e2e import _master


def _guide_query(sandbox):
    """The guide's example: average sentiment confidence over the support feedback."""
    with _master(sandbox).cursor() as cur:
        cur.execute("SELECT COUNT(*), AVG(aws_comprehend_detect_sentiment_confidence(feedback, 'en')) "
                    "FROM demo.support WHERE aws_comprehend_detect_sentiment(feedback, 'en') = 'POSITIVE'")
        return cur.fetchone()


def test_counters_per_instance_after_a_batched_query(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    auroraml("status", "--cluster", "ml-demo", "--reset", "--yes")
    count, confidence = _guide_query(sandbox)
    assert count > 0 and 0 < float(confidence) <= 1
    doc = auroraml("-o", "json", "status", "--cluster", "ml-demo").json()
    by_name = {i["instance"]: i for i in doc["instances"]}
    writer, reader = by_name["ml-demo-1"], by_name["ml-demo-2"]
    assert writer["counters"]["logical_requests"] >= 10
    assert 0 < writer["counters"]["actual_requests"] < writer["counters"]["logical_requests"]
    assert writer["derived"]["batching_factor"] > 1
    assert reader["counters"]["logical_requests"] == 0
    assert doc["total"]["counters"]["logical_requests"] == writer["counters"]["logical_requests"]


def test_an_older_engine_shows_two_counters_as_absent(sandbox, isolated):
    cnf = isolated / "v2.cnf"
    cnf.write_text("[client]\nuser = admin\npassword = sandbox-password\n")
    doc = auroraml("-o", "json", "status", "--cluster", "legacy-v2", "--defaults-file", str(cnf)).json()
    counters = doc["instances"][0]["counters"]
    assert counters["logical_requests"] is None and counters["retries"] is None
    assert counters["actual_requests"] is not None


def test_watch_json_lines_and_prometheus(sandbox):
    lines = auroraml("-o", "json", "status", "--cluster", "ml-demo", "--watch", "--interval", "0.2", "--count", "2").stdout
    docs = [json.loads(line) for line in lines.splitlines()]
    assert [len(d["instances"]) for d in docs] == [2, 2]
    text = auroraml("-o", "prometheus", "status", "--cluster", "ml-demo").stdout
    assert 'mysql_global_status_aurora_ml_actual_request_cnt{cluster="ml-demo",instance="ml-demo-1"}' in text


class Watch:
    """`auroraml -o json status --watch` without --count, as a child process: the test reads its
    samples one by one and says when to stop (Ctrl-C), so no event it waits for can fall between
    a fixed number of samples."""

    def __init__(self, *args: str) -> None:
        import os
        import subprocess
        import threading

        from .conftest import AURORAML

        self.proc = subprocess.Popen([AURORAML, "-o", "json", "status", *args, "--watch", "--interval", "0.1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        self.docs: list[dict] = []
        self._guard = threading.Timer(120, self.proc.kill)  # a test that never sees its sample ends anyway
        self._guard.start()

    def next(self) -> dict:
        line = self.proc.stdout.readline()
        assert line.endswith("\n"), f"the watch ended: {self.proc.stderr.read()}"
        self.docs.append(json.loads(line))
        return self.docs[-1]

    def until(self, wanted) -> dict:
        """The next sample whose writer record satisfies `wanted`."""
        while not wanted(self.next()["instances"][0]):
            pass
        return self.docs[-1]

    def interrupt(self) -> str:
        """Ctrl-C; the samples printed meanwhile are kept (a line cut short by the signal is not)."""
        import signal

        self.proc.send_signal(signal.SIGINT)
        out, err = _finish(self.proc)
        self._guard.cancel()
        assert self.proc.returncode == 130, err  # Ctrl-C ends a watch with 130, after its summary
        self.docs += [json.loads(line) for line in out.split("\n")[:-1]]
        return err

    def close(self) -> None:
        self._guard.cancel()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def _finish(proc, timeout: float = 60) -> tuple[str, str]:
    """The rest of stdout and stderr once the process has ended. Not communicate(): it reads the
    pipes' descriptors directly and loses what an earlier readline() had already read ahead into
    the text buffer (at times a whole sample, which then looked printed-but-not-counted)."""
    import threading

    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        out = proc.stdout.read()  # through the same buffer readline() used
        err = proc.stderr.read()  # a few lines: it cannot fill its pipe while stdout is read
        proc.wait()
    finally:
        killer.cancel()
    return out, err


def test_a_writer_reboot_mid_watch_restarts_its_deltas_instead_of_going_negative(sandbox):
    from auroraml_cli.sandbox import layer

    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    _guide_query(sandbox)  # counters above zero before the watch starts
    watch = Watch("--cluster", "ml-demo")
    try:
        assert watch.next()["instances"][0]["counters"]["logical_requests"] > 0
        sandbox.client("rds").reboot_db_instance(DBInstanceIdentifier="ml-demo-1")
        layer.advance(1)  # the reboot is over: the next sample of the writer finds its counters at 0
        watch.until(lambda w: w["restarted"])
        watch.interrupt()
    finally:
        watch.close()
    writer = [d["instances"][0] for d in watch.docs]
    assert all(v is None or v >= 0 for w in writer if w["delta"] for v in w["delta"].values())


def test_watch_count_three_gives_three_json_lines_with_stable_keys(sandbox):
    out = auroraml("-o", "json", "status", "--cluster", "ml-demo", "--watch", "--interval", "0.1", "--count", "3").stdout
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 3
    assert all(set(d) == set(docs[0]) for d in docs) and {"time", "instances"} <= set(docs[0])
    keys = {frozenset(i) for d in docs for i in d["instances"]}
    assert len(keys) == 1, keys
    assert [d["instances"][0]["delta"] is None for d in docs] == [True, False, False]


def test_an_endpoint_killed_and_restarted_mid_watch_is_reported_and_reconnected(sandbox):
    watch = Watch("--cluster", "ml-demo")
    try:
        assert all(i["reachable"] for i in watch.next()["instances"])
        endpoint = sandbox.sql_endpoints["ml-demo"]
        endpoint.go_down()
        try:
            watch.until(lambda w: not w["reachable"])
        finally:
            endpoint.come_back()
        watch.until(lambda w: w["reachable"])
        err = watch.interrupt()
    finally:
        watch.close()
    writer = [d["instances"][0] for d in watch.docs]
    down = [i for i, w in enumerate(writer) if not w["reachable"]]
    assert writer[down[0]]["note"].startswith("unreachable")
    back = writer[down[-1] + 1]
    assert back["reachable"] and back["note"] == "reconnected"
    assert writer[-1]["reachable"]
    shown = int(re.search(r"watched (\d+) sample\(s\)", err)[1])
    assert "unreachable" in err and shown == len(watch.docs)  # a sample printed is a sample counted


@pytest.mark.parametrize("name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_real_signal_ends_a_watch_with_its_exit_code_and_the_samples_taken(sandbox, name, code):
    """Ctrl-C exits 130 and SIGTERM 143 (were 0 and 130), each after the summary, which counts the
    samples printed (was 0: the count was lost with the interrupt)."""
    import os
    import signal
    import subprocess

    from .conftest import AURORAML

    proc = subprocess.Popen([AURORAML, "-o", "json", "status", "--cluster", "ml-demo", "--watch", "--interval", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    first = [proc.stdout.readline(), proc.stdout.readline()]
    proc.send_signal(getattr(signal, name))
    out, err = _finish(proc)
    assert proc.returncode == code, err
    samples = [json.loads(line) for line in first + out.splitlines()]
    assert len(samples) >= 2 and f"watched {len(samples)} sample(s)" in err, err
    assert "error:" not in err


def test_a_watch_that_never_reaches_an_instance_exits_5(sandbox):
    """Every instance down for the whole run: exit 5 (was 0), after one line per sample."""
    endpoint = sandbox.sql_endpoints["ml-demo"]
    endpoint.go_down()
    try:
        r = auroraml("-o", "json", "status", "--cluster", "ml-demo", "--watch", "--interval", "0.05", "--count", "2", code=5)
    finally:
        endpoint.come_back()
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [[i["reachable"] for i in d["instances"]] for d in docs] == [[False, False], [False, False]]
    assert "error: no instance could be read in 2 sample(s): ml-demo-1: unreachable" in r.stderr


def test_a_watch_publishes_the_deltas_of_real_ml_calls_to_cloudwatch_and_the_textfile(sandbox, isolated):
    """`status --watch --publish cloudwatch --prometheus-textfile` on the sandbox: the deltas of a
    batched query, read back from the sandbox's CloudWatch with GetMetricData, add up to what the
    watch printed; the textfile holds the last sample under mysqld_exporter's names."""
    from datetime import datetime, timedelta, timezone

    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    textfile = isolated / "aurora_ml.prom"
    watch = Watch("--cluster", "ml-demo", "--publish", "cloudwatch", "--namespace", "AuroraML-e2e",
                  "--prometheus-textfile", str(textfile))
    try:
        watch.next()
        _guide_query(sandbox)
        watch.until(lambda w: (w["delta"] or {}).get("logical_requests"))
        err = watch.interrupt()
    finally:
        watch.close()
    writer = [d["instances"][0] for d in watch.docs]
    logical = sum(w["delta"]["logical_requests"] for w in writer if w["delta"])
    assert logical >= 10 and "to CloudWatch namespace AuroraML-e2e" in err
    start = datetime.fromisoformat(watch.docs[0]["time"]) - timedelta(minutes=2)

    def read(metric: str, stat: str) -> list[float]:
        got = sandbox.client("cloudwatch").get_metric_data(
            MetricDataQueries=[{"Id": "m", "ReturnData": True, "MetricStat": {
                "Metric": {"Namespace": "AuroraML-e2e", "MetricName": metric,
                           "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "ml-demo"},
                                          {"Name": "DBInstanceIdentifier", "Value": "ml-demo-1"}]},
                "Period": 60, "Stat": stat}}],
            StartTime=start, EndTime=datetime.now(timezone.utc) + timedelta(minutes=2))
        return got["MetricDataResults"][0]["Values"]

    assert sum(read("LogicalRequests", "Sum")) == logical
    assert max(read("BatchingFactor", "Maximum")) > 1
    last = writer[-1]["counters"]["logical_requests"]
    assert f'mysql_global_status_aurora_ml_logical_request_cnt{{cluster="ml-demo",instance="ml-demo-1"}} {last}' \
        in textfile.read_text()
