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
    assert "auroraml: no command 'frobnicate'" in cli("frobnicate", code=2).stderr
    assert "table, json" in cli("-o", "xml", "setup", "comprehend", code=2).stderr


def test_importing_the_cli_loads_neither_boto3_nor_pymysql():
    import subprocess

    code = "import sys, auroraml_cli.cli; print(sorted(m for m in ('boto3','botocore','pymysql','moto') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _modules_after(*argv: str) -> list[str]:
    """The command modules a fresh process has imported after running `auroraml ARGV`."""
    import subprocess

    code = ("import sys, auroraml_cli.cli as c; c.run(sys.argv[1:]); "
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('auroraml_cli.commands.')))")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True).stdout
    return eval(out.strip().splitlines()[-1])


def test_help_lists_every_command_without_importing_their_modules():
    assert _modules_after("--help") == []


def test_a_command_imports_its_own_module_and_the_shared_options_only():
    assert set(_modules_after("iam-policy", "--command", "grant")) <= {"iam_policy", "options"}
    assert "ddl" in _modules_after("ddl", "--help")


def test_each_row_of_the_command_table_is_the_command_it_loads():
    """cli.COMMANDS is written by hand: its panel and summary are what the loaded command says
    of itself (the summary is the first line of its help), so the table cannot drift unseen."""
    from auroraml_cli.cli import COMMANDS, load_command, summary_of

    assert len({name for name, *_ in COMMANDS}) == len(COMMANDS)
    for name, target, panel, summary in COMMANDS:
        command = load_command(name)
        assert command.name == name, target
        assert (getattr(command, "rich_help_panel", None), summary_of(command)) == (panel, summary), name


def test_root_help_shows_every_summary_whole(cli):
    """A long summary wraps under its command; it is never cut short with "..."."""
    from auroraml_cli.cli import COMMANDS

    shown = " ".join(cli("--help").stdout.split())
    for _, _, panel, summary in COMMANDS:
        assert f"{panel}:" in shown
        assert " ".join(summary.split()) in shown
    listed = shown.split("Wire up:", 1)[1].split("Exit codes:", 1)[0]
    assert "..." not in listed.replace("CREATE FUNCTION ... ALIAS", "").replace("SELECT ... INTO", "")


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


def test_aws_region_alone_selects_the_region(cli, sandbox_aws, monkeypatch):
    """AWS_REGION is the AWS CLI v2's variable; botocore itself reads only AWS_DEFAULT_REGION."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run").json()["region"] == "us-east-1"


def test_aws_region_beats_aws_default_region(cli, sandbox_aws, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # the seeded clusters are in us-east-1 only
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run").json()["region"] == "us-east-1"


def test_argv_bytes_that_are_not_utf8_are_refused_by_the_installed_command(isolated):
    """As a shell passes them: bytes, which Python decodes with surrogateescape. A strict UTF-8
    stdout and stderr (PYTHONIOENCODING) cannot encode those: the refusal still prints, exit 2."""
    import os
    import subprocess
    from pathlib import Path

    auroraml = str(Path(sys.executable).parent / "auroraml")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    for args, option in (([b"grant", b"sagemaker", b"app", b"--function", b"mldb.caf\xe9", b"--aurora-version", b"3.08.0",
                           b"--dry-run"], "--function"),
                         ([b"--config", b"/tmp/\xff.toml", b"iam-policy"], "--config")):
        done = subprocess.run([auroraml.encode(), *args], capture_output=True, env=env, timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr.decode().startswith(f"error: {option} is not valid UTF-8"), done.stderr
        assert b"Traceback" not in done.stderr and done.stdout == b""


def test_command_modules_and_the_root_keep_their_annotations_evaluated():
    """typer reads a command's options from its signature, evaluating each string annotation twice
    (inspect.signature(eval_str=True), then get_type_hints): `from __future__ import annotations`
    in a command module made building `ddl`'s two commands cost ~7 ms more on every start."""
    from pathlib import Path

    import auroraml_cli

    package = Path(auroraml_cli.__file__).parent
    postponed = [p.name for p in [package / "cli.py", *sorted((package / "commands").glob("*.py"))]
                 if "from __future__ import annotations" in p.read_text()]
    assert postponed == []
