"""`ddl --apply --replace` on a real MariaDB never loses the function it replaces.

The new definition is first created under a temporary name in the same schema and dropped again
(`probe-function`); only then is the old one dropped and the new one created (`replace-function`).
An account that may alter routines but not create them is refused at the probe, with the old
function untouched; a CREATE that still fails after the DROP puts the old definition back. The
old definition goes into the change journal, and its undo names the schema.

MariaDB has no ALIAS functions: the plans run plain SQL functions, as in test_faults_db.py.
"""

from __future__ import annotations

import json

import pytest

from auroraml_cli.core import db, ddl, errors, journal
from auroraml_cli.core.errors import DatabaseError

OLD = "CREATE FUNCTION `mldb`.`churn_score` (x DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 3"
NEW = "CREATE FUNCTION `mldb`.`churn_score` (`x` DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 2"
TARGET = "`mldb`.`churn_score`"


@pytest.fixture
def mldb(fresh_accounts):
    fresh_accounts.database("mldb")
    fresh_accounts.execute(OLD)
    return fresh_accounts


def _definition(accounts) -> str | None:
    rows = accounts.execute("SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES "
                            "WHERE ROUTINE_SCHEMA = 'mldb' AND ROUTINE_NAME = 'churn_score'")
    return rows[0][0] if rows else None


def _routines(accounts) -> list[str]:
    return [r[0] for r in accounts.execute("SELECT ROUTINE_NAME FROM information_schema.ROUTINES "
                                           "WHERE ROUTINE_SCHEMA = 'mldb' ORDER BY ROUTINE_NAME")]


