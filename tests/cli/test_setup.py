"""`auroraml setup`: plans, idempotency, reboots and refusals, on the in-process sandbox."""

from __future__ import annotations

import json

import pytest

ROLE = "auroraml-comprehend-ml-demo"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SETUP = ("-o", "json", "setup")


def param(boto, group, name, region="us-east-1"):
    pages = boto("rds", region).get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group)
    return next((p.get("ParameterValue") for page in pages for p in page["Parameters"] if p["ParameterName"] == name), None)


def cluster(boto, name, region="us-east-1"):
    return boto("rds", region).describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]


def test_dry_run_plans_everything_and_writes_nothing(cli, sandbox_aws):
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--dry-run")
    doc = r.json()
    assert doc["dry_run"] is True and doc["changed"] is False
    assert [s["action"] for s in doc["steps"]] == [
        "create-policy", "create-role", "attach-policy", "associate-role", "create-parameter-group",
        "attach-parameter-group", "set-parameter", "reboot-instance", "reboot-instance"]
    assert {s["status"] for s in doc["steps"]} == {"planned"}
    assert [s["target"] for s in r.steps(action="reboot-instance")] == ["ml-demo-1", "ml-demo-2"]  # writer first
    assert r.calls and r.writes == []


def test_setup_with_reboot_wires_the_cluster(cli, boto):
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    doc = r.json()
    assert doc["changed"] is True
    assert {s["status"] for s in doc["steps"]} == {"done"}
    assert "nothing to do" not in r.stderr
    assert "account 123456789012, region us-east-1, partition aws" in r.stderr  # said before the first change
    c = cluster(boto, "ml-demo")
    assert c["DBClusterParameterGroup"] == "auroraml-ml-demo"
    assert [(a["RoleArn"], a["Status"]) for a in c["AssociatedRoles"]] == [(ROLE_ARN, "ACTIVE")]
    assert {m["DBClusterParameterGroupStatus"] for m in c["DBClusterMembers"]} == {"in-sync"}
    assert param(boto, "auroraml-ml-demo", "aws_default_comprehend_role") == ROLE_ARN
    assert "RebootDBCluster" not in " ".join(r.calls)
    assert [c for c in r.writes if c.endswith("RebootDBInstance")] == ["rds.RebootDBInstance"] * 2

    iam = boto("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "rds.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["auroraml:managed-by"] == "auroraml"
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}"
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Action"] == ["comprehend:BatchDetectSentiment", "comprehend:DetectSentiment"]


def test_second_run_reads_only_and_says_unchanged(cli, sandbox_aws):
    cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    again = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert {s["status"] for s in again.json()["steps"]} == {"unchanged"}
    assert again.json()["changed"] is False
    assert again.writes == []
    assert len(again.calls) < 10, again.calls
    assert "nothing to do" in again.stderr


def test_no_reboot_exits_7_and_a_later_reboot_finishes(cli, boto):
    first = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    assert [s["status"] for s in first.steps(action="reboot-instance")] == ["skipped", "skipped"]
    assert {m["DBClusterParameterGroupStatus"] for m in cluster(boto, "ml-demo")["DBClusterMembers"]} == {"pending-reboot"}
    # Without --reboot the default is not to reboot: still pending, still 7, nothing written.
    pending = cli(*SETUP, "comprehend", "--cluster", "ml-demo", code=7)
    assert pending.writes == []
    done = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert [s["status"] for s in done.json()["steps"] if s["action"] != "reboot-instance"] == ["unchanged"] * 5
    assert [s["status"] for s in done.steps(action="reboot-instance")] == ["done", "done"]
    assert done.writes == ["rds.RebootDBInstance", "rds.RebootDBInstance"]


def test_reboot_without_consent_on_a_pipe_changes_nothing(cli, sandbox_aws):
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", code=2)
    assert "--yes" in r.stderr
    assert r.writes == []


