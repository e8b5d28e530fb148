"""`auroraml grant` / `revoke` connected to a server: a plain MariaDB is named and refused.

The Aurora behaviour end to end is in tests/e2e (the sandbox's Aurora SQL endpoint); the SQL's
semantics on a real engine are in tests/db.
"""

from __future__ import annotations

import pytest


def _snapshot(mariadb):
    return sorted(mariadb.query("SELECT User, Host, is_role FROM mysql.user"))


def test_grant_against_mariadb_is_refused_with_nothing_executed(cli, mariadb, fresh_accounts):
    fresh_accounts.role("AWS_COMPREHEND_ACCESS")
    fresh_accounts.user("analyst")
    before = fresh_accounts.grants("analyst")
    r = cli("grant", "comprehend", "analyst", "--host", mariadb.host, "--port", str(mariadb.port), "--user", "root", code=2)
    assert "MariaDB" in r.stderr and "not Aurora MySQL" in r.stderr and "nothing was executed" in r.stderr
    assert fresh_accounts.grants("analyst") == before


def test_ddl_apply_against_mariadb_is_refused(cli, mariadb, fresh_accounts):
    fresh_accounts.database("mldb")
    r = cli("ddl", "sagemaker", "mldb.score", "--endpoint", "e", "--arg", "x:DOUBLE", "--returns", "DOUBLE", "--apply",
            "--host", mariadb.host, "--port", str(mariadb.port), "--user", "root", code=2)
    assert "not Aurora MySQL" in r.stderr
    assert fresh_accounts.execute("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb'")[0][0] == 0


def test_password_from_an_option_file_and_wrong_password_exit_5(cli, mariadb, fresh_accounts, isolated):
    fresh_accounts.user("opsuser", password="canary-Pa55word")
    fresh_accounts.execute("GRANT SELECT ON *.* TO `opsuser`@`%`")
    cnf = isolated / "ops.cnf"
    cnf.write_text("[client]\nuser = opsuser\npassword = wrong-password\n")
    r = cli("grant", "comprehend", "x", "--host", mariadb.host, "--port", str(mariadb.port), "--defaults-file", str(cnf), code=5)
    assert "Access denied" in r.stderr and "wrong-password" not in r.stderr + r.stdout
    cnf.write_text("[client]\nuser = opsuser\npassword = canary-Pa55word\n")
    ok = cli("-v", "grant", "comprehend", "x", "--host", mariadb.host, "--port", str(mariadb.port), "--defaults-file", str(cnf), code=2)
    assert "not Aurora MySQL" in ok.stderr  # connected: the password was right, the server is not Aurora
    assert "canary-Pa55word" not in ok.stderr + ok.stdout


SANDBOX_PASSWORD = "sandbox-pw-1"
ML_FUNCTIONS = [
    "CREATE DATABASE mldb",
    "CREATE FUNCTION mldb.churn_score (x DOUBLE) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'churn'",
    "CREATE FUNCTION mldb.ask_raw (body TEXT) RETURNS LONGTEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'amazon.titan-text-express-v1'",
    "CREATE FUNCTION mldb.ask (prompt TEXT) RETURNS TEXT READS SQL DATA RETURN JSON_UNQUOTE(`mldb`.`ask_raw`(prompt))",
    "CREATE FUNCTION mldb.mood (t TEXT) RETURNS TEXT DETERMINISTIC RETURN aws_comprehend_detect_sentiment(t, 'en')",
    "CREATE FUNCTION mldb.twice (x DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 2",
    "CREATE USER app IDENTIFIED BY 'app-pw-1'",
]


@pytest.fixture
def aurora_sql(isolated):
    """The sandbox's Aurora SQL endpoint (3.08), with one function of each kind, and the CLI options to reach it."""
    import pymysql

    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="grants", engine_version="8.0.mysql_aurora.3.08.0", master_password=SANDBOX_PASSWORD) as ep:
        conn = pymysql.connect(host=ep.host, port=ep.port, user="admin", password=SANDBOX_PASSWORD, autocommit=True)
        with conn.cursor() as cur:
            for statement in ML_FUNCTIONS:
                cur.execute(statement)
        cnf = isolated / "admin.cnf"
        cnf.write_text(f"[client]\nuser = admin\npassword = {SANDBOX_PASSWORD}\n")

        def grants_of_app() -> list[str]:
            with conn.cursor() as cur:
                cur.execute("SHOW GRANTS FOR app")
                return sorted(r[0] for r in cur.fetchall())

        yield ("--host", ep.host, "--port", str(ep.port), "--defaults-file", str(cnf)), grants_of_app
        conn.close()


