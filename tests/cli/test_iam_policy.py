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
    assert by_sid["AuroraMLPassRoleToRds"]["Condition"] == {"StringEquals": {"iam:PassedToService": "rds.amazonaws.com"}}
    # Without --account the boundary is the caller's own account's, never a wildcard.
    assert by_sid["AuroraMLCreateRoleWithBoundary"]["Condition"] == {"StringEquals": {
        "iam:PermissionsBoundary": "arn:aws:iam::${aws:PrincipalAccount}:policy/AuroraMLBoundary"}}
    flat = {a for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert flat == set(actions_for())
    assert doc == document()


def test_one_command_gets_only_what_it_needs(cli):
    doc = json.loads(cli("iam-policy", "--command", "status", "--account", "123456789012").stdout)
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in doc["Statement"]] == [
        ("AuroraMLRead", ["rds:DescribeDBClusters", "rds:DescribeDBInstances"], "*"),
        ("AuroraMLSecrets", ["secretsmanager:GetSecretValue"], "arn:aws:secretsmanager:*:123456789012:secret:rds!*")]


def test_secret_arns_given_are_added_to_the_rds_managed_ones(cli):
    mine = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf"
    doc = cli("iam-policy", "--command", "grant", "--account", "123456789012", "--secret-arn", mine).json()
    assert doc["Statement"][-1]["Resource"] == ["arn:aws:secretsmanager:*:123456789012:secret:rds!*", mine]


def test_cluster_scopes_rds_writes_to_the_cluster_its_instances_and_groups(cli, sandbox_aws):
    doc = cli("iam-policy", "--command", "setup", "--cluster", "ml-demo", "--cluster", "bedrock-ready").json()
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    rds = "arn:aws:rds:us-east-1:123456789012"
    assert by_sid["AuroraMLClusters"]["Resource"] == [f"{rds}:cluster:ml-demo", f"{rds}:cluster:bedrock-ready"]
    assert by_sid["AuroraMLReboot"]["Resource"] == [f"{rds}:db:ml-demo-1", f"{rds}:db:ml-demo-2", f"{rds}:db:bedrock-ready-1"]
    assert by_sid["AuroraMLParameterGroups"]["Resource"] == [f"{rds}:cluster-pg:auroraml-*",
                                                             f"{rds}:cluster-pg:bedrock-ready-params"]
    assert by_sid["AuroraMLRoles"]["Resource"] == "arn:aws:iam::123456789012:role/auroraml-*"  # the clusters' account


def test_bootstrap_prints_the_boundary_the_operator_policy_and_the_steps(cli):
    out = cli("iam-policy", "--bootstrap", "--account", "123456789012").json()
    assert out["boundary"]["PolicyDocument"] == cli("iam-policy", "--boundary").json()
    assert out["operator"]["PolicyDocument"] == cli("iam-policy", "--account", "123456789012").json()
    assert out["boundary"]["Arn"] == BOUNDARY and any("put-role-permissions-boundary" in s for s in out["steps"])


@pytest.mark.parametrize("args", [("--command", "sandbox"), ("--partition", "mars"), ("--account", "12"),
                                  ("--bootstrap", "--boundary"), ("--secret-arn", "arn:aws:s3:::b"),
                                  ("--cluster", "not_a_cluster")])
def test_bad_input_is_refused(cli, args):
    cli("iam-policy", *args, code=2).assert_refused()


# --- the operator holding exactly the printed policy, on the sandbox with IAM enforced ---------

ACCOUNT = "123456789012"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/AuroraMLBoundary"
HAIKU = "us.anthropic.claude-3-haiku-20240307-v1:0"


def admin(service, region="us-east-1"):
    import boto3

    return boto3.client(service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def become_operator(monkeypatch, policy: dict, name="operator") -> None:
    """An IAM user holding `policy` (created by the administrator), whose keys the CLI then uses."""
    iam = admin("iam")
    iam.create_user(UserName=name)
    arn = iam.create_policy(PolicyName=f"AuroraMLOperator-{name}", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])


SETUPS = [("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes"),
          ("setup", "bedrock", "--cluster", "bedrock-ready", "--model-id", HAIKU, "--reboot", "--yes"),
          ("setup", "sagemaker", "--cluster", "ml-global-use1", "--endpoint", "churn-predictor", "--global",
           "--reboot", "--yes"),
          ("setup", "s3", "--cluster", "legacy-v2", "--bucket", "ml-demo-exports", "--reboot", "--yes")]
SCOPED = ("--cluster", "ml-demo", "--cluster", "bedrock-ready", "--cluster", "ml-global-use1",
          "--cluster", f"arn:aws:rds:us-west-2:{ACCOUNT}:cluster:ml-global-usw2", "--cluster", "legacy-v2")


