"""Faults on the AWS side of `setup` and `teardown` (issue 7): throttling and 5xx on every call,
retries bounded as AWS_RETRY_MODE / AWS_MAX_ATTEMPTS say, an answer lost after AWS applied the
write, IAM eventual consistency, an association stuck PENDING or turning INVALID, a reboot that
never reaches in-sync. After each fault the same command, run again, reaches the end state of an
undisturbed run (compared through plain describes) and never makes a second role, policy,
association, parameter group, parameter value or reboot.

Faults are injected in-process, on the botocore sessions auroraml builds (tests/support/faults.py):
the sandbox (moto + auroraml's layer) never sees a faulted attempt unless the fault says it was
applied. `SCENARIOS` lists every (command, fault, step) this module covers, for counting.
"""

from __future__ import annotations

import itertools
import json

import pytest
from support.faults import (CALLBACK, FAST, LOST_RESPONSE, PERSISTENT, SERVER_ERROR, STEPS,
                            THROTTLE, UNAVAILABLE, AwsFaults, RebootCounter, end_state, install_aws_faults,
                            moto_sandbox_fixture, new_cluster, step_key)

moto_sandbox = pytest.fixture(scope="module")(moto_sandbox_fixture)

TRANSIENT = (THROTTLE, SERVER_ERROR, UNAVAILABLE)
# A lost answer makes botocore send the write again. Create calls then meet their own effect
# (EntityAlreadyExists, DBParameterGroupAlreadyExists) and removals find the object gone
# (NoSuchEntity); auroraml recognises its own object (tags or description, and the document) and
# counts the step done, so the run carries on. The other writes are idempotent already.
LOST_ANSWER_REPEATS = {
    "CreatePolicy": "EntityAlreadyExists",
    "CreateRole": "EntityAlreadyExists",
    "CreateDBClusterParameterGroup": "DBParameterGroupAlreadyExists",
    "DetachRolePolicy": "NoSuchEntity",
    "DeleteRole": "NoSuchEntity",
    "DeletePolicy": "NoSuchEntity",
}
# (environment or AWS profile lines, fault, attempts made before the command gives up)
BOUNDS = (
    ({}, THROTTLE, 3),  # standard mode's default
    ({"AWS_MAX_ATTEMPTS": "1"}, THROTTLE, 1),
    ({"AWS_MAX_ATTEMPTS": "5"}, SERVER_ERROR, 5),
    ({"AWS_RETRY_MODE": "legacy"}, UNAVAILABLE, 5),  # legacy mode's default
    ({"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "2"}, THROTTLE, 2),
    ({"profile": "retry_mode = standard\nmax_attempts = 4\n"}, SERVER_ERROR, 4),
)
BOUNDED_STEP = "AddRoleToDBCluster"
WAITS = ("iam-propagation-waited-out", "iam-propagation-timeout", "association-pending-timeout",
         "association-invalid-trust-edited", "association-invalid-role-deleted", "association-invalid-mid-run",
         "reboot-timeout-setup-rerun-after-the-reboot", "reboot-timeout-teardown-rerun-while-rebooting")

SCENARIOS: list[tuple[str, str, str]] = [
    # a transient fault on every call (reads too) of a run: retried, the run succeeds
    *[(command, f"{kind} once", "every call") for command in STEPS for kind in TRANSIENT],
    # retries exhausted at each write step (3 attempts), then the re-run resumes
    *[(command, f"{kind} x3", step.label()) for command, steps in STEPS.items()
      for step, kind in zip(steps, itertools.cycle(TRANSIENT))],
    # the write applied, its answer lost (500), botocore retries
    *[(command, "lost answer", step.label()) for command, steps in STEPS.items() for step in steps],
    # the bound itself, as the environment or profile sets it
    *[("setup", f"{kind} until {n} attempts ({' '.join(f'{k}={v}' for k, v in env.items()) or 'defaults'})", BOUNDED_STEP)
      for env, kind, n in BOUNDS],
    *[("setup" if "teardown" not in w else "teardown", w, "wait") for w in WAITS],
    # someone else makes an object of the same name between the plan and its step
    ("setup", "same-named role made by someone else mid-run", "CreateRole"),
    ("setup", "same-named parameter group made by someone else mid-run", "CreateDBClusterParameterGroup"),
    ("setup", "same-named group with auroraml's description, untagged, made mid-run", "CreateDBClusterParameterGroup"),
    ("setup", "lost answer at IAM's five policy versions", "CreatePolicyVersion"),
]

_names = itertools.count()
_REFERENCE: dict[str, dict] = {}


class World:
    """Per test: the fault injector, fresh clusters, plain boto3 clients, accepted reboots."""

    def __init__(self, monkeypatch, layer) -> None:
        import boto3

        self.layer = layer
        self.faults = install_aws_faults(monkeypatch, AwsFaults())
        self.reboots = RebootCounter(monkeypatch)
        self._clients: dict = {}
        self.boto = lambda service, region="us-east-1": self._clients.setdefault(
            (service, region), boto3.client(service, region_name=region))

    def cluster(self) -> str:
        return new_cluster(self.boto("rds"), f"fault{next(_names)}")

    @staticmethod
    def run(cli, command: str, cluster: str, *extra: str, code: int | None = 0):
        return cli("-o", "json", command, "comprehend", "--cluster", cluster, "--reboot", "--yes", *extra, code=code)

    def state(self, cluster: str) -> dict:
        return end_state(self.boto, cluster)

    def wired(self, cli) -> str:
        """A cluster after an undisturbed setup (for teardown), with the reboot count at zero."""
        cluster = self.cluster()
        self.run(cli, "setup", cluster)
        for instance in self.reboots_of(cluster):
            del self.reboots.accepted[instance]
        self.faults.clear()
        return cluster

    def reboots_of(self, cluster: str) -> dict[str, int]:
        return {i: n for i, n in self.reboots.accepted.items() if i.startswith(f"{cluster}-")}

    def start(self, cli, command: str) -> str:
        return self.wired(cli) if command == "teardown" else self.cluster()

    def reference(self, cli, command: str) -> dict:
        """The end state of an undisturbed run (cached), whose writes must be exactly the steps
        the per-step tests walk through: a new write in setup or teardown fails here first."""
        if command not in _REFERENCE:
            cluster = self.start(cli, command)
            r = self.run(cli, command, cluster)
            assert [c.split(".", 1)[1] for c in r.writes] == [s.operation for s in STEPS[command]], r.writes
            _REFERENCE[command] = self.state(cluster)
        return _REFERENCE[command]

    def assert_converged(self, cli, command: str, cluster: str) -> None:
        """The end state of an undisturbed run; one reboot per member; a further run only reads."""
        assert self.state(cluster) == self.reference(cli, command)
        assert self.reboots_of(cluster) == {f"{cluster}-1": 1, f"{cluster}-2": 1}
        self.faults.clear()
        again = self.run(cli, command, cluster)
        assert {s["status"] for s in again.json()["steps"]} == {"unchanged"} and again.writes == []


@pytest.fixture
def world(moto_sandbox, isolated, monkeypatch):
    moto_sandbox.configure(**FAST)
    yield World(monkeypatch, moto_sandbox)
    moto_sandbox.configure(**FAST)


def assert_one_error(r, *words: str) -> None:
    """A failure reads as one `error:` line naming the cause, then one `  next:` line."""
    lines = r.stderr.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[errors[0] + 1].startswith("  next: "), r.stderr
    assert all(w in lines[errors[0]] for w in words), lines[errors[0]]


def statuses(r) -> list[tuple[tuple[str, str | None], str]]:
    return [(step_key(s), s["status"]) for s in r.json()["steps"]]


def changed(r) -> list[tuple[str, str | None]]:
    """The steps a run reports `done` (a member found in-sync already is `unchanged`)."""
    return [step_key(s) for s in r.json()["steps"] if s["status"] == "done"]


def assert_stopped_at(r, key) -> None:
    """The step `key` failed; nothing after it ran; nothing before it is left planned."""
    got = statuses(r)
    failed = [i for i, (k, status) in enumerate(got) if status == "failed"]
    assert len(failed) == 1 and got[failed[0]][0] == key, got
    assert all(status == "planned" for _, status in got[failed[0] + 1:]), got
    assert all(status in ("done", "unchanged") for _, status in got[:failed[0]]), got


# --- throttling and 5xx ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", TRANSIENT)
@pytest.mark.parametrize("command", ["setup", "teardown"])
def test_a_transient_fault_on_every_call_is_retried_and_the_run_succeeds(cli, world, command, kind):
    cluster = world.start(cli, command)
    world.faults.add("*", kind, attempts=(1,))
    r = world.run(cli, command, cluster)
    sent = world.faults.sent
    calls = [op for op, attempt, _ in sent if attempt == 1]
    assert sent == [x for op in calls for x in ((op, 1, kind), (op, 2, "sent"))]  # each call: fault, then through
    assert {s.operation for s in STEPS[command]} <= set(calls)
    assert {s["status"] for s in r.json()["steps"]} == {"done"}
    world.assert_converged(cli, command, cluster)


@pytest.mark.parametrize("settings, kind, attempts", BOUNDS, ids=[f"{k}-{n}" for _, k, n in BOUNDS])
def test_retries_are_bounded_as_configured_then_the_rerun_converges(cli, world, monkeypatch, isolated, settings, kind,
                                                                     attempts):
    for name, value in settings.items():
        if name == "profile":
            path = isolated / "aws-config"
            path.write_text("[default]\n" + value)
            monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
        else:
            monkeypatch.setenv(name, value)
    cluster = world.cluster()
    world.faults.add(BOUNDED_STEP, kind, PERSISTENT)
    r = world.run(cli, "setup", cluster, code=4)
    assert world.faults.attempts(BOUNDED_STEP) == [kind] * attempts
    assert_stopped_at(r, ("associate-role", None))
    assert_one_error(r, BOUNDED_STEP, {THROTTLE: "Throttling", SERVER_ERROR: "InternalFailure", UNAVAILABLE: "503"}[kind])
    world.faults.clear()
    again = world.run(cli, "setup", cluster)
    assert world.faults.attempts(BOUNDED_STEP) == ["sent"]
    assert [k for k, status in statuses(again) if status == "done"][0] == ("associate-role", None)
    world.assert_converged(cli, "setup", cluster)


@pytest.mark.parametrize("name, value, words", [
    ("AWS_MAX_ATTEMPTS", "three", "AWS max attempts 'three'"),
    ("AWS_MAX_ATTEMPTS", "0", "AWS max attempts '0'"),  # botocore refuses it at the first call (was exit 4)
    ("AWS_MAX_ATTEMPTS", "\u0663", "AWS max attempts"),  # an Arabic-Indic 3
    ("AWS_RETRY_MODE", "fast", "AWS retry mode 'fast'"),
])
def test_a_bad_retry_setting_is_a_configuration_error_before_any_call(cli, world, monkeypatch, name, value, words):
    cluster = world.cluster()
    monkeypatch.setenv(name, value)
    r = world.run(cli, "setup", cluster, code=3)
    assert world.faults.sent == [] and r.stdout == ""
    assert_one_error(r, words)


@pytest.mark.parametrize("command", ["setup", "teardown"])
def test_retries_exhausted_at_each_step_then_the_same_command_resumes(cli, world, command):
    """Run k gives up on step k after three attempts; run k+1 (the re-run) does step k and
    gives up on step k+1; ... the last run finishes. No run redoes what an earlier one did."""
    cluster = world.start(cli, command)
    steps = STEPS[command]
    done: list = []
    for step, kind in zip(steps, itertools.cycle(TRANSIENT)):
        world.faults.clear()
        world.faults.add(step.operation, kind, PERSISTENT, match=step.match(cluster))
        r = world.run(cli, command, cluster, code=4)
        assert world.faults.faulted() == [(step.operation, n, kind) for n in (1, 2, 3)]
        assert_stopped_at(r, step.key(cluster))
        assert_one_error(r, step.operation)
        now = changed(r)
        assert not set(now) & set(done), (now, done)  # never twice
        done += now
    world.faults.clear()
    last = world.run(cli, command, cluster)
    done += changed(last)
    assert sorted(done) == sorted({s.key(cluster) for s in steps})
    world.assert_converged(cli, command, cluster)


@pytest.mark.parametrize("command", ["setup", "teardown"])
def test_an_answer_lost_after_each_write_then_the_same_command_resumes(cli, world, command):
    """Run k: AWS applies step k's write but the answer is a 500; botocore sends it again. Step
    k+1 is throttled out, so that run k+1 starts right after step k."""
    cluster = world.start(cli, command)
    steps = STEPS[command]
    for k, step in enumerate(steps):
        world.faults.clear()
        world.faults.add(step.operation, LOST_RESPONSE, match=step.match(cluster), once=True)
        if step.operation == "RebootDBInstance":
            # The repeat lands mid-reboot however late botocore sends it: the reboot lasts an
            # hour until the repeat has been refused, then ends.
            world.layer.configure(reboot_duration=3600)
            world.faults.add(step.operation, CALLBACK, attempts=(2,), match=step.match(cluster), once=True,
                             then=lambda: world.layer.configure(reboot_duration=FAST["reboot_duration"]))
        following = steps[k + 1] if k + 1 < len(steps) else None
        if following:
            world.faults.add(following.operation, THROTTLE, PERSISTENT, match=following.match(cluster))
        r = world.run(cli, command, cluster, code=None)
        got = dict(statuses(r))
        if not (following and following.action == step.action):  # else the throttled call fails the step
            assert got[step.key(cluster)] != "failed", (step, r.stderr)  # its own repeat is recognised
        if step.operation in LOST_ANSWER_REPEATS:  # the repeat did meet the first attempt's effect
            assert len(world.faults.attempts(step.operation)) >= 2, world.faults.attempts(step.operation)
        if step.operation == "RebootDBInstance":  # refused (already rebooting) and waited out
            assert world.faults.attempts(step.operation)[:2] == [LOST_RESPONSE, CALLBACK], world.faults.sent
        if following and following.action != step.action:
            assert got[step.key(cluster)] == "done" and r.code == 4, got
            assert_stopped_at(r, following.key(cluster))
        else:
            assert r.code == (4 if following else 0), (r.code, r.stderr)
    world.faults.clear()
    world.run(cli, command, cluster)
    world.assert_converged(cli, command, cluster)


# --- waits: IAM eventual consistency, associations, reboots ----------------------------------

def test_iam_eventual_consistency_is_waited_out(cli, world):
    # Refused while IAM propagates, then accepted: IAM catches up right after the first refusal
    # (a short delay instead could be over before the first attempt on a loaded machine).
    world.layer.configure(iam_propagation_delay=3600)
    world.faults.add("AddRoleToDBCluster", CALLBACK, once=True,
                     then=lambda: world.layer.configure(iam_propagation_delay=0))
    cluster = world.cluster()
    world.run(cli, "setup", cluster)
    assert world.faults.attempts("AddRoleToDBCluster") == [CALLBACK, "sent"]
    world.assert_converged(cli, "setup", cluster)


def test_iam_eventual_consistency_past_the_timeout_exits_6_and_the_rerun_converges(cli, world):
    world.layer.configure(iam_propagation_delay=3600)
    cluster = world.cluster()
    r = world.run(cli, "setup", cluster, "--timeout", "1", code=6)
    assert_stopped_at(r, ("associate-role", None))
    assert_one_error(r, "timed out", "IAM")
    assert world.state(cluster)["associations"] == []
    world.layer.configure(iam_propagation_delay=0)  # IAM caught up
    world.faults.clear()
    world.run(cli, "setup", cluster)
    assert world.faults.attempts("AddRoleToDBCluster") == ["sent"]
    world.assert_converged(cli, "setup", cluster)


def test_an_association_still_pending_at_the_timeout_exits_6_and_the_rerun_waits_for_it(cli, world):
    world.layer.configure(association_delay=3600)
    cluster = world.cluster()
    r = world.run(cli, "setup", cluster, "--timeout", "1", code=6)
    assert_stopped_at(r, ("associate-role", None))
    assert_one_error(r, "timed out", "ACTIVE")
    assert [a[1] for a in world.state(cluster)["associations"]] == ["PENDING"]
    world.faults.clear()  # still PENDING when the re-run plans; ACTIVE from its second poll on
    world.faults.add("DescribeDBClusters", CALLBACK, after="GetRole", once=True,
                     then=lambda: world.layer.configure(association_delay=0.02))
    again = world.run(cli, "setup", cluster)
    waited = again.steps(action="associate-role")[0]
    assert waited["status"] == "unchanged" and "waited" in waited["detail"]  # waited for, not this run's change...
    assert "AddRoleToDBCluster" not in {op for op, _, _ in world.faults.sent}  # ...and not made again
    world.assert_converged(cli, "setup", cluster)


def _break_trust(boto, cluster: str) -> None:
    ec2_only = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    boto("iam").update_assume_role_policy(RoleName=f"auroraml-comprehend-{cluster}", PolicyDocument=json.dumps(ec2_only))


def _delete_role(boto, cluster: str) -> None:
    iam, name = boto("iam"), f"auroraml-comprehend-{cluster}"
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


@pytest.mark.parametrize("how, repairs", [
    ("trust-edited", {"update-trust", "associate-role"}),
    ("role-deleted", {"create-role", "attach-policy", "associate-role"}),
])
def test_an_association_turned_invalid_after_setup_is_repaired_by_the_rerun(cli, world, how, repairs):
    cluster = world.cluster()
    world.run(cli, "setup", cluster)
    (_break_trust if how == "trust-edited" else _delete_role)(world.boto, cluster)
    assert [a[1] for a in world.state(cluster)["associations"]] == ["INVALID"]
    for instance in world.reboots_of(cluster):
        del world.reboots.accepted[instance]
    world.faults.clear()
    r = world.run(cli, "setup", cluster)
    assert {s["action"] for s in r.json()["steps"] if s["status"] == "done"} == repairs
    assert world.faults.attempts("RemoveRoleFromDBCluster") == ["sent"]  # the INVALID one, then a new one
    assert world.faults.attempts("AddRoleToDBCluster") == ["sent"]
    assert world.state(cluster) == world.reference(cli, "setup")
    assert world.reboots_of(cluster) == {}  # the parameter already named the role: no reboot


def test_an_association_turning_invalid_mid_run_exits_4_and_the_rerun_repairs_it(cli, world):
    cluster = world.cluster()
    world.faults.add("AddRoleToDBCluster", CALLBACK, then=lambda: _break_trust(world.boto, cluster))
    r = world.run(cli, "setup", cluster, code=4)
    assert_stopped_at(r, ("associate-role", None))
    assert_one_error(r, "INVALID", "cannot assume")
    world.faults.clear()
    again = world.run(cli, "setup", cluster)
    assert {"update-trust", "associate-role"} <= {s["action"] for s in again.json()["steps"] if s["status"] == "done"}
    world.assert_converged(cli, "setup", cluster)


@pytest.mark.parametrize("command, rerun", [("setup", "after-the-reboot"), ("teardown", "while-rebooting")])
def test_a_reboot_not_in_sync_by_the_timeout_exits_6_and_the_rerun_reboots_nothing_twice(cli, world, command, rerun):
    cluster = world.start(cli, command)
    world.layer.configure(reboot_duration=3600)
    r = world.run(cli, command, cluster, "--timeout", "1", code=6)
    assert_stopped_at(r, ("reboot-instance", f"{cluster}-1"))
    assert_one_error(r, "timed out", f"{cluster}-1", "in-sync")
    assert world.reboots_of(cluster) == {f"{cluster}-1": 1}
    world.faults.clear()
    if rerun == "after-the-reboot":
        world.layer.configure(reboot_duration=0.02)  # begun over a second ago: over
    else:  # the writer is still rebooting: RebootDBInstance is refused, and the re-run waits for it
        world.faults.add("RebootDBInstance", CALLBACK, match=f"{cluster}-1",
                         then=lambda: world.layer.configure(reboot_duration=0.02))
    again = world.run(cli, command, cluster)
    # after the reboot: the writer is found in-sync (no call); while rebooting: the writer's call
    # is refused (already rebooting) and waited out; the reader is rebooted once either way
    assert world.faults.attempts("RebootDBInstance") == (["sent"] if rerun == "after-the-reboot" else [CALLBACK, "sent"])
    # the writer found in-sync is not claimed as rebooted again
    assert [s["status"] for s in again.steps(action="reboot-instance")] == (
        ["unchanged", "done"] if rerun == "after-the-reboot" else ["done", "done"])
    world.assert_converged(cli, command, cluster)


def test_a_member_already_in_sync_is_reported_unchanged(cli, world):
    """After a timeout on the reader's reboot, the re-run must not claim to have rebooted the writer."""
    cluster = world.cluster()
    world.faults.add("RebootDBInstance", THROTTLE, PERSISTENT, match=f"{cluster}-2")
    world.run(cli, "setup", cluster, code=4)
    world.faults.clear()
    again = world.run(cli, "setup", cluster)
    assert world.reboots_of(cluster) == {f"{cluster}-1": 1, f"{cluster}-2": 1}
    assert [s["status"] for s in again.steps(action="reboot-instance")] == ["unchanged", "done"]


@pytest.mark.parametrize("made, before", [("role", "CreatePolicy"), ("parameter group", "AddRoleToDBCluster"),
                                          ("untagged parameter group", "AddRoleToDBCluster")])
def test_a_same_named_object_someone_else_made_mid_run_is_not_taken_for_ours(cli, world, made, before):
    """Between the plan and its step, someone else creates the role (untagged) or the parameter
    group (another description, or auroraml's description but not its tags): the create is
    refused as on AWS, and auroraml does not mistake it for its own answer lost: the step fails
    (exit 4) and the object is left as they made it."""
    from auroraml_cli.core.names import ROLE_NAME_MAX, derived_name

    cluster = world.cluster()
    role = derived_name("auroraml-comprehend", cluster, ROLE_NAME_MAX)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    make = {"role": lambda: world.boto("iam").create_role(RoleName=role, AssumeRolePolicyDocument=trust),
            "parameter group": lambda: world.boto("rds").create_db_cluster_parameter_group(
                DBClusterParameterGroupName=f"auroraml-{cluster}", DBParameterGroupFamily="aurora-mysql8.0",
                Description="someone else's"),
            "untagged parameter group": lambda: world.boto("rds").create_db_cluster_parameter_group(
                DBClusterParameterGroupName=f"auroraml-{cluster}", DBParameterGroupFamily="aurora-mysql8.0",
                Description=f"Aurora ML settings for {cluster} (auroraml)")}[made]
    world.faults.add(before, CALLBACK, then=make)
    r = world.run(cli, "setup", cluster, code=4)
    failed = [s for s in r.json()["steps"] if s["status"] == "failed"]
    assert [s["action"] for s in failed] == ["create-role" if made == "role" else "create-parameter-group"]
    assert_one_error(r, "AlreadyExists")
    if made == "role":
        assert world.boto("iam").get_role(RoleName=role)["Role"].get("Tags", []) == []
    else:
        group = world.boto("rds").describe_db_cluster_parameter_groups(
            DBClusterParameterGroupName=f"auroraml-{cluster}")["DBClusterParameterGroups"][0]
        assert world.boto("rds").list_tags_for_resource(ResourceName=group["DBClusterParameterGroupArn"])["TagList"] == []
        assert group["Description"] == ("someone else's" if made == "parameter group" else
                                        f"Aurora ML settings for {cluster} (auroraml)")


def test_a_lost_answer_on_a_new_policy_version_at_the_version_limit_is_done(cli, world):
    """IAM keeps five versions: setup deletes the oldest and creates one; that answer is lost and
    botocore's repeat meets LimitExceeded, which is the first attempt's doing: the step is done."""
    cluster = world.wired(cli)
    iam = world.boto("iam")
    arn = next(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"].endswith(cluster))
    other = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "comprehend:DetectSentiment",
                                                      "Resource": "*"}]}
    for _ in range(4):  # someone edited it: five versions, the default not auroraml's
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(other), SetAsDefault=True)
    world.faults.clear()
    world.faults.add("CreatePolicyVersion", LOST_RESPONSE, once=True)
    r = world.run(cli, "setup", cluster)
    assert world.faults.attempts("CreatePolicyVersion") == [LOST_RESPONSE, "sent"]  # the repeat was refused
    assert r.steps(action="update-policy")[0]["status"] == "done"
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5
    world.faults.clear()
    again = world.run(cli, "setup", cluster)
    assert again.writes == []
