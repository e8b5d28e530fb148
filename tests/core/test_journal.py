"""The change journal file: append-only JSON lines, 0600 in a 0700 directory, one fsync per
record, corrupt lines skipped on reading, and where it lives."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone

import pytest

from auroraml_cli.core import journal
from auroraml_cli.core.errors import ConfigError, UsageError
from auroraml_cli.core.grants import without_credentials
from auroraml_cli.core.journal import Journal, Recorder


def _lines(path):
    return path.read_text().splitlines()


def test_each_record_is_one_line_appended_and_fsynced(tmp_path, monkeypatch):
    path = tmp_path / "state" / "auroraml" / "journal.jsonl"
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    with Journal(path) as j:
        j.append({"action": "create-role", "target": "r"})
        assert len(synced) == 1 and len(_lines(path)) == 1  # on disk before append() returns
        j.append({"action": "set-parameter", "target": "g:p", "after": "arn:aws:iam::1:role/ünï"})
    assert len(synced) == 2
    assert [json.loads(line)["action"] for line in _lines(path)] == ["create-role", "set-parameter"]
    assert json.loads(_lines(path)[1])["after"].endswith("ünï")


def test_a_second_journal_appends_and_never_truncates(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"action": "earlier"}\n')
    with Journal(path) as j:
        j.append({"action": "later"})
    with Journal(path) as j:
        j.append({"action": "latest"})
    assert [json.loads(line)["action"] for line in _lines(path)] == ["earlier", "later", "latest"]


def test_the_file_is_0600_and_a_directory_it_creates_0700(tmp_path):
    path = tmp_path / "new" / "dir" / "journal.jsonl"
    with Journal(path) as j:
        j.append({"action": "x"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_file_is_opened_append_only(tmp_path, monkeypatch):
    flags: list[int] = []
    real_open = os.open
    monkeypatch.setattr(journal.os, "open", lambda p, f, m=0o777: (flags.append(f), real_open(p, f, m))[1])
    Journal(tmp_path / "j.jsonl").open().close()
    assert flags and flags[0] & os.O_APPEND and flags[0] & os.O_CREAT and not flags[0] & os.O_TRUNC


def test_a_journal_that_cannot_be_opened_is_a_config_error_naming_the_path_and_the_variable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as caught:
        Journal(blocker / "journal.jsonl").open()  # its directory would be inside a file
    assert str(blocker / "journal.jsonl") in caught.value.message
    assert "AURORAML_JOURNAL" in caught.value.hint
    assert caught.value.exit_code == 3


def test_a_record_that_cannot_be_written_is_a_config_error(tmp_path, monkeypatch):
    j = Journal(tmp_path / "j.jsonl").open()

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "write", full)
    with pytest.raises(ConfigError, match="No space left on device"):
        j.append({"action": "x"})
    j.close()


def test_reading_skips_a_corrupt_line_with_a_warning(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"action": "a"}\nnot json\n\n[1, 2]\n\xff\xfe\n{"action": "b"}\n{"action": "torn\n')
    warnings: list[str] = []
    records = list(journal.read(path, warnings.append))
    assert [r["action"] for r in records] == ["a", "b"]
    assert len(warnings) == 4 and all(str(path) in w for w in warnings)
    assert [w.split(":")[0] for w in warnings] == [f"journal line {n}" for n in (2, 4, 5, 7)]


def test_no_journal_reads_as_no_records(tmp_path):
    assert list(journal.read(tmp_path / "absent.jsonl", pytest.fail)) == []


@pytest.mark.parametrize("env, expected", [
    ({"AURORAML_JOURNAL": "/srv/audit/auroraml.jsonl", "XDG_STATE_HOME": "/x", "HOME": "/home/u"},
     "/srv/audit/auroraml.jsonl"),
    ({"XDG_STATE_HOME": "/var/state", "HOME": "/home/u"}, "/var/state/auroraml/journal.jsonl"),
    ({"HOME": "/home/u"}, "/home/u/.local/state/auroraml/journal.jsonl"),
    ({"AURORAML_JOURNAL": "", "XDG_STATE_HOME": "", "HOME": "/home/u"}, "/home/u/.local/state/auroraml/journal.jsonl"),
])
def test_where_the_journal_lives(env, expected):
    assert str(journal.default_path(env)) == expected


def test_the_default_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AURORAML_JOURNAL", str(tmp_path / "elsewhere.jsonl"))
    assert Journal().path == tmp_path / "elsewhere.jsonl"


def test_a_recorder_writes_every_key_and_one_run_id_per_journal(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    r = Recorder(j, command="setup comprehend --cluster ml-demo", where={"account": "1", "region": "us-east-1"},
                 who="arn:aws:sts::1:user/ops", cluster="ml-demo")
    r.record("create-role", "auroraml-comprehend-ml-demo", after="arn:aws:iam::1:role/x", undo="auroraml teardown ...")
    r.record("reboot-instance", "ml-demo-1", cluster="ml-demo")
    first, second = (json.loads(line) for line in _lines(j.path))
    assert set(journal.KEYS) <= set(first)
    assert first["run"] == second["run"] != Journal(j.path).run
    assert (first["who"], first["cluster"], first["before"], first["after"], first["status"]) == (
        "arn:aws:sts::1:user/ops", "ml-demo", None, "arn:aws:iam::1:role/x", "done")
    assert datetime.fromisoformat(first["time"].replace("Z", "+00:00")).tzinfo is not None
    j.close()


def test_the_command_is_summarised_from_the_plan_not_argv():
    assert journal.command_summary("setup", {"service": "s3", "cluster": "ml-demo"}) == "setup s3 --cluster ml-demo"
    assert journal.command_summary("grant", {"service": "comprehend", "account": "analyst@10.0.%"}, "ml-demo") == \
        "grant comprehend analyst@10.0.% --cluster ml-demo"
    assert journal.command_summary("ddl", {"server": "db.local:3306 (Aurora MySQL 3.08.0)"}) == "ddl --apply --host db.local"
    assert journal.command_summary("revoke", {"service": "bedrock", "account": "it's@%"}) == "revoke bedrock 'it'\"'\"'s@%'"


def test_since_takes_a_duration_or_an_iso_time():
    now = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
    assert journal.parse_since("2h", now_=now) == datetime(2025, 6, 2, 10, 0, tzinfo=timezone.utc)
    assert journal.parse_since("1d", now_=now) == datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
    assert journal.parse_since("30m", now_=now) == datetime(2025, 6, 2, 11, 30, tzinfo=timezone.utc)
    assert journal.parse_since("2025-06-01T00:00:00Z") == datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert journal.parse_since("2025-06-01") == datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert journal.parse_since("2025-06-01T02:00:00+02:00") == datetime(2025, 6, 1, tzinfo=timezone.utc)
    for bad in ("yesterday", "2x", "h", "\u00b2h", "\u0661\u0662d"):  # superscript and Arabic-Indic digits
        with pytest.raises(UsageError):
            journal.parse_since(bad)
    # further back than datetime can say: every record is newer
    assert journal.parse_since("99999999999999d", now_=now) == datetime.min.replace(tzinfo=timezone.utc)


def test_show_grants_lines_lose_their_password_hash_before_the_journal():
    mariadb = "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'"
    assert "94BDCE" not in without_credentials(mariadb)
    assert without_credentials(mariadb + " WITH GRANT OPTION").endswith("IDENTIFIED [...] WITH GRANT OPTION")
    assert "secret" not in without_credentials("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED VIA ed25519 USING 'secret'")
    plain = "GRANT `AWS_COMPREHEND_ACCESS`@`%` TO `analyst`@`10.0.%`"
    assert without_credentials(plain) == plain


def test_a_value_that_is_not_utf8_is_written_escaped_never_lost(tmp_path):
    """A lone surrogate (bytes that were not UTF-8, as os.fsdecode hands them over) cannot be
    encoded: the record is still written, as the JSON escape that reads back the same value."""
    path = tmp_path / "journal.jsonl"
    value = b"db\xff".decode("utf-8", "surrogateescape")
    with Journal(path) as j:
        j.append({"target": value})
    assert json.loads(path.read_text())["target"] == value


def test_pair_puts_each_outcome_in_its_intents_place():
    def rec(step, status, action="a", run="r1"):
        return {"run": run, "step": step, "status": status, "action": action}

    older = {"action": "old", "status": "done"}  # a record from before step ids: passes through
    got = journal.pair([older, rec(1, "started", "x"), rec(2, "started", "y"), rec(2, "done", "y"),
                        rec(1, "failed", "x"), rec(3, "started", "reboot"), rec(3, "unchanged", "reboot"),
                        rec(4, "started", "z"), rec(9, "done", "orphan"), rec(1, "started", "other", run="r2")])
    assert [(r["action"], r["status"]) for r in got] == [
        ("old", "done"), ("x", "failed"), ("y", "done"), ("z", "started"), ("orphan", "done"), ("other", "started")]


def test_a_recorder_writes_the_intent_then_the_outcome_with_one_step_id(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as j:
        rec = Recorder(j, command="setup comprehend --cluster c", where={"region": "r"}, who="me", cluster="c")
        intent = rec.started("create-role", "role", after="arn")
        assert [json.loads(line)["status"] for line in _lines(path)] == ["started"]  # on disk before the write
        rec.finished(intent, "done")
        rec.finished(rec.started("attach-policy", "role"), "failed")
    got = [json.loads(line) for line in _lines(path)]
    assert [(r["action"], r["step"], r["status"]) for r in got] == [
        ("create-role", 1, "started"), ("create-role", 1, "done"), ("attach-policy", 2, "started"),
        ("attach-policy", 2, "failed")]
    assert got[1]["after"] == "arn" and {r["run"] for r in got} == {j.run}
    assert list(got[0]) == list(journal.KEYS)
