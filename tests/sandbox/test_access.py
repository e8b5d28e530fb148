"""The sandbox enforces IAM for the keys of IAM users made in it (sandbox/access.py); the dummy
keys stay the unrestricted administrator."""

from __future__ import annotations

import json

import boto3
import pytest

from sandbox_support import RDS_TRUST

ACCT = "123456789012"
BOUNDARY = f"arn:aws:iam::{ACCT}:policy/B"


def statement(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def user(iam):
    """A function: the policy's statements → a boto3 session with the keys of a user holding them."""
    def make(*statements):
        name = f"u{len(iam.list_users()['Users'])}"
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return boto3.session.Session(region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"])
    return make


def code(call) -> str | None:
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return exc.response["Error"]["Code"]
    return None


def test_the_dummy_keys_are_the_administrator(iam):
    iam.create_role(RoleName="anything", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))  # no user, no policy


def test_a_users_key_is_evaluated_on_the_requests_resource_and_conditions(iam, user):
    iam.create_policy(PolicyName="B", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        statement("s3:GetObject")]}))
    session = user(statement("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/ok-*",
                             Condition={"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}))
    mine = session.client("iam")
    trust = json.dumps(RDS_TRUST)
    assert code(lambda: mine.create_role(RoleName="ok-1", AssumeRolePolicyDocument=trust)) == "AccessDenied"
    assert code(lambda: mine.create_role(RoleName="no-1", AssumeRolePolicyDocument=trust,
                                         PermissionsBoundary=BOUNDARY)) == "AccessDenied"
    assert code(lambda: mine.create_role(RoleName="ok-1", AssumeRolePolicyDocument=trust,
                                         PermissionsBoundary=BOUNDARY)) is None
    # Tags on CreateRole need iam:TagRole too, as on AWS.
    assert code(lambda: mine.create_role(RoleName="ok-2", AssumeRolePolicyDocument=trust, PermissionsBoundary=BOUNDARY,
                                         Tags=[{"Key": "k", "Value": "v"}])) == "AccessDenied"
    # Who am I is answered for any key.
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/u0")


def test_add_role_to_db_cluster_needs_passrole_to_rds(make_cluster, iam, user):
    make_cluster("c1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))["Role"]["Arn"]
    cluster = f"arn:aws:rds:us-east-1:{ACCT}:cluster:c1"
    only_rds = user(statement("rds:AddRoleToDBCluster", cluster))
    assert code(lambda: only_rds.client("rds").add_role_to_db_cluster(DBClusterIdentifier="c1", RoleArn=role)) \
        == "AccessDenied"
    to_ec2 = user(statement("rds:AddRoleToDBCluster", cluster),
                  statement("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}))
    assert code(lambda: to_ec2.client("rds").add_role_to_db_cluster(DBClusterIdentifier="c1", RoleArn=role)) \
        == "AccessDenied"
    to_rds = user(statement("rds:AddRoleToDBCluster", cluster),
                  statement("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": "rds.amazonaws.com"}}))
    assert code(lambda: to_rds.client("rds").add_role_to_db_cluster(DBClusterIdentifier="c1", RoleArn=role)) is None


def test_json_services_answer_access_denied_in_their_own_protocol(aws, user):
    nobody = user(statement("rds:DescribeDBClusters"))
    assert code(lambda: nobody.client("sagemaker").describe_endpoint(EndpointName="e")) == "AccessDeniedException"
    assert code(lambda: nobody.client("secretsmanager").get_secret_value(SecretId="s")) == "AccessDeniedException"
    assert code(lambda: nobody.client("bedrock").get_foundation_model(modelIdentifier="amazon.titan-text-express-v1")) \
        == "AccessDeniedException"
    assert nobody.client("rds").describe_db_clusters()["DBClusters"] == []
