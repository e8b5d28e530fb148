"""Did-you-mean: a mistyped command, service or cluster id is a one-line usage error (exit 2)
whose next step names the closest names (difflib), before anything runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

AURORAML = str(Path(sys.executable).parent / "auroraml")


def _error(r) -> list[str]:
    assert r.stdout == "" and "Usage:" not in r.stderr, r.stderr
    return r.stderr.splitlines()[-2:]


def test_a_mistyped_command_suggests_the_closest(cli):
    assert _error(cli("stauts", code=2)) == ["error: auroraml: no command 'stauts'", "  next: did you mean auroraml status or auroraml state?"]  # `state` is close too
    assert _error(cli("-o", "json", "histroy", code=2))[1] == "  next: did you mean auroraml history?"
    assert _error(cli("ddl", "sagemakr", code=2)) == ["error: auroraml ddl: no command 'sagemakr'",
                                                      "  next: did you mean auroraml ddl sagemaker?"]
    assert _error(cli("sandbox", "strat", code=2))[1] == "  next: did you mean auroraml sandbox start?"
    assert _error(cli("zzzzzz", code=2))[1] == "  next: `auroraml -h` lists its commands"


def test_a_mistyped_service_suggests_the_closest(cli):
    for command in (("setup", "bedrok"), ("teardown", "bedrok"), ("grant", "bedrok", "app")):
        r = cli(*command, "--cluster", "ml-demo", code=2)
        assert _error(r) == ["error: service 'bedrok' is not one of bedrock, comprehend, sagemaker, s3, lambda",
                             f"  next: did you mean auroraml {command[0]} bedrock?"]
    assert _error(cli("setup", "xyz", code=2))[1] == "  next: give one of bedrock, comprehend, sagemaker, s3, lambda"
    assert _error(cli("check", "--service", "comprehnd", "--cluster", "ml-demo", code=2))[1] == \
        "  next: did you mean --service comprehend?"


def test_a_cluster_not_found_suggests_the_closest_of_the_accounts_clusters(cli, sandbox_aws):
    r = cli("setup", "comprehend", "--cluster", "ml-demoo", "--dry-run", code=2)
    assert _error(r) == ["error: no DB cluster 'ml-demoo' in us-east-1",
                         "  next: did you mean --cluster ml-demo? (in us-east-1)"]
    # The list is the one TAB completion caches: a second miss within a minute reads no more.
    r = cli("status", "--cluster", "ML-DEMO-V2", code=2)
    assert "did you mean --cluster" in r.stderr and r.calls.count("rds.DescribeDBClusters") == 1
    r = cli("setup", "comprehend", "--cluster", "zzzzzzzz", "--dry-run", code=2)
    assert _error(r)[1] == "  next: check --cluster, --region and --profile; `aws rds describe-db-clusters` lists what exists"


def test_the_installed_command_suggests_too():
    done = subprocess.run([AURORAML, "stauts", "--cluster", "x"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "error: auroraml: no command 'stauts'\n  next: did you mean auroraml status or auroraml state?\n"
