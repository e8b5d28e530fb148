"""`auroraml teardown`: setup in reverse, only what setup created."""

from __future__ import annotations

import json

ACCOUNT = "123456789012"
ROLE = "auroraml-comprehend-ml-demo"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}"


def _value(boto, group, name):
    pages = boto("rds").get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group)
    return next((p.get("ParameterValue") for page in pages for p in page["Parameters"] if p["ParameterName"] == name), None)


def _names(boto):
    iam = boto("iam")
    return ({r["RoleName"] for r in iam.list_roles()["Roles"]},
            {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]})


def test_teardown_reverses_setup_and_a_second_run_changes_nothing(cli, boto):
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert [(s["action"], s["status"]) for s in r.json()["steps"]] == [
        ("reset-parameter", "done"), ("reboot-instance", "done"), ("reboot-instance", "done"),
        ("remove-role", "done"), ("delete-role", "done"), ("delete-policy", "done")]
    c = boto("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    assert c.get("AssociatedRoles", []) == []
    assert {m["DBClusterParameterGroupStatus"] for m in c["DBClusterMembers"]} == {"in-sync"}
    assert _value(boto, "auroraml-ml-demo", "aws_default_comprehend_role") in (None, "")
    roles, policies = _names(boto)
    assert ROLE not in roles and ROLE not in policies

    again = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert {s["status"] for s in again.json()["steps"]} == {"unchanged"}
    assert again.writes == []


def test_keep_iam_and_no_reboot(cli, boto):
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--keep-iam", "--yes", code=7)
    assert [s["status"] for s in r.json()["steps"] if s["action"] == "reboot-instance"] == ["skipped", "skipped"]
    roles, policies = _names(boto)
    assert ROLE in roles and ROLE in policies


def test_dry_run_writes_nothing(cli, sandbox_aws):
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--dry-run")
    assert r.json()["dry_run"] is True
    assert "planned" in {s["status"] for s in r.json()["steps"]}
    assert r.writes == []


def test_a_parameter_naming_another_role_and_foreign_iam_are_left_alone(cli, boto):
    rds, iam = boto("rds"), boto("iam")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="hand-made", DBParameterGroupFamily="aurora-mysql8.0", Description="by hand")
    other = "arn:aws:iam::123456789012:role/hand-made-role"
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="hand-made", Parameters=[
        {"ParameterName": "aws_default_comprehend_role", "ParameterValue": other, "ApplyMethod": "pending-reboot"}])
    rds.modify_db_cluster(DBClusterIdentifier="ml-demo", DBClusterParameterGroupName="hand-made", ApplyImmediately=True)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    steps = {s["action"]: s for s in r.json()["steps"]}
    assert "another role" in steps["reset-parameter"]["detail"]
    assert steps["delete-role"]["status"] == "unchanged"
    assert _value(boto, "hand-made", "aws_default_comprehend_role") == other
    assert ROLE in _names(boto)[0]


def test_without_yes_and_without_a_terminal_it_refuses_before_any_change(cli, boto):
    """The test's stdin is not a terminal: a script that forgot --yes is stopped, not obeyed."""
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", code=2)
    assert r.stdout == "" and r.writes == []
    assert r.stderr.splitlines()[-2:] == [
        "error: teardown would make 4 changes and there is no terminal to ask for consent: nothing was changed",
        "  next: review the plan with --dry-run, then add --yes to make the changes"]
    assert ROLE in _names(boto)[0]
    # With --reboot the refusal names the instances it would have rebooted.
    r = cli("teardown", "comprehend", "--cluster", "ml-demo", "--reboot", code=2)
    assert "(rebooting ml-demo-1, ml-demo-2)" in r.stderr and r.writes == []


def test_a_teardown_with_nothing_to_undo_needs_no_consent(cli, sandbox_aws):
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo")
    assert {s["status"] for s in r.json()["steps"]} == {"unchanged"} and r.writes == []


def test_detailed_exitcode_says_whether_the_dry_run_would_change_anything(cli, sandbox_aws):
    plan = ("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--dry-run", "--detailed-exitcode")
    assert cli(*plan).json()["dry_run"] is True  # nothing set up: nothing to undo, exit 0
    assert cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "--detailed-exitcode",
               code=2).json()["steps"]  # the plan is still printed, with exit 2
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "--detailed-exitcode")  # in place: 0
    r = cli(*plan, code=2)
    assert "planned" in {s["status"] for s in r.json()["steps"]} and r.writes == []
    assert cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--dry-run").code == 0  # without it: 0


def test_detailed_exitcode_without_dry_run_is_a_usage_error(cli):
    for command in ("setup", "teardown"):
        r = cli(command, "comprehend", "--cluster", "ml-demo", "--detailed-exitcode", "--yes", code=2)
        r.assert_refused()
        assert r.stderr.startswith("error: --detailed-exitcode only applies to a dry run\n")