def test_bedrock_scoped_to_the_model(cli, boto):
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    r = cli(*SETUP, "bedrock", "--cluster", "ml-demo", "--model-id", model, "--reboot", "--yes")
    assert r.json()["changed"] is True
    iam = boto("iam")
    arn = f"arn:aws:iam::{ACCOUNT}:policy/auroraml-bedrock-ml-demo"
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Resource"] == f"arn:aws:bedrock:us-east-1::foundation-model/{model}"
    assert param(boto, "auroraml-ml-demo", "aws_default_bedrock_role") == f"arn:aws:iam::{ACCOUNT}:role/auroraml-bedrock-ml-demo"


def test_adding_a_model_updates_the_policy_only(cli, sandbox_aws):
    base = (*SETUP, "bedrock", "--cluster", "ml-demo", "--model-id", "amazon.titan-text-express-v1", "--reboot", "--yes")
    cli(*base)
    r = cli(*base, "--model-id", "anthropic.claude-3-haiku-20240307-v1:0")
    changed = [s["action"] for s in r.json()["steps"] if s["status"] == "done"]
    assert changed == ["update-policy"]
    assert r.writes == ["iam.CreatePolicyVersion"]


@pytest.mark.parametrize("args, message", [
    (("bedrock", "--cluster", "legacy-v2", "--model-id", "amazon.titan-text-express-v1"), "3.06"),
    (("bedrock", "--cluster", "ml-demo", "--model-id", "no.such-model-v9"), "not offered"),
    (("bedrock", "--cluster", "ml-demo"), "--model-id"),
    (("sagemaker", "--cluster", "ml-demo"), "--endpoint"),
    (("sagemaker", "--cluster", "ml-demo", "--endpoint", "no-such-endpoint"), "no SageMaker endpoint"),
    (("s3", "--cluster", "ml-demo"), "--bucket"),
    (("s3", "--cluster", "ml-demo", "--bucket", "Bad_Bucket"), "bucket"),
    (("comprehend", "--cluster", "no-such-cluster"), "no DB cluster"),
    (("comprehend", "--cluster", "bad--id"), "identifier"),
    (("comprehend", "--cluster", "arn:aws:rds:us-east-1:123456789012:db:ml-demo-1"), "cluster ARN"),
    (("comprehend", "--cluster", "ml-demo", "--role-name", "x" * 65), "IAM role name"),
    (("comprehend", "--cluster", "ml-demo", "--parameter-group", "default.aurora-mysql8.0"), "default"),
    (("comprehend", "--cluster", "ml-demo", "--endpoint", "churn-predictor"), "does not apply"),
    (("comprehend",), "no cluster"),
    (("lambda", "--cluster", "ml-demo"), "lambda"),
])
def test_bad_input_is_refused_before_any_change(cli, sandbox_aws, args, message):
    r = cli(*SETUP, *args, code=2)
    assert message in r.stderr
    assert r.writes == []
    assert r.stdout == ""


def test_sagemaker_policy_names_the_endpoint_in_lower_case(cli, boto):
    cli(*SETUP, "sagemaker", "--cluster", "ml-demo", "--endpoint", "churn-predictor", "--no-reboot", code=7)
    iam = boto("iam")
    arn = f"arn:aws:iam::{ACCOUNT}:policy/auroraml-sagemaker-ml-demo"
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Resource"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/churn-predictor"


def test_s3_on_v2_sets_both_v2_parameters(cli, boto):
    r = cli(*SETUP, "s3", "--cluster", "legacy-v2", "--bucket", "ml-demo-exports", "--prefix", "exports/", "--reboot", "--yes")
    targets = [s["target"] for s in r.steps(action="set-parameter")]
    assert targets == ["auroraml-legacy-v2:aurora_select_into_s3_role", "auroraml-legacy-v2:aurora_load_from_s3_role"]
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/auroraml-s3-legacy-v2"
    assert param(boto, "auroraml-legacy-v2", "aurora_select_into_s3_role") == role_arn
    assert param(boto, "auroraml-legacy-v2", "aurora_load_from_s3_role") == role_arn


