"""`auroraml setup` and `teardown`: a plan reads each AWS resource once (issue 15), and a run that
changes something and reads it again sees the change (the reader forgets a service's reads at
each write of it). Counted with a botocore event hook (tests/support/aws_calls.py)."""

from __future__ import annotations

from support.aws_calls import aws_calls  # noqa: F401 - the fixture

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def test_setup_dry_run_reads_each_resource_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    r = cli("-o", "json", "setup", "bedrock", "--cluster", "ml-demo", "--model-id", HAIKU, "--dry-run")
    assert r.writes == [] and aws_calls.duplicate_reads() == {}
    assert aws_calls.count("rds.DescribeDBClusters") == 1


def test_setup_dry_run_on_a_shared_group_reads_each_resource_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("-o", "json", "setup", "comprehend", "--cluster", "shared-a", "--allow-shared-parameter-group", "--dry-run")
    assert aws_calls.duplicate_reads() == {}


def test_setup_dry_run_of_a_global_database_reads_each_member_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-global-use1", "--global", "--dry-run", code=None)
    assert aws_calls.duplicate_reads() == {}


def test_setup_sees_its_own_writes_and_a_second_run_changes_nothing(cli, sandbox_aws, aws_calls):  # noqa: F811
    first = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert {s["status"] for s in first.json()["steps"]} == {"done"}
    aws_calls.clear()
    again = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert {s["status"] for s in again.json()["steps"]} == {"unchanged"}
    assert again.writes == [] and aws_calls.duplicate_reads() == {}


def test_teardown_dry_run_reads_each_resource_once(cli, sandbox_aws, aws_calls):  # noqa: F811
    cli("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    aws_calls.clear()
    r = cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--dry-run", code=None)
    assert r.writes == [] and aws_calls.duplicate_reads() == {}
