"""`--query JMESPATH`: the AWS CLI's filter over the JSON output; a bad expression is exit 2 before
anything runs, and no expression, however hostile, is an internal error (exit 70)."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

DDL = ("ddl", "sagemaker", "mldb.score", "--endpoint", "e", "--arg", "x:DOUBLE", "--returns", "DOUBLE",
       "--aurora-version", "3.06.0")
SETUP = ("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")


def test_the_query_selects_from_the_document(cli):
    r = cli("--query", "statements[0]", *DDL)
    assert json.loads(r.stdout).startswith("CREATE FUNCTION `mldb`.`score`")
    assert cli("--query", "{v: schema_version, c: command}", *DDL).json() == {"v": 1, "c": "ddl"}
    assert cli("--query", "no_such_key", *DDL).stdout == "null\n"  # as the AWS CLI prints it


def test_the_query_implies_json_over_a_table_from_the_environment(cli, monkeypatch):
    monkeypatch.setenv("AURORAML_OUTPUT", "table")
    assert cli("--query", "command", *DDL).json() == "ddl"  # without --query: the SQL, as text
    assert cli("-o", "json", "--query", "command", *DDL).json() == "ddl"


def test_the_query_filters_an_iam_policy_which_stays_pure_iam(cli):
    sids = cli("--query", "Statement[].Sid", "iam-policy").json()
    assert sids and all(isinstance(s, str) for s in sids)
    assert "schema_version" not in cli("iam-policy").json()
    assert cli("--query", "[schema_version, command]", "iam-policy", "--bootstrap").json() == [1, "iam-policy"]


def test_the_global_query_and_exports_own_query_are_told_apart(cli):
    r = cli("--query", "statement", "export", "--query", "SELECT 1", "--to", "s3://ml-demo-exports/x", "--dry-run")
    assert r.json() == "SELECT 1\n  INTO OUTFILE S3 's3://ml-demo-exports/x'\n  FORMAT CSV"


def test_a_bad_expression_is_refused_before_any_aws_call(cli, sandbox_aws):
    for expression in ("steps[", "steps[?status=='done'", "nope(steps)", "length(steps, steps)", "", "`1e999`"):
        r = cli("--query", expression, *SETUP, code=2)
        r.assert_refused()
        assert "--query" in r.stderr


def test_a_query_with_a_table_or_a_command_without_json_is_refused(cli):
    for args in (("-o", "table", "--query", "command", *DDL), ("-o", "prometheus", "--query", "command", "status"),
                 ("--query", "x", "completion", "bash"), ("--query", "x", "man"), ("--query", "x", "sandbox", "start")):
        r = cli(*args, code=2)
        r.assert_refused()
        assert "--query filters JSON output" in r.stderr


def test_a_query_the_data_makes_fail_says_the_command_ran(cli, sandbox_aws):
    r = cli("--query", "abs(command)", *SETUP, code=2)
    assert r.stdout == "" and "abs() takes number, and was given string" in r.stderr
    assert "the command itself ran" in r.stderr and "auroraml history" in r.stderr
    assert any(c.endswith("CreateRole") for c in r.writes)  # it did run: the journal has it
    assert len(cli("history", "--json").json()["records"]) > 0


def test_the_query_does_not_load_jmespath_unless_given():
    code = ("import sys; from auroraml_cli.cli import run; run(['-o', 'json', 'iam-policy']); "
            "sys.stderr.write(str('jmespath' in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stderr == "False"


# Pieces of JMESPath, put together at random, and plain hostile text.
PIECES = ["steps", "statements", "[0]", "[-1]", "[*]", "[]", "[?", "]", "{a: b}", "{", "}", ".", "|", "||", "&&", "!",
          "@", "`", "`1`", "`\"x\"`", "`[1, 2]`", "'raw'", '"quoted"', "(", ")", ",", "==", "<", "&", "$x", "let $x = 1 in ",
          "length(@)", "abs(", "sort_by(@, &a)", "to_number(@)", "max(", "join(',', @)", "reverse(@)", "*", "[:2]",
          "[::-1]", "[1:2:0]", ":", "\\", "\x00", "\u202e", "\udcff", "日本", " "]
EXPRESSIONS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.text(max_size=30))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=EXPRESSIONS)
@example(expression="[" * 3000)  # the parser's recursion
@example(expression="`" + "[" * 3000 + "`")  # a JSON literal nested past the decoder's recursion
@example(expression="`" + "9" * 5000 + "`")  # past Python's int-from-text limit
@example(expression="to_number('1.e400')")  # infinity, from the data
@example(expression="&foo")  # an expression reference alone has no JSON value (was exit 70)
@example(expression="to_array(&foo)")  # one handed back by a function: found only with the data
@example(expression="sum(`[1e308, 1e308]`)")
@example(expression="x" * 20000)
@example(expression="[1:2:0]")  # a slice step of 0
@example(expression="let $x = statements in $y")  # an unbound variable
@example(expression="\udcff")
def test_no_expression_is_an_internal_error(cli, expression):
    r = cli("--query", expression, *DDL, code=None)
    assert r.code in (0, 2), (r.code, r.stderr)
    if r.code == 0:
        json.loads(r.stdout)  # whatever it selects is one JSON document
        assert r.stderr == ""
    else:
        assert r.stdout == ""
        lines = r.stderr.splitlines()
        assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("  next: "), r.stderr
