"""The change journal through the CLI: setup, teardown and status --reset record each change they
make (who, before, after, undo) before reporting it; `auroraml history` shows and exports it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

ACCOUNT = "123456789012"
ROLE = "auroraml-comprehend-ml-demo"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SETUP = ("-o", "json", "setup", "comprehend", "--cluster", "ml-demo")


@pytest.fixture
def journal_path(isolated) -> Path:
    """Where the journal goes by default in a test: the temporary HOME's ~/.local/state."""
    return Path(os.environ["HOME"]) / ".local" / "state" / "auroraml" / "journal.jsonl"


def lines(path: Path) -> list[dict]:
    """Every record in the file: each change's intent (`started`), then its outcome."""
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def records(path: Path) -> list[dict]:
    """One record per change, as `history` shows them: the outcome in its intent's place."""
    from auroraml_cli.core import journal

    return journal.pair(lines(path))


def caller(boto) -> str:
    return boto("sts").get_caller_identity()["Arn"]


def test_setup_records_each_done_step_with_who_before_after_and_undo(cli, boto, journal_path):
    r = cli(*SETUP, "--reboot", "--yes")
    done = [(s["action"], s["target"]) for s in r.json()["steps"] if s["status"] == "done"]
    got = records(journal_path)
    assert [(x["action"], x["target"]) for x in got] == done and len(done) == 9
    who = caller(boto)
    assert who == f"arn:aws:iam::{ACCOUNT}:root"  # the sandbox's own keys are the account root (sandbox/identity.py)
    assert {x["who"] for x in got} == {who}
    assert {x["run"] for x in got} == {got[0]["run"]}
    assert {x["command"] for x in got} == {"setup comprehend --cluster ml-demo"}
    assert {x["cluster"] for x in got} == {"ml-demo"}
    assert {json.dumps(x["where"], sort_keys=True) for x in got} == {
        json.dumps({"account": ACCOUNT, "partition": "aws", "region": "us-east-1"}, sort_keys=True)}
    assert {x["status"] for x in got} == {"done"}
    by = {x["action"]: x for x in got}
    param = by["set-parameter"]
    assert param["target"] == "auroraml-ml-demo:aws_default_comprehend_role"
    assert (param["before"], param["after"]) == (None, ROLE_ARN)
    assert param["undo"].startswith("aws rds reset-db-cluster-parameter-group --db-cluster-parameter-group-name auroraml-ml-demo")
    group = by["attach-parameter-group"]
    assert (group["before"], group["after"]) == ("default.aurora-mysql8.0", "auroraml-ml-demo")
    assert "--db-cluster-parameter-group-name default.aurora-mysql8.0" in group["undo"]
    assert (by["create-role"]["before"], by["create-role"]["after"]) == (None, ROLE_ARN)
    assert by["create-role"]["undo"] == "auroraml --region us-east-1 teardown comprehend --cluster ml-demo"
    assert by["associate-role"]["after"] == f"{ROLE_ARN} ACTIVE"
    assert (by["reboot-instance"]["before"], by["reboot-instance"]["undo"]) == (None, None)
    # the plan's JSON carries the same before/after/undo, for a dry run to show
    step = r.steps(action="set-parameter")[0]
    assert (step["after"], step["undo"]) == (ROLE_ARN, param["undo"])
    assert "sts.GetCallerIdentity" in r.calls and r.calls.count("sts.GetCallerIdentity") == 1


def test_a_parameter_that_named_another_role_keeps_its_previous_value(cli, boto, journal_path):
    cli(*SETUP, "--no-reboot", "--role-name", "first-role", "--policy-name", "first-policy", code=7)
    cli(*SETUP, "--no-reboot", code=7)
    (param,) = [x for x in records(journal_path)[-4:] if x["action"] == "set-parameter"]
    assert param["before"] == f"arn:aws:iam::{ACCOUNT}:role/first-role" and param["after"] == ROLE_ARN
    assert f"ParameterValue=arn:aws:iam::{ACCOUNT}:role/first-role" in param["undo"]


def test_nothing_to_do_a_dry_run_and_a_refusal_write_nothing(cli, sandbox_aws, journal_path):
    cli(*SETUP, "--reboot", "--dry-run")
    assert not journal_path.exists()
    cli(*SETUP, "--parameter-group", "default.nope", "--no-reboot", code=2)
    assert not journal_path.exists()
    cli(*SETUP, "--reboot", "--yes")
    before = journal_path.read_bytes()
    again = cli(*SETUP, "--reboot", "--yes")
    assert journal_path.read_bytes() == before
    assert "sts.GetCallerIdentity" not in again.calls


