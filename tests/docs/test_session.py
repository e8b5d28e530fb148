"""The README's recorded terminal session (docs/session.cast, docs/session.md) is a real recording
of README commands, and its transcript is that recording's text (tools/record_session.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_readme_e2e import readme_commands
from tools import record_session

ROOT = Path(__file__).resolve().parents[2]


def _cast() -> tuple[dict, list[list]]:
    header, *events = [json.loads(line) for line in record_session.CAST.read_text().splitlines()]
    return header, events


def test_the_cast_is_asciicast_v2_at_80_columns():
    header, events = _cast()
    assert header["version"] == 2 and (header["width"], header["height"]) == (80, 24)
    times = [e[0] for e in events]
    assert times == sorted(times) and all(e[1] == "o" and isinstance(e[2], str) for e in events)


def test_the_transcript_is_the_recording_and_shows_every_command():
    _, events = _cast()
    text = record_session.plain("".join(e[2] for e in events)).rstrip() + "\n"
    page = record_session.TRANSCRIPT.read_text()
    assert "```console\n" + text + "```\n" in page
    for command in record_session.SESSION:
        assert f"$ {command}\n" in text, command


def test_every_recorded_command_is_one_the_readme_shows():
    shown = {line.split("#")[0].strip() for line, _ in readme_commands()}
    assert set(record_session.SESSION) <= shown, set(record_session.SESSION) - shown


def test_the_readme_links_the_recording():
    readme = (ROOT / "README.md").read_text()
    assert "docs/session.md" in readme and "docs/session.cast" in readme


def test_plain_resolves_redraws_and_colours():
    assert record_session.plain("\x1b[1mab\x1b[0m\r\n⠙ wait\rdone\n") == "ab\ndone\n"
