"""What a long wait shows while it waits (a reboot, an association becoming ACTIVE, IAM propagation).

On a terminal: a rich live line per thing waited on (its state, the time waited, what it waits
for), gone when the wait ends (the step's own line then says how it ended). Not on a terminal: a
plain line on stderr when the state changes, and a heartbeat every HEARTBEAT seconds, so a CI log
shows the run is alive. Never stdout; -q shows nothing. rich is imported only when a live line is
actually shown.

The waiter (core/waiting.py) owns the clock: it tells the reporter the time at each poll and asks
when the next heartbeat is due, so tests drive heartbeats with a fake clock, never by sleeping.
A command chooses the reporter for the waits it runs (`reporting`); without one, waits are silent.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator, TextIO

HEARTBEAT = 30.0  # seconds between two "still waiting" lines off a terminal


@dataclass(frozen=True)
class Pending:
    """A wait's check saying "not yet, and here is where it stands": falsy, so the wait goes on."""

    state: str

    def __bool__(self) -> bool:
        return False


def elapsed(seconds: float) -> str:
    """0:07, 2:05, 1:02:03: how long a wait has lasted, as a clock shows it."""
    s = int(max(0.0, seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class Watch:
    """One wait, as a reporter shows it. The silent one: every method does nothing."""

    def state(self, state: str | None, now: float) -> None:
        """Called at each poll that did not end the wait, with the state the check saw (or None)."""

    def due(self) -> float:
        """The clock time at which `tick` wants to be called next (inf: never)."""
        return float("inf")

    def tick(self, now: float) -> None:
        """Between polls: a heartbeat if one is due."""

    def close(self) -> None:
        """The wait ended, however it ended."""


class Reporter:
    """Makes a Watch for each wait. This one makes silent ones (-q, or no command chose one)."""

    def watch(self, subject: str, what: str, start: float, clock: Callable[[], float]) -> Watch:
        return Watch()


_current: ContextVar[Reporter] = ContextVar("auroraml_wait_reporter", default=Reporter())


def current() -> Reporter:
    return _current.get()


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Waits started inside the block are shown by `reporter`."""
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def for_output(out, *, live: bool = True) -> Reporter:
    """The reporter for a run's Output: silent with -q, live lines when stderr is a terminal (and
    `live`: rich shows one live display at a time, so plans run in parallel get plain lines), plain
    lines otherwise."""
    if out.quiet:
        return Reporter()
    if live and sys.stderr.isatty():
        return LiveReporter(lambda: out.err)
    return LineReporter()


# --- not on a terminal: a line when the state changes, a heartbeat every HEARTBEAT seconds ---------

class LineReporter(Reporter):
    def __init__(self, stream: Callable[[], TextIO] = lambda: sys.stderr, heartbeat: float = HEARTBEAT) -> None:
        self.stream = stream
        self.heartbeat = heartbeat

    def watch(self, subject: str, what: str, start: float, clock: Callable[[], float]) -> Watch:
        return _LineWatch(self, subject, what, start)


class _LineWatch(Watch):
    def __init__(self, reporter: LineReporter, subject: str, what: str, start: float) -> None:
        self.r, self.subject, self.what, self.start = reporter, subject, what, start
        self.shown: str | None = None
        self.last_line = start

    def _write(self, text: str, now: float) -> None:
        from .output import printable  # a state read from AWS cannot drive the terminal

        stream = self.r.stream()
        stream.write(printable(f"  waiting: {self.subject}: {text}", one_line=True) + "\n")
        stream.flush()
        self.last_line = now

    def state(self, state: str | None, now: float) -> None:
        state = state or "waiting"
        if state != self.shown:
            self.shown = state
            self._write(f"{state} ({elapsed(now - self.start)} elapsed; waiting for {self.what})", now)
        else:
            self.tick(now)

    def due(self) -> float:
        return self.last_line + self.r.heartbeat

    def tick(self, now: float) -> None:
        if now >= self.due():
            self._write(f"still {self.shown or 'waiting'} after {elapsed(now - self.start)} "
                        f"(waiting for {self.what})", now)


# --- on a terminal: a rich live line per wait --------------------------------------------------

class LiveReporter(Reporter):
    def __init__(self, console: Callable[[], object]) -> None:
        self.console = console

    def watch(self, subject: str, what: str, start: float, clock: Callable[[], float]) -> Watch:
        return _LiveWatch(self.console(), subject, what, start, clock)


class _LiveWatch(Watch):
    """A spinner, the subject, its state, the time waited and what for; redrawn by rich's own
    refresh thread (the elapsed time moves between polls), removed when the wait ends."""

    def __init__(self, console, subject: str, what: str, start: float, clock: Callable[[], float]) -> None:
        from rich.live import Live
        from rich.spinner import Spinner

        self.subject, self.what, self.start, self.clock = subject, what, start, clock
        self.current = "waiting"
        self.spinner = Spinner("dots")
        self.live = Live(self, console=console, transient=True, refresh_per_second=4, redirect_stdout=False,
                         redirect_stderr=False)
        self.live.start()

    def __rich__(self):
        from rich.text import Text

        from .output import printable

        # One line at any width, cut at its end ("waiting for ...") first, with an ellipsis.
        line = Text(no_wrap=True, overflow="ellipsis")  # Text, not markup: an id or a state is shown as it is
        line.append_text(self.spinner.render(self.clock()))
        line.append(" ")
        line.append(printable(f"{self.subject}: {self.current}", one_line=True), style="bold")
        line.append(f" {elapsed(self.clock() - self.start)} ")
        line.append(printable(f"(waiting for {self.what})", one_line=True), style="dim")
        return line

    def state(self, state: str | None, now: float) -> None:
        self.current = state or "waiting"
        self.live.refresh()

    def close(self) -> None:
        self.live.stop()