def test_a_failed_step_keeps_the_records_of_the_steps_before_it(cli, sandbox_aws, journal_path):
    sandbox_aws.configure(association_delay=3600)
    slow = cli(*SETUP, "--timeout", "1", "--no-reboot", code=6)
    assert slow.steps(action="associate-role")[0]["status"] == "failed"
    # the association was asked for before the wait timed out: recorded as failed, since it may hold
    assert [(x["action"], x["status"]) for x in records(journal_path)] == [
        ("create-policy", "done"), ("create-role", "done"), ("attach-policy", "done"), ("associate-role", "failed")]
    sandbox_aws.configure(association_delay=0.02)
    rerun = cli(*SETUP, "--no-reboot", code=7)  # the rerun records only what it did
    assert [x["action"] for x in records(journal_path)][4:] == [s["action"] for s in rerun.steps(status="done")]
    assert [x["action"] for x in records(journal_path)][-3:] == [
        "create-parameter-group", "attach-parameter-group", "set-parameter"]
    assert len({x["run"] for x in records(journal_path)}) == 2


@pytest.mark.parametrize("since, code", [("\u00b2h", 2), ("99999999999999d", 0), ("1d", 0)])
def test_since_is_refused_with_exit_2_or_reaches_back_as_far_as_asked(cli, journal_path, since, code):
    r = cli("history", "--since", since, code=code)
    if code:
        r.assert_refused()


@pytest.mark.parametrize("rerun_plans_while", ["ACTIVE", "PENDING"])
def test_ctrl_c_in_a_wait_records_the_step_whose_write_was_sent(cli, sandbox_aws, journal_path, monkeypatch,
                                                                 rerun_plans_while):
    """Ctrl-C while the association is awaited: AddRoleToDBCluster was sent, so the step is in
    the journal (failed). The re-run made no association of its own, so it reports the step
    `unchanged` and records nothing, whether it plans after the association turned ACTIVE or
    while it is still PENDING (then it waits for it). The sandbox's clock decides neither: the
    association stays PENDING until the test lets it turn ACTIVE."""
    from support.faults import CALLBACK, INTERRUPT, AwsFaults, install_aws_faults

    sandbox_aws.configure(association_delay=3600)
    faults = install_aws_faults(monkeypatch, AwsFaults())
    faults.add("DescribeDBClusters", INTERRUPT, after="AddRoleToDBCluster", once=True)
    cut = cli(*SETUP, "--no-reboot", code=130)
    assert cut.steps(action="associate-role")[0]["status"] == "failed"
    assert records(journal_path)[-1]["action"] == "associate-role"
    assert records(journal_path)[-1]["status"] == "failed"
    # its intent was on disk before AddRoleToDBCluster was sent, its outcome after the Ctrl-C
    assert [(x["action"], x["status"]) for x in lines(journal_path)[-2:]] == [
        ("associate-role", "started"), ("associate-role", "failed")]
    recorded = len(records(journal_path))
    faults.clear()
    if rerun_plans_while == "ACTIVE":
        sandbox_aws.configure(association_delay=0)
    else:  # ACTIVE from the re-run's first poll in its wait (its plan read it PENDING)
        faults.add("DescribeDBClusters", CALLBACK, after="GetRole", once=True,
                   then=lambda: sandbox_aws.configure(association_delay=0))
    rerun = cli(*SETUP, "--no-reboot", code=7)
    step = rerun.steps(action="associate-role")[0]
    assert step["status"] == "unchanged", step
    assert ("earlier run" in step["detail"]) == (rerun_plans_while == "PENDING")
    assert faults.attempts("AddRoleToDBCluster") == []
    assert "associate-role" not in [x["action"] for x in records(journal_path)[recorded:]]
    assert [x["status"] for x in records(journal_path) if x["action"] == "associate-role"] == ["failed"]
    assert [x["status"] for x in lines(journal_path) if x["action"] == "associate-role"] == ["started", "failed"]


