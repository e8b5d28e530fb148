"""The database dropping the connection in the middle of `grant`, `revoke`, `ddl --apply` and
`status --reset` (issue 7), on a real MariaDB.

At the k-th statement a second admin connection KILLs the one auroraml uses, either before the
statement reaches the server (it never runs) or right after it ran (its answer never arrives).
The command fails with exit 5 and one error line that says the statement may or may not have
taken effect; run again on a new connection it does only what is left, and the server ends as an
undisturbed run leaves it: SHOW GRANTS of every account compared, only the intended account
changed, nothing granted twice. `SCENARIOS` lists every (command, fault, step) covered here.

MariaDB has no Aurora roles or ALIAS functions: as in test_grants_mariadb.py the roles are made
with Aurora's names and the plans run in MariaDB's dialect; ddl applies plain SQL functions through
the same plan. `status --reset` runs as the CLI does (--host), the server taken for Aurora MySQL
3.08 (status refuses a plain MariaDB before it flushes anything).
"""

from __future__ import annotations

import pytest

from auroraml_cli.core import db, ddl, errors, grants
from auroraml_cli.core.catalogue import get_service
from auroraml_cli.core.errors import DatabaseError
from auroraml_cli.core.sql import Account, FunctionRef
from auroraml_cli.core.versions import AuroraVersion

V3 = AuroraVersion.parse("3.08.0")
BEFORE, AFTER = "killed before the statement", "killed after the statement, its answer lost"
GRANT_STEPS = ("grant-role", "grant-execute", "set-default-role")
REVOKE_STEPS = ("revoke-role", "revoke-execute", "set-default-role")
FUNCTIONS = (
    ("`mldb`.`churn_score`", "CREATE FUNCTION `mldb`.`churn_score` (`x` DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 2"),
    # A string: MariaDB echoes it with `COLLATE ...` after the CHARSET, which ddl.same_function takes
    # for the same definition (the re-run finds it unchanged).
    ("`mldb`.`churn_label`", "CREATE FUNCTION `mldb`.`churn_label` (`x` DOUBLE) RETURNS VARCHAR(8) CHARSET utf8mb4 "
                             "DETERMINISTIC RETURN IF(x > 0.5, 'churn', 'stay')"),
)
DDL_STEPS = ("create-function churn_score", "create-function churn_label")
SCENARIOS: list[tuple[str, str, str]] = [
    *[("grant", mode, step) for mode in (BEFORE, AFTER) for step in GRANT_STEPS],
    *[("revoke", mode, step) for mode in (BEFORE, AFTER) for step in REVOKE_STEPS],
    *[("ddl --apply", mode, step) for mode in (BEFORE, AFTER) for step in DDL_STEPS],
    ("ddl --apply --replace", "killed between DROP FUNCTION and CREATE FUNCTION", "replace-function"),
    *[("status --reset", mode, "FLUSH STATUS") for mode in (BEFORE, AFTER)],
]


class Killer:
    """Stands in for db.execute: at the k-th statement, KILLs the connection from an admin
    connection, before the statement or right after it ran."""

    def __init__(self, monkeypatch, admin, at: int, mode: str) -> None:
        self.real, self.admin, self.at, self.mode = db.execute, admin, at, mode
        self.count = 0
        self.killed: list[str] = []
        monkeypatch.setattr(db, "execute", self)

    def kill(self, conn) -> None:
        with self.admin.cursor() as cur:
            cur.execute(f"KILL CONNECTION {conn.thread_id()}")

    def __call__(self, conn, sql: str) -> int:
        self.count += 1
        if self.count != self.at:
            return self.real(conn, sql)
        self.killed.append(sql)
        if self.mode == AFTER:
            self.real(conn, sql)  # the server runs it...
        self.kill(conn)
        return self.real(conn, sql)  # ...and what the client gets is the dead connection


def all_grants(accounts) -> dict[tuple[str, str], list[str]]:
    return {(u, h): sorted(accounts.grants(u, h))
            for u, h in accounts.execute("SELECT User, Host FROM mysql.user WHERE is_role = 'N'")}


def default_role(accounts, user: str) -> str | None:
    return accounts.scalar("SELECT default_role FROM mysql.user WHERE User = %s", (user,)) or None


def assert_exit_5_with_one_line(exc: BaseException, statement: str) -> None:
    code, message, hint = errors.describe(exc)
    assert code == 5 and "\n" not in message, message
    assert message.startswith(f"lost the connection running `{statement}`") and "may or may not" in message, message
    assert hint and "run the same command again" in hint


