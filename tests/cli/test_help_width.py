"""`--help` at the width of the terminal: not re-wrapped at click's 80-column cap, each example one
command a line at any width, and the root's list of commands with every summary whole."""

from __future__ import annotations

import pytest

from auroraml_cli import cli as cli_module
from tools import tree

COMMANDS = list(tree.walk(tree.build()))[1:]


def help_of(cli, monkeypatch, width: int, *path: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    return cli(*path, "--help").stdout


@pytest.mark.parametrize("width", (80, 200))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_each_example_is_one_line_at_any_width(cli, monkeypatch, command, width):
    lines = [line.strip() for line in help_of(cli, monkeypatch, width, *command.path[1:]).splitlines()]
    for example in command.examples:
        assert example in lines, (example, lines[-12:])


def test_help_wraps_at_the_terminal_width_not_at_80(cli, monkeypatch):
    wide = help_of(cli, monkeypatch, 200)
    region = next(line for line in wide.splitlines() if line.lstrip().startswith("--region"))
    assert region.rstrip().endswith("the AWS profile's).") and 80 < len(region) <= 200, region
    narrow = help_of(cli, monkeypatch, 80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    long_line = max(wide.splitlines(), key=len)
    assert 80 < len(long_line) <= 200


@pytest.mark.parametrize("width", (80, 120, 200))
def test_the_root_help_lists_every_command_with_its_whole_summary(cli, monkeypatch, width):
    text = help_of(cli, monkeypatch, width)
    flat = " ".join(text.split())
    for name, _, _, summary in cli_module.COMMANDS:
        assert f"{name} {' '.join(summary.split())}" in flat, (name, summary)
    assert "..." not in text.replace("CREATE FUNCTION ... ALIAS", "").replace("SELECT ... INTO", "").replace(
        "COMMAND [ARGS]...", "")


def test_prose_paragraphs_still_wrap_and_indented_ones_are_kept():
    text = "Examples:\n\n  auroraml a --long\n\n  auroraml b\n\nSome prose\nthat wraps."
    kept = cli_module.keep_indented_lines(text)
    assert kept == "Examples:\n\n\b\n  auroraml a --long\n\n\b\n  auroraml b\n\nSome prose\nthat wraps."
