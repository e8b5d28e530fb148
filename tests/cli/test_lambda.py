"""Lambda as a fifth service row: setup, check, teardown and grant on the in-process sandbox.

The sandbox seeds no Lambda function, so each test creates its own with moto's Lambda client
(CreateFunction needs a role and a zip; nothing here invokes it, so no Docker is needed).
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

ACCOUNT = "123456789012"
ROLE = "auroraml-lambda-ml-demo"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}"
FUNCTION = "notify-orders"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def make_function(boto, name: str, region: str = "us-east-1") -> str:
    iam = boto("iam")
    try:
        role = iam.get_role(RoleName="test-lambda-exec")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="test-lambda-exec", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    return boto("lambda", region).create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                                  Handler="handler.handler", Code={"ZipFile": _zip()})["FunctionArn"]


def param(boto, group, name):
    pages = boto("rds").get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group)
    return next((p.get("ParameterValue") for page in pages for p in page["Parameters"] if p["ParameterName"] == name), None)


def role_policy(boto) -> dict:
    iam = boto("iam")
    version = iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=POLICY_ARN, VersionId=version)["PolicyVersion"]["Document"]
    return json.loads(doc) if isinstance(doc, str) else doc


@pytest.fixture
def function(boto):
    return make_function(boto, FUNCTION)


def test_setup_lambda_scopes_the_policy_to_the_named_functions(cli, boto, function):
    other = make_function(boto, "audit-log")
    r = cli("-o", "json", "setup", "lambda", "--cluster", "ml-demo", "--function", FUNCTION, "--function", other,
            "--reboot", "--yes")
    assert r.json()["changed"] is True
    statement = role_policy(boto)["Statement"]
    assert statement == [{"Sid": "AuroraMLInvokeLambda", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                          "Resource": sorted([FUNCTION_ARN, other])}]
    assert param(boto, "auroraml-ml-demo", "aws_default_lambda_role") == ROLE_ARN
    again = cli("-o", "json", "setup", "lambda", "--cluster", "ml-demo", "--function", other, "--function", FUNCTION,
                "--reboot", "--yes")
    assert again.json()["changed"] is False and again.writes == []


def test_setup_lambda_on_version_2_uses_the_same_parameter(cli, boto, function):
    cli("setup", "lambda", "--cluster", "legacy-v2", "--function", FUNCTION, "--reboot", "--yes")
    group = boto("rds").describe_db_clusters(DBClusterIdentifier="legacy-v2")["DBClusters"][0]["DBClusterParameterGroup"]
    assert param(boto, group, "aws_default_lambda_role") == "arn:aws:iam::123456789012:role/auroraml-lambda-legacy-v2"


def test_setup_lambda_needs_a_function_that_exists(cli, sandbox_aws):
    r = cli("setup", "lambda", "--cluster", "ml-demo", code=2)
    assert "setup lambda needs --function" in r.stderr
    r = cli("setup", "lambda", "--cluster", "ml-demo", "--function", "no-such-function", code=2)
    assert "no Lambda function 'no-such-function' in us-east-1" in r.stderr
    r = cli("setup", "lambda", "--cluster", "ml-demo", "--function", "bad name!", code=2)
    assert "not a valid Lambda function name" in r.stderr
    r = cli("setup", "lambda", "--cluster", "ml-demo", "--function", "arn:aws:s3:::bucket", code=2)
    assert "not a Lambda function ARN" in r.stderr


def test_lambda_options_do_not_apply_to_other_services(cli, sandbox_aws):
    r = cli("setup", "comprehend", "--cluster", "ml-demo", "--function", FUNCTION, code=2)
    assert "--function does not apply to comprehend" in r.stderr
    r = cli("setup", "lambda", "--cluster", "ml-demo", "--function", FUNCTION, "--endpoint", "churn-predictor", code=2)
    assert "--endpoint does not apply to lambda" in r.stderr


def test_check_lambda_passes_when_wired_and_names_a_function_the_role_cannot_reach(cli, boto, function):
    cli("setup", "lambda", "--cluster", "ml-demo", "--function", FUNCTION, "--reboot", "--yes")
    r = cli("-o", "json", "check", "--no-database", "--cluster", "ml-demo", "--service", "lambda")
    found = {(c["check"], c["service"]): c for c in r.json()["checks"]}
    assert found[("role-policy", "lambda")]["status"] == "pass"
    assert found[("function", "lambda")]["status"] == "pass"
    assert FUNCTION_ARN in found[("function", "lambda")]["detail"]
    assert found[("parameter", "lambda")]["detail"] == f"aws_default_lambda_role = {ROLE_ARN}"

    other = make_function(boto, "audit-log")
    r = cli("-o", "json", "check", "--no-database", "--cluster", "ml-demo", "--service", "lambda",
            "--function", other, code=None)
    found = {(c["check"], c["service"]): c for c in r.json()["checks"]}
    assert found[("role-policy", "lambda")]["status"] == "fail"
    assert f"--function {other}" in found[("role-policy", "lambda")]["fix"]


def test_teardown_lambda_removes_what_setup_made(cli, boto, function):
    cli("setup", "lambda", "--cluster", "ml-demo", "--function", FUNCTION, "--reboot", "--yes")
    cli("teardown", "lambda", "--cluster", "ml-demo", "--reboot", "--yes")
    assert not param(boto, "auroraml-ml-demo", "aws_default_lambda_role")
    with pytest.raises(Exception):
        boto("iam").get_role(RoleName=ROLE)


@pytest.mark.parametrize("version, statements", [
    ("3.06.0", ["GRANT `AWS_LAMBDA_ACCESS` TO `app`@`%`", "SET DEFAULT ROLE `AWS_LAMBDA_ACCESS` TO `app`@`%`"]),
    ("2.11.2", ["GRANT INVOKE LAMBDA ON *.* TO `app`@`%`"]),
])
def test_grant_lambda_offline(cli, version, statements):
    r = cli("-o", "json", "grant", "lambda", "app", "--aurora-version", version, "--dry-run")
    assert [s["detail"] for s in r.json()["steps"]] == statements
    r = cli("-o", "json", "revoke", "lambda", "app", "--aurora-version", version, "--dry-run")
    assert r.json()["steps"][0]["detail"].startswith("REVOKE")