@pytest.fixture
def aurora_like(fresh_accounts):
    fresh_accounts.role("AWS_COMPREHEND_ACCESS")
    fresh_accounts.role("AWS_SAGEMAKER_ACCESS")
    fresh_accounts.database("mldb")
    fresh_accounts.execute(FUNCTIONS[0][1])
    fresh_accounts.user("bystander", roles=("AWS_SAGEMAKER_ACCESS",), default_role="AWS_SAGEMAKER_ACCESS")
    fresh_accounts.user("analyst")  # the account the faulted run changes
    fresh_accounts.user("twin")  # the same change, undisturbed: the expected end state
    return fresh_accounts


def _plan(mariadb, user: str, revoke: bool):
    conn = mariadb.connect()
    req = grants.GrantRequest(get_service("comprehend"), Account(user), [FunctionRef("mldb", "churn_score")], revoke=revoke)
    return conn, grants.plan(req, V3, conn=conn, dialect=grants.MARIADB, where="mariadb")


def _apply(mariadb, user: str, revoke: bool):
    conn, plan = _plan(mariadb, user, revoke)
    try:
        plan.apply()
    finally:
        conn.close()
    return plan


def _as(grants_of: list[str], user: str) -> list[str]:
    return [g.replace(f"`{user}`@", "`USER`@") for g in grants_of]


@pytest.mark.parametrize("mode", [BEFORE, AFTER])
@pytest.mark.parametrize("command, k", [("grant", k) for k in (1, 2, 3)] + [("revoke", k) for k in (1, 2, 3)],
                         ids=[f"grant-{s}" for s in GRANT_STEPS] + [f"revoke-{s}" for s in REVOKE_STEPS])
def test_the_connection_killed_at_each_statement_then_the_rerun_converges(aurora_like, mariadb, monkeypatch, command,
                                                                         k, mode):
    accounts, revoke = aurora_like, command == "revoke"
    if revoke:  # what revoke takes away: an undisturbed grant first, on both accounts
        _apply(mariadb, "analyst", False)
        _apply(mariadb, "twin", False)
    _apply(mariadb, "twin", revoke)
    before = all_grants(accounts)

    killer = Killer(monkeypatch, accounts.root, k, mode)
    conn, plan = _plan(mariadb, "analyst", revoke)
    with pytest.raises(DatabaseError) as failed:
        plan.apply()
    conn.close()
    assert len(killer.killed) == 1
    assert_exit_5_with_one_line(failed.value, killer.killed[0])
    statuses = [s.status for s in plan.steps]
    assert statuses == ["done"] * (k - 1) + ["failed"] + ["planned"] * (3 - k)

    monkeypatch.setattr(db, "execute", killer.real)
    again = _apply(mariadb, "analyst", revoke)
    # what ran before the fault (and, when its answer was lost, the statement itself) is found done
    found = k if mode == AFTER else k - 1
    assert [s.status for s in again.steps] == ["unchanged"] * found + ["done"] * (3 - found)
    after = all_grants(accounts)
    assert {who for who in after if after[who] != before.get(who)} == {("analyst", "%")}
    assert _as(after[("analyst", "%")], "analyst") == _as(after[("twin", "%")], "twin")
    assert default_role(accounts, "analyst") == default_role(accounts, "twin")
    assert {s.status for s in _plan(mariadb, "analyst", revoke)[1].steps} == {"unchanged"}


def _create_functions(conn, replace: bool = False):
    return ddl.plan_apply(conn, list(FUNCTIONS), replace=replace, where="mariadb")


def _functions(accounts) -> dict[str, str]:
    """Each function there now: its definition when it is the one FUNCTIONS asks for, else the server's text."""
    found = {}
    for q, statement in FUNCTIONS:
        name = q.split(".")[1].strip("`")
        if accounts.scalar("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb' "
                           "AND ROUTINE_NAME = %s", (name,)):
            text = accounts.execute(f"SHOW CREATE FUNCTION {q}")[0][2]
            found[name] = ddl.normalise(statement) if ddl.same_function(text, statement) else text
    return found