@pytest.mark.parametrize("scoped", [False, True], ids=["account-wide", "scoped-to-clusters"])
def test_setup_of_every_service_succeeds_as_an_operator_holding_exactly_the_printed_policy(cli, sandbox_aws,
                                                                                          monkeypatch, scoped):
    printed = cli("iam-policy", "--command", "setup", "--command", "check", "--command", "teardown",
                  *(SCOPED if scoped else ())).json()
    become_operator(monkeypatch, printed)
    for args in SETUPS:
        cli(*args)
        cli(*args)  # and the second run finds nothing to do
    roles = admin("iam").list_roles()["Roles"]
    made = [admin("iam").get_role(RoleName=r["RoleName"])["Role"] for r in roles if r["RoleName"].startswith("auroraml-")]
    assert len(made) == 5  # global: one role per member region
    assert {r["PermissionsBoundary"]["PermissionsBoundaryArn"] for r in made} == {BOUNDARY}
    checked = cli("-o", "json", "check", "--cluster", "ml-demo", "--no-database")
    assert {c["status"] for c in checked.json()["checks"] if c["check"] == "role-boundary"} == {"pass"}
    for service, cluster in (("comprehend", "ml-demo"), ("bedrock", "bedrock-ready"), ("sagemaker", "ml-global-use1"),
                             ("sagemaker", f"arn:aws:rds:us-west-2:{ACCOUNT}:cluster:ml-global-usw2"),
                             ("s3", "legacy-v2")):  # and teardown undoes each, as the same operator
        cli("teardown", service, "--cluster", cluster, "--reboot", "--yes")
    assert not [r for r in admin("iam").list_roles()["Roles"] if r["RoleName"].startswith("auroraml-")]


def test_the_sandbox_refuses_an_operator_what_the_policy_withholds(cli, sandbox_aws, monkeypatch):
    become_operator(monkeypatch, cli("iam-policy", "--cluster", "ml-demo").json())
    import boto3

    iam = boto3.client("iam", region_name="us-east-1")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for kwargs in ({}, {"PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/auroraml-mine"}):
        with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
            iam.create_role(RoleName="auroraml-y", AssumeRolePolicyDocument=trust, **kwargs)
    iam.create_role(RoleName="auroraml-y", AssumeRolePolicyDocument=trust, PermissionsBoundary=BOUNDARY)
    with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
        iam.delete_role_permissions_boundary(RoleName="auroraml-y")
    with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
        iam.attach_role_policy(RoleName="auroraml-y", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
        iam.create_policy_version(PolicyArn=BOUNDARY, PolicyDocument=trust, SetAsDefault=True)
    # A cluster outside --cluster: AWS refuses the first write, and setup says so (exit 4).
    refused = cli("setup", "comprehend", "--cluster", "legacy-v2", "--reboot", "--yes", code=4)
    assert "AccessDenied" in refused.stderr or "not authorized" in refused.stderr


def test_setup_without_the_boundary_refuses_before_any_change_and_names_the_bootstrap(cli, sandbox_aws):
    admin("iam").delete_policy(PolicyArn=BOUNDARY)
    refused = cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes", code=3)
    refused.stderr.index("AuroraMLBoundary does not exist")
    assert "auroraml iam-policy --bootstrap" in refused.stderr
    assert refused.writes == []


def test_another_boundary_can_be_named(cli, sandbox_aws):
    mine = admin("iam").create_policy(PolicyName="TeamBoundary", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "comprehend:*", "Resource": "*"}]}))
    cli("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", "--permissions-boundary",
        mine["Policy"]["Arn"], code=7)
    role = admin("iam").get_role(RoleName="auroraml-comprehend-ml-demo")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == mine["Policy"]["Arn"]
    cli("setup", "comprehend", "--cluster", "ml-demo", "--permissions-boundary", "arn:aws:s3:::b", code=2).assert_refused()


def test_a_role_made_before_the_boundary_is_reported_by_setup_and_check(cli, sandbox_aws):
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    admin("iam").delete_role_permissions_boundary(RoleName="auroraml-comprehend-ml-demo")
    again = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert any("no permissions boundary" in n and "put-role-permissions-boundary" in n for n in again.json()["notes"])
    checked = cli("-o", "json", "check", "--cluster", "ml-demo", "--no-database")  # a warning: exit 0
    boundary = next(c for c in checked.json()["checks"] if c["check"] == "role-boundary")
    assert boundary["status"] == "warn" and "put-role-permissions-boundary" in boundary["fix"]


