"""Bounded polling."""

from __future__ import annotations

import time

import pytest

from auroraml_cli.core.errors import EXIT_TIMEOUT, WaitTimeout, exit_code_for
from auroraml_cli.core.waiting import wait_for


class FakeTime:
    """wait_for's clock and sleep: time passes only when it sleeps, so the polls and the sleeps
    of a wait are exact whatever else the machine is doing."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    from auroraml_cli.core import waiting

    fake = FakeTime()
    monkeypatch.setattr(waiting, "time", fake)
    return fake


def test_returns_the_truthy_value(clock):
    answers = iter([None, "", {"Status": "ACTIVE"}])
    polls: list[int] = []
    got = wait_for(lambda: next(answers), what="role", timeout=5, interval=0.001, on_poll=lambda: polls.append(1))
    assert got == {"Status": "ACTIVE"}
    assert len(polls) == 2 and clock.slept == [0.001, 0.001]


def test_immediate_success_does_not_poll():
    polls: list[int] = []
    assert wait_for(lambda: 42, what="x", timeout=0, interval=10, on_poll=lambda: polls.append(1)) == 42
    assert polls == []


def test_times_out_with_wait_timeout(clock):
    calls: list[int] = []
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: calls.append(1), what="the role to become ACTIVE", timeout=0.5, interval=0.125)
    assert clock.slept == [0.125] * 4 and clock.now == 1000.5
    assert len(calls) == 5  # one at the start, one after each sleep: the last at the deadline
    err = info.value
    assert err.exit_code == EXIT_TIMEOUT == 6
    assert exit_code_for(err) == 6
    assert "the role to become ACTIVE" in err.message
    assert "0.5s" in err.message
    assert "again" in err.hint


def test_a_check_that_succeeds_at_the_deadline_wins(clock):
    answers = iter([None, None, "ACTIVE"])
    assert wait_for(lambda: next(answers), what="x", timeout=0.5, interval=0.25) == "ACTIVE"
    assert clock.slept == [0.25, 0.25]


def test_sleep_never_overshoots_the_deadline_by_a_whole_interval(clock):
    with pytest.raises(WaitTimeout):
        wait_for(lambda: None, what="x", timeout=0.5, interval=30)
    assert clock.slept == [0.5]


def test_times_out_no_sooner_than_the_timeout_on_the_real_clock():
    calls: list[int] = []
    start = time.monotonic()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: calls.append(1), what="x", timeout=0.05, interval=0.005)
    assert time.monotonic() - start >= 0.05  # a lower bound only: a loaded machine may take longer
    assert calls


def test_custom_hint():
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: False, what="x", timeout=0, interval=0, hint="reboot by hand")
    assert info.value.hint == "reboot by hand"


# --- what a wait shows (core/progress.py) ---------------------------------------------------------

def lines_reporter():
    import io

    from auroraml_cli.core import progress

    stream = io.StringIO()
    return progress.LineReporter(lambda: stream), stream


def test_off_a_terminal_a_line_per_state_change_and_a_heartbeat_every_30_seconds(clock):
    from auroraml_cli.core import progress

    states = iter(["available"] * 2 + ["rebooting"] * 16)  # polls every 5 s: rebooting from 10 s to 90 s

    def check():
        state = next(states, None)
        return progress.Pending(state) if state else "in-sync"

    reporter, stream = lines_reporter()
    with progress.reporting(reporter):
        assert wait_for(check, what="db-1 to reboot and reach in-sync", subject="db-1", timeout=600, interval=5) == "in-sync"
    assert stream.getvalue().splitlines() == [
        "  waiting: db-1: available (0:00 elapsed; waiting for db-1 to reboot and reach in-sync)",
        "  waiting: db-1: rebooting (0:10 elapsed; waiting for db-1 to reboot and reach in-sync)",
        "  waiting: db-1: still rebooting after 0:40 (waiting for db-1 to reboot and reach in-sync)",
        "  waiting: db-1: still rebooting after 1:10 (waiting for db-1 to reboot and reach in-sync)",
    ]
    assert clock.now == 1000 + 90


def test_a_heartbeat_comes_on_time_even_between_long_polls(clock):
    """A poll interval longer than the heartbeat: the sleep is cut to write the heartbeat on time,
    without polling AWS more often."""
    from auroraml_cli.core import progress

    polls: list[float] = []

    def check():
        polls.append(clock.now - 1000)
        return "done" if len(polls) == 3 else progress.Pending("PENDING")

    reporter, stream = lines_reporter()
    with progress.reporting(reporter):
        wait_for(check, what="the association to become ACTIVE", subject="c", timeout=600, interval=70)
    assert polls == [0, 70, 140]
    assert [line.split(": ", 2)[2] for line in stream.getvalue().splitlines()] == [
        "PENDING (0:00 elapsed; waiting for the association to become ACTIVE)",
        "still PENDING after 0:30 (waiting for the association to become ACTIVE)",
        "still PENDING after 1:00 (waiting for the association to become ACTIVE)",
        "still PENDING after 1:30 (waiting for the association to become ACTIVE)",
        "still PENDING after 2:00 (waiting for the association to become ACTIVE)",
    ]
    assert clock.slept == [30, 30, 10, 20, 30, 20]


def test_a_wait_that_ends_at_its_first_check_shows_nothing(clock):
    reporter, stream = lines_reporter()
    from auroraml_cli.core import progress

    with progress.reporting(reporter):
        wait_for(lambda: "ACTIVE", what="x", timeout=5, interval=1)
    assert stream.getvalue() == "" and clock.slept == []


def test_without_a_reporter_a_wait_is_silent(clock, capsys):
    answers = iter([None, "ok"])
    wait_for(lambda: next(answers), what="x", timeout=5, interval=1)
    assert capsys.readouterr() == ("", "")


def test_the_plain_lines_never_load_rich():
    """Off a terminal rich costs start-up time for nothing: it is imported for the live line only."""
    import subprocess
    import sys

    code = ("import io, sys\n"
            "from auroraml_cli.core import progress, waiting\n"
            "out = io.StringIO()\n"
            "answers = iter([progress.Pending('PENDING'), 'ACTIVE'])\n"
            "with progress.reporting(progress.LineReporter(lambda: out)):\n"
            "    waiting.wait_for(lambda: next(answers), what='x', timeout=5, interval=0.01)\n"
            "assert 'PENDING' in out.getvalue(), out.getvalue()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_elapsed_reads_like_a_clock():
    from auroraml_cli.core.progress import elapsed

    assert [elapsed(s) for s in (0, 7.9, 65, 3599, 3723)] == ["0:00", "0:07", "1:05", "59:59", "1:02:03"]


def test_the_live_line_is_one_line_at_80_columns_and_goes_when_the_wait_ends(clock):
    """At a terminal: the id, its state and the time waited on one line, cut at its end with an
    ellipsis rather than wrapped; removed at the end (the step's own line says how it ended)."""
    import io
    import re

    from rich.console import Console

    from auroraml_cli.core import progress

    screen = io.StringIO()
    console = Console(file=screen, width=80, force_terminal=True, color_system=None)
    states = iter([progress.Pending("rebooting, parameters pending-reboot")] * 3 + ["in-sync"])
    with progress.reporting(progress.LiveReporter(lambda: console)):
        wait_for(lambda: next(states), what="db-1 to reboot and reach in-sync", subject="db-1", timeout=600, interval=21)
    frames = [f for f in re.split(r"\r|\n", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())) if f.strip()]
    assert frames and all(len(f) <= 80 for f in frames), frames
    line = r"\S db-1: rebooting, parameters pending-reboot (\d:\d\d) \(waiting for db-1 to reboot a…"
    assert [m.group(1) for m in map(lambda f: re.fullmatch(line, f), frames) if m][-1] == "1:03", frames
    assert screen.getvalue().endswith("\r\x1b[1A\x1b[2K")  # erased at the end: up one line, clear it