@pytest.mark.parametrize("mode", [BEFORE, AFTER])
@pytest.mark.parametrize("k", [1, 2], ids=["churn_score", "churn_label"])
def test_ddl_apply_with_the_connection_killed_then_the_rerun_converges(aurora_like, mariadb, monkeypatch, k, mode):
    accounts = aurora_like
    accounts.execute("DROP FUNCTION `mldb`.`churn_score`")
    killer = Killer(monkeypatch, accounts.root, k, mode)
    conn = mariadb.connect()
    plan = _create_functions(conn)
    with pytest.raises(DatabaseError) as failed:
        plan.apply()
    conn.close()
    assert_exit_5_with_one_line(failed.value, killer.killed[0])
    assert [s.status for s in plan.steps] == ["done"] * (k - 1) + ["failed"] + ["planned"] * (2 - k)

    monkeypatch.setattr(db, "execute", killer.real)
    conn = mariadb.connect()
    again = _create_functions(conn)
    again.apply()
    found = k if mode == AFTER else k - 1
    assert [s.status for s in again.steps] == ["unchanged"] * found + ["done"] * (2 - found)
    assert _functions(accounts) == {q.split(".")[1].strip("`"): ddl.normalise(st) for q, st in FUNCTIONS}
    assert {s.status for s in _create_functions(conn).steps} == {"unchanged"}
    conn.close()


def test_ddl_replace_killed_between_drop_and_create_then_the_rerun_creates_it(aurora_like, mariadb, monkeypatch):
    """--replace proves the new definition under a temporary name, then DROPs and CREATEs: killed
    between the two, the old definition cannot be put back on the dead connection, so the function
    is gone until the re-run, and the error says where the old definition is."""
    accounts = aurora_like
    accounts.execute("DROP FUNCTION `mldb`.`churn_score`")
    accounts.execute("CREATE FUNCTION `mldb`.`churn_score` (x DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 3")
    accounts.execute(FUNCTIONS[1][1])
    # statements 1 and 2 create and drop the probe, 3 is the DROP, 4 the CREATE
    killer = Killer(monkeypatch, accounts.root, 4, BEFORE)
    conn = mariadb.connect()
    plan = _create_functions(conn, replace=True)
    assert [s.action for s in plan.steps if s.status == "planned"] == ["probe-function", "replace-function"]
    with pytest.raises(DatabaseError) as failed:
        plan.apply()
    conn.close()
    assert killer.killed == [FUNCTIONS[0][1]]
    assert_exit_5_with_one_line(failed.value, FUNCTIONS[0][1])
    assert "could not be put back" in failed.value.message and "change journal" in failed.value.message
    replaced = plan.steps[1]
    assert replaced.status == "failed" and "x * 3" in replaced.before
    assert replaced.undo.startswith("DROP FUNCTION IF EXISTS `mldb`.`churn_score`; CREATE DEFINER=")
    assert "churn_score" not in _functions(accounts)  # dropped, not yet created again

    monkeypatch.setattr(db, "execute", killer.real)
    conn = mariadb.connect()
    again = _create_functions(conn, replace=True)
    assert [(s.action, s.status) for s in again.steps] == [("create-function", "planned"), ("create-function", "unchanged")]
    again.apply()
    assert _functions(accounts) == {q.split(".")[1].strip("`"): ddl.normalise(st) for q, st in FUNCTIONS}
    conn.close()


@pytest.mark.parametrize("mode", [BEFORE, AFTER])
def test_status_reset_with_the_connection_killed_exits_5_and_the_rerun_flushes(aurora_like, mariadb, monkeypatch, cli,
                                                                              mode):
    accounts = aurora_like
    real_detect = db.detect
    monkeypatch.setattr(db, "detect", lambda conn: db.Engine("aurora-mysql", real_detect(conn).server_version, V3))
    args = ("-o", "json", "status", "--host", mariadb.host, "--port", str(mariadb.port), "--user", "root", "--reset",
            "--yes")
    killer = Killer(monkeypatch, accounts.root, 1, mode)
    r = cli(*args, code=5)
    assert killer.killed == ["FLUSH STATUS"]
    lines = r.stderr.splitlines()
    errors_ = [line for line in lines if line.startswith("error: ")]
    assert errors_ == [next(line for line in lines if line.startswith("error: lost the connection running `FLUSH STATUS`"))]
    assert "may or may not have taken effect" in errors_[0] and "Traceback" not in r.stderr
    assert lines[lines.index(errors_[0]) + 1].startswith("  next: run the same command again")
    monkeypatch.setattr(db, "execute", killer.real)
    again = cli(*args, code=0)
    assert "done      FLUSH STATUS" in again.stderr
    assert {i["reachable"] for i in again.json()["instances"]} == {True}
