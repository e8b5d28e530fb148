"""The change journal: two JSON lines per change a run makes, appended to a local file.

Every mutating command (setup, teardown, grant, revoke, ddl --apply, status --reset) writes, for
each change, an intent record (status `started`) before it sends the write, and an outcome record
with the same `run` and `step` after it: `done`, `failed` (interrupted, timed out, its connection
lost: the write may have taken effect, and a re-run that then finds it done records nothing), or
`unchanged`/`skipped` when the step found at run time that there was nothing to send. Each record
says when, who (the AWS caller ARN, or the database account), what, the value before and after,
and how to undo it. A crash, a kill or a full disk between the two leaves the intent alone:
"started, outcome unknown". When the intent cannot be written the write is not sent and the run
stops with exit 3; the first intent is written before the first change, so a journal that cannot
be written at all changes nothing. `auroraml history` reads it back, pairing each intent with its
outcome (`pair`). Who is asked once, just before the first change (sts:GetCallerIdentity, or
CURRENT_USER() on the SQL connection); if that question fails, the change is still made and its
record says `"who": null`, with a warning.

The file is `$AURORAML_JOURNAL`, else `$XDG_STATE_HOME/auroraml/journal.jsonl` (default
`~/.local/state/auroraml/journal.jsonl`). It is created 0600 in a directory created 0700; a file
that exists keeps its mode (an operator may point AURORAML_JOURNAL at a shared, audited file).
It is only ever appended to (O_APPEND, one write per record, fsync'd): each record is one line, so
concurrent runs interleave whole lines, and a torn last line, after a crash, is ended before the
next record and skipped on reading, as is any other damaged line (with a warning naming it). A
FIFO, a directory or a socket at the path is refused (exit 3), without blocking on the FIFO.

Nothing secret goes in: the command is summarised from the plan (command, service, account,
cluster), never copied from argv, and steps carry names, ARNs, parameter values and SQL
statements without passwords.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .errors import ConfigError

ENV = "AURORAML_JOURNAL"
KEYS = ("time", "run", "step", "command", "cluster", "who", "where", "action", "target", "before", "after", "undo",
        "status")
STARTED = "started"
NOTHING_SENT = ("unchanged", "skipped")  # outcomes of a started step that found nothing to change


def default_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV):
        return Path(env[ENV]).expanduser()
    return state_dir(env) / "journal.jsonl"


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/auroraml` (`~/.local/state/auroraml`): the journal's default home, and the locks'."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state).expanduser() / "auroraml"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unwritable(path: Path, exc: OSError, what: str) -> ConfigError:
    reason = exc.strerror or str(exc)
    return ConfigError(f"cannot {what} the change journal {path}: {reason}",
                       f"fix its permissions or free space, or set {ENV}=PATH to write it elsewhere")


def _not_a_file(path: Path, mode: int, what: str) -> ConfigError | None:
    """A journal is a regular file (or a character device such as /dev/null); anything else at
    the path (a FIFO would block, a directory cannot be appended to) is refused."""
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode):
        return None
    kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    return ConfigError(f"cannot {what} the change journal {path}: it is {kind}, not a file",
                       f"remove it, or set {ENV}=PATH to a file")


def _last_byte(path: Path, size: int) -> bytes | None:
    """The file's last byte; None when it cannot be read (a write-only audit file)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(size - 1)
            return handle.read(1)
    except OSError:
        return None


