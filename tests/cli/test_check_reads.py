"""`auroraml check`: no AWS resource read twice in one run (issue 15), the cluster and the role
that two services share included. Counted with a botocore event hook (tests/support/aws_calls.py)."""

from __future__ import annotations

from support.aws_calls import aws_calls  # noqa: F401 - the fixture


def test_check_of_a_wired_cluster_reads_each_resource_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    cli("setup", "bedrock", "--cluster", "ml-demo", "--model-id", "anthropic.claude-3-haiku-20240307-v1:0",
        "--reboot", "--yes")
    aws_calls.clear()
    r = cli("-o", "json", "check", "--cluster", "ml-demo", "--ssl-mode", "REQUIRED", code=None)  # the database side: unreachable here
    assert {c["service"] for c in r.json()["checks"]} >= {"comprehend", "bedrock"}
    assert aws_calls.duplicate_reads() == {}
    # the cluster itself once, and the region's listing once (the shared-parameter-group check)
    described = [p for op, p in aws_calls if op == "rds.DescribeDBClusters"]
    assert sorted(p.get("DBClusterIdentifier", "*") for p in described) == ["*", "ml-demo"]
    assert aws_calls.count("secretsmanager.GetSecretValue") == 1
    assert r.writes == []


def test_check_without_the_database_reads_each_resource_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    r = cli("-o", "json", "check", "--no-database", "--cluster", "shared-a", "--service", "comprehend", code=1)
    assert aws_calls.duplicate_reads() == {} and r.writes == []


def test_fleet_check_reads_each_region_and_shared_group_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("-o", "json", "check", "--all", code=None)
    assert aws_calls.duplicate_reads() == {}
    groups = [p["DBClusterParameterGroupName"] for op, p in aws_calls if op == "rds.DescribeDBClusterParameters"
              and not p.get("Marker")]
    assert groups.count("shared-params") == 1  # shared-a and shared-b share it
