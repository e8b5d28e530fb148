"""`auroraml grant|revoke --aurora-version V`: the SQL for a version, reviewed with no connection and no AWS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ANALYST = "analyst@'10.0.%'"  # as a caller passes it after the shell: the host quoted the MySQL way
ANALYST_SQL = "`analyst`@`10.0.%`"


def sql_of(r) -> list[str]:
    return [s["detail"] for s in r.json()["steps"]]


def test_grant_comprehend_dry_run_json(cli):
    r = cli("-o", "json", "grant", "comprehend", "analyst@10.0.%", "--aurora-version", "3.06.0", "--dry-run")
    doc = r.json()
    assert doc["command"] == "grant" and doc["service"] == "comprehend"
    assert doc["offline"] is True and doc["dry_run"] is True and doc["changed"] is False
    assert doc["aurora_version"] == "3.06.0"
    assert all(s["status"] == "planned" for s in doc["steps"])
    assert sql_of(r) == [f"GRANT `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}",
                         f"SET DEFAULT ROLE `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}"]
    assert r.calls == []


def test_grant_with_a_mysql_quoted_host(cli):
    # `grant --help` and the no-user hint both show analyst@'10.0.%'; the quotes are MySQL's, not the host's.
    r = cli("-o", "json", "grant", "comprehend", ANALYST, "--aurora-version", "3.06.0", "--dry-run")
    assert sql_of(r) == [f"GRANT `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}",
                         f"SET DEFAULT ROLE `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}"]
    assert r.json()["account"] == "analyst@10.0.%"


def test_grant_table_output_shows_the_sql(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one table row per step, nothing wrapped
    r = cli("-o", "table", "grant", "comprehend", "analyst@10.0.%", "--aurora-version", "3.06.0", "--dry-run")
    assert f"GRANT `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}" in r.stdout
    assert f"SET DEFAULT ROLE `AWS_COMPREHEND_ACCESS` TO {ANALYST_SQL}" in r.stdout
    assert "planned" in r.stdout and "dry run" in r.stdout
    assert r.calls == []


def test_grant_with_functions_and_no_default_role(cli):
    r = cli("-o", "json", "grant", "sagemaker", "app", "--function", "mldb.churn_score", "--function", "mldb.fraud",
            "--no-default-role", "--aurora-version", "3.04.1", "--dry-run")
    assert sql_of(r) == ["GRANT `AWS_SAGEMAKER_ACCESS` TO `app`@`%`",
                         "GRANT EXECUTE ON FUNCTION `mldb`.`churn_score` TO `app`@`%`",
                         "GRANT EXECUTE ON FUNCTION `mldb`.`fraud` TO `app`@`%`"]


def test_grant_on_v2_uses_privileges(cli):
    r = cli("-o", "json", "grant", "s3", "loader@%", "--aurora-version", "5.7.mysql_aurora.2.11.2", "--dry-run")
    assert sql_of(r) == ["GRANT SELECT INTO S3 ON *.* TO `loader`@`%`", "GRANT LOAD FROM S3 ON *.* TO `loader`@`%`"]
    assert r.json()["aurora_version"] == "2.11.2"


def test_aurora_version_without_a_host_is_review_mode_even_without_dry_run(cli):
    r = cli("-o", "json", "grant", "bedrock", "x", "--aurora-version", "8.4.7")
    assert r.json()["offline"] is True and r.json()["dry_run"] is True
    assert sql_of(r)[0] == "GRANT `AWS_BEDROCK_ACCESS` TO `x`@`%`"
    assert r.calls == []


def test_revoke_mirrors_grant(cli):
    r = cli("-o", "json", "revoke", "s3", "u", "--function", "db.fn", "--aurora-version", "3.06.0", "--dry-run")
    doc = r.json()
    assert doc["command"] == "revoke" and doc["offline"] is True
    assert sql_of(r) == ["REVOKE `AWS_SELECT_S3_ACCESS` FROM `u`@`%`", "REVOKE `AWS_LOAD_S3_ACCESS` FROM `u`@`%`",
                         "REVOKE EXECUTE ON FUNCTION `db`.`fn` FROM `u`@`%`", "SET DEFAULT ROLE NONE TO `u`@`%`"]
    assert [s["action"] for s in doc["steps"]] == ["revoke-role", "revoke-role", "revoke-execute", "set-default-role"]
    assert r.calls == []


def test_revoke_on_v2(cli):
    r = cli("-o", "json", "revoke", "sagemaker", "u", "--aurora-version", "2.11.2", "--dry-run")
    assert sql_of(r) == ["REVOKE INVOKE SAGEMAKER ON *.* FROM `u`@`%`"]


def test_hostile_account_is_quoted(cli):
    r = cli("-o", "json", "grant", "comprehend", "o'b`r;--@10.%", "--aurora-version", "3.06.0", "--dry-run")
    assert sql_of(r)[0] == "GRANT `AWS_COMPREHEND_ACCESS` TO `o'b``r;--`@`10.%`"


REFUSALS = {
    "bedrock on v2": ("grant", "bedrock", "x", "--aurora-version", "2.11.2", "--dry-run"),
    "bedrock on 3.05": ("grant", "bedrock", "x", "--aurora-version", "3.05.2", "--dry-run"),
    "revoke bedrock on v2": ("revoke", "bedrock", "x", "--aurora-version", "2.11.2", "--dry-run"),
    "comprehend on 2.06": ("grant", "comprehend", "x", "--aurora-version", "2.06.0", "--dry-run"),
    "no user": ("grant", "comprehend", "@host", "--aurora-version", "3.06.0", "--dry-run"),
    "function without schema": ("grant", "sagemaker", "x", "--function", "churn_score", "--aurora-version", "3.06.0", "--dry-run"),
    "not a version": ("grant", "comprehend", "x", "--aurora-version", "3.x", "--dry-run"),
    "no host, no cluster": ("grant", "comprehend", "x", "--user", "admin"),
}


@pytest.mark.parametrize("args", list(REFUSALS.values()), ids=list(REFUSALS))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_each_refusal_exits_2_with_an_error_line_and_nothing_on_stdout(cli, args, fmt):
    r = cli("-o", fmt, *args, code=2)
    assert r.stdout == ""
    assert r.stderr.startswith("error: "), r.stderr
    assert "GRANT `" not in r.stderr and "REVOKE `" not in r.stderr
    assert r.calls == []


@pytest.mark.parametrize("args", list(REFUSALS.values()), ids=list(REFUSALS))
def test_each_refusal_says_what_to_do_next(cli, args):
    cli(*args, code=2).assert_refused()


def test_bedrock_on_v2_names_the_version_it_needs(cli):
    r = cli("grant", "bedrock", "x", "--aurora-version", "2.11.2", "--dry-run", code=2)
    assert "Bedrock" in r.stderr and "2.11.2" in r.stderr and "3.06" in r.stderr


def test_a_missing_defaults_file_exits_3_before_any_connection(cli, isolated):
    r = cli("grant", "comprehend", "x", "--host", "127.0.0.1", "--defaults-file", str(isolated / "nope.cnf"), code=3)
    assert r.stdout == ""
    assert r.stderr.startswith("error: ") and "nope.cnf" in r.stderr
    assert r.calls == []


def test_offline_grant_and_revoke_import_neither_pymysql_nor_boto3(isolated):
    commands = [
        ["-o", "json", "grant", "comprehend", "analyst@10.0.%", "--aurora-version", "3.06.0", "--dry-run"],
        ["-o", "json", "revoke", "s3", "u", "--function", "db.fn", "--aurora-version", "2.11.2", "--dry-run"],
        ["-o", "json", "grant", "bedrock", "x", "--aurora-version", "2.11.2", "--dry-run"],  # a refusal
    ]
    code = ("import json, sys\nfrom auroraml_cli.cli import run\n"
            f"for argv in {commands!r}:\n"
            "    rc = run(argv)\n"
            "    print('RESULT ' + json.dumps([rc, [m for m in ('pymysql', 'boto3', 'botocore') if m in sys.modules]]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line[len("RESULT "):]) for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results == [[0, []], [0, []], [2, []]]
    first = json.loads(done.stdout[:done.stdout.index("RESULT ")])
    assert first["offline"] is True and "GRANT `AWS_COMPREHEND_ACCESS`" in first["steps"][0]["detail"]
