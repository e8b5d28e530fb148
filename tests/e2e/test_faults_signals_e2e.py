"""Real signals on the installed `auroraml` (issue 7): SIGINT, SIGTERM and SIGKILL while a write
is on its way to AWS and while a reboot is waited for, each sent after the run's k-th `done`
progress line. The sandbox server runs in this process, so a test can hold a request there until
the signal has landed (AWS then applies it anyway, as it would for a client that went away).

SIGINT exits 130 and SIGTERM 143 (128 + 15, as a shell reports it), with the plan on stdout: the step
under way `failed` ("interrupted"), nothing after it started, nothing half-done reported `done`.
SIGKILL leaves no plan, and in the change journal the intent of the step under way with no
outcome. After each,
the same command converges to an undisturbed run's end state, one reboot per member.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import threading
import time

import pytest
from support.faults import RebootCounter, end_state, new_cluster

from .conftest import AURORAML, FAST, auroraml

SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}
# (name, the k-th `done` line after which the signal is sent, what is under way then)
POINTS = (
    ("write", 1, "CreateRole held at the sandbox"),
    ("reboot-wait", 7, "the writer rebooting, its in-sync awaited"),
)
SCENARIOS = [("setup", f"{name} after the {k}th done line: {what}", point)
             for name in SIGNALS for point, k, what in POINTS]

_names = itertools.count()


class ServerHold:
    """Holds the sandbox server's handling of matching requests until released."""

    def __init__(self, monkeypatch) -> None:
        from moto.core.responses import BaseResponse

        self.rules: list[tuple[str, str, threading.Event, threading.Event]] = []
        original = BaseResponse.call_action

        def call_action(response):
            # the query protocol's parameters, as `Name=value` pairs (the body is parsed by now)
            body = "&".join(f"{k}={v}" for k, values in response.querystring.items() for v in values)
            for action, match, arrived, release in self.rules:
                if response._get_action() == action and match in body:
                    arrived.set()
                    release.wait(timeout=60)
            return original(response)

        monkeypatch.setattr(BaseResponse, "call_action", call_action)

    def add(self, action: str, match: str) -> tuple[threading.Event, threading.Event]:
        arrived, release = threading.Event(), threading.Event()
        self.rules.append((action, match, arrived, release))
        return arrived, release


class Running:
    """The installed auroraml as a child process, its stderr read line by line as it comes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([AURORAML, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=dict(os.environ), stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        self.out = ""
        self._changed = threading.Condition()
        self._threads = [threading.Thread(target=self._read_err, daemon=True),
                         threading.Thread(target=self._read_out, daemon=True)]
        for t in self._threads:
            t.start()

    def _read_err(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def _read_out(self) -> None:
        self.out = self.proc.stdout.read()

    def wait_for_done_lines(self, k: int, timeout: float = 60) -> None:
        with self._changed:
            ok = self._changed.wait_for(lambda: sum(line.startswith("  done ") for line in self.lines) >= k, timeout)
        assert ok, "\n".join(self.lines)

    def finish(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=10)
        return code

    @property
    def err(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def sandbox_env(sandbox_server, isolated, monkeypatch):
    """The session's sandbox server without a reset: each test makes its own cluster."""
    from auroraml_cli.sandbox import layer

    layer.configure(**FAST)
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    monkeypatch.setenv("AURORAML_POLL_INTERVAL", "0.05")
    yield sandbox_server
    layer.configure(**FAST)


_REFERENCE: list[dict] = []


def _setup(cluster: str, **kw):
    return auroraml("-o", "json", "setup", "comprehend", "--cluster", cluster, "--reboot", "--yes", **kw)


def _reference(sandbox) -> dict:
    if not _REFERENCE:
        cluster = new_cluster(sandbox.client("rds"), f"e2esig{next(_names)}")
        _setup(cluster)
        _REFERENCE.append(end_state(sandbox.client, cluster))
    return _REFERENCE[0]


def _check_interrupted(name: str, code: int, run: Running, under_way: tuple[str, str], k: int) -> None:
    """SIGINT/SIGTERM: exit 130/143, the error and its next step, and the plan: the step under way
    failed ("interrupted"), the k steps reported done as they happened done, the rest planned.
    SIGKILL: nothing to print, nothing printed."""
    if name == "SIGKILL":
        assert code == -signal.SIGKILL and run.out == "", (code, run.out)
        return
    assert code == (143 if name == "SIGTERM" else 130), run.err
    errors = [line for line in run.lines if line.startswith("error: ")]
    assert errors == ["error: terminated (SIGTERM)" if name == "SIGTERM" else "error: interrupted"], run.err
    assert "  next: run the same command again" in run.err
    steps = json.loads(run.out)["steps"]
    got = [((s["action"], s["target"]), s["status"]) for s in steps]
    at = [i for i, (_, status) in enumerate(got) if status == "failed"]
    assert len(at) == 1 and got[at[0]][0] == under_way and steps[at[0]]["detail"] == "interrupted", got
    assert [status for _, status in got[:at[0]]] == ["done"] * k, got
    assert {status for _, status in got[at[0] + 1:]} <= {"planned"}, got