@pytest.mark.parametrize("service, good, bad, says", [
    ("sagemaker", "mldb.churn_score", "mldb.no_such", "no such function"),
    ("sagemaker", "mldb.churn_score", "mldb.twice", "is not a SageMaker function"),
    ("sagemaker", "mldb.churn_score", "mldb.ask_raw", "is not a SageMaker function"),  # another service's
    ("bedrock", "mldb.ask", "mldb.churn_score", "is not a Bedrock function"),
    ("comprehend", "mldb.mood", "nodb.mood", "no such function"),
])
def test_a_bad_second_function_leaves_no_grant_at_all(cli, aurora_sql, service, good, bad, says):
    options, grants_of_app = aurora_sql
    before = grants_of_app()
    r = cli("grant", service, "app", "--function", good, "--function", bad, *options, code=2)
    assert says in r.stderr and f"--function {bad}" in r.stderr and "nothing was changed" in r.stderr, r.stderr
    assert grants_of_app() == before
    r = cli("-o", "json", "grant", service, "app", "--function", good, *options)
    assert [s["action"] for s in r.json()["steps"] if s["status"] == "done"][:2] == ["grant-role", "grant-execute"]
    assert any(f"EXECUTE ON FUNCTION `mldb`.`{good.split('.')[1]}`" in line for line in grants_of_app())


def test_revoke_takes_a_held_grant_back_and_refuses_a_typo(cli, aurora_sql):
    options, grants_of_app = aurora_sql
    cli("grant", "sagemaker", "app", "--function", "mldb.churn_score", *options)
    held = grants_of_app()
    r = cli("revoke", "sagemaker", "app", "--function", "mldb.churn_score", "--function", "mldb.churn_scor", *options, code=2)
    assert "--function mldb.churn_scor: no such function" in r.stderr and grants_of_app() == held
    # Not at a terminal (the test's stdin) and no --yes: refused, one line and the next step, nothing revoked.
    r = cli("revoke", "sagemaker", "app", "--function", "mldb.churn_score", *options, code=2)
    assert r.stdout == "" and grants_of_app() == held
    assert r.stderr.splitlines()[-2:] == [
        "error: revoke would make 3 changes and there is no terminal to ask for consent: nothing was changed",
        "  next: review the plan with --dry-run, then add --yes to make the changes"], r.stderr
    cli("revoke", "sagemaker", "app", "--function", "mldb.churn_score", *options, "--yes")
    assert not any("churn_score" in line for line in grants_of_app())


def test_detailed_exitcode_tells_a_pending_grant_from_one_in_place(cli, aurora_sql):
    options, grants_of_app = aurora_sql
    plan = ("grant", "comprehend", "app", "--dry-run", "--detailed-exitcode", *options)
    assert "planned" in {s["status"] for s in cli("-o", "json", *plan, code=2).json()["steps"]}
    cli("grant", "comprehend", "app", *options)
    assert {s["status"] for s in cli("-o", "json", *plan).json()["steps"]} == {"unchanged"}
    cli("revoke", "comprehend", "app", "--dry-run", "--detailed-exitcode", *options, code=2)  # revoke would change it
    held = grants_of_app()
    r = cli("grant", "comprehend", "app", "--detailed-exitcode", *options, code=2)  # no --dry-run: a usage error
    assert r.stderr.startswith("error: --detailed-exitcode only applies to a dry run\n") and grants_of_app() == held
    r = cli("grant", "comprehend", "app", "--dry-run", "--detailed-exitcode", "--aurora-version", "3.08.0", code=2)
    r.assert_refused()  # nothing to compare with: refused, not a guess


def test_ddl_replace_asks_and_a_new_function_does_not(cli, aurora_sql):
    options, _ = aurora_sql
    base = ("ddl", "sagemaker", "mldb.fresh", "--endpoint", "churn-predictor", "--arg", "x:INT", "--returns", "DOUBLE",
            "--apply", *options)
    created = cli("-o", "json", *base)  # a new function takes nothing away: no question, no --yes needed
    assert [s["status"] for s in created.json()["steps"]] == ["done"]
    changed = (*base, "--max-batch-size", "100", "--replace")
    r = cli("-o", "json", *changed, code=2)
    assert r.stdout == "" and r.stderr.splitlines()[-2:] == [
        "error: ddl would make 2 changes and there is no terminal to ask for consent: nothing was changed",
        "  next: review the plan with --dry-run, then add --yes to make the changes"]
    assert cli("-o", "json", *changed, "--dry-run", "--detailed-exitcode", code=2).json()["dry_run"] is True
    replaced = cli("-o", "json", *changed, "--yes")
    assert [s["status"] for s in replaced.json()["steps"]] == ["done", "done"]
    cli("-o", "json", *changed, "--dry-run", "--detailed-exitcode")  # in place now: exit 0
