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
