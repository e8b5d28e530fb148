"""`auroraml status --cluster X`: its start-up reads each AWS resource once (issue 15) — one
DescribeDBClusters for the cluster and one GetSecretValue for its master secret, however many
instances it opens a connection to. Counted with a botocore event hook (tests/support/aws_calls.py)."""

from __future__ import annotations

from support.aws_calls import aws_calls  # noqa: F401 - the fixture


def test_status_start_up_reads_the_cluster_and_its_secret_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    # The in-process sandbox's instance endpoints do not answer: every instance is unreachable (exit 5),
    # after the start-up reads this test counts.
    # --ssl-mode REQUIRED: an RDS host name now defaults to VERIFY_IDENTITY with the RDS CA bundle, which this
    # machine lacks (refused before any read); these tests count the reads of a login attempt.
    r = cli("-o", "json", "status", "--cluster", "ml-demo", "--timeout", "0.5", "--ssl-mode", "REQUIRED", code=None)
    assert len(r.json()["instances"]) == 2  # two instances, each given its own connection
    assert aws_calls.count("rds.DescribeDBClusters") == 1
    assert aws_calls.count("secretsmanager.GetSecretValue") == 1
    assert aws_calls.count("rds.DescribeDBInstances") == 1
    assert aws_calls.duplicate_reads() == {}
    assert r.writes == []


def test_status_of_one_instance_reads_no_more(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("-o", "json", "status", "--cluster", "ml-demo", "--instance", "ml-demo-2", "--timeout", "0.5", "--ssl-mode", "REQUIRED", code=None)
    assert [op for op, _ in aws_calls] == ["rds.DescribeDBClusters", "rds.DescribeDBInstances",
                                          "secretsmanager.GetSecretValue"]
