"""Payload on stdout, everything else on stderr."""

from __future__ import annotations

import json
import re

from auroraml_cli.core.output import Output

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
    assert json.loads(stdout) == DOC
    assert stdout.endswith("}\n") and stdout.count("\n}\n") == 1
    assert "planning" in stderr and "reboot pending" in stderr and "waiting for the role" in stderr
    assert "planning" not in stdout


def test_json_is_not_rich_markup(capsys):
    doc = {"detail": "[bold]not markup[/bold]", "target": "[/]"}
    Output("json").document(doc)
    assert json.loads(capsys.readouterr().out) == doc


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
    assert json.loads(stdout) == doc


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
