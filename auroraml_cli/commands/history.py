"""`auroraml history`: the change journal — what each mutating run changed, who ran it, how to undo it."""

from typing import Optional

import typer

from . import examples

EXAMPLE = """
Examples:

  auroraml history --cluster ml-demo

  auroraml history --cluster ml-demo --since 1d --json > changes.json

  auroraml history --since 2025-06-01T00:00:00Z --limit 20
"""
COLUMNS = ("time", "who", "command", "action", "target", "change", "status", "undo")
SHORT = 120  # characters of a before/after value the table shows, then how many more: --json has them whole


@examples(EXAMPLE)
def history(
    ctx: typer.Context,
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only the changes to this DB cluster (id, as recorded)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Only changes since then: a duration ago (30m, 2h, 1d, 2w) or an ISO 8601 time (UTC if no offset)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the newest N changes."),
    as_json: bool = typer.Option(False, "--json", help="Export the records as one JSON document (as -o json)."),
) -> int:
    """Show the change journal: each change a run made, who made it, before → after, and its undo.

    Each change is one record: its outcome (done, failed), or its intent when no outcome was
    recorded (status `started`: a crash or kill came between; the change may have been made)."""
    from ..core import journal

    app = ctx.obj
    path = journal.default_path()
    after = journal.parse_since(since) if since else None
    records = []
    for record in journal.pair(journal.read(path, app.out.warn)):
        if cluster and record.get("cluster") != cluster:
            continue
        if after is not None:
            when = journal.record_time(record)
            if when is None or when < after:
                continue
        records.append(record)
    if limit:
        records = records[-limit:]
    if as_json:
        app.out.format = "json"
    doc = {"command": "history", "journal": str(path), "records": records}
    app.out.document(doc, title=f"changes recorded in {path}", rows=[_row(r) for r in records], columns=COLUMNS)
    if not records:
        app.out.progress(f"no changes recorded in {path}" + (" that match" if cluster or since else ""))
    elif app.out.format != "json" and any(len(_flat(r.get(k))) > SHORT for r in records for k in ("before", "after")):
        app.out.progress(f"a before or after value longer than {SHORT} characters is shown cut, saying so: --json has it whole")
    unknown = sum(r.get("status") == journal.STARTED for r in records)
    if unknown:
        app.out.warn(f"{unknown} change(s) started with no recorded outcome (the run was killed or crashed, or is "
                     "still running): the change may have been made; check it, or run the same command again")
    return 0


def _row(record: dict) -> dict:
    """A record as the table shows it: every field whole but a before/after value longer than
    SHORT, which ends with how many characters were left out."""
    before, after = _short(record.get("before")), _short(record.get("after"))
    change = f"{before or '-'} → {after or '-'}" if before or after else ""
    status = _flat(record.get("status"))
    return {"time": _flat(record.get("time")), "who": _flat(record.get("who")) or "unknown",
            "command": _flat(record.get("command")), "action": _flat(record.get("action")),
            "target": _flat(record.get("target")), "change": change,
            "status": "started, outcome unknown" if status == "started" else status,
            "undo": record.get("undo") or "-"}  # whole and as written: a command to copy


def _flat(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _short(value) -> str:
    text = _flat(value)
    return text if len(text) <= SHORT else f"{text[:SHORT]}… ({len(text) - SHORT} more characters: --json)"
