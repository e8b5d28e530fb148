"""The root command: global options, settings layering through the CLI, exit codes."""

from __future__ import annotations

import sys

from auroraml_cli import __version__


def test_version(cli):
    r = cli("--version")
    assert r.stdout.strip() == f"auroraml {__version__}"


def test_help_lists_the_commands_and_the_exit_codes(cli):
    r = cli("--help")
    for word in ("setup", "teardown", "sandbox", "Exit codes", "130"):
        assert word in r.stdout


def test_unknown_command_and_bad_output_are_usage_errors(cli):
    assert "No such command" in cli("frobnicate", code=2).stderr
    assert "table, json" in cli("-o", "xml", "setup", "comprehend", code=2).stderr


def test_importing_the_cli_loads_neither_boto3_nor_pymysql():
    import subprocess

    code = "import sys, auroraml_cli.cli; print(sorted(m for m in ('boto3','botocore','pymysql','moto') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_target_in_the_settings_file_supplies_the_cluster(cli, sandbox_aws, isolated):
    (isolated / "auroraml.toml").write_text('default_target = "demo"\n[targets.demo]\ncluster = "ml-demo"\nregion = "us-east-1"\n')
    r = cli("-o", "json", "setup", "comprehend", "--dry-run")
    assert r.json()["cluster"] == "ml-demo"


def test_flag_beats_environment_beats_file(cli, sandbox_aws, isolated, monkeypatch):
    (isolated / "auroraml.toml").write_text('[targets.t]\ncluster = "no-such-cluster"\n')
    monkeypatch.setenv("AURORAML_CLUSTER", "legacy-v2")
    assert cli("-t", "t", "-o", "json", "setup", "comprehend", "--dry-run").json()["cluster"] == "legacy-v2"
    assert cli("-t", "t", "-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run").json()["cluster"] == "ml-demo"


def test_settings_errors_exit_3_before_anything_else(cli, isolated):
    (isolated / "auroraml.toml").write_text("[targets.a]\ncluster = 'x'\n")
    assert "no target named 'b'" in cli("-t", "b", "setup", "comprehend", code=3).stderr
    (isolated / "auroraml.toml").write_text("this is = not toml [")
    assert "not valid TOML" in cli("setup", "comprehend", code=3).stderr


def test_no_region_anywhere_is_a_configuration_error(cli, sandbox_aws, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    r = cli("setup", "comprehend", "--cluster", "ml-demo", code=3)
    assert "region" in r.stderr
