"""Two `setup` runs of the installed auroraml on the same cluster at once: the second waits on the
cluster's lock, says so (naming the first run's pid), then plans from what the first did, so no
change is made, or recorded `done`, twice. The first run is held at the sandbox in its CreateRole
until the second is seen waiting: the order is fixed by events, not by sleeps."""

from __future__ import annotations

import json
import os

from support.faults import new_cluster

from . import test_faults_signals_e2e as signals
from .test_faults_signals_e2e import Running, ServerHold, _names

sandbox_env = signals.sandbox_env  # the session's sandbox server, each test on its own cluster


def _wait_for(run: Running, text: str, timeout: float = 60) -> None:
    with run._changed:
        ok = run._changed.wait_for(lambda: any(text in line for line in run.lines), timeout)
    assert ok, run.err


def test_a_second_setup_waits_for_the_first_then_finds_its_work_done(sandbox_env, monkeypatch):
    from auroraml_cli.core import journal

    cluster = new_cluster(sandbox_env.client("rds"), f"e2elock{next(_names)}")
    arrived, release = ServerHold(monkeypatch).add("CreateRole", f"RoleName=auroraml-comprehend-{cluster}")
    args = ("-o", "json", "setup", "comprehend", "--cluster", cluster, "--no-reboot")
    first = Running(*args)
    second = None
    try:
        assert arrived.wait(timeout=60), first.err  # the first holds the lock, mid-change
        second = Running(*args)
        _wait_for(second, f"waiting for another auroraml run on {cluster} (pid {first.proc.pid})")
        assert second.proc.poll() is None
    finally:
        release.set()
    assert first.finish() == 7, first.err
    assert second.finish() == 7, second.err
    done = {(s["action"], s["target"]) for s in json.loads(first.out)["steps"] if s["status"] == "done"}
    assert len(done) == 7
    assert all(s["status"] in ("unchanged", "skipped") for s in json.loads(second.out)["steps"]), second.out

    lines = [json.loads(line) for line in journal.default_path(os.environ).read_text().splitlines()]
    mine = [r for r in lines if r["cluster"] == cluster]
    assert len({r["run"] for r in mine}) == 1  # the second run wrote nothing
    outcomes = [(r["action"], r["target"]) for r in mine if r["status"] == "done"]
    assert sorted(outcomes) == sorted(done) and len(outcomes) == len(set(outcomes))
