"""`auroraml check`, AWS side, on the in-process sandbox: each check passes on a cluster `setup`
wired, and fails (with its fix) when one thing is broken through the AWS API."""

from __future__ import annotations

import json

import pytest

ACCOUNT = "123456789012"
ROLE = "auroraml-comprehend-ml-demo"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CHECK = ("-o", "json", "check", "--no-database")


def statuses(result) -> dict[tuple[str, str | None], str]:
    return {(c["check"], c["service"]): c["status"] for c in result.json()["checks"]}


def failing(result) -> set[tuple[str, str | None]]:
    return {k for k, v in statuses(result).items() if v == "fail"}


def finding(result, check, service=None) -> dict:
    return next(c for c in result.json()["checks"] if c["check"] == check and c["service"] == service)


@pytest.fixture
def wired(cli, sandbox_aws):
    """ml-demo with Comprehend set up and rebooted: every check passes."""
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli(*CHECK, "--cluster", "ml-demo")
    assert failing(r) == set() and "warn" not in statuses(r).values(), r.stdout
    return r


def test_a_wired_cluster_passes_every_aws_check_and_reads_only(wired):
    assert set(statuses(wired)) == {
        ("parameter-group", None), ("reboot", None), ("network-egress", None), ("engine", "comprehend"),
        ("region", "comprehend"), ("parameter", "comprehend"), ("role-associated", "comprehend"),
        ("role-trust", "comprehend"), ("role-boundary", "comprehend"), ("role-policy", "comprehend"),
        ("network-route", "comprehend")}
    assert wired.writes == []
    assert "11 passed, 0 warned, 0 failed, 0 skipped" in wired.stderr


def test_a_fresh_cluster_fails_on_its_default_group_and_nothing_wired(cli, sandbox_aws):
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("parameter-group", None), ("wired", None)}
    assert finding(r, "parameter-group")["fix"].startswith("auroraml setup ")


def test_a_shared_group_warns_and_names_the_other_clusters(cli, sandbox_aws):
    r = cli(*CHECK, "--cluster", "shared-a", "--service", "comprehend", code=1)
    group = finding(r, "parameter-group")
    assert group["status"] == "warn" and "shared-b" in group["detail"]


def test_an_engine_too_old_for_bedrock_fails_and_skips_the_rest(cli, sandbox_aws):
    r = cli(*CHECK, "--cluster", "legacy-v2", "--service", "bedrock", code=1)
    assert finding(r, "engine", "bedrock")["status"] == "fail"
    assert "3.06" in finding(r, "engine", "bedrock")["detail"]
    assert finding(r, "role", "bedrock")["status"] == "skip"


def test_a_region_without_the_service_fails(cli, sandbox_aws, boto):
    # Comprehend is offered in about a dozen regions; eu-north-1 is not one of them.
    rds = boto("rds", "eu-north-1")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="north", DBParameterGroupFamily="aurora-mysql8.0",
                                          Description="x")
    rds.create_db_cluster(DBClusterIdentifier="north", Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.08.0",
                          MasterUsername="admin", MasterUserPassword="sandbox-password", DBClusterParameterGroupName="north")
    r = cli(*CHECK, "--cluster", "north", "--region", "eu-north-1", "--service", "comprehend", code=1)
    assert finding(r, "region", "comprehend")["status"] == "fail"
    assert "eu-north-1" in finding(r, "region", "comprehend")["detail"]


def test_the_parameter_reset_fails_that_check(wired, cli, boto, sandbox_aws):
    group = boto("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]["DBClusterParameterGroup"]
    boto("rds").reset_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "aws_default_comprehend_role", "ApplyMethod": "pending-reboot"}])
    boto("rds").reboot_db_instance(DBInstanceIdentifier="ml-demo-1")  # so that the reboot check stays quiet
    boto("rds").reboot_db_instance(DBInstanceIdentifier="ml-demo-2")
    sandbox_aws.advance(1)  # the reboots are over
    r = cli(*CHECK, "--cluster", "ml-demo", "--service", "comprehend", code=1)
    assert failing(r) == {("parameter", "comprehend")}
    assert finding(r, "parameter", "comprehend")["fix"] == "auroraml setup comprehend --cluster ml-demo --reboot --yes"


def test_a_pending_reboot_fails_the_reboot_check(cli, sandbox_aws):
    cli("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("reboot", None)}
    assert "pending-reboot" in finding(r, "reboot")["detail"]
    assert finding(r, "reboot")["fix"] == "auroraml setup comprehend --cluster ml-demo --reboot --yes"


def test_a_removed_association_fails_role_associated(wired, cli, boto):
    boto("rds").remove_role_from_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=ROLE_ARN)
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("role-associated", "comprehend")}
    assert "not associated" in finding(r, "role-associated", "comprehend")["detail"]


