"""Help that teaches: every command has a one-line summary and an example that parses, and
`auroraml --help` groups the commands by task."""

from __future__ import annotations

import shlex

import pytest

from tools import tree

COMMANDS = list(tree.walk(tree.build()))[1:]
PANELS = ["Wire up", "Grant", "Functions", "Watch", "Diagnose", "Sandbox"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_a_summary_and_an_example(command):
    assert command.summary and len(command.summary) <= 120 and "\n" not in command.summary, command.summary
    assert command.examples, f"{command.name} has no example in its epilog"
    assert any(e.startswith(command.name) for e in command.examples), (command.name, command.examples)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_option_has_help(command):
    assert all(o.help for o in command.options), [o.names for o in command.options if not o.help]


@pytest.mark.parametrize("example", sorted({e for c in COMMANDS for e in c.examples}))
def test_every_example_parses(example):
    """Each example names a real command path, real options, and values where options take them."""
    root = tree.build()
    node, positional = root, 0
    words = shlex.split(example.split(" > ")[0].split(" | ")[0])[1:]
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            break
        if word.startswith("-"):
            name = word.split("=")[0]
            option = next((o for o in [*node.options, *root.options] if name in o.names), None)
            assert option is not None, f"{name} is not an option of {node.name}: {example}"
            if option.metavar is not None and "=" not in word:
                i += 1
                assert i < len(words) and (option.choices == [] or words[i] in option.choices), example
        elif node.subcommands:
            node = next((c for c in node.subcommands if c.path[-1] == word), None)
            assert node is not None, f"{word!r} is not a command: {example}"
        else:
            if positional < len(node.arguments) and node.arguments[positional].choices:
                assert word in node.arguments[positional].choices, example
            positional += 1
        i += 1
    assert not node.subcommands, f"{example} stops at a group"


def test_help_groups_commands_by_task_in_order(cli):
    out = cli("--help").stdout
    found = [p for p in PANELS if f"\n{p}:\n" in out]
    assert found == PANELS and [out.index(f"\n{p}:\n") for p in found] == sorted(out.index(f"\n{p}:\n") for p in found)
