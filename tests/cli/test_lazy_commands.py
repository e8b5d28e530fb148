"""A typer sub-app (`ddl`, `sandbox`, `completion`) builds only the sub-command that runs, and its
`--help` still lists every sub-command with its summary."""

from __future__ import annotations

import typer.main

from auroraml_cli.cli import load_command


def _built(monkeypatch) -> list[str]:
    """The names typer builds a command for from now on (typer.main.get_command_from_info)."""
    built: list[str] = []
    real = typer.main.get_command_from_info

    def counting(info, **kwargs):
        command = real(info, **kwargs)
        built.append(command.name)
        return command

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    return built


def test_running_one_ddl_command_builds_only_that_one(cli, monkeypatch):
    built = _built(monkeypatch)
    r = cli("-o", "json", "ddl", "sagemaker", "mldb.churn", "--endpoint", "churn-predictor", "--arg", "age:INT",
            "--returns", "DOUBLE", "--aurora-version", "3.06.0")
    assert "AWS_SAGEMAKER_INVOKE_ENDPOINT" in r.json()["statements"][0]
    assert "sagemaker" in built and "bedrock" not in built


def test_the_group_lists_its_commands_without_building_them(monkeypatch):
    group = load_command("ddl")
    built = _built(monkeypatch)
    assert list(group.commands) == ["sagemaker", "bedrock"] and "bedrock" in group.commands
    assert built == []
    assert group.commands["bedrock"].name == "bedrock" and built == ["bedrock"]
    assert group.commands["bedrock"] is group.commands["bedrock"] and built == ["bedrock"]  # built once


def test_group_help_lists_every_sub_command_with_its_summary(cli):
    shown = " ".join(cli("ddl", "--help").stdout.split())
    assert "sagemaker A function that sends rows to a SageMaker endpoint, batched." in shown
    assert "bedrock A function that sends one request to a Bedrock model per row" in shown


def test_each_built_sub_command_refuses_an_option_given_twice(cli):
    r = cli("ddl", "sagemaker", "mldb.churn", "--endpoint", "a", "--endpoint", "b", "--arg", "age:INT",
            "--returns", "DOUBLE", code=2)
    assert "'--endpoint' was given more than once" in r.stderr