def test_teardown_records_what_it_removed_and_how_to_put_it_back(cli, sandbox_aws, journal_path):
    cli(*SETUP, "--reboot", "--yes")
    setup_records = len(records(journal_path))
    cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    got = records(journal_path)[setup_records:]
    assert [x["action"] for x in got] == ["reset-parameter", "reboot-instance", "reboot-instance", "remove-role",
                                          "delete-role", "delete-policy"]
    assert {x["command"] for x in got} == {"teardown comprehend --cluster ml-demo"}
    by = {x["action"]: x for x in got}
    assert (by["reset-parameter"]["before"], by["reset-parameter"]["after"]) == (ROLE_ARN, None)
    assert f"ParameterValue={ROLE_ARN}" in by["reset-parameter"]["undo"]
    assert by["remove-role"]["undo"] == (
        f"aws rds add-role-to-db-cluster --db-cluster-identifier ml-demo --role-arn {ROLE_ARN} --region us-east-1")
    assert by["delete-role"]["before"] == ROLE_ARN
    assert by["delete-role"]["undo"] == "auroraml --region us-east-1 setup comprehend --cluster ml-demo"
    assert "comprehend:DetectSentiment" in by["delete-policy"]["before"]


def test_history_json_round_trips_and_filters(cli, sandbox_aws, journal_path):
    cli(*SETUP, "--reboot", "--yes")
    cli("-o", "json", "setup", "comprehend", "--cluster", "bedrock-ready", "--no-reboot", code=7)
    doc = cli("history", "--cluster", "ml-demo", "--json").json()
    assert doc["command"] == "history" and doc["records"] == [x for x in records(journal_path) if x["cluster"] == "ml-demo"]
    assert len(doc["records"]) == 9
    assert cli("-o", "json", "history").json()["records"] == records(journal_path)  # -o json is --json
    assert [x["action"] for x in cli("history", "--json", "--limit", "2").json()["records"]] == [
        x["action"] for x in records(journal_path)[-2:]]
    assert cli("history", "--json", "--since", "1h").json()["records"] == records(journal_path)
    assert cli("history", "--json", "--since", "2999-01-01T00:00:00Z").json()["records"] == []
    assert cli("history", "--json", "--cluster", "nope").json()["records"] == []
    cli("history", "--since", "last tuesday", code=2)