def test_a_shared_parameter_group_needs_explicit_consent(cli, boto):
    refused = cli(*SETUP, "comprehend", "--cluster", "shared-a", "--no-reboot", code=2)
    assert "shared-b" in refused.stderr and refused.writes == []
    allowed = cli(*SETUP, "comprehend", "--cluster", "shared-a", "--no-reboot", "--allow-shared-parameter-group", code=7)
    assert any("shared-b" in n for n in allowed.json()["notes"])
    assert cluster(boto, "shared-a")["DBClusterParameterGroup"] == "shared-params"


def test_own_parameter_group_instead_of_a_shared_one(cli, boto):
    cli(*SETUP, "comprehend", "--cluster", "shared-a", "--parameter-group", "shared-a-ml", "--reboot", "--yes")
    assert cluster(boto, "shared-a")["DBClusterParameterGroup"] == "shared-a-ml"
    assert param(boto, "shared-params", "aws_default_comprehend_role") in (None, "")


def test_global_sets_up_every_member_in_its_region(cli, boto):
    r = cli(*SETUP, "comprehend", "--cluster", "ml-global-use1", "--global", "--reboot", "--yes")
    doc = r.json()
    assert doc["clusters"] == ["ml-global-use1", "ml-global-usw2"]
    assert {s["cluster"] for s in doc["steps"]} == {"ml-global-use1", "ml-global-usw2"}
    west = cluster(boto, "ml-global-usw2", "us-west-2")
    assert [a["Status"] for a in west["AssociatedRoles"]] == ["ACTIVE"]
    group = west["DBClusterParameterGroup"]
    assert param(boto, group, "aws_default_comprehend_role", "us-west-2").endswith("role/auroraml-comprehend-ml-global-usw2")


def test_timeout_waiting_for_the_association_exits_6_and_a_rerun_converges(cli, boto, sandbox_aws):
    sandbox_aws.configure(association_delay=3600)
    slow = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--timeout", "1", "--no-reboot", code=6)
    assert "run the same command again" in slow.stderr
    assert slow.steps(action="associate-role")[0]["status"] == "failed"
    sandbox_aws.configure(association_delay=0.02)
    cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    roles = cluster(boto, "ml-demo")["AssociatedRoles"]
    assert [r["RoleArn"] for r in roles] == [ROLE_ARN]
    assert [p["PolicyName"] for p in boto("iam").list_policies(Scope="Local")["Policies"]
            if p["PolicyName"].startswith("auroraml-")] == ["auroraml-comprehend-ml-demo"]


def test_iam_eventual_consistency_is_waited_out(cli, boto, sandbox_aws):
    sandbox_aws.configure(iam_propagation_delay=0.3)
    cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    assert [a["Status"] for a in cluster(boto, "ml-demo")["AssociatedRoles"]] == ["ACTIVE"]


