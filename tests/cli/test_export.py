"""`auroraml export --kms-key`: one key, named safely, checked before anything runs (in-process;
the engine-version check needs SQL and is in tests/e2e/test_database_e2e.py)."""

from __future__ import annotations

import json

import pytest

EXPORT = ("export", "--sql", "SELECT 1", "--encryption", "sse_kms", "--cluster", "ml-demo")


@pytest.mark.parametrize("typed", ["*", "alias/*", "arn:aws:kms:us-east-1:123456789012:key/*",
                                   "arn:aws:s3:::ml-demo-exports", "not-a-key"])
def test_a_kms_key_that_is_not_one_key_is_refused_even_in_a_dry_run(cli, typed):
    r = cli(*EXPORT, "--to", "s3://ml-demo-exports/ml/x", "--kms-key", typed, "--dry-run", code=2)
    assert r.stdout == "" and r.calls == []


def test_an_unknown_key_is_refused_before_connecting(cli, sandbox_aws):
    r = cli(*EXPORT, "--to", "s3://ml-demo-exports/ml/x", "--kms-key", "alias/no-such-key", code=2)
    assert "no KMS key" in r.stderr and "us-east-1" in r.stderr
    assert r.calls == ["kms.DescribeKey"]


def test_a_key_of_another_region_than_the_bucket_is_refused(cli, boto):
    arn = boto("kms").describe_key(KeyId="alias/ml-demo-exports")["KeyMetadata"]["Arn"]  # us-east-1
    r = cli(*EXPORT, "--to", "s3-us-west-2://ml-demo-exports/ml/x", "--kms-key", arn, code=2)
    assert "us-west-2" in r.stderr and r.calls == []


def test_the_key_is_resolved_in_the_buckets_region(cli, boto):
    key = boto("kms", "us-west-2").create_key()["KeyMetadata"]
    boto("kms", "us-west-2").create_alias(AliasName="alias/west", TargetKeyId=key["KeyId"])
    # --ssl-mode REQUIRED: without it the cluster's RDS host name asks for the RDS CA bundle (exit 2)
    r = cli(*EXPORT, "--to", "s3-us-west-2://ml-demo-exports/ml/x", "--kms-key", "alias/west", "--ssl-mode", "REQUIRED", code=None)
    assert r.code != 2, r.stderr  # resolved; the in-process sandbox has no SQL endpoint to run it on
    assert r.calls[0] == "kms.DescribeKey"


def test_a_wildcard_bucket_is_not_a_target_and_offers_no_opt_in(cli):
    r = cli(*EXPORT[:-2], "--to", "s3://ml-demo-*/ml/x", "--dry-run", code=2)
    assert "bucket" in r.stderr and "--allow-wildcards" not in r.stderr


def test_sql_is_the_select_to_export(cli):
    r = cli("-o", "json", "export", "--sql", "SELECT id FROM demo.support", "--to", "s3://ml-demo-exports/x", "--dry-run")
    assert r.stderr == ""
    assert json.loads(r.stdout)["statement"].startswith("SELECT id FROM demo.support\n  INTO OUTFILE S3 ")


def test_query_is_a_deprecated_alias_of_sql_that_warns_once_and_still_works(cli):
    new = cli("export", "--sql", "SELECT 1", "--to", "s3://ml-demo-exports/x", "--dry-run")
    for quiet in ((), ("-q",)):
        old = cli(*quiet, "export", "--query", "SELECT 1", "--to", "s3://ml-demo-exports/x", "--dry-run")
        assert old.stdout == new.stdout
        assert old.stderr == "warning: export --query is deprecated: use --sql (the same SELECT)\n"
    # After the subcommand, --query is export's (the alias), never a global option.
    old = cli("export", "--to", "s3://ml-demo-exports/x", "--dry-run", "--query", "SELECT 1")
    assert old.stdout == new.stdout


def test_query_and_sql_together_are_a_usage_error(cli):
    r = cli("export", "--sql", "SELECT 1", "--query", "SELECT 2", "--to", "s3://ml-demo-exports/x", "--dry-run", code=2)
    assert r.stderr.splitlines() == ["error: --query and --sql given: --query is the deprecated name of --sql",
                                     "  next: give --sql only"] and r.stdout == ""
