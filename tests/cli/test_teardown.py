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
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--keep-iam", code=7)
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