def test_a_cluster_with_five_roles_is_refused_before_any_change(cli, boto):
    iam, rds = boto("iam"), boto("rds")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for i in range(5):
        arn = iam.create_role(RoleName=f"other-{i}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        rds.add_role_to_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=arn)
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", code=2)
    assert "5 IAM roles" in r.stderr and r.writes == []


def test_a_foreign_role_with_the_same_name_is_not_touched(cli, boto):
    boto("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", code=2)
    assert "not created by auroraml" in r.stderr and r.writes == []


def test_table_output_is_the_default_shape_for_people(cli, sandbox_aws):
    r = cli("-o", "table", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run")
    assert "create-policy" in r.stdout and "planned" in r.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.stdout)


def _policy_document(boto, name):
    iam = boto("iam")
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return json.loads(document) if isinstance(document, str) else document


def test_an_inference_profile_expands_to_the_profile_and_every_routed_model(cli, boto):
    profile = "us.anthropic.claude-3-haiku-20240307-v1:0"
    cli(*SETUP, "bedrock", "--cluster", "ml-demo", "--model-id", profile, "--no-reboot", code=7)
    resources = _policy_document(boto, "auroraml-bedrock-ml-demo")["Statement"][0]["Resource"]
    assert f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/{profile}" in resources
    models = [r for r in resources if ":foundation-model/" in r]
    assert len(models) >= 2 and all(r.endswith("/anthropic.claude-3-haiku-20240307-v1:0") for r in models)
    assert {r.split(":")[3] for r in models} >= {"us-east-1", "us-west-2"}


def test_an_invalid_association_is_repaired(cli, boto, sandbox_aws):
    """Our role lost its trust in RDS (someone edited it): setup fixes the trust, associates again."""
    iam, rds = boto("iam"), boto("rds")
    tags = [{"Key": "auroraml:managed-by", "Value": "auroraml"}]
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(broken), Tags=tags)
    rds.add_role_to_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=ROLE_ARN)
    sandbox_aws.advance(1)  # past the association delay
    assert [a["Status"] for a in cluster(boto, "ml-demo")["AssociatedRoles"]] == ["INVALID"]
    r = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    steps = {s["action"]: s for s in r.json()["steps"]}
    assert steps["update-trust"]["status"] == "done"
    assert "INVALID" in steps["associate-role"]["detail"] or steps["associate-role"]["status"] == "done"
    assert [a["Status"] for a in cluster(boto, "ml-demo")["AssociatedRoles"]] == ["ACTIVE"]


def test_a_reboot_that_takes_too_long_exits_6_and_resumes(cli, boto, sandbox_aws):
    sandbox_aws.configure(reboot_duration=3600)
    slow = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes", "--timeout", "1", code=6)
    assert [s["status"] for s in slow.steps(action="reboot-instance")] == ["failed", "planned"]
    sandbox_aws.configure(reboot_duration=0.02)  # begun over a second ago: over
    done = cli(*SETUP, "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert {m["DBClusterParameterGroupStatus"] for m in cluster(boto, "ml-demo")["DBClusterMembers"]} == {"in-sync"}
    assert done.json()["steps"][-1]["status"] == "done"


# S3: no widened access -----------------------------------------------------------------------------

S3_POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/auroraml-s3-ml-demo"


def s3_policy(boto, arn=S3_POLICY_ARN):
    iam = boto("iam")
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    return {s["Sid"]: s for s in document["Statement"]}


@pytest.mark.parametrize("typed", ["ml", "ml/", "/ml/"])
def test_s3_prefix_is_a_folder_however_it_is_typed(cli, boto, typed):
    cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--prefix", typed, "--no-reboot", code=7)
    statements = s3_policy(boto)
    assert statements["AuroraMLObjects"]["Resource"] == "arn:aws:s3:::ml-demo-exports/ml/*"
    assert sorted(statements["AuroraMLListBucket"]["Condition"]["StringLike"]["s3:prefix"]) == ["ml/", "ml/*"]
    assert "AuroraMLKms" not in statements


@pytest.mark.parametrize("args", [("--prefix", "ml*"), ("--prefix", "ml/?"), ("--bucket", "ml-demo-*"),
                                  ("--prefix", "a//b"), ("--prefix", "ml/../secrets")])
def test_s3_wildcards_and_odd_prefixes_are_refused_before_any_change(cli, sandbox_aws, args):
    base = {"--bucket": "ml-demo-exports"}
    base.update([args])
    flat = [w for pair in base.items() for w in pair]
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", *flat, "--no-reboot", code=2)
    assert r.writes == [] and r.stdout == ""
    if "*" in args[1] or "?" in args[1]:
        assert "--allow-wildcards" in r.stderr


def test_s3_wildcards_pass_with_allow_wildcards(cli, boto):
    cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-*", "--prefix", "ml*", "--allow-wildcards",
        "--no-reboot", code=7)
    assert s3_policy(boto)["AuroraMLObjects"]["Resource"] == "arn:aws:s3:::ml-demo-*/ml*/*"