def test_history_table_shows_who_and_before_to_after(cli, sandbox_aws, journal_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    cli(*SETUP, "--no-reboot", code=7)
    table = cli("-o", "table", "history", "--cluster", "ml-demo")
    assert "attach-parameter-group" in table.stdout and "default.aurora-mysql8.0 →" in table.stdout
    assert "arn:…:root" in table.stdout  # the caller's ARN, shortened: -o json has it whole
    assert f"arn:aws:iam::{ACCOUNT}:root" in cli("history", "--json").stdout
    assert "┃ undo" in table.stdout and "arn:aws:iam::" in table.stdout  # each change's undo, its ARNs whole


def test_history_without_a_journal_is_empty_and_a_corrupt_line_is_skipped(cli, journal_path):
    empty = cli("history", "--json")
    assert empty.json()["records"] == [] and "no changes recorded" in empty.stderr
    journal_path.parent.mkdir(parents=True)
    journal_path.write_text('{"time": "2025-01-01T00:00:00Z", "action": "a", "cluster": "c"}\n{oops\n'
                            '{"time": "2025-01-02T00:00:00Z", "action": "b", "cluster": "c"}\n')
    r = cli("history", "--json")
    assert [x["action"] for x in r.json()["records"]] == ["a", "b"]
    assert f"warning: journal line 2: not JSON (torn by a crash?); skipped ({journal_path})" in r.stderr


def test_auroraml_journal_redirects_the_journal(cli, sandbox_aws, journal_path, tmp_path, monkeypatch):
    elsewhere = tmp_path / "audit" / "changes.jsonl"
    monkeypatch.setenv("AURORAML_JOURNAL", str(elsewhere))
    cli(*SETUP, "--no-reboot", code=7)
    assert not journal_path.exists() and len(records(elsewhere)) == 7
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    assert stat.S_IMODE(elsewhere.parent.stat().st_mode) == 0o700
    assert cli("history", "--json").json()["records"] == records(elsewhere)


def test_an_unwritable_journal_refuses_before_any_aws_write(cli, sandbox_aws, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    path = blocker / "journal.jsonl"
    monkeypatch.setenv("AURORAML_JOURNAL", str(path))
    r = cli(*SETUP, "--reboot", "--yes", code=3)
    assert r.writes == [] and r.stdout == ""
    assert f"error: cannot open the change journal {path}" in r.stderr
    assert "AURORAML_JOURNAL" in r.stderr.splitlines()[-1]
    cli(*SETUP, "--reboot", "--dry-run")  # a dry run changes nothing, so needs no journal
    cli("history", code=0)  # nothing there to read


def test_a_record_that_cannot_be_written_stops_the_run_with_exit_3(cli, sandbox_aws, journal_path, monkeypatch):
    from auroraml_cli.core import journal

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "write", full)
    r = cli(*SETUP, "--reboot", "--yes", code=3)
    assert "No space left on device" in r.stderr and "AURORAML_JOURNAL" in r.stderr
    assert "  done      create-policy" not in r.stderr  # never reported done without its record
    # the first intent could not be written, so the first write was never sent
    assert r.writes == [] and {s["status"] for s in r.json()["steps"]} <= {"planned", "unchanged", "skipped"}


def test_status_reset_records_the_flush_and_who(cli, journal_path, isolated):
    from auroraml_cli.sandbox.sql import start_endpoint

    cnf = isolated / "aurora.cnf"
    cnf.write_text("[client]\nuser = admin\npassword = reset-Pa55word\n")
    with start_endpoint(cluster_id="reset", engine_version="3.10.1", master_password="reset-Pa55word") as aurora:
        cli("-o", "json", "status", "--host", aurora.host, "--port", str(aurora.port), "--defaults-file", str(cnf),
            "--reset", "--yes")
    (x,) = records(journal_path)
    assert [y["status"] for y in lines(journal_path)] == ["started", "done"]  # the intent before the FLUSH
    assert (x["action"], x["target"], x["after"]) == ("flush-status", f"{aurora.host}:{aurora.port}", "FLUSH STATUS")
    assert x["who"].startswith("admin@") and x["command"] == "status --reset"


DAMAGED = [
    (b"[" * 100_000 + b"\n", "nested too deeply"),
    (b'{"time": "2025-01-01T00:00:00Z", "action": "\\ud800"}\n', "a lone surrogate escape"),
    (b'{"time": NaN, "action": "x"}\n', "NaN or Infinity"),
    (b'{"time": "2025-01-01T00:00:00Z", "before": -Infinity}\n', "NaN or Infinity"),
    (b"[1, 2]\n", "a JSON array, not a record"),
    (b"42\n", "a JSON number, not a record"),
    (b'"a string"\n', "a JSON string, not a record"),
    (b"\xff\xfe{}\n", "not UTF-8"),
]


@pytest.mark.parametrize("line, why", DAMAGED, ids=[why for _, why in DAMAGED])
def test_history_skips_a_damaged_line_naming_its_number(cli, journal_path, line, why):
    good = b'{"time": "2025-01-01T00:00:00Z", "action": "a", "cluster": "c", "status": "done"}\n'
    journal_path.parent.mkdir(parents=True)
    journal_path.write_bytes(good + line + good)
    for fmt in ("json", "table"):
        r = cli("-o", fmt, "history")
        assert f"warning: journal line 2: {why}; skipped ({journal_path})" in r.stderr
    assert [x["action"] for x in cli("history", "--json").json()["records"]] == ["a", "a"]


def _junk():
    from hypothesis import strategies as st

    values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=8)
    records = st.fixed_dictionaries({}, optional={k: values for k in (
        "time", "run", "step", "command", "cluster", "who", "where", "action", "target", "before", "after", "undo",
        "status")})
    as_json = st.one_of(values, records).map(lambda v: json.dumps(v).encode())
    damaged = st.sampled_from([line.rstrip(b"\n") for line, _ in DAMAGED])
    return st.lists(st.one_of(st.binary(max_size=40), as_json, damaged), max_size=6)