def _apply_journaled(plan, path) -> list[dict]:
    """Apply as run_plan does: each done or failed step written to the journal; the records."""
    recorder = journal.Recorder(journal.Journal(path).open(), command="ddl --apply", where={"server": "mariadb"},
                                who="root@localhost")
    intents = {}

    def on_start(step):
        intents[id(step)] = recorder.step_started(step)

    def on_step(step):
        if id(step) in intents:
            recorder.step_finished(intents.pop(id(step)), step)

    try:
        plan.apply(on_step=on_step, on_start=on_start)
    finally:
        recorder.journal.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["status"] for r in lines[::2]] == ["started"] * (len(lines) // 2)  # each intent before its outcome
    return journal.pair(lines)


def test_replace_probes_then_replaces_and_journals_the_old_definition_with_its_schema(mldb, mariadb, tmp_path):
    conn = mariadb.connect()
    plan = ddl.plan_apply(conn, [(TARGET, NEW)], replace=True, where="mariadb")
    assert [(s.action, s.status) for s in plan.steps] == [("probe-function", "planned"), ("replace-function", "planned")]
    probe = plan.steps[0].detail.split(" ")[2]
    assert probe.startswith("`mldb`.`auroraml_probe_") and len(probe.split(".")[1].strip("`")) <= 64

    records = _apply_journaled(plan, tmp_path / "journal.jsonl")
    conn.close()
    assert _definition(mldb) == "RETURN x * 2" and _routines(mldb) == ["churn_score"]  # the probe is gone
    assert [(r["action"], r["status"]) for r in records] == [("probe-function", "done"), ("replace-function", "done")]
    assert records[0]["undo"] is None
    assert "RETURN x * 3" in records[1]["before"]
    # The undo re-creates the old function in its schema, whatever database is current then.
    assert records[1]["undo"].startswith(f"DROP FUNCTION {TARGET}; CREATE DEFINER=`root`@`localhost` FUNCTION {TARGET}(x DOUBLE)")


def test_an_unqualified_name_is_journaled_with_the_connections_database(mldb, mariadb, tmp_path):
    conn = mariadb.connect(database="mldb")
    plan = ddl.plan_apply(conn, [("`churn_score`", NEW.replace(TARGET, "`churn_score`"))], replace=True, where="mariadb")
    records = _apply_journaled(plan, tmp_path / "journal.jsonl")
    conn.close()
    assert [r["target"] for r in records] == [TARGET, TARGET]
    assert records[1]["undo"].startswith(f"DROP FUNCTION {TARGET}; CREATE DEFINER=")
    assert records[1]["after"] == NEW


def test_without_create_routine_nothing_is_dropped(mldb, mariadb, tmp_path):
    """ALTER ROUTINE (it may drop the function) but not CREATE ROUTINE (it may not create one):
    refused at the probe, exit 5, the old function still there."""
    mldb.user("alterer")
    mldb.execute("GRANT ALTER ROUTINE, EXECUTE ON `mldb`.* TO `alterer`@`%`")
    mldb.execute("GRANT SELECT ON `mysql`.`proc` TO `alterer`@`%`")  # to read the old definition
    conn = mldb.connect("alterer")
    plan = ddl.plan_apply(conn, [(TARGET, NEW)], replace=True, where="mariadb")
    with pytest.raises(DatabaseError) as failed:
        _apply_journaled(plan, tmp_path / "journal.jsonl")
    code, message, _ = errors.describe(failed.value)
    assert code == 5 and "(1044)" in message, message
    assert f"nothing was dropped: {TARGET} is unchanged" in message and "\n" not in message
    assert [s.status for s in plan.steps] == ["failed", "planned"]
    assert _definition(mldb) == "RETURN x * 3" and _routines(mldb) == ["churn_score"]


def test_an_unreadable_old_definition_is_refused_before_anything_changes(mldb):
    """Without the privilege to read it, SHOW CREATE FUNCTION answers NULL: nothing to keep."""
    mldb.user("blind")
    mldb.execute("GRANT ALTER ROUTINE, CREATE ROUTINE, EXECUTE ON `mldb`.* TO `blind`@`%`")
    conn = mldb.connect("blind")
    with pytest.raises(DatabaseError) as failed:
        ddl.plan_apply(conn, [(TARGET, NEW)], replace=True, where="mariadb")
    code, message, hint = errors.describe(failed.value)
    assert code == 5 and "cannot read its definition" in message and "nothing was changed" in message
    assert "SHOW_ROUTINE" in hint
    assert _definition(mldb) == "RETURN x * 3"


class RefuseTheCreate:
    """Stands in for db.execute: the k-th statement reaches the server garbled, so the server
    refuses it (a syntax error) — a CREATE that fails after the probe passed and the DROP ran."""

    def __init__(self, monkeypatch, at: int) -> None:
        self.real, self.at, self.sent = db.execute, at, []
        monkeypatch.setattr(db, "execute", self)

    def __call__(self, conn, sql: str) -> int:
        self.sent.append(sql)
        return self.real(conn, sql + " garbled" if len(self.sent) == self.at else sql)


def test_a_create_that_fails_after_the_drop_puts_the_old_definition_back(mldb, mariadb, monkeypatch, tmp_path):
    refuse = RefuseTheCreate(monkeypatch, 4)  # 1-2 the probe, 3 the DROP, 4 the CREATE
    conn = mariadb.connect()
    plan = ddl.plan_apply(conn, [(TARGET, NEW)], replace=True, where="mariadb")
    with pytest.raises(DatabaseError) as failed:
        _apply_journaled(plan, tmp_path / "journal.jsonl")
    conn.close()
    assert refuse.sent[2:4] == [f"DROP FUNCTION {TARGET}", NEW]
    code, message, _ = errors.describe(failed.value)
    assert code == 5 and "(1064)" in message and message.endswith(f"the old definition of {TARGET} was put back")
    assert _definition(mldb) == "RETURN x * 3"
    records = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    replaced = records[-1]
    assert (replaced["action"], replaced["status"]) == ("replace-function", "failed")
    assert "RETURN x * 3" in replaced["before"]
    assert replaced["after"] == refuse.sent[4] and replaced["after"].startswith(
        f"CREATE DEFINER=`root`@`localhost` FUNCTION {TARGET}(x DOUBLE)")  # the restore, as it ran
    assert replaced["undo"] is None  # put back: nothing to undo


def test_a_probe_that_fails_is_still_dropped(mldb, mariadb, monkeypatch):
    """The probe's CREATE refused: its DROP IF EXISTS still runs, and nothing else does."""
    refuse = RefuseTheCreate(monkeypatch, 1)
    conn = mariadb.connect()
    plan = ddl.plan_apply(conn, [(TARGET, NEW)], replace=True, where="mariadb")
    with pytest.raises(DatabaseError) as failed:
        plan.apply()
    conn.close()
    assert len(refuse.sent) == 2 and refuse.sent[1].startswith("DROP FUNCTION IF EXISTS `mldb`.`auroraml_probe_")
    assert "nothing was dropped" in failed.value.message
    assert _definition(mldb) == "RETURN x * 3" and _routines(mldb) == ["churn_score"]