def _key(boto, region="us-east-1"):
    kms = boto("kms", region)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/exports-test", TargetKeyId=key["KeyId"])
    return key


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_s3_kms_key_is_resolved_to_the_key_arn(cli, boto, form):
    key = _key(boto)
    typed = {"id": key["KeyId"], "arn": key["Arn"], "alias": "alias/exports-test",
             "alias-arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/exports-test"}[form]
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", typed, "--no-reboot", code=7)
    statement = s3_policy(boto)["AuroraMLKms"]
    assert statement["Resource"] == key["Arn"]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert "kms.DescribeKey" in r.calls


def test_s3_seeded_kms_alias_resolves(cli, boto):
    cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", "alias/ml-demo-exports",
        "--no-reboot", code=7)
    arn = boto("kms").describe_key(KeyId="alias/ml-demo-exports")["KeyMetadata"]["Arn"]
    assert s3_policy(boto)["AuroraMLKms"]["Resource"] == arn


@pytest.mark.parametrize("typed, says", [
    ("*", "pattern"),
    ("arn:aws:kms:us-east-1:123456789012:key/*", "pattern"),
    ("arn:aws:s3:::ml-demo-exports", "not a KMS key"),
    ("alias/no-such-key", "no KMS key"),
    ("1234abcd-12ab-34cd-56ef-1234567890ab", "no KMS key"),
])
def test_s3_kms_key_that_is_not_one_key_is_refused(cli, sandbox_aws, typed, says):
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", typed, "--no-reboot", code=2)
    assert says in r.stderr and r.writes == []


def test_s3_kms_key_of_another_region_is_refused(cli, boto):
    key = _key(boto, "us-west-2")
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", key["Arn"], "--no-reboot", code=2)
    assert "us-west-2" in r.stderr and "us-east-1" in r.stderr and r.writes == []


def test_s3_customer_managed_key_needs_3_05(cli, boto):
    key = _key(boto)
    r = cli(*SETUP, "s3", "--cluster", "legacy-v2", "--bucket", "ml-demo-exports", "--kms-key", key["KeyId"],
            "--no-reboot", code=2)
    assert "3.05" in r.stderr and "2.11.2" in r.stderr and r.writes == []
    cli(*SETUP, "s3", "--cluster", "shared-a", "--bucket", "ml-demo-exports", "--kms-key", key["KeyId"],
        "--allow-shared-parameter-group", "--no-reboot", code=7)  # 3.06.0


def test_s3_aws_managed_key_needs_no_grant_and_is_refused(cli, sandbox_aws):
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", "alias/aws/s3",
            "--no-reboot", code=2)
    assert "AWS managed" in r.stderr and r.writes == []


@pytest.mark.parametrize("make", [
    lambda kms: kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"],
    lambda kms: kms.disable_key(KeyId=(k := kms.create_key()["KeyMetadata"])["KeyId"]) and k["Arn"],
], ids=["asymmetric", "disabled"])
def test_s3_kms_key_that_cannot_encrypt_is_refused(cli, boto, make):
    arn = make(boto("kms"))
    r = cli(*SETUP, "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", arn, "--no-reboot", code=2)
    assert arn in r.stderr and r.writes == []


@pytest.mark.parametrize("command", ["setup", "teardown"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e309", "0", "-5", "１０", "10s", "99999999999"])
def test_a_timeout_that_is_not_a_finite_number_of_seconds_is_refused_before_any_call(cli, sandbox_aws, command, value):
    """Was: click's float range let nan through (a wait that never ends, or ends at once)."""
    r = cli("-o", "json", command, "comprehend", "--cluster", "ml-demo", "--timeout", value, code=2)
    assert "--timeout" in r.stderr and "seconds" in r.stderr and r.stdout == "" and r.calls == []