def test_history_over_random_junk_lines_never_crashes(cli, journal_path):
    from hypothesis import HealthCheck, given, settings

    journal_path.parent.mkdir(parents=True)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(junk=_junk())
    def check(junk):
        journal_path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in junk) + b"\n")
        for fmt in ("json", "table"):
            cli("-o", fmt, "history", "--since", "1d", code=0)
        cli("-o", "table", "history", "--cluster", "c", "--limit", "2", code=0)

    check()


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_journal_path_that_is_a_fifo_or_a_directory_is_refused_without_blocking(
        cli, sandbox_aws, journal_path, kind):
    journal_path.parent.mkdir(parents=True)
    os.mkfifo(journal_path) if kind == "fifo" else journal_path.mkdir()
    name = "a FIFO (named pipe)" if kind == "fifo" else "a directory"
    r = cli("history", code=3)
    assert f"error: cannot read the change journal {journal_path}: it is {name}, not a file" in r.stderr
    r = cli(*SETUP, "--no-reboot", code=3)
    assert r.writes == []
    assert f"error: cannot write to the change journal {journal_path}: it is {name}, not a file" in r.stderr


def test_a_full_disk_refuses_to_start_and_changes_nothing(cli, sandbox_aws, monkeypatch):
    """/dev/full opens, and every write to it fails with ENOSPC."""
    monkeypatch.setenv("AURORAML_JOURNAL", "/dev/full")
    r = cli(*SETUP, "--no-reboot", code=3)
    assert r.writes == [] and "No space left on device" in r.stderr and "AURORAML_JOURNAL" in r.stderr
    assert {s["status"] for s in r.json()["steps"]} <= {"planned", "unchanged", "skipped"}
    assert cli(*SETUP, "--no-reboot", "--dry-run").steps(status="planned")  # nothing was changed


def test_a_change_with_no_outcome_shows_as_started_outcome_unknown(cli, sandbox_aws, journal_path, monkeypatch):
    """A kill between the write and its outcome record: the intent is there, and history says so."""
    from auroraml_cli.core import journal

    real = journal.Recorder.step_finished

    def killed(self, intent, step):
        if step.action == "create-role":
            raise SystemExit(137)  # the process dies before the outcome is written
        return real(self, intent, step)

    monkeypatch.setattr(journal.Recorder, "step_finished", killed)
    cli(*SETUP, "--no-reboot", code=None)
    monkeypatch.setattr(journal.Recorder, "step_finished", real)
    assert [(x["action"], x["status"]) for x in lines(journal_path)] == [
        ("create-policy", "started"), ("create-policy", "done"), ("create-role", "started")]
    assert lines(journal_path)[0]["step"] == lines(journal_path)[1]["step"] != lines(journal_path)[2]["step"]
    doc = cli("history", "--json").json()
    assert [(x["action"], x["status"]) for x in doc["records"]] == [("create-policy", "done"), ("create-role", "started")]
    monkeypatch.setenv("COLUMNS", "250")
    table = cli("-o", "table", "history")
    assert "started, outcome unknown" in table.stdout
    assert "1 change(s) started with no recorded outcome" in table.stderr


def test_a_torn_last_line_does_not_swallow_the_next_record(cli, sandbox_aws, journal_path):
    journal_path.parent.mkdir(parents=True)
    journal_path.write_bytes(b'{"time": "2025-01-01T00:00:00Z", "action": "torn')  # a crash mid-line
    cli(*SETUP, "--no-reboot", code=7)
    r = cli("history", "--json")
    assert len(r.json()["records"]) == 7 and "journal line 1: not JSON" in r.stderr


def test_a_run_that_cannot_get_the_cluster_lock_in_its_timeout_exits_6_having_changed_nothing(
        cli, sandbox_aws, journal_path):
    """Another run holds ml-demo's lock (here: this test, through its own open file): setup and
    teardown say who they wait for and, after --timeout, exit 6 with nothing read or changed."""
    import fcntl

    from auroraml_cli.core import lock

    path = lock.lock_path("us-east-1", "ml-demo")
    path.parent.mkdir(parents=True)
    path.write_text("4242\n")
    with open(path, "rb+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        for command in (SETUP, ("-o", "json", "teardown", "comprehend", "--cluster", "ML-Demo")):
            r = cli(*command, "--no-reboot", "--timeout", "1", code=6)
            assert "waiting for another auroraml run on" in r.stderr and "(pid 4242)" in r.stderr
            assert "error: another auroraml run on" in r.stderr and r.writes == [] and r.stdout == ""
        cli(*SETUP, "--no-reboot", "--dry-run")  # a dry run changes nothing: it does not wait
    assert not journal_path.exists()
    cli(*SETUP, "--no-reboot", code=7)  # released: the run goes ahead
    assert path.read_text() == f"{os.getpid()}\n"  # the holder's pid, for the next run to name
