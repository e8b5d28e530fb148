"""Sampling every instance of a cluster, tick after tick, on kept-open connections.

Each instance keeps one connection; a failed read marks it unreachable (a refused login: access
denied) and the next tick reconnects (after a failover the endpoint is the same, the engine behind
it new). A server that turns out not to be Aurora MySQL stops the watch (status.NotAurora). Deltas
restart cleanly when an instance restarts, and `since_start` adds them up across restarts.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from . import status
from .errors import AccessDenied, AuroraMLError


@dataclass
class Target:
    instance: str
    connect: Callable[[], object]  # opens a connection (credentials resolved by the caller)
    conn: object | None = None
    last: status.Sample | None = None
    since_start: dict = field(default_factory=lambda: {k: None for k in status.SHORT})
    note: str = ""


class Watcher:
    def __init__(self, targets: list[Target]) -> None:
        self.targets = targets
        self.ticks = 0  # samples taken and emitted by run(): what an interrupted watch reports
        self.read_any = False  # some instance answered at least once

    def sample(self, target: Target) -> status.Sample | None:
        """One read; None (and a note) when the instance cannot be reached this tick."""
        was_down = target.conn is None and target.last is not None
        try:
            if target.conn is None:
                target.conn = target.connect()
                if was_down:
                    target.note = "reconnected"
            sample = status.read(target.conn, target.instance)
        except status.NotAurora:
            self.close(target)
            raise
        except AccessDenied as exc:  # reached, and refused: not "unreachable"
            self.close(target)
            target.note = exc.message
            return None
        except (AuroraMLError, OSError, Exception) as exc:  # noqa: BLE001 - one instance must not stop the watch
            self.close(target)
            target.note = f"unreachable: {getattr(exc, 'message', None) or exc}"
            return None
        self.read_any = True
        return sample

    def tick(self) -> dict:
        records = []
        for t in self.targets:
            t.note = ""
            cur = self.sample(t)
            records.append(self.record(t, cur))
        return {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "instances": records}

    @staticmethod
    def record(t: Target, cur: status.Sample | None) -> dict:
        if cur is None:
            return {"instance": t.instance, "reachable": False, "note": t.note, "uptime": None, "restarted": False,
                    "counters": None, "delta": None, "rates": None, "since_start": t.since_start, "derived": None}
        moved, restarted, per_second = None, False, None
        if t.last is not None:
            moved, restarted = status.delta(t.last, cur)
            per_second = status.rates(moved, cur.at - t.last.at)
            t.since_start = {k: (None if moved[k] is None else (t.since_start[k] or 0) + moved[k]) for k in status.SHORT}
            if restarted:
                t.note = (t.note + "; " if t.note else "") + "restarted: deltas start again"
        t.last = cur
        return {"instance": t.instance, "reachable": True, "note": t.note, "uptime": cur.uptime, "restarted": restarted,
                "counters": cur.counters, "delta": moved, "rates": per_second, "since_start": t.since_start,
                "derived": status.derived(cur.counters)}

    def close(self, target: Target) -> None:
        if target.conn is not None:
            try:
                target.conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may fail; it is gone either way
                pass
            target.conn = None

    def close_all(self) -> None:
        for t in self.targets:
            self.close(t)

    def run(self, interval: float, count: int | None, emit: Callable[[dict], None],
            sleep: Callable[[float], None] = time.sleep) -> int:
        """Tick every `interval` seconds, `count` times (None: until interrupted); the ticks done,
        also kept in `self.ticks` for a run cut short by Ctrl-C. A tick that took longer than the
        interval (an instance given up after its timeout) is followed by the next one at once,
        not by a burst catching up."""
        next_at = time.monotonic()
        while count is None or self.ticks < count:
            doc = self.tick()
            with _interrupts_deferred():  # a sample printed is a sample counted
                emit(doc)
                self.ticks += 1
            if count is not None and self.ticks >= count:
                break
            next_at = max(next_at + interval, time.monotonic())
            sleep(max(0.0, next_at - time.monotonic()))
        return self.ticks


@contextmanager
def _interrupts_deferred():
    """Ctrl-C or SIGTERM arriving while a sample is being printed is held until it is counted, then
    raised: the summary of an interrupted watch counts exactly the samples it printed (the signal
    tends to come right after a line, from whoever read it). Where signals cannot be masked, as is."""
    import signal

    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
