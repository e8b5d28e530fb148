"""The process's one AWS reader (core/reader.py), on the in-process sandbox: each resource is read
once, a write of the same process makes it read again, a poll reads each time, a failure is
remembered. Calls are counted with a botocore event hook on the sessions auroraml builds
(`before-parameter-build`: once per API call, with its parameters), not by mocking anything."""

from __future__ import annotations

import threading

import pytest

from auroraml_cli.core.aws import Aws
from auroraml_cli.core.errors import UsageError

ACCOUNT = "123456789012"
ML_DEMO_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:ml-demo"


@pytest.fixture
def sandbox(isolated):
    from moto import mock_aws

    from auroraml_cli.sandbox import layer, seed

    layer.install()
    layer.configure(association_delay=0.02, reboot_duration=0.02, iam_propagation_delay=0.0)
    with mock_aws():
        import boto3

        seed.seed(boto3.session.Session(region_name="us-east-1"))
        yield


class Calls(list):
    def of(self, operation: str) -> list[dict]:
        return [params for op, params in self if op == operation]


@pytest.fixture
def aws(sandbox):
    """An Aws (as the CLI builds it) whose every API call is recorded as ("svc.Operation", params)."""
    aws = Aws(region="us-east-1")
    calls = Calls()
    aws.session.register("before-parameter-build", lambda params, model, **_: calls.append(
        (f"{model.service_model.service_name}.{model.name}", dict(params))))
    aws.calls = calls
    return aws


def test_one_reader_per_aws_object(aws):
    assert aws.reader is aws.reader


def test_a_cluster_is_read_once_by_id_and_by_arn(aws):
    first = aws.reader.cluster("ml-demo")
    assert aws.reader.cluster("ml-demo") is first
    assert aws.reader.cluster(ML_DEMO_ARN) is first
    assert first.id == "ml-demo" and first.raw["DBClusterIdentifier"] == "ml-demo"
    assert [op for op, _ in aws.calls] == ["rds.DescribeDBClusters"]


def test_a_missing_cluster_is_a_usage_error_remembered(aws):
    for _ in range(3):
        with pytest.raises(UsageError, match="no DB cluster 'nope'"):
            aws.reader.cluster("nope")
    assert len(aws.calls.of("rds.DescribeDBClusters")) == 1


def test_an_arn_of_another_account_is_refused_even_when_read_already(aws):
    aws.reader.cluster("ml-demo")
    with pytest.raises(UsageError, match="account 999999999999"):
        aws.reader.cluster("arn:aws:rds:us-east-1:999999999999:cluster:ml-demo")
    assert len(aws.calls.of("rds.DescribeDBClusters")) == 1


def test_the_region_listing_answers_each_cluster(aws):
    listed = {c.id for c in aws.reader.clusters("us-east-1")}
    assert {"ml-demo", "shared-a", "shared-b"} <= listed
    assert aws.reader.clusters_using_group("us-east-1", "shared-params") == ["shared-a", "shared-b"]
    aws.reader.cluster("shared-a")
    aws.reader.cluster("ml-demo")
    assert [op for op, _ in aws.calls] == ["rds.DescribeDBClusters"]  # the listing; no per-cluster read
    assert "DBClusterIdentifier" not in aws.calls[0][1]


def test_a_write_of_the_process_makes_the_next_read_see_it(aws):
    before = aws.reader.cluster("ml-demo")
    aws.client("rds").create_db_cluster_parameter_group(
        DBClusterParameterGroupName="reader-test", DBParameterGroupFamily="aurora-mysql8.0", Description="t")
    aws.client("rds").modify_db_cluster(DBClusterIdentifier="ml-demo", DBClusterParameterGroupName="reader-test",
                                        ApplyImmediately=True)
    after = aws.reader.cluster("ml-demo")
    assert before.parameter_group != "reader-test" and after.parameter_group == "reader-test"
    assert len(aws.calls.of("rds.DescribeDBClusters")) == 2
    assert aws.reader.cluster("ml-demo") is after  # and then it is kept again


def test_a_write_forgets_only_its_own_service(aws):
    aws.reader.cluster("ml-demo")
    aws.reader.caller_identity()
    aws.client("iam").create_policy(PolicyName="reader-test", PolicyDocument='{"Version": "2012-10-17", '
                                    '"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')
    aws.reader.cluster("ml-demo")
    aws.reader.caller_identity()
    assert [op for op, _ in aws.calls if not op.startswith("iam.")] == ["rds.DescribeDBClusters", "sts.GetCallerIdentity"]


