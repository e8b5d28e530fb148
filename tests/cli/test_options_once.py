"""An option that takes one value, given twice, is a usage error (exit 2) naming it — never the last
value silently kept (`ddl bedrock --arg a:TEXT --arg b:TEXT` used to create a function of `b`).
Checked for every single-valued option of every command in the tree; repeatable options
(`--arg` of `ddl sagemaker`, `--function`, `-v`) stay repeatable."""

from __future__ import annotations

import pytest

from auroraml_cli import cli as cli_mod


def _tree() -> list[tuple[tuple[str, ...], object]]:
    """(path, command) for the root and every command below it, loaded from every module."""
    found: list[tuple[tuple[str, ...], object]] = [((), cli_mod.root_command())]

    def walk(path: tuple[str, ...], command) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk((*path, name), sub)

    for name, *_ in cli_mod.COMMANDS:
        walk((name,), cli_mod.load_command(name))
    return found


TREE = dict(_tree())


def _single_valued() -> list[tuple[tuple[str, ...], str, bool]]:
    cases = []
    for path, command in _tree():
        for param in command.params:
            if param.param_type_name == "option" and not (param.multiple or param.count or param.is_eager):
                long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
                cases.append((path, long, bool(param.is_flag)))
    return cases


CASES = _single_valued()


def test_the_tree_is_walked_whole():
    paths = {path for path, *_ in CASES}
    assert {(), ("setup",), ("ddl", "bedrock"), ("ddl", "sagemaker"), ("grant", ), ("status",)} <= paths
    assert len(CASES) > 100


@pytest.mark.parametrize("path, option, flag", CASES, ids=[" ".join((*p, o)) for p, o, _ in CASES])
def test_a_single_valued_option_given_twice_is_refused(path, option, flag):
    """Parsed only (make_context runs no command): the refusal comes from parsing, before any
    other check, whatever else the command needs."""
    once = [option] if flag else [option, "x"]
    with pytest.raises(Exception) as refused:
        TREE[path].make_context(" ".join(("auroraml", *path)), [*once, *once])
    assert type(refused.value).__name__ == "UsageError", refused.value
    assert f"'{option}'" in refused.value.format_message() and "more than once" in refused.value.format_message()


def test_ddl_bedrock_arg_twice_is_refused_and_prints_no_sql(cli):
    r = cli("ddl", "bedrock", "mldb.ask", "--model-id", "amazon.titan-text-express-v1", "--arg", "a:TEXT",
            "--arg", "b:TEXT", "--aurora-version", "3.06.0", code=2)
    assert r.stdout == "" and "'--arg'" in r.stderr


def test_repeatable_options_stay_repeatable(cli):
    r = cli("ddl", "sagemaker", "mldb.f", "--endpoint", "e", "--arg", "a:INT", "--arg", "b:INT", "--returns", "INT",
            "--aurora-version", "3.06.0")
    assert "(`a` INT, `b` INT)" in r.stdout
    assert cli("-v", "-v", "ddl", "sagemaker", "mldb.f", "--endpoint", "e", "--arg", "a:INT", "--returns", "INT",
               "--aurora-version", "3.06.0").code == 0
