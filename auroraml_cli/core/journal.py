"""The change journal: one JSON line per change a run makes, appended to a local file.

Every mutating command (setup, teardown, grant, revoke, ddl --apply, status --reset) writes a
record for each step it has done — when, who (the AWS caller ARN, or the database account), what,
the value before and after, and how to undo it — before it reports the step done. The file is
opened before the first change: when it cannot be opened nothing is changed, and when a record
cannot be written the run stops with exit 3 instead of reporting success. A step that fails
(interrupted, timed out, its connection lost) is recorded too, with status `failed`: its write
may have taken effect, and a re-run that then finds it done records nothing. `auroraml history`
reads it back. Who is asked once, just before the first change (sts:GetCallerIdentity, or
CURRENT_USER() on the SQL connection); if that question fails, the change is still made and its
record says `"who": null`, with a warning.

The file is `$AURORAML_JOURNAL`, else `$XDG_STATE_HOME/auroraml/journal.jsonl` (default
`~/.local/state/auroraml/journal.jsonl`). It is created 0600 in a directory created 0700; a file
that exists keeps its mode (an operator may point AURORAML_JOURNAL at a shared, audited file).
It is only ever appended to (O_APPEND, one write per record, fsync'd): each record is one line, so
concurrent runs interleave whole lines and a torn last line, after a crash, is skipped on reading.

Nothing secret goes in: the command is summarised from the plan (command, service, account,
cluster), never copied from argv, and steps carry names, ARNs, parameter values and SQL
statements without passwords.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from .errors import ConfigError

ENV = "AURORAML_JOURNAL"
KEYS = ("time", "run", "command", "cluster", "who", "where", "action", "target", "before", "after", "undo", "status")


def default_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV):
        return Path(env[ENV]).expanduser()
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state).expanduser() / "auroraml" / "journal.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unwritable(path: Path, exc: OSError, what: str) -> ConfigError:
    reason = exc.strerror or str(exc)
    return ConfigError(f"cannot {what} the change journal {path}: {reason}",
                       f"fix its permissions or free space, or set {ENV}=PATH to write it elsewhere")


class Journal:
    """An append-only JSON-lines file. `open()` before the first change; `append()` per change."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.run = str(uuid.uuid4())  # one per run: groups the records a run wrote
        self._fd: int | None = None

    def open(self) -> "Journal":
        """Create the directory (0700) and the file (0600) if needed and open it for appending;
        ConfigError (exit 3) when that fails, so a run can refuse before it changes anything."""
        if self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise _unwritable(self.path, exc, "open") from None
        return self

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line and fsync it: on return it is on disk."""
        self.open()
        # backslashreplace: a lone surrogate (bytes that were not UTF-8) becomes its JSON escape, which
        # reads back as the same value, instead of failing the record of a change already made.
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8", "backslashreplace")
        try:
            view = memoryview(line)
            while view:  # one write() for a line this size; the loop only covers a short write
                written = os.write(self._fd, view)  # type: ignore[arg-type]
                view = view[written:]
            os.fsync(self._fd)  # type: ignore[arg-type]
        except OSError as exc:
            raise _unwritable(self.path, exc, "write to") from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "Journal":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


class Recorder:
    """The records of one run's changes: what every record of the run shares, and one per step."""

    def __init__(self, journal: Journal, *, command: str, where: dict[str, Any], who: str | None,
                 cluster: str | None = None, extra: dict[str, Any] | None = None) -> None:
        self.journal, self.command, self.where, self.who, self.cluster = journal, command, where, who, cluster
        self.extra = extra or {}

    def record(self, action: str, target: str, *, before: str | None = None, after: str | None = None,
               undo: str | None = None, status: str = "done", cluster: str | None = None) -> dict[str, Any]:
        record = {"time": now(), "run": self.journal.run, "command": self.command,
                  "cluster": cluster or self.cluster, "who": self.who, **self.extra, "where": self.where,
                  "action": action, "target": target, "before": before, "after": after, "undo": undo,
                  "status": status}
        self.journal.append(record)
        return record

    def step(self, step) -> dict[str, Any]:
        """A plan Step that is done, or failed (it may have taken effect)."""
        return self.record(step.action, step.target, before=step.before, after=step.after, undo=step.undo,
                           status=step.status, cluster=step.cluster or None)


def command_summary(command: str, subject: Mapping[str, Any], cluster: str | None = None) -> str:
    """What ran, from the plan — never argv, whose values could hold secrets."""
    from .plan import command_line

    words: list[str | None] = [command, subject.get("service")]
    if command in ("grant", "revoke"):
        words.append(subject.get("account"))
    elif command == "ddl":
        words.append("--apply")
    cluster = cluster or subject.get("cluster")
    if cluster:
        words += ["--cluster", cluster]
    elif subject.get("server"):
        words += ["--host", str(subject["server"]).split(" ")[0].rsplit(":", 1)[0]]
    return command_line(*words)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    """The records in file order; a line that is not a JSON object is skipped with a warning.
    No file: no records. An unreadable file: ConfigError."""
    try:
        handle = open(path, "rb")
    except (FileNotFoundError, NotADirectoryError):  # it cannot exist there: nothing recorded
        return
    except OSError as exc:
        raise ConfigError(f"cannot read the change journal {path}: {exc.strerror or exc}",
                          f"fix its permissions, or set {ENV}=PATH to read another") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                record = None
            if not isinstance(record, dict):
                warn(f"{path}:{number}: not a journal record; skipped")
                continue
            yield record


def parse_since(text: str, *, now_: datetime | None = None) -> datetime:
    """`2h`, `30m`, `1d`, `2w` ago, or an ISO 8601 time (UTC when it has no offset)."""
    from datetime import timedelta

    from .errors import UsageError

    text = text.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    if len(text) > 1 and text[-1].lower() in units and text[:-1].isascii() and text[:-1].isdigit():
        try:
            return (now_ or datetime.now(timezone.utc)) - timedelta(seconds=int(text[:-1]) * units[text[-1].lower()])
        except OverflowError:  # before the year 1: every record is newer
            return datetime.min.replace(tzinfo=timezone.utc)
    try:
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise UsageError(f"--since {text!r} is neither a duration nor an ISO time",
                         "write e.g. --since 2h, --since 1d or --since 2025-06-01T12:00:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def record_time(record: Mapping[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(record.get("time", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
