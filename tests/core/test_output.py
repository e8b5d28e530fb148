"""Payload on stdout, everything else on stderr."""

from __future__ import annotations

import json
import re

from auroraml_cli.core.output import SCHEMA_VERSION, Output

DOC = {"command": "setup", "steps": [{"action": "create", "target": "role/auroraml-bedrock-orders",
                                      "status": "done", "detail": "created"}]}
ROWS = DOC["steps"]
COLUMNS = ("action", "target", "status", "detail")


def test_json_writes_exactly_one_document(capsys):
    out = Output("json")
    out.progress("planning")
    with out.spinner("waiting for the role"):
        pass
    out.warn("reboot pending")
    out.document(DOC, title="Plan", rows=ROWS, columns=COLUMNS)
    stdout, stderr = capsys.readouterr()
    assert json.loads(stdout) == {"schema_version": SCHEMA_VERSION, **DOC}
    assert stdout.endswith("}\n") and stdout.count("\n}\n") == 1
    assert "planning" in stderr and "reboot pending" in stderr and "waiting for the role" in stderr
    assert "planning" not in stdout


def test_json_is_not_rich_markup(capsys):
    doc = {"detail": "[bold]not markup[/bold]", "target": "[/]"}
    Output("json").document(doc)
    assert json.loads(capsys.readouterr().out) == {"schema_version": SCHEMA_VERSION, **doc}


def test_default_format_off_a_terminal_is_json(capsys):
    assert Output().format == "json"
    assert Output("table").format == "table"


def test_table_prints_the_rows(capsys):
    rows = ROWS + [{"action": "reboot", "target": "orders-1", "status": "planned", "detail": None}]
    Output("table", color=False).document(DOC, title="Plan for orders", rows=rows, columns=COLUMNS)
    stdout, stderr = capsys.readouterr()
    assert stderr == ""
    for text in ("Plan for orders", "action", "target", "create", "role/auroraml-bedrock-orders", "done",
                 "reboot", "orders-1", "planned"):
        assert text in stdout
    assert "None" not in stdout
    assert not stdout.lstrip().startswith("{")


def test_table_shows_markup_literally(capsys):
    Output("table", color=True).document({}, rows=[{"a": "[red]x[/red]", "status": "failed"}], columns=("a", "status"))
    stdout = capsys.readouterr().out
    assert "[red]x[/red]" in stdout
    assert "failed" in stdout


def test_progress_warn_error_go_to_stderr(capsys):
    out = Output("table")
    out.progress("reading cluster orders")
    out.warn("parameter group is shared")
    out.error("cluster not found", "check --region")
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert "reading cluster orders" in stderr
    assert "warning: parameter group is shared" in stderr
    assert "error: cluster not found" in stderr
    assert "next: check --region" in stderr


def test_error_without_hint(capsys):
    Output("json").error("boom")
    stderr = capsys.readouterr().err
    assert "error: boom" in stderr
    assert "next:" not in stderr


def test_quiet_suppresses_progress_but_not_errors(capsys):
    out = Output("json", quiet=True)
    out.progress("reading cluster")
    with out.spinner("waiting"):
        pass
    out.error("it broke", "try again")
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert "reading cluster" not in stderr
    assert "waiting" not in stderr
    assert "error: it broke" in stderr
    assert "next: try again" in stderr


def test_spinner_off_a_terminal_prints_one_line(capsys):
    ran = []
    with Output("json").spinner("waiting for orders-1 to reboot"):
        ran.append(True)
    stdout, stderr = capsys.readouterr()
    assert ran == [True]
    assert stdout == ""
    assert stderr == "waiting for orders-1 to reboot\n"


def test_no_color_writes_no_escape_codes(capsys):
    out = Output("table", color=False)
    out.error("plain", "hint")
    out.document({}, rows=[{"status": "failed"}], columns=("status",))
    stdout, stderr = capsys.readouterr()
    assert "\x1b[" not in stdout + stderr


# ESC (CSI, OSC: colours, clearing the screen, retitling the window, hyperlinks), BEL, BS, CR,
# DEL, C1's 8-bit CSI, a right-to-left override, and bytes that were not UTF-8 (lone surrogates).
HOSTILE = "a\x1b[2J\x1b]0;owned\x07b\x08c\rd\x7fe\x9b31mf\u202eg" + b"\xff".decode("utf-8", "surrogateescape")
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def test_table_cells_and_title_escape_terminal_controls(capsys):
    Output("table", color=True).document({}, title=f"plan for {HOSTILE}", rows=[{"target": HOSTILE, "status": "done"}],
                                         columns=("target", "status"))
    stdout = capsys.readouterr().out
    assert not RAW.search(stdout.replace("\x1b[", "")), repr(stdout)  # rich's own colour codes aside
    assert "\x1b[2J" not in stdout and "\x1b]0" not in stdout
    assert "\\x1b[2J" in stdout and "\\u202e" in stdout and "\\x9b" in stdout and "\\udcff" in stdout


def test_progress_warnings_and_errors_escape_terminal_controls(capsys):
    out = Output("json")
    out.progress(f"reading {HOSTILE}")
    out.warn(HOSTILE)
    out.error(f"no such thing {HOSTILE}\nerror: injected", HOSTILE)
    stderr = capsys.readouterr().err
    assert not RAW.search(stderr), repr(stderr)
    assert "\\x1b[2J" in stderr and len(stderr.splitlines()) == 4  # the error's newline is escaped too


