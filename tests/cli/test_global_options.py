"""Global options work after the command too, as AWS CLI users type them (`auroraml setup bedrock
--cluster X -o json --region us-east-1 --profile p`); before it, as the README shows, stays valid.
cli.global_options_first moves them: the command's own options (check's --region, export's
--query), `--`, and `sandbox run COMMAND...` are never touched."""

from __future__ import annotations

import json
import subprocess
import sys

from pathlib import Path

from hypothesis import given, strategies as st

from auroraml_cli.cli import global_options_first, root_command

AURORAML = str(Path(sys.executable).parent / "auroraml")

EXPORT = ("export", "--sql", "SELECT 1", "--to", "s3://ml-demo-exports/x", "--dry-run")


def test_output_after_the_command_is_the_global_output(cli):
    before = cli("-o", "json", *EXPORT)
    for after in ((*EXPORT, "-o", "json"), (*EXPORT, "--output", "json"), (*EXPORT, "--output=json"), (*EXPORT, "-ojson"),
                  ("export", "-o", "json", *EXPORT[1:])):
        r = cli(*after)
        assert r.stdout == before.stdout and json.loads(r.stdout)["dry_run"] is True, after


def test_region_and_profile_after_the_command_are_used(cli, sandbox_aws):
    found = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "--region", "us-east-1")
    assert json.loads(found.stdout)["cluster"] == "ml-demo"
    r = cli("setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "--region", "us-west-2", code=None)
    assert r.code != 0 and "us-west-2" in r.stderr
    r = cli("setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "--profile", "no-such-profile", code=3)
    assert "no-such-profile" in r.stderr and r.calls == []


def test_a_global_option_before_and_after_the_command_is_given_more_than_once(cli):
    for args in (("-o", "json", *EXPORT, "-o", "table"), ("--region", "us-east-1", *EXPORT, "--region", "us-west-2"),
                 ("-q", *EXPORT, "--quiet")):
        r = cli(*args, code=2)
        assert "was given more than once" in r.stderr and r.stdout == "", args


def test_a_value_that_looks_like_an_option_stays_with_its_option(cli):
    r = cli("export", "--sql", "SELECT 1", "--dry-run", "--to", "-o", code=2)  # -o is --to's value here
    assert "'-o'" in r.stderr and "more than once" not in r.stderr
    assert global_options_first(root_command(), ["setup", "bedrock", "--cluster", "--region", "-o", "json"]) == \
        ["-o", "json", "setup", "bedrock", "--cluster", "--region"]


def test_an_option_the_command_defines_itself_stays_the_commands(cli, sandbox_aws):
    # check has its own --region (the regions to scan): the global one before the command is another option.
    r = cli("-o", "json", "--region", "us-east-1", "check", "--all", "--region", "us-west-2", code=None)
    assert r.code in (0, 1), r.stderr  # a check may fail; the options were taken
    assert {row["region"] for row in json.loads(r.stdout)["clusters"]} == {"us-west-2"}  # ml-global-usw2
    assert global_options_first(root_command(), ["export", "--query", "SELECT 1", "-q"]) == \
        ["-q", "export", "--query", "SELECT 1"]


def test_nothing_moves_from_double_dash_on_nor_out_of_sandbox_runs_command():
    root = root_command()
    for args in (["sandbox", "run", "--no-seed", "--", "auroraml", "status", "-o", "json", "--region", "x"],
                 ["sandbox", "run", "--no-seed", "auroraml", "status", "-o", "json"],
                 ["export", "--dry-run", "--", "-o", "json"]):
        assert global_options_first(root, args) == args
    assert global_options_first(root, ["sandbox", "run", "-q", "--", "env", "-q"]) == ["-q", "sandbox", "run", "--", "env", "-q"]


def test_sandbox_run_passes_its_command_line_untouched():
    probe = "import sys; print(sys.argv[1:])"
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "-q", "--", sys.executable, "-c", probe,
                           "-o", "json", "--region", "x", "--", "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['-o', 'json', '--region', 'x', '--', '-q']\n" and done.stderr == ""


def test_the_installed_command_takes_global_options_after_the_command():
    done = subprocess.run([AURORAML, *EXPORT, "-o", "json", "--region", "us-east-1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["command"] == "export"


GLOBALS = [("-o", "json"), ("--region", "eu-west-1"), ("--profile", "p"), ("-q",), ("-v",), ("--no-color",),
           ("--cli-read-timeout", "5"), ("--target=prod",)]
OWN = [("--cluster", "--region"), ("--dry-run",), ("--model-id", "-o"), ("--yes",)]


@given(st.lists(st.sampled_from(GLOBALS), max_size=5), st.lists(st.sampled_from(OWN), max_size=4), st.randoms())
def test_global_options_move_before_the_command_in_the_order_typed(given_globals, own, rnd):
    tail = [*own]
    positions = sorted(rnd.randint(0, len(tail)) for _ in given_globals)
    for offset, (position, option) in enumerate(zip(positions, given_globals)):
        tail.insert(position + offset, option)
    args = ["setup", "bedrock", *[t for group in tail for t in group]]
    expected = [t for group in given_globals for t in group] + ["setup", "bedrock"] + [t for group in own for t in group]
    assert global_options_first(root_command(), args) == expected
