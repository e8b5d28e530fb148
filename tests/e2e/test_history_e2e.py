"""The change journal end to end: the installed auroraml's grant, revoke and ddl --apply record each
statement they run on the sandbox's Aurora SQL endpoint — who is the database account — and
`auroraml history` exports what setup, grant and ddl did."""

from __future__ import annotations

import json
import os
from pathlib import Path

from auroraml_cli.sandbox.seed import MASTER_USERNAME

from .conftest import auroraml
from .test_database_e2e import _master


def _lines() -> list[dict]:
    path = Path(os.environ["HOME"]) / ".local" / "state" / "auroraml" / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _records() -> list[dict]:
    """One record per change: its outcome, in place of its intent."""
    from auroraml_cli.core import journal

    return journal.pair(_lines())


def test_grant_and_ddl_apply_record_the_statements_and_the_database_account(sandbox):
    with _master(sandbox).cursor() as cur:
        cur.execute("CREATE USER 'analyst'@'%' IDENTIFIED BY 'analyst-Pw-1'")
        cur.execute("CREATE DATABASE mldb")
    ddl = ("ddl", "sagemaker", "mldb.churn_score", "--endpoint", "churn-predictor", "--arg", "tenure:INT",
           "--returns", "DOUBLE", "--apply", "--cluster", "ml-demo")
    auroraml(*ddl)
    auroraml("grant", "sagemaker", "analyst", "--function", "mldb.churn_score", "--cluster", "ml-demo")
    got = _records()
    assert [x["status"] for x in _lines()] == ["started", "done"] * 4  # each intent before its statement
    who = f"{MASTER_USERNAME}@%"
    assert [(x["command"], x["action"]) for x in got] == [
        ("ddl --apply --cluster ml-demo", "create-function"),
        ("grant sagemaker analyst@% --cluster ml-demo", "grant-role"),
        ("grant sagemaker analyst@% --cluster ml-demo", "grant-execute"),
        ("grant sagemaker analyst@% --cluster ml-demo", "set-default-role")]
    assert {x["who"] for x in got} == {who}
    assert {x["cluster"] for x in got} == {"ml-demo"}
    assert all(x["where"]["server"].endswith("(Aurora MySQL 3.08.0)") for x in got)
    assert "aws_caller" not in got[0]  # no AWS identity was asked for a SQL change
    create, role, execute, default = got
    assert create["target"] == "`mldb`.`churn_score`" and create["after"].startswith("CREATE FUNCTION `mldb`.`churn_score`")
    assert create["undo"] == "DROP FUNCTION `mldb`.`churn_score`"
    assert role["after"] == "GRANT `AWS_SAGEMAKER_ACCESS` TO `analyst`@`%`"
    assert role["undo"] == "REVOKE `AWS_SAGEMAKER_ACCESS` FROM `analyst`@`%`"
    assert "GRANT USAGE ON *.* TO `analyst`@`%`" in role["before"]  # what SHOW GRANTS had
    assert "analyst-Pw-1" not in json.dumps(got)
    assert execute["undo"] == "REVOKE EXECUTE ON FUNCTION `mldb`.`churn_score` FROM `analyst`@`%`"
    assert (default["before"], default["undo"]) == ("default roles: NONE", "SET DEFAULT ROLE NONE TO `analyst`@`%`")

    # a second run changes nothing and records nothing; revoke records the reverse
    auroraml("grant", "sagemaker", "analyst", "--function", "mldb.churn_score", "--cluster", "ml-demo")
    assert len(_records()) == 4
    auroraml("revoke", "sagemaker", "analyst", "--cluster", "ml-demo", "--yes")
    revoked = _records()[4:]
    assert [x["action"] for x in revoked] == ["revoke-role", "set-default-role"]
    assert revoked[0]["undo"] == "GRANT `AWS_SAGEMAKER_ACCESS` TO `analyst`@`%`"
    assert revoked[1]["undo"] == "SET DEFAULT ROLE `AWS_SAGEMAKER_ACCESS` TO `analyst`@`%`"

    exported = auroraml("history", "--cluster", "ml-demo", "--json").json()
    assert exported["records"] == _records()


def test_history_exports_setup_with_the_aws_caller(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    doc = auroraml("-o", "json", "history", "--cluster", "ml-demo", "--since", "1h").json()
    assert [x["action"] for x in doc["records"]] == [
        "create-policy", "create-role", "attach-policy", "associate-role", "create-parameter-group",
        "attach-parameter-group", "set-parameter"]
    assert {x["who"] for x in doc["records"]} == {sandbox.client("sts").get_caller_identity()["Arn"]}
