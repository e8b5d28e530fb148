"""Renderers: the payload goes to stdout, everything else (progress, warnings, errors) to stderr.

One `Output` per run chooses json or table once; commands hand it plain data. JSON never passes
through rich markup, and spinners only animate when stderr is a terminal.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .errors import redact  # no password or IAM token in anything shown (errors.remember_secret)
from .patterns import lazy

_STATUS_STYLE = {
    "pass": "green",
    "fail": "bold red",
    "warn": "yellow",
    "skip": "dim",
    "done": "green",
    "unchanged": "dim",
    "planned": "cyan",
    "failed": "bold red",
    "skipped": "yellow",
    "pending": "yellow",
}


# What a terminal would act on rather than show: C0 controls but tab and newline (ESC starts the
# sequences that recolour, clear, retitle, or plant a link), DEL, C1 (0x9b is an 8-bit CSI),
# the bidirectional overrides and isolates that reorder a line, and lone surrogates (bytes that
# were not UTF-8, which a strict stdout cannot even encode).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROLS = lazy(f"[{_UNSAFE}]")
_CONTROLS_AND_NEWLINES = lazy(f"[{_UNSAFE}\\n]")


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with each control character shown as an escape (\\x1b, \\u202e) instead of written raw:
    values from AWS, the database or the command line cannot rewrite the user's terminal.
    `one_line`: a newline is escaped too (an error line cannot forge a second one)."""
    pattern = _CONTROLS_AND_NEWLINES if one_line else _CONTROLS
    return pattern.sub(lambda m: "\\n" if m.group() == "\n" else
                       (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)


# Every JSON document auroraml prints (`Output.document`, each `status --watch` line, the
# `iam-policy --bootstrap` wrapper) carries this as its top-level "schema_version"; the shapes are
# written down in docs/schemas/. Raised when a key is removed or renamed, or its type or meaning
# changes; a key added keeps it. The IAM policy documents `iam-policy` prints are IAM's own format
# and carry nothing of ours.
SCHEMA_VERSION = 1


def versioned(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with "schema_version" first (the one place it is set)."""
    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in doc.items() if k != "schema_version"}}


def _json_safe(text: str) -> str:
    """JSON text whose strings hold no raw control: json.dumps escapes C0 itself; the rest becomes
    the \\uXXXX escape, which reads back as the same value."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class Output:
    def __init__(self, fmt: str | None = None, *, quiet: bool = False, verbose: int = 0, color: bool = True,
                 query=None) -> None:
        self.format = fmt or ("table" if sys.stdout.isatty() else "json")
        self.query = query  # --query: a compiled JMESPath expression (core/query.py) over every JSON payload
        self.quiet = quiet
        self.verbose = verbose
        self.color = color
        self._err_console = None

    # stderr -------------------------------------------------------------------------------
    @property
    def err(self):
        """A rich console on stderr, created on first use (rich costs start-up time)."""
        if self._err_console is None:
            from rich.console import Console

            # soft_wrap: a long progress line stays one line in logs instead of being re-flowed.
            self._err_console = Console(stderr=True, color_system="auto" if self.color else None, highlight=False,
                                        soft_wrap=True)
        return self._err_console

    def _line(self, message: str, style: str | None = None, *, one_line: bool = False) -> None:
        # Plain text off a terminal: runbooks and logs need no colour, and not loading rich there
        # saves ~50 ms a run.
        message = printable(redact(message), one_line=one_line)
        if sys.stderr.isatty():
            self.err.print(message, style=style, markup=False)
        else:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

    def tell(self, message: str) -> None:
        """A line on stderr even with -q: what a question about to be asked is about (-q silences
        progress, never what someone is asked to consent to)."""
        self._line(message)

    def progress(self, message: str) -> None:
        if not self.quiet:
            self._line(message)

    def warn(self, message: str) -> None:
        self._line(f"warning: {message}", "yellow")

    def error(self, message: str, hint: str | None = None) -> None:
        self._line(f"error: {message}", "bold red", one_line=True)
        if hint:
            self._line(f"  next: {hint}", one_line=True)

    @contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner on a terminal; one progress line otherwise (logs stay readable)."""
        if self.quiet:
            yield
            return
        if sys.stderr.isatty():
            with self.err.status(message):
                yield
        else:
            self.progress(message)
            yield

    # stdout -------------------------------------------------------------------------------
    def document(self, doc: dict[str, Any], *, title: str | None = None,
                 rows: Sequence[dict[str, Any]] | None = None, columns: Sequence[str] = (),
                 verbatim: Sequence[str] = ()) -> None:
        """Print the command's one result: the whole doc as JSON, or `rows` as a table (`verbatim`:
        columns shown as they are, ARNs whole, beside VERBATIM's)."""
        if self.format == "prometheus":
            from .errors import UsageError

            raise UsageError("-o prometheus is for `auroraml status` only", "use -o json or -o table")
        if self.format == "json":
            self.json(doc)
            return
        self.table(rows or (), columns, title=title, verbatim=verbatim)

    # JSON on stdout --------------------------------------------------------------------------
    def json(self, doc: Any, *, stamp: bool = True, line: bool = False) -> None:
        """`doc` as JSON on stdout whatever the format: with "schema_version" (`stamp`), filtered by
        --query, scrubbed of secrets and terminal controls. `line`: one compact line (NDJSON)."""
        import json  # here, not at start-up: a command that prints SQL or nothing never needs it

        if stamp and isinstance(doc, dict):
            doc = versioned(doc)
        if self.query is not None:
            from .errors import UsageError
            from .query import apply

            failing = sys.exc_info()[1]  # printed on the way out of a failure (a plan's steps so far)
            try:
                # The filter sees what -o json would print, secrets already scrubbed: no expression
                # can turn one into a form the scrubbing would not recognise.
                doc = apply(self.query, json.loads(redact(json.dumps(doc, default=str, ensure_ascii=False))))
            except UsageError as exc:
                if failing is None:
                    raise
                self.warn(exc.message)  # the failure under way keeps its own message and exit code
                return
        text = json.dumps(doc, indent=None if line else 2, default=str, ensure_ascii=False)
        sys.stdout.write(_json_safe(redact(text)) + "\n")
        sys.stdout.flush()

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
              verbatim: Sequence[str] = ()) -> None:
        """`rows` for a person, at the terminal's width (COLUMNS off a terminal, else 80), nothing cut:
        a table with long values wrapped at spaces (a word wider than its column folds onto the next
        line) when every column gets room for its words; otherwise one block per row, a `column
        value` line each (as mysql's \\G), so that no row breaks into fragments of a few letters.
        ARNs show as `arn:…:RESOURCE` (`shorten_arns`; -o json has them whole), except in the
        columns that hold commands to copy (VERBATIM)."""
        from rich.console import Console

        # No colour (NO_COLOR, --no-color): no escape at all, bold and italic included.
        out = Console(color_system="auto" if self.color else None, highlight=False, soft_wrap=False)
        out.print(self.renderable(rows, columns, title=title, width=out.width, verbatim=verbatim))

    def renderable(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None, width: int,
                   verbatim: Sequence[str] = ()):
        """What `table` prints, for a console `width` wide (status --watch's live table redraws it)."""
        whole = VERBATIM.union(verbatim)
        cells = [[_cell(row.get(col), col in whole) for col in columns] for row in rows]
        widths = _fit(columns, cells, width)
        return self._grid(columns, cells, widths, title) if widths is not None else self._records(columns, cells, title)

    def _styled(self, col: str, value: str) -> str:
        style = _STATUS_STYLE.get(value) if col == "status" and self.color else None
        return f"[{style}]{_escape(value)}[/]" if style else _escape(value)

    def _grid(self, columns: Sequence[str], cells: list[list[str]], widths: list[int], title: str | None):
        from rich.table import Table

        table = Table(title=_escape(printable(title)) if title else title, title_justify="left", show_lines=False)
        for col, width in zip(columns, widths):
            table.add_column(_escape(col), width=width, overflow="fold")
        for row in cells:
            table.add_row(*(self._styled(col, value) for col, value in zip(columns, row)))
        return table

    def _records(self, columns: Sequence[str], cells: list[list[str]], title: str | None):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        parts: list[Any] = [Text(printable(title), overflow="fold")] if title else []
        key_width = max((len(c) for c in columns), default=0)
        for row in cells:
            parts.append(Text(""))
            block = Table.grid(padding=(0, 2))
            block.add_column(width=key_width, no_wrap=True)
            block.add_column(overflow="fold")
            for col, value in zip(columns, row):
                if value:  # an empty cell says nothing: left out of its block
                    block.add_row(_escape(col), self._styled(col, value))
            parts.append(block)
        return Group(*parts)


# Columns whose values are commands to copy and run (a check's fix, a change's undo): never shortened.
VERBATIM = frozenset({"fix", "undo"})
_ARN = lazy(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:")
# The narrowest a column may be made before a table turns into one block per row: room for its
# header and its longest word (up to WORD_ROOM characters; a longer one folds).
WORD_ROOM = 20


def shorten_arns(text: str) -> str:
    """Each ARN in `text` as `arn:…:RESOURCE`: partition, service, region and account left out
    (`arn:aws:iam::123456789012:role/x` → `arn:…:role/x`); the resource, which names the thing, kept."""
    return _ARN.sub("arn:…:", text)


def _cell(value: Any, whole: bool) -> str:
    text = "" if value is None else printable(redact(str(value)))
    return text if whole else shorten_arns(text)


def _fit(columns: Sequence[str], cells: list[list[str]], width: int) -> list[int] | None:
    """Each column's width in a table `width` characters wide (borders and padding take 3 a
    column, plus 1), or None when the columns do not all get their room (WORD_ROOM)."""
    from rich.cells import cell_len

    if not columns:
        return []
    natural, room = [], []
    for i, col in enumerate(columns):
        texts = [col] + [row[i] for row in cells]
        widest = max(cell_len(line) for text in texts for line in (text.splitlines() or [""]))
        word = max((cell_len(w) for text in texts[1:] for w in text.split()), default=0)
        natural.append(max(widest, 1))
        room.append(min(widest, max(cell_len(col), min(word, WORD_ROOM))))
    free = width - (3 * len(columns) + 1) - sum(room)
    if free < 0:
        return None
    widths = list(room)
    while free > 0:  # the rest shared out evenly among the columns that would use it
        wanting = [i for i in range(len(widths)) if widths[i] < natural[i]]
        if not wanting:
            break
        share = max(free // len(wanting), 1)
        for i in wanting:
            give = min(share, natural[i] - widths[i], free)
            widths[i] += give
            free -= give
            if free == 0:
                break
    return widths


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