def test_a_pending_association_warns(cli, sandbox_aws, boto):
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    boto("rds").remove_role_from_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=ROLE_ARN)
    sandbox_aws.configure(association_delay=3600)
    boto("rds").add_role_to_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=ROLE_ARN)
    r = cli(*CHECK, "--cluster", "ml-demo")  # a warning is not a failure
    assert finding(r, "role-associated", "comprehend")["status"] == "warn"


def test_a_trust_policy_that_drops_rds_fails_trust_and_turns_the_association_invalid(wired, cli, boto):
    boto("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("role-trust", "comprehend"), ("role-associated", "comprehend")}
    assert "INVALID" in finding(r, "role-associated", "comprehend")["detail"]


def test_a_trust_for_another_cluster_fails_trust_as_the_sandbox_refuses_the_call(wired, cli, boto):
    """The condition is evaluated with this cluster's ARN as aws:SourceArn, as the sandbox's SQL
    endpoint does before each call (RDS still associates the role: moto checks no condition)."""
    other = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:another"
    boto("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"},
                                                "Action": "sts:AssumeRole",
                                                "Condition": {"ArnEquals": {"aws:SourceArn": other}}}]}))
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("role-trust", "comprehend")}
    detail = finding(r, "role-trust", "comprehend")["detail"]
    assert other in detail and f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:ml-demo" in detail


def test_a_detached_policy_fails_role_policy(wired, cli, boto):
    iam = boto("iam")
    for attached in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=ROLE, PolicyArn=attached["PolicyArn"])
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("role-policy", "comprehend")}
    policy = finding(r, "role-policy", "comprehend")
    assert "comprehend:DetectSentiment" in policy["detail"] and "read from the role's policies" in policy["detail"]


def test_a_policy_that_denies_fails_role_policy(wired, cli, boto):
    boto("iam").put_role_policy(RoleName=ROLE, PolicyName="deny", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "comprehend:*", "Resource": "*"}]}))
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("role-policy", "comprehend")}


def test_an_unwired_service_asked_for_fails_its_parameter(wired, cli):
    r = cli(*CHECK, "--cluster", "ml-demo", "--service", "sagemaker", "--endpoint", "churn-predictor", code=1)
    assert failing(r) == {("parameter", "sagemaker")}
    assert finding(r, "endpoint", "sagemaker")["status"] == "pass"


def _security_group(boto):
    found = boto("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    return found["VpcSecurityGroups"][0]["VpcSecurityGroupId"]


def test_no_egress_on_443_fails_network_egress(wired, cli, boto):
    sg = _security_group(boto)
    ec2 = boto("ec2")
    rules = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissionsEgress"]
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=rules)
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("network-egress", None)}
    assert finding(r, "network-egress")["fix"].startswith(f"aws ec2 authorize-security-group-egress --group-id {sg}")


def _main_route_table(boto):
    group = boto("rds").describe_db_subnet_groups(DBSubnetGroupName="default")["DBSubnetGroups"][0]
    tables = boto("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [group["VpcId"]]},
                                                       {"Name": "association.main", "Values": ["true"]}])
    return group, tables["RouteTables"][0]["RouteTableId"]


def test_no_route_out_fails_network_route_until_a_vpc_endpoint_exists(wired, cli, boto):
    group, table = _main_route_table(boto)
    boto("ec2").delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    r = cli(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("network-route", "comprehend")}
    assert "com.amazonaws.us-east-1.comprehend" in finding(r, "network-route", "comprehend")["fix"]
    boto("ec2").create_vpc_endpoint(VpcEndpointType="Interface", VpcId=group["VpcId"],
                                    ServiceName="com.amazonaws.us-east-1.comprehend",
                                    SubnetIds=[s["SubnetIdentifier"] for s in group["Subnets"]][:2])
    r = cli(*CHECK, "--cluster", "ml-demo")
    assert "VPC endpoint" in finding(r, "network-route", "comprehend")["detail"]


@pytest.fixture
def bedrock_wired(cli, sandbox_aws):
    cli("setup", "bedrock", "--cluster", "bedrock-ready", "--model-id", HAIKU, "--reboot", "--yes")
    return cli


def test_bedrock_models_named_by_the_policy_are_checked(bedrock_wired):
    r = bedrock_wired(*CHECK, "--cluster", "bedrock-ready")
    assert failing(r) == set()
    assert HAIKU in finding(r, "model", "bedrock")["detail"]


def test_a_model_without_access_fails(bedrock_wired, boto):
    boto("bedrock").delete_foundation_model_agreement(modelId=HAIKU)
    r = bedrock_wired(*CHECK, "--cluster", "bedrock-ready", code=1)
    assert failing(r) == {("model", "bedrock")}
    assert "Bedrock console" in finding(r, "model", "bedrock")["fix"]


def test_a_model_the_region_lacks_fails_model_and_policy(bedrock_wired):
    r = bedrock_wired(*CHECK, "--cluster", "bedrock-ready", "--model-id", "amazon.no-such-model-v9", code=1)
    assert failing(r) == {("model", "bedrock"), ("role-policy", "bedrock")}


