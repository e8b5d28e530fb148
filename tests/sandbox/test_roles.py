"""AddRoleToDBCluster / RemoveRoleFromDBCluster and the AssociatedRoles they leave."""

from __future__ import annotations

import json

import pytest
from sandbox_support import LONG_DELAY, RDS_TRUST, V3_BEDROCK, after_delay, error_code, error_message

from auroraml_cli.sandbox import layer


def roles(rds, cluster="c"):
    found = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["AssociatedRoles"]
    return {r["RoleArn"]: (r["Status"], r.get("FeatureName")) for r in found}


@pytest.fixture
def role(iam):
    """Create an IAM role (trusted by RDS unless told otherwise) and return its ARN."""

    def make(name, trust=RDS_TRUST):
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    return make


def test_pending_then_active_for_a_role_rds_can_assume(make_cluster, rds, role):
    layer.configure(association_delay=LONG_DELAY)
    make_cluster("c", instances=0)
    arn = role("ml")
    rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    assert roles(rds) == {arn: ("PENDING", None)}
    after_delay()
    assert roles(rds) == {arn: ("ACTIVE", None)}


def test_invalid_when_the_role_is_missing_or_does_not_trust_rds(make_cluster, rds, role):
    make_cluster("c", instances=0)
    lambda_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]}
    wrong_trust = role("lambda-only", trust=lambda_trust)
    missing = "arn:aws:iam::123456789012:role/never-created"
    for arn in (wrong_trust, missing):
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    after_delay()
    assert roles(rds) == {wrong_trust: ("INVALID", None), missing: ("INVALID", None)}


def test_several_roles_without_feature_name_up_to_five(make_cluster, rds, role):
    make_cluster("c", instances=0)
    arns = [role(f"r{n}") for n in range(6)]
    for arn in arns[:5]:
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    assert set(roles(rds)) == set(arns[:5])
    with pytest.raises(rds.exceptions.DBClusterRoleQuotaExceededFault):
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arns[5])


def test_same_role_twice_is_refused(make_cluster, rds, role):
    make_cluster("c", instances=0)
    arn = role("ml")
    rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    with pytest.raises(rds.exceptions.DBClusterRoleAlreadyExistsFault):
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)


def test_feature_name_must_be_one_the_version_supports(make_cluster, rds, role):
    make_cluster("c", instances=0)
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=role("s3"), FeatureName="s3Export")
    assert error_code(excinfo) == "InvalidParameterValue"
    assert "s3Export" in error_message(excinfo)
    make_cluster("new", version=V3_BEDROCK, instances=0)
    arn = role("bedrock")
    rds.add_role_to_db_cluster(DBClusterIdentifier="new", RoleArn=arn, FeatureName="Bedrock")
    assert roles(rds, "new")[arn][1] == "Bedrock"


def test_a_role_younger_than_iam_propagation_is_refused(make_cluster, rds, role):
    layer.configure(iam_propagation_delay=30)
    make_cluster("c", instances=0)
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=role("young"))
    assert error_code(excinfo) == "InvalidParameterValue"
    assert error_message(excinfo).startswith(
        "IAM role ARN value is invalid or does not include the required permissions"
    )
    assert roles(rds) == {}


def test_remove_role(make_cluster, rds, role):
    make_cluster("c", instances=0)
    kept, removed = role("kept"), role("removed")
    for arn in (kept, removed):
        rds.add_role_to_db_cluster(DBClusterIdentifier="c", RoleArn=arn)
    rds.remove_role_from_db_cluster(DBClusterIdentifier="c", RoleArn=removed)
    assert set(roles(rds)) == {kept}
    with pytest.raises(rds.exceptions.DBClusterRoleNotFoundFault):
        rds.remove_role_from_db_cluster(DBClusterIdentifier="c", RoleArn=removed)


def test_missing_cluster(rds):
    arn = "arn:aws:iam::123456789012:role/x"
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.add_role_to_db_cluster(DBClusterIdentifier="nope", RoleArn=arn)
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.remove_role_from_db_cluster(DBClusterIdentifier="nope", RoleArn=arn)
