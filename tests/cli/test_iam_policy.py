"""`auroraml iam-policy`: the operator's policy covers every AWS call each command makes."""

from __future__ import annotations

import json

import pytest

from auroraml_cli.core.operator_policy import ACTIONS, actions_for, document

# Each command run the ways that reach the most AWS calls on the in-process sandbox (exit codes
# 5: no SQL endpoint in-process — the calls before the connection are what counts here).
RUNS = {
    "setup": [("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes"),
              ("setup", "bedrock", "--cluster", "bedrock-ready", "--model-id", "us.anthropic.claude-3-haiku-20240307-v1:0",
               "--reboot", "--yes"),
              ("setup", "sagemaker", "--cluster", "ml-global-use1", "--endpoint", "churn-predictor", "--global",
               "--reboot", "--yes"),
              ("setup", "s3", "--cluster", "legacy-v2", "--bucket", "ml-demo-exports", "--reboot", "--yes"),
              ("setup", "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--prefix", "ml",
               "--kms-key", "alias/ml-demo-exports", "--reboot", "--yes"),
              ("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")],
    "check": [("check", "--cluster", "ml-demo", "--no-database"),
              ("check", "--cluster", "bedrock-ready", "--no-database"),
              ("check", "--cluster", "ml-global-use1", "--no-database"),
              ("check", "--all", "--region", "us-east-1", "--region", "us-west-2")],
    "teardown": [("teardown", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes"),
                 ("teardown", "bedrock", "--cluster", "bedrock-ready", "--reboot", "--yes"),
                 ("teardown", "s3", "--cluster", "legacy-v2", "--reboot", "--yes")],
    "status": [("status", "--cluster", "ml-demo")],
    "grant": [("grant", "comprehend", "ana@%", "--cluster", "ml-demo")],
}


def test_every_aws_call_of_every_command_is_in_its_policy(cli, sandbox_aws):
    for command in ("setup", "check", "teardown", "status", "grant"):
        made = set()
        for args in RUNS[command]:
            result = cli(*args, code=None)
            assert result.calls, args
            made |= {c.replace(".", ":", 1) for c in result.calls}
        missing = made - set(ACTIONS[command])
        assert not missing, f"{command} calls {sorted(missing)}, which `auroraml iam-policy` does not grant"


def test_the_printed_policy_is_json_and_scopes_iam_to_auroraml_names(cli):
    doc = json.loads(cli("iam-policy").stdout)
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["AuroraMLRoles"]["Resource"] == "arn:aws:iam::*:role/auroraml-*"
    assert "iam:PassRole" in by_sid["AuroraMLRoles"]["Action"]
    assert by_sid["AuroraMLPassRoleToRds"]["Condition"] == {
        "StringNotEquals": {"iam:PassedToService": "rds.amazonaws.com"}}
    flat = {a for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert flat == set(actions_for())
    assert doc == document()


def test_one_command_gets_only_what_it_needs(cli):
    doc = json.loads(cli("iam-policy", "--command", "status", "--account", "123456789012").stdout)
    assert doc["Statement"][0]["Action"] == ["rds:DescribeDBClusters", "rds:DescribeDBInstances",
                                             "secretsmanager:GetSecretValue"]


@pytest.mark.parametrize("args", [("--command", "sandbox"), ("--partition", "mars"), ("--account", "12")])
def test_bad_input_is_refused(cli, args):
    cli("iam-policy", *args, code=2).assert_refused()
