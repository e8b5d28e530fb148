"""Plans: apply runs exactly the planned steps, in order, and stops at the first failure."""

from __future__ import annotations

import json

import pytest

from auroraml_cli.core.errors import AwsError
from auroraml_cli.core.plan import DONE, FAILED, PLANNED, SKIPPED, UNCHANGED, Plan, Step


def make_plan(log: list[str], *runs) -> Plan:
    plan = Plan("setup", {"service": "bedrock", "cluster": "orders"})
    for i, run in enumerate(runs):
        plan.add(Step(f"action{i}", f"target{i}", f"detail{i}", run=run, cluster="orders"))
    return plan


def recorder(log, name, result=None, status=None):
    def run(step: Step):
        log.append(name)
        if status:
            step.status = status
        return result
    return run


def test_apply_runs_only_planned_steps_in_order():
    log: list[str] = []
    plan = Plan("setup", {"service": "s3"})
    plan.add(Step("create", "role", run=recorder(log, "a", "created role")))
    plan.unchanged("attach", "policy", "already attached")
    plan.add(Step("modify", "group", run=recorder(log, "b")))
    plan.add(Step("reboot", "instance", status=SKIPPED, run=recorder(log, "never")))
    plan.add(Step("noop", "nothing"))  # no run: done by being reached
    assert [s.action for s in plan.changes] == ["create", "modify", "noop"]
    seen: list[tuple[str, str]] = []
    plan.apply(lambda s: seen.append((s.action, s.status)))
    assert log == ["a", "b"]
    assert [s.status for s in plan.steps] == [DONE, UNCHANGED, DONE, SKIPPED, DONE]
    assert plan.steps[0].detail == "created role"
    assert plan.steps[1].detail == "already attached"
    assert seen == [("create", DONE), ("modify", DONE), ("noop", DONE)]
    assert plan.changes == []


def test_apply_twice_runs_nothing_the_second_time():
    log: list[str] = []
    plan = make_plan(log, recorder(log, "a"), recorder(log, "b"))
    plan.apply()
    plan.apply()
    assert log == ["a", "b"]


def test_a_step_may_set_itself_unchanged_or_skipped():
    log: list[str] = []
    plan = make_plan(log, recorder(log, "a", "nothing to do", UNCHANGED),
                     recorder(log, "b", "writer busy", SKIPPED), recorder(log, "c"))
    plan.apply()
    assert [s.status for s in plan.steps] == [UNCHANGED, SKIPPED, DONE]
    assert [s.detail for s in plan.steps] == ["nothing to do", "writer busy", "detail2"]
    assert plan.to_dict(dry_run=False)["changed"] is True


def test_failing_step_is_marked_and_the_rest_stays_planned():
    log: list[str] = []

    def fail(step):
        log.append("fail")
        raise AwsError("AWS refused AddRoleToDBCluster: DBClusterRoleQuotaExceededFault", "remove a role")

    plan = make_plan(log, recorder(log, "a"), fail, recorder(log, "c"), recorder(log, "d"))
    seen: list[str] = []
    with pytest.raises(AwsError):
        plan.apply(lambda s: seen.append(s.status))
    assert log == ["a", "fail"]
    assert [s.status for s in plan.steps] == [DONE, FAILED, PLANNED, PLANNED]
    assert plan.steps[1].detail == "AWS refused AddRoleToDBCluster: DBClusterRoleQuotaExceededFault"
    assert seen == [DONE, FAILED]
    assert [s.action for s in plan.changes] == ["action2", "action3"]


def test_plain_exception_message_becomes_detail():
    def fail(step):
        raise ValueError("boom")

    plan = make_plan([], fail)
    with pytest.raises(ValueError, match="boom"):
        plan.apply()
    assert (plan.steps[0].status, plan.steps[0].detail) == (FAILED, "boom")


def test_keyboard_interrupt_marks_interrupted():
    def interrupt(step):
        raise KeyboardInterrupt

    log: list[str] = []
    plan = make_plan(log, interrupt, recorder(log, "b"))
    with pytest.raises(KeyboardInterrupt):
        plan.apply()
    assert (plan.steps[0].status, plan.steps[0].detail) == (FAILED, "interrupted")
    assert plan.steps[1].status == PLANNED
    assert log == []


def test_to_dict_shape():
    log: list[str] = []
    plan = make_plan(log, recorder(log, "a"))
    plan.unchanged("associate", "role/x", "already active", cluster="orders")
    plan.notes.append("reboot pending")
    doc = plan.to_dict(dry_run=True)
    assert doc == {
        "command": "setup",
        "service": "bedrock",
        "cluster": "orders",
        "dry_run": True,
        "changed": False,
        "steps": [
            {"action": "action0", "target": "target0", "status": "planned", "detail": "detail0", "cluster": "orders"},
            {"action": "associate", "target": "role/x", "status": "unchanged", "detail": "already active",
             "cluster": "orders"},
        ],
        "notes": ["reboot pending"],
    }
    json.dumps(doc)
    plan.apply()
    after = plan.to_dict(dry_run=False)
    assert after["changed"] is True and after["dry_run"] is False
    assert after["steps"][0]["status"] == "done"
    # the document holds a copy of the notes, not the plan's own list
    after["notes"].append("x")
    assert plan.notes == ["reboot pending"]


def test_statuses_are_the_documented_words():
    assert {PLANNED, UNCHANGED, DONE, FAILED, SKIPPED} == {"planned", "unchanged", "done", "failed", "skipped"}