class Journal:
    """An append-only JSON-lines file. `open()` before the first change; `append()` per change."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.run = str(uuid.uuid4())  # one per run: groups the records a run wrote
        self._fd: int | None = None
        self._steps = 0
        self._torn = self._sync = False

    def next_step(self) -> int:
        """The next step id of this run: an intent and its outcome share it."""
        self._steps += 1
        return self._steps

    def open(self) -> "Journal":
        """Create the directory (0700) and the file (0600) if needed and open it for appending;
        ConfigError (exit 3) when that fails, so a run can refuse before it changes anything."""
        if self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            mode = self.path.stat().st_mode if self.path.exists() else stat.S_IFREG
            refused = _not_a_file(self.path, mode, "write to")
            if refused:
                raise refused
            # O_NONBLOCK: a FIFO made between the stat and the open must not block the run
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0),
                         0o600)
        except OSError as exc:
            raise _unwritable(self.path, exc, "open") from None
        info = os.fstat(fd)
        refused = _not_a_file(self.path, info.st_mode, "write to")
        if refused:
            os.close(fd)
            raise refused
        os.set_blocking(fd, True)
        self._fd, self._sync = fd, stat.S_ISREG(info.st_mode)  # a device such as /dev/null cannot be fsync'd
        self._torn = self._sync and info.st_size > 0 and _last_byte(self.path, info.st_size) not in (b"\n", None)
        return self

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line and fsync it: on return it is on disk."""
        self.open()
        # backslashreplace: a lone surrogate (bytes that were not UTF-8) becomes its JSON escape, which
        # reads back as the same value, instead of failing the record of a change already made.
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8", "backslashreplace")
        if self._torn:  # a line a crash left unended: end it, so this record stays a line of its own
            line = b"\n" + line
        try:
            view = memoryview(line)
            while view:  # one write() for a line this size; the loop only covers a short write
                written = os.write(self._fd, view)  # type: ignore[arg-type]
                view = view[written:]
            if self._sync:
                os.fsync(self._fd)  # type: ignore[arg-type]
        except OSError as exc:
            raise _unwritable(self.path, exc, "write to") from None
        self._torn = False

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
               undo: str | None = None, status: str = "done", cluster: str | None = None,
               step: int | None = None) -> dict[str, Any]:
        record = {"time": now(), "run": self.journal.run, "step": step if step is not None else self.journal.next_step(),
                  "command": self.command, "cluster": cluster or self.cluster, "who": self.who, **self.extra,
                  "where": self.where, "action": action, "target": target, "before": before, "after": after,
                  "undo": undo, "status": status}
        self.journal.append(record)
        return record

    def started(self, action: str, target: str, **fields: Any) -> dict[str, Any]:
        """The intent, on disk before the write is sent: status `started`, a new step id."""
        return self.record(action, target, status=STARTED, **fields)

    def finished(self, intent: Mapping[str, Any], status: str, **changes: Any) -> dict[str, Any]:
        """The outcome of a started step: its intent's fields and step id, the new status and time."""
        fields = {k: intent.get(k) for k in ("before", "after", "undo")}
        fields.update(changes)
        return self.record(str(intent["action"]), str(intent["target"]), status=status,
                           cluster=intent.get("cluster"), step=intent["step"], **fields)

    def step_started(self, step) -> dict[str, Any]:
        """A plan Step about to send its write."""
        return self.started(step.action, step.target, before=step.before, after=step.after, undo=step.undo,
                            cluster=step.cluster or None)

    def step_finished(self, intent: Mapping[str, Any], step) -> dict[str, Any]:
        """A plan Step that is done, failed (it may have taken effect), or found nothing to send."""
        return self.finished(intent, step.status, before=step.before, after=step.after, undo=step.undo)


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
    """The records in file order. A damaged line (torn, not UTF-8, not JSON, nested too deeply,
    NaN, a lone surrogate, a JSON value that is not an object) is skipped with a warning naming
    its line number. No file: no records. An unreadable file, a FIFO or a directory: ConfigError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a FIFO must not block
    except (FileNotFoundError, NotADirectoryError):  # it cannot exist there: nothing recorded
        return
    except OSError as exc:
        raise ConfigError(f"cannot read the change journal {path}: {exc.strerror or exc}",
                          f"fix its permissions, or set {ENV}=PATH to read another") from None
    refused = _not_a_file(path, os.fstat(fd).st_mode, "read")
    if refused:
        os.close(fd)
        raise refused
    os.set_blocking(fd, True)
    with open(fd, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            record, why = parse_line(raw)
            if record is None:
                warn(f"journal line {number}: {why}; skipped ({path})")
                continue
            yield record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a journal value")


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """(the record, "") or (None, why the line is not one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    try:
        record = json.loads(text, parse_constant=_no_constant)
        # a lone surrogate ("\\ud800") parses, but could not be printed or written back
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        return None, "nested too deeply"
    except UnicodeEncodeError:
        return None, "a lone surrogate escape"
    except ValueError as exc:  # json.JSONDecodeError, NaN and Infinity
        return None, "NaN or Infinity" if "journal value" in str(exc) else "not JSON (torn by a crash?)"
    if not isinstance(record, dict):
        return None, f"a JSON {_kind(record)}, not a record"
    return record, ""


def _kind(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def pair(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per change: each intent (`started`) replaced, in its place, by its outcome (same
    `run` and `step`); an intent with no outcome stays `started` (outcome unknown); a step that
    found nothing to send (`unchanged`, `skipped`) is dropped. Records without a step id (older
    journals) pass through."""
    out: list[dict[str, Any] | None] = []
    open_: dict[tuple[str, str], int] = {}
    for record in records:
        key = (str(record.get("run")), str(record.get("step")))
        if record.get("step") is None or isinstance(record.get("step"), (dict, list)):
            out.append(record)
        elif record.get("status") == STARTED:
            open_[key] = len(out)
            out.append(record)
        elif key in open_:
            out[open_.pop(key)] = None if record.get("status") in NOTHING_SENT else record
        elif record.get("status") not in NOTHING_SENT:
            out.append(record)  # its intent was lost (a damaged line): the outcome still counts
    return [r for r in out if r is not None]


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