@pytest.fixture
def sagemaker_wired(cli, sandbox_aws):
    cli("setup", "sagemaker", "--cluster", "ml-demo", "--endpoint", "churn-predictor", "--reboot", "--yes")
    return cli


def test_sagemaker_endpoints_named_by_the_policy_are_checked(sagemaker_wired):
    r = sagemaker_wired(*CHECK, "--cluster", "ml-demo")
    assert failing(r) == set()
    assert "churn-predictor is InService" in finding(r, "endpoint", "sagemaker")["detail"]


def test_a_deleted_endpoint_fails(sagemaker_wired, boto):
    boto("sagemaker").delete_endpoint(EndpointName="churn-predictor")
    r = sagemaker_wired(*CHECK, "--cluster", "ml-demo", code=1)
    assert failing(r) == {("endpoint", "sagemaker")}
    assert "missing in us-east-1" in finding(r, "endpoint", "sagemaker")["detail"]


def test_an_endpoint_being_updated_fails(sagemaker_wired, boto, sandbox_aws):
    sandbox_aws.configure(endpoint_update_duration=3600)
    sm = boto("sagemaker")
    config = sm.describe_endpoint(EndpointName="churn-predictor")["EndpointConfigName"]
    sm.update_endpoint(EndpointName="churn-predictor", EndpointConfigName=config)
    r = sagemaker_wired(*CHECK, "--cluster", "ml-demo", code=1)
    assert "Updating in us-east-1" in finding(r, "endpoint", "sagemaker")["detail"]


def test_a_global_database_needs_the_endpoint_in_every_region(cli, sandbox_aws):
    cli("setup", "sagemaker", "--cluster", "ml-global-use1", "--endpoint", "churn-predictor", "--reboot", "--yes")
    r = cli(*CHECK, "--cluster", "ml-global-use1", "--endpoint", "churn-predictor")
    assert "us-east-1 and us-west-2" in finding(r, "endpoint", "sagemaker")["detail"]
    r = cli(*CHECK, "--cluster", "ml-global-use1", "--endpoint", "rcf-taxi", code=1)
    assert "missing in us-west-2" in finding(r, "endpoint", "sagemaker")["detail"]


def test_not_aurora_mysql_fails_engine_only(cli, sandbox_aws):
    r = cli(*CHECK, "--cluster", "plain-mysql", code=1)
    assert failing(r) == {("engine", None)}


def test_fleet_mode_gives_one_row_per_aurora_mysql_cluster(cli, sandbox_aws):
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    r = cli("-o", "json", "check", "--all", code=1)
    rows = {row["cluster"]: row for row in r.json()["clusters"]}
    assert set(rows) == {"ml-demo", "legacy-v2", "bedrock-ready", "shared-a", "shared-b", "ml-global-use1"}
    assert rows["ml-demo"]["fail"] == 0 and rows["ml-demo"]["first_problem"] is None
    assert rows["legacy-v2"]["fail"] and rows["legacy-v2"]["fix"].startswith("auroraml setup")
    assert r.writes == []
    two = cli("-o", "json", "check", "--all", "--region", "us-east-1", "--region", "us-west-2", code=1)
    assert "ml-global-usw2" in {row["cluster"] for row in two.json()["clusters"]}


def test_fleet_mode_reads_each_shared_resource_once(cli, sandbox_aws):
    r = cli("-o", "json", "check", "--all", code=1)
    assert r.calls.count("rds.DescribeDBClusters") == 1
    groups = [c for c in r.calls if c == "rds.DescribeDBClusterParameters"]
    assert len(groups) <= 5  # six clusters, five distinct groups (shared-a and shared-b share one)


@pytest.mark.parametrize("args, words", [
    (("--all", "--cluster", "ml-demo"), "--all"),
    (("--cluster", "ml-demo", "--region", "us-east-1", "--region", "us-west-2"), "--region"),
    (("--cluster", "ml-demo", "--model-id", "bad model!"), "model"),
    (("--cluster", "ml-demo", "--user", "x" * 200), "user"),
])
def test_bad_input_is_refused_before_any_call(cli, sandbox_aws, args, words):
    r = cli("check", *args, code=2)
    r.assert_refused()
    assert words in r.stderr


def test_a_missing_cluster_exits_2(cli, sandbox_aws):
    r = cli("check", "--cluster", "nope", "--no-database", code=2)
    assert "no DB cluster 'nope'" in r.stderr


def test_s3_wired_to_a_folder_and_a_key_passes_and_names_the_folder(cli, sandbox_aws):
    """check reads the resources from the policy setup writes: the folder (BUCKET/ml/*), not ml*."""
    cli("setup", "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--prefix", "ml",
        "--kms-key", "alias/ml-demo-exports", "--reboot", "--yes")
    r = cli(*CHECK, "--cluster", "ml-demo")
    assert failing(r) == set()
    detail = finding(r, "role-policy", "s3")["detail"]
    assert "arn:aws:s3:::ml-demo-exports/ml/*" in detail and "ml-demo-exports/ml*" not in detail