def test_forget_by_cluster_and_fresh_reads(aws):
    aws.reader.cluster("ml-demo")
    aws.reader.cluster("ml-demo", fresh=True)  # a poll: asked again
    aws.reader.forget(cluster="ml-demo")
    aws.reader.cluster("ml-demo")
    aws.reader.cluster("ml-demo")
    assert len(aws.calls.of("rds.DescribeDBClusters")) == 3


def test_roles_and_policies_are_typed_and_read_once(aws):
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/AuroraMLBoundary"
    assert aws.reader.role(f"arn:aws:iam::{ACCOUNT}:role/no-such-role") is None
    policy = aws.reader.policy(boundary)
    assert policy is not None and policy.arn == boundary and policy.default_version
    document = aws.reader.policy_document(boundary)
    assert document["Statement"]
    assert aws.reader.policy(boundary) == policy and aws.reader.policy_document(boundary) == document
    assert aws.reader.policy(f"arn:aws:iam::{ACCOUNT}:policy/no-such-policy") is None
    assert [op for op, _ in aws.calls] == ["iam.GetRole", "iam.GetPolicy", "iam.GetPolicyVersion", "iam.GetPolicy"]


def test_threads_share_one_read(aws):
    barrier = threading.Barrier(8)
    got = []

    def read():
        barrier.wait()
        got.append(aws.reader.parameters("us-east-1", "shared-params"))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g is got[0] for g in got)
    pages = aws.calls.of("rds.DescribeDBClusterParameters")
    assert pages and all(p.get("Marker") for p in pages[1:])  # one paginated read, not eight


def test_a_filtered_parameter_read_is_answered_from_the_whole_group(aws):
    whole = aws.reader.parameters("us-east-1", "shared-params")
    some = aws.reader.parameters("us-east-1", "shared-params", ("binlog_format", "not_a_parameter"))
    assert set(some) <= {"binlog_format"} and all(whole[n] == v for n, v in some.items())
    assert all("Filters" not in p for p in aws.calls.of("rds.DescribeDBClusterParameters"))


def test_one_clusters_instances_come_from_the_region_listing_once_read(aws):
    everything = aws.reader.instances("us-east-1")
    mine = aws.reader.instances("us-east-1", "ml-demo")
    assert set(mine) == {"ml-demo-1", "ml-demo-2"} and all(everything[k] == v for k, v in mine.items())
    assert len(aws.calls.of("rds.DescribeDBInstances")) == 1


def test_a_secret_is_read_once_and_never_shown(aws):
    arn = aws.reader.cluster("ml-demo").raw["MasterUserSecret"]["SecretArn"]
    first = aws.reader.secret(arn, "us-east-1")
    assert aws.reader.secret(arn, "us-east-1") is first
    assert first.string and "password" in first.string
    assert first.string not in repr(first)
    assert len(aws.calls.of("secretsmanager.GetSecretValue")) == 1


def test_a_failed_read_is_remembered_and_raised_to_every_caller(aws):
    for _ in range(2):
        with pytest.raises(Exception) as caught:
            aws.reader.secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:none-AbCdEf", "us-east-1")
        assert "ResourceNotFound" in str(caught.value)
    assert len(aws.calls.of("secretsmanager.GetSecretValue")) == 1


def test_kms_keys_and_caller_identity_are_typed(aws):
    key = aws.reader.kms_key("us-east-1", "alias/ml-demo-exports")
    assert key.arn.startswith("arn:aws:kms:us-east-1:") and key.state == "Enabled" and key.manager == "CUSTOMER"
    assert aws.reader.kms_key("us-east-1", "alias/ml-demo-exports") is key
    me = aws.reader.caller_identity()
    assert me.account == ACCOUNT and me.arn.startswith("arn:aws:")
    assert [op for op, _ in aws.calls] == ["kms.DescribeKey", "sts.GetCallerIdentity"]


def test_a_missing_lambda_function_is_none_read_once(aws):
    for _ in range(2):
        assert aws.reader.lambda_function("us-east-1", "no-such-function") is None
    assert [op for op, _ in aws.calls] == ["lambda.GetFunction"]
