"""Ctrl-C at each step of `setup` and `teardown` (issue 7), in-process: before a write reaches AWS,
after AWS applied it but before its answer arrived, and while a step waits (association, reboot).

Each interrupted run exits 130 with the plan rendered: the interrupted step `failed`
("interrupted"), the steps after it `planned`, nothing half-done reported `done`; the same command
run again resumes there and ends where an undisturbed run ends, with one reboot per member.
Real signals on the installed script (SIGINT, SIGTERM, SIGKILL) are in
tests/e2e/test_faults_signals_e2e.py. `SCENARIOS` lists every (command, fault, step) covered here.
"""

from __future__ import annotations

import itertools

import pytest
from support.faults import (FAST, INTERRUPT, INTERRUPT_AFTER, STEPS, AwsFaults, RebootCounter, end_state,
                            install_aws_faults, moto_sandbox_fixture, new_cluster, step_key)

moto_sandbox = pytest.fixture(scope="module")(moto_sandbox_fixture)

KINDS = {INTERRUPT: "Ctrl-C before the write", INTERRUPT_AFTER: "Ctrl-C after the write, before its answer"}
# (command, what the step waits for, the poll the Ctrl-C lands on: operation, body match or None, after)
WAITS = (
    ("setup", "association ACTIVE", "DescribeDBClusters", None, "AddRoleToDBCluster"),
    ("setup", "writer in-sync", "DescribeDBInstances", "-1", None),
    ("setup", "reader in-sync", "DescribeDBInstances", "-2", None),
    ("teardown", "writer in-sync", "DescribeDBInstances", "-1", None),
)
SCENARIOS: list[tuple[str, str, str]] = [
    *[(command, text, step.label()) for command, steps in STEPS.items() for text in KINDS.values() for step in steps],
    *[(command, "Ctrl-C while waiting", what) for command, what, *_ in WAITS],
]

_names = itertools.count()
_REFERENCE: dict[str, dict] = {}


@pytest.fixture
def env(moto_sandbox, isolated, monkeypatch):
    import boto3

    moto_sandbox.configure(**FAST)
    clients: dict = {}
    boto = lambda service, region="us-east-1": clients.setdefault((service, region), boto3.client(service, region_name=region))  # noqa: E731
    yield install_aws_faults(monkeypatch, AwsFaults()), RebootCounter(monkeypatch), boto
    moto_sandbox.configure(**FAST)


def run(cli, command: str, cluster: str, code: int | None = 0):
    return cli("-o", "json", command, "comprehend", "--cluster", cluster, "--reboot", "--yes", code=code)


def start(cli, boto, faults, reboots, command: str) -> str:
    cluster = new_cluster(boto("rds"), f"sig{next(_names)}")
    if command == "teardown":
        run(cli, "setup", cluster)
    faults.clear()
    for instance in [i for i in reboots.accepted if i.startswith(f"{cluster}-")]:
        del reboots.accepted[instance]
    return cluster


def reference(cli, boto, faults, reboots, command: str) -> dict:
    if command not in _REFERENCE:
        cluster = start(cli, boto, faults, reboots, command)
        run(cli, command, cluster)
        _REFERENCE[command] = end_state(boto, cluster)
    return _REFERENCE[command]


def assert_interrupted_at(r, key) -> None:
    """Exit 130, one error line and its next step; the plan rendered with the interrupted step
    failed, nothing after it started, and nothing before it left undone."""
    assert r.code == 130
    lines = r.stderr.splitlines()
    assert [line for line in lines if line.startswith("error: ")] == ["error: interrupted"], r.stderr
    assert lines[lines.index("error: interrupted") + 1].startswith("  next: run the same command again")
    steps = r.json()["steps"]
    at = [i for i, s in enumerate(steps) if s["status"] == "failed"]
    assert len(at) == 1 and step_key(steps[at[0]]) == key and steps[at[0]]["detail"] == "interrupted", steps
    assert {s["status"] for s in steps[at[0] + 1:]} <= {"planned"}, steps
    assert {s["status"] for s in steps[:at[0]]} <= {"done", "unchanged"}, steps


def assert_converged(cli, boto, faults, reboots, command: str, cluster: str) -> None:
    faults.clear()
    assert end_state(boto, cluster) == reference(cli, boto, faults, reboots, command)
    assert {i: n for i, n in reboots.accepted.items() if i.startswith(f"{cluster}-")} == {
        f"{cluster}-1": 1, f"{cluster}-2": 1}
    again = run(cli, command, cluster)
    assert {s["status"] for s in again.json()["steps"]} == {"unchanged"} and again.writes == []


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("command", ["setup", "teardown"])
def test_ctrl_c_at_each_step_then_the_same_command_resumes(cli, env, command, kind):
    """Run k is interrupted at step k; run k+1 (the re-run) does what is left of step k and is
    interrupted at step k+1; ... the last run finishes."""
    faults, reboots, boto = env
    cluster = start(cli, boto, faults, reboots, command)
    for step in STEPS[command]:
        faults.clear()
        faults.add(step.operation, kind, match=step.match(cluster))
        r = run(cli, command, cluster, code=130)
        assert_interrupted_at(r, step.key(cluster))
        assert faults.attempts(step.operation)[-1] == kind  # no retry of an interrupted call
    faults.clear()
    last = run(cli, command, cluster)
    if kind == INTERRUPT_AFTER:  # the last write was applied before the Ctrl-C: found done
        assert [s for s in last.json()["steps"] if s["status"] == "done"] == []
    assert_converged(cli, boto, faults, reboots, command, cluster)


@pytest.mark.parametrize("command, what, operation, member, after", WAITS, ids=[f"{c}-{w}" for c, w, *_ in WAITS])
def test_ctrl_c_while_a_step_waits_then_the_same_command_resumes(cli, env, command, what, operation, member, after):
    faults, reboots, boto = env
    cluster = start(cli, boto, faults, reboots, command)
    match = f"DBInstanceIdentifier={cluster}{member}" if member else None
    faults.add(operation, INTERRUPT, match=match, after=after, once=True)
    r = run(cli, command, cluster, code=130)
    key = ("reboot-instance", f"{cluster}{member}") if member else ("associate-role", None)
    assert_interrupted_at(r, key)
    faults.clear()
    again = run(cli, command, cluster)
    if not member:  # the association made before the Ctrl-C is waited for, not made again
        assert "rds.AddRoleToDBCluster" not in again.writes
    assert_converged(cli, boto, faults, reboots, command, cluster)
