"""`auroraml history`: the change journal — what each mutating run changed, who ran it, how to undo it."""

from __future__ import annotations

from typing import Optional

import typer

EXAMPLE = """
Examples:

  auroraml history --cluster ml-demo

  auroraml history --cluster ml-demo --since 1d --json > changes.json

  auroraml history --since 2025-06-01T00:00:00Z --limit 20
"""
COLUMNS = ("time", "who", "command", "action", "target", "change")  # undo: in --json (too wide for a table)
SHORT = 60  # characters of a before/after value the table shows; --json has them whole


def history(
    ctx: typer.Context,
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Only the changes to this DB cluster (id, as recorded)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Only changes since then: a duration ago (30m, 2h, 1d, 2w) or an ISO 8601 time (UTC if no offset)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the newest N changes."),
    as_json: bool = typer.Option(False, "--json", help="Export the records as one JSON document (as -o json)."),
) -> int:
    """Show the change journal: each change a run made, who made it, before → after, and its undo."""
    from ..core import journal

    app = ctx.obj
    path = journal.default_path()
    after = journal.parse_since(since) if since else None
    records = []
    for record in journal.read(path, app.out.warn):
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
    elif app.out.format != "json":
        app.out.progress("each change's before, after and undo (the command that reverses it), whole: --json")
    return 0


def _row(record: dict) -> dict:
    before, after = _short(record.get("before")), _short(record.get("after"))
    change = f"{before or '-'} → {after or '-'}" if before or after else ""
    return {"time": record.get("time"), "who": record.get("who") or "unknown", "command": record.get("command"),
            "action": record.get("action"), "target": record.get("target"), "change": change}


def _short(value) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def register(app: typer.Typer) -> None:
    app.command("history", epilog=EXAMPLE, rich_help_panel="Diagnose")(history)