def _in_parallel(function, items) -> list:
    """function(item) for each item in its own thread; the first exception is raised here."""
    results: dict = {}

    def call(index, item):
        try:
            results[index] = (True, function(item))
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            results[index] = (False, exc)

    threads = [threading.Thread(target=call, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for ok, value in (results[i] for i in range(len(items))):
        if not ok:
            raise value
    return [results[i][1] for i in range(len(items))]


@pytest.mark.parametrize("point, k", [(p, k) for p, k, _ in POINTS], ids=[p for p, _, _ in POINTS])
def test_each_signal_after_the_kth_step_then_the_same_command_converges(sandbox_env, monkeypatch, point, k):
    """SIGINT, SIGTERM and SIGKILL at the same point, each on its own cluster, side by side."""
    from auroraml_cli.sandbox import layer

    reference = _reference(sandbox_env)
    reboots = RebootCounter(monkeypatch)
    hold = ServerHold(monkeypatch)
    clusters = {name: new_cluster(sandbox_env.client("rds"), f"e2esig{next(_names)}") for name in SIGNALS}
    held = {}
    if point == "write":
        held = {name: hold.add("CreateRole", f"RoleName=auroraml-comprehend-{c}") for name, c in clusters.items()}
        under_way = {name: ("create-role", f"auroraml-comprehend-{c}") for name, c in clusters.items()}
    else:
        layer.configure(reboot_duration=3600)
        under_way = {name: ("reboot-instance", f"{c}-1") for name, c in clusters.items()}

    runs = {name: Running("-o", "json", "setup", "comprehend", "--cluster", c, "--reboot", "--yes")
            for name, c in clusters.items()}
    codes = {}
    try:
        for name, run in runs.items():
            run.wait_for_done_lines(k)
            if point == "write":
                assert held[name][0].wait(timeout=30), run.err
            else:
                writer = f"{clusters[name]}-1"
                deadline = time.monotonic() + 30
                while reboots.accepted.get(writer) != 1 and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert reboots.accepted.get(writer) == 1, run.err
                # Only the wait for in-sync describes the writer after its reboot: the next such
                # request means the run is polling now.
                polled, go_on = hold.add("DescribeDBInstances", f"DBInstanceIdentifier={writer}")
                go_on.set()
                assert polled.wait(timeout=30), run.err
            run.proc.send_signal(SIGNALS[name])
        codes = {name: run.finish() for name, run in runs.items()}
    finally:
        for _, release in held.values():
            release.set()  # the held request goes on: AWS applies what it was sent
        for run in runs.values():
            if run.proc.poll() is None:
                run.proc.kill()
        layer.configure(reboot_duration=FAST["reboot_duration"])

    for name, run in runs.items():
        _check_interrupted(name, codes[name], run, under_way[name], k)
    # The step under way had sent its write, after its intent (`started`) was on disk: SIGINT and
    # SIGTERM leave its outcome as failed (a re-run finding it done records nothing); SIGKILL
    # leaves no chance to, so the intent stands alone, and history says "started, outcome unknown".
    from auroraml_cli.core import journal

    records = [json.loads(line) for line in journal.default_path(os.environ).read_text().splitlines()]
    paired = journal.pair(records)
    for name, cluster in clusters.items():
        failed = [(r["action"], r["target"]) for r in records if r["cluster"] == cluster and r["status"] == "failed"]
        assert failed == ([] if name == "SIGKILL" else [under_way[name]]), (name, failed)
        unknown = [(r["action"], r["target"]) for r in paired if r["cluster"] == cluster and r["status"] == "started"]
        assert unknown == ([under_way[name]] if name == "SIGKILL" else []), (name, unknown)
    shown = auroraml("history", "--json", "--cluster", clusters["SIGKILL"])
    assert shown.json()["records"][-1]["status"] == "started" and "no recorded outcome" in shown.stderr
    layer.advance(FAST["reboot_duration"] + 1)  # the writers' reboots are over now
    again = _in_parallel(lambda c: _setup(c), list(clusters.values()))
    for name, r in zip(clusters, again):
        statuses = {(s["action"], s["target"]): s["status"] for s in r.json()["steps"]}
        assert statuses[under_way[name]] in ("unchanged", "done"), statuses
        cluster = clusters[name]
        assert end_state(sandbox_env.client, cluster) == reference, name
        assert {i: n for i, n in reboots.accepted.items() if i.startswith(f"{cluster}-")} == {
            f"{cluster}-1": 1, f"{cluster}-2": 1}, name
