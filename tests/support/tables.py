"""Reading back what a table printed (core/output.py's two layouts), to check nothing was cut."""

from __future__ import annotations

import re

from auroraml_cli.core.output import VERBATIM, shorten_arns


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def expected(rows: list[dict], columns) -> dict[str, str]:
    """What each column must show, whitespace aside: every row's value, in order."""
    return {c: "".join(squeeze(v if c in VERBATIM else shorten_arns(v))
                       for v in ("" if r.get(c) is None else str(r[c]) for r in rows)) for c in columns}


def shown(stdout: str, columns) -> dict[str, str]:
    """Each column's text as the table shows it, whitespace aside: a boxed table's body is read
    column by column; the one-block-per-row layout key by key (a continuation line is indented)."""
    lines = stdout.splitlines()
    got = {c: "" for c in columns}
    body = [line for line in lines if line.startswith("│")]
    if body:
        for line in body:
            for col, cell in zip(columns, line.split("│")[1:-1]):
                got[col] += squeeze(cell)
        return got
    width = max(len(c) for c in columns)
    key = None
    for line in lines[1:]:
        head = line[:width].strip()
        if head in got and line[:1] != " ":
            key = head
            got[key] += squeeze(line[width:])
        elif line.strip() and key is not None and line[:width + 2].strip() == "":
            got[key] += squeeze(line)
        elif not line.strip():
            key = None
    return got


def assert_whole(stdout: str, rows: list[dict], columns, width: str, *, ignore=()) -> None:
    """Every cell of `rows` shown whole in `stdout`, no line wider than `width`; the columns in
    `ignore` (a value that moves between two runs) are only required to be there."""
    assert "…" not in stdout.replace("arn:…:", ""), stdout  # nothing cut by the renderer
    assert max(len(line) for line in stdout.splitlines()) <= int(width), stdout
    got, want = shown(stdout, columns), expected(rows, columns)
    for col in ignore:
        assert got.pop(col) and want.pop(col)
    assert got == want, stdout
