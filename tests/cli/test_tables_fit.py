"""Tables people read: at 80 and at 200 columns, every table (setup/teardown plans and results,
check, check --all, history) shows each cell whole: wrapped or folded, never cut with "…";
ARNs shortened to `arn:…:RESOURCE` by the documented rule, whole in -o json; a check's fix and a
change's undo (commands to copy) never shortened."""

from __future__ import annotations


import pytest

from auroraml_cli.core.output import shorten_arns

from support.tables import assert_whole, squeeze

WIDTHS = ("80", "200")
PLAN = ("action", "target", "status", "detail")


@pytest.mark.parametrize("width", WIDTHS)
def test_setup_and_teardown_plans_and_results_are_whole(cli, sandbox_aws, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", width)
    for args, code in ((("setup", "comprehend", "--cluster", "ml-demo", "--dry-run"), 0),
                       (("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot"), 7),
                       (("teardown", "comprehend", "--cluster", "ml-demo", "--dry-run"), 0)):
        steps = cli("-o", "json", *args, code=code).json()["steps"]
        if "--no-reboot" in args:  # the run happened: the table shows the next run's plan
            steps = cli("-o", "json", *args[:-1], "--dry-run").json()["steps"]
            table = cli("-o", "table", *args[:-1], "--dry-run").stdout
        else:
            table = cli("-o", "table", *args, code=code).stdout
        assert_whole(table, steps, PLAN, width)
    done = cli("-o", "table", "teardown", "comprehend", "--cluster", "ml-demo", "--yes", code=None)
    assert "arn:aws:" not in done.stdout and "teardown comprehend on ml-demo in us-east-1" in done.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_check_and_check_all_are_whole_and_fixes_are_never_shortened(cli, sandbox_aws, monkeypatch, width):
    from auroraml_cli.commands.check import COLUMNS, FLEET_COLUMNS

    monkeypatch.setenv("COLUMNS", width)
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    one = ("check", "--cluster", "ml-demo", "--no-database")
    findings = cli("-o", "json", *one, code=1).json()["checks"]
    assert_whole(cli("-o", "table", *one, code=1).stdout, findings, COLUMNS, width)
    fleet = cli("-o", "json", "check", "--all", code=1).json()["clusters"]
    assert_whole(cli("-o", "table", "check", "--all", code=1).stdout, fleet, FLEET_COLUMNS, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_history_shows_every_field_and_the_undo_whole(cli, sandbox_aws, monkeypatch, width):
    from auroraml_cli.commands.history import COLUMNS

    monkeypatch.setenv("COLUMNS", width)
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--yes", code=None)
    records = cli("history", "--json").json()["records"]
    assert all(r["undo"] for r in records)
    table = cli("-o", "table", "history")
    rows = []
    for r in records:
        before, after = (" ".join(str(r.get(k) or "").split()) for k in ("before", "after"))
        cut = [v for v in (before, after) if len(v) > 120]
        change = f"{before or '-'} → {after or '-'}"
        for v in cut:  # a long policy document: its first 120 characters, then how many more
            change = change.replace(v, f"{v[:120]}… ({len(v) - 120} more characters: --json)")
        rows.append({**r, "change": change})
    assert "more characters: --json" not in "".join(squeeze(r["change"]) for r in rows) or "--json" in table.stderr
    stdout = table.stdout.replace("… (", "(")
    for r in rows:
        r["change"] = r["change"].replace("… (", "(")
    assert_whole(stdout, rows, COLUMNS, width)
    assert any("arn:aws:iam::" in r["undo"] for r in records)
    assert "arn:aws:iam::" in table.stdout  # an undo is a command to copy: its ARNs whole


def test_an_arn_is_shortened_to_its_resource_and_json_keeps_it_whole(cli, sandbox_aws, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert shorten_arns("arn:aws:iam::123456789012:role/auroraml-comprehend-ml-demo") == "arn:…:role/auroraml-comprehend-ml-demo"
    assert shorten_arns("bucket arn:aws:s3:::my-bucket/x and arn:aws-cn:rds:cn-north-1:123456789012:cluster:c") == \
        "bucket arn:…:my-bucket/x and arn:…:cluster:c"
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    doc = cli("-o", "json", "check", "--cluster", "ml-demo", "--no-database", code=1)
    assert "arn:aws:iam::123456789012:role/auroraml-comprehend-ml-demo" in doc.stdout
    table = cli("-o", "table", "check", "--cluster", "ml-demo", "--no-database", code=1)
    assert "arn:…:role/auroraml-comprehend-ml-demo" in table.stdout and "arn:aws:iam::" not in table.stdout


def test_the_global_header_names_every_cluster_and_region_it_touches(cli, sandbox_aws, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    args = ("setup", "comprehend", "--cluster", "ml-global-use1", "--global", "--dry-run")
    doc = cli("-o", "json", *args).json()
    assert doc["clusters"] == ["ml-global-use1", "ml-global-usw2"] and doc["regions"] == ["us-east-1", "us-west-2"]
    title = cli("-o", "table", *args).stdout.splitlines()[0].strip()
    assert title == "setup comprehend on ml-global-use1, ml-global-usw2 in us-east-1, us-west-2 (dry run)"
    one = cli("-o", "table", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run").stdout.splitlines()[0]
    assert one.strip() == "setup comprehend on ml-demo in us-east-1 (dry run)"