def test_json_escapes_what_a_terminal_would_act_on_and_reads_back_the_same(capsys):
    doc = {"target": HOSTILE, HOSTILE: [HOSTILE]}
    Output("json").document(doc)
    stdout = capsys.readouterr().out
    assert not RAW.search(stdout), repr(stdout)
    assert json.loads(stdout) == {"schema_version": SCHEMA_VERSION, **doc}


# --- schema_version and --query (core/query.py) ------------------------------------------------

def test_every_document_starts_with_the_schema_version_which_no_command_can_override(capsys):
    Output("json").document({"command": "setup", "schema_version": 99})
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["schema_version", "command"] and doc["schema_version"] == SCHEMA_VERSION


def test_a_json_line_is_one_compact_versioned_line_with_controls_escaped(capsys):
    out = Output("json")
    out.json({"time": "t", "note": f"x\n{HOSTILE}"}, line=True)
    out.json({"time": "u"}, line=True)
    stdout = capsys.readouterr().out
    lines = stdout.splitlines()
    assert len(lines) == 2 and not RAW.search(stdout)
    assert [json.loads(line) for line in lines] == [{"schema_version": SCHEMA_VERSION, "time": "t", "note": f"x\n{HOSTILE}"},
                                                    {"schema_version": SCHEMA_VERSION, "time": "u"}]


def test_a_foreign_format_is_printed_as_it_is(capsys):
    policy = {"Version": "2012-10-17", "Statement": []}
    Output("table").json(policy, stamp=False)  # JSON whatever the format: an IAM policy document
    assert json.loads(capsys.readouterr().out) == policy


def test_the_query_filters_every_json_payload(capsys):
    from auroraml_cli.core import query

    out = Output("json", query=query.compile("steps[?status=='done'].target"))
    out.document(DOC, title="Plan", rows=ROWS, columns=COLUMNS)
    out.json({"steps": []}, line=True)
    stdout = capsys.readouterr().out
    assert stdout == '[\n  "role/auroraml-bedrock-orders"\n]\n[]\n'
    Output("json", query=query.compile("schema_version")).document(DOC)
    assert capsys.readouterr().out == f"{SCHEMA_VERSION}\n"


def test_the_query_sees_secrets_already_scrubbed(capsys):
    from auroraml_cli.core import errors, query

    errors.remember_secret("hunter2-Secret")
    try:
        Output("json", query=query.compile("[reverse(p), p]")).document({"p": "pw hunter2-Secret"})
    finally:
        errors.forget_secrets()
    stdout = capsys.readouterr().out
    assert "terceS-2retnuh" not in stdout and "hunter2-Secret" not in stdout
    assert json.loads(stdout) == ["]detcader[ wp", "pw [redacted]"]


def test_a_query_the_data_makes_fail_is_a_usage_error_and_prints_nothing(capsys):
    import pytest

    from auroraml_cli.core import errors, query

    with pytest.raises(errors.UsageError) as raised:
        Output("json", query=query.compile("abs(command)")).document(DOC)
    assert raised.value.exit_code == errors.EXIT_USAGE and "abs() takes number, and was given string" in raised.value.message
    assert "\n" not in raised.value.message
    assert capsys.readouterr().out == ""


def test_a_query_failing_on_the_way_out_of_a_failure_leaves_that_failure_its_exit_code(capsys):
    import pytest

    from auroraml_cli.core import query

    out = Output("json", query=query.compile("abs(command)"))
    with pytest.raises(TimeoutError):
        try:
            raise TimeoutError("the reboot did not finish")
        except TimeoutError:
            out.document(DOC)  # as _plans renders the steps so far, then re-raises
            raise
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and "warning: --query could not filter the output" in stderr



ARN = "arn:aws:iam::123456789012:role/auroraml-comprehend-ml-demo"
WIDE = [{"action": "set-parameter", "target": "auroraml-ml-demo:aws_default_comprehend_role", "status": "planned",
         "detail": f"= {ARN} (pending-reboot) " + "word " * 30, "fix": f"aws iam get-role --role-arn {ARN}"}]


def test_a_table_that_fits_keeps_its_columns_and_folds_long_words(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    Output("table", color=False).document({}, rows=WIDE, columns=("action", "target", "status", "detail"))
    stdout = capsys.readouterr().out
    assert stdout.splitlines()[0].startswith("┏") and max(map(len, stdout.splitlines())) <= 100
    assert "…" not in stdout.replace("arn:…:", "") and "arn:…:role/auroraml-comprehend-ml-demo" in re.sub(r"\s*│\s*", "", stdout)


def test_too_many_columns_become_one_block_per_row_with_commands_whole(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    Output("table", color=False).document({}, title="t", rows=[{**WIDE[0], "empty": ""}],
                                          columns=("action", "target", "status", "detail", "empty", "fix"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["t", ""] and lines[2].split() == ["action", "set-parameter"]
    assert not any(line.startswith("empty") for line in lines)  # an empty cell is left out of its block
    assert ARN in " ".join(lines) or ARN in "".join(line.strip() for line in lines)  # the fix: a command, whole
    assert max(map(len, lines)) <= 60


def test_verbatim_columns_keep_their_arns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    Output("table", color=False).document({}, rows=[{"v": ARN}], columns=("v",), verbatim=("v",))
    assert ARN in capsys.readouterr().out
