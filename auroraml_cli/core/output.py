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
            self._err_console = Console(stderr=True, no_color=not self.color, highlight=False, soft_wrap=True)
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
                 rows: Sequence[dict[str, Any]] | None = None, columns: Sequence[str] = ()) -> None:
        """Print the command's one result: the whole doc as JSON, or `rows` as a table."""
        if self.format == "prometheus":
            from .errors import UsageError

            raise UsageError("-o prometheus is for `auroraml status` only", "use -o json or -o table")
        if self.format == "json":
            self.json(doc)
            return
        from rich.console import Console
        from rich.table import Table

        out = Console(no_color=not self.color, highlight=False, soft_wrap=False)
        table = Table(title=_escape(printable(title)) if title else title, title_justify="left", show_lines=False)
        for col in columns:
            table.add_column(col)
        for row in rows or ():
            cells = []
            for col in columns:
                value = "" if row.get(col) is None else printable(redact(str(row.get(col))))
                style = _STATUS_STYLE.get(value) if col == "status" and self.color else None
                cells.append(f"[{style}]{_escape(value)}[/]" if style else _escape(value))
            table.add_row(*cells)
        out.print(table)

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


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