def test_an_operator_reads_the_rds_managed_master_secret_and_no_other(cli, sandbox_aws, monkeypatch):
    other = admin("secretsmanager").create_secret(Name="payments/db", SecretString="x")["ARN"]
    become_operator(monkeypatch, cli("iam-policy", "--command", "grant").json())
    import boto3

    managed = boto3.client("rds", region_name="us-east-1").describe_db_clusters(
        DBClusterIdentifier="ml-demo")["DBClusters"][0]["MasterUserSecret"]["SecretArn"]
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    assert ":secret:rds!" in managed and "password" in secrets.get_secret_value(SecretId=managed)["SecretString"]
    with pytest.raises(secrets.exceptions.ClientError, match="AccessDeniedException"):
        secrets.get_secret_value(SecretId=other)


def test_putting_back_a_changed_trust_is_left_to_an_administrator(cli, sandbox_aws, monkeypatch):
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    admin("iam").update_assume_role_policy(RoleName="auroraml-comprehend-ml-demo", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))
    plan = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run")
    assert any("iam:UpdateAssumeRolePolicy" in n for n in plan.json()["notes"])
    become_operator(monkeypatch, cli("iam-policy").json())
    refused = cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes", code=4)
    assert "iam:UpdateAssumeRolePolicy" in refused.stderr


def test_a_policy_past_iams_size_limit_is_printed_with_a_warning(cli, sandbox_aws, boto):
    rds = boto("rds")
    for i in range(10):
        rds.create_db_cluster(DBClusterIdentifier=f"team-{i}", Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.08.0",
                              MasterUsername="admin", MasterUserPassword="sandbox-password")
        for n in (1, 2, 3):
            rds.create_db_instance(DBInstanceIdentifier=f"team-{i}-{n}", DBClusterIdentifier=f"team-{i}",
                                   Engine="aurora-mysql", DBInstanceClass="db.r6g.large")
    few = cli("iam-policy", "--cluster", "team-0")
    assert "characters" not in few.stderr
    many = cli("iam-policy", *(a for i in range(10) for a in ("--cluster", f"team-{i}")))
    assert many.json()["Statement"] and "IAM takes at most 6144" in many.stderr


# --- status --watch --publish cloudwatch -----------------------------------------------------------

def test_publish_cloudwatch_adds_put_metric_data_held_to_the_namespace(cli):
    doc = cli("iam-policy", "--command", "status", "--publish", "cloudwatch", "--account", ACCOUNT).json()
    (statement,) = [s for s in doc["Statement"] if s["Sid"] == "AuroraMLPublishMetrics"]
    assert statement == {"Sid": "AuroraMLPublishMetrics", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
                         "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace": "AuroraML"}}}
    two = cli("iam-policy", "--publish", "cloudwatch", "--namespace", "A", "--namespace", "B").json()
    (statement,) = [s for s in two["Statement"] if s["Sid"] == "AuroraMLPublishMetrics"]
    assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": ["A", "B"]}}


def test_without_publish_no_policy_has_any_cloudwatch_action(cli):
    for args in ((), ("--command", "status"), ("--bootstrap",)):
        assert "cloudwatch:" not in cli("iam-policy", *args).stdout


@pytest.mark.parametrize("args", [("--publish", "datadog"), ("--namespace", "AuroraML"),
                                  ("--command", "setup", "--publish", "cloudwatch"),
                                  ("--publish", "cloudwatch", "--namespace", "AWS/RDS")])
def test_publish_bad_input_is_refused(cli, args):
    cli("iam-policy", *args, code=2).assert_refused()


def test_an_operator_holding_the_publish_policy_publishes_into_its_namespace_and_no_other(cli, sandbox_aws, monkeypatch,
                                                                                       isolated):
    """On the sandbox with IAM enforced: PutMetricData is authorised as cloudwatch:PutMetricData with
    the request's cloudwatch:namespace, as AWS does."""
    from auroraml_cli.sandbox.sql import start_endpoint

    policy = cli("iam-policy", "--command", "status", "--publish", "cloudwatch", "--account", ACCOUNT).json()
    become_operator(monkeypatch, policy)
    cnf = isolated / "aurora.cnf"
    cnf.write_text("[client]\nuser = admin\npassword = publish-Pa55word\n")
    with start_endpoint(cluster_id="publish-v3", engine_version="8.0.mysql_aurora.3.10.1",
                        master_password="publish-Pa55word") as endpoint:
        args = ("status", "--host", endpoint.host, "--port", str(endpoint.port), "--defaults-file", str(cnf),
                "--watch", "--interval", "0.1", "--count", "2", "--publish", "cloudwatch")
        allowed = cli("-o", "json", *args)
        refused = cli("-o", "json", *args, "--namespace", "Elsewhere")
    assert "publishing stopped" not in allowed.stderr and "sent 7 data point(s)" in allowed.stderr
    assert "refused PutMetricData (AccessDenied" in refused.stderr and "sent 0 data point(s)" in refused.stderr
