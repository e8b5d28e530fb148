"""Bounded polling."""

from __future__ import annotations

import time

import pytest

from auroraml_cli.core.errors import EXIT_TIMEOUT, WaitTimeout, exit_code_for
from auroraml_cli.core.waiting import wait_for


def test_returns_the_truthy_value():
    answers = iter([None, "", {"Status": "ACTIVE"}])
    polls: list[int] = []
    got = wait_for(lambda: next(answers), what="role", timeout=5, interval=0.001, on_poll=lambda: polls.append(1))
    assert got == {"Status": "ACTIVE"}
    assert len(polls) == 2


def test_immediate_success_does_not_poll():
    polls: list[int] = []
    assert wait_for(lambda: 42, what="x", timeout=0, interval=10, on_poll=lambda: polls.append(1)) == 42
    assert polls == []


def test_times_out_with_wait_timeout():
    calls: list[int] = []
    start = time.monotonic()
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: calls.append(1), what="the role to become ACTIVE", timeout=0.05, interval=0.005)
    elapsed = time.monotonic() - start
    assert 0.05 <= elapsed < 1.0
    assert len(calls) >= 2
    err = info.value
    assert err.exit_code == EXIT_TIMEOUT == 6
    assert exit_code_for(err) == 6
    assert "the role to become ACTIVE" in err.message
    assert "0.05" in err.message
    assert "again" in err.hint


def test_sleep_never_overshoots_the_deadline_by_a_whole_interval():
    start = time.monotonic()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: None, what="x", timeout=0.05, interval=30)
    assert time.monotonic() - start < 1.0


def test_custom_hint():
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: False, what="x", timeout=0, interval=0, hint="reboot by hand")
    assert info.value.hint == "reboot by hand"
