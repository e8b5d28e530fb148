"""Bounded polling. AWS state changes are eventually visible; every wait has a deadline."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from .errors import WaitTimeout

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], *, what: str, timeout: float, interval: float,
             hint: str = "run the same command again: it resumes waiting",
             on_poll: Callable[[], None] = lambda: None) -> T:
    """Call `check` until it returns something truthy; WaitTimeout after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}", hint)
        on_poll()
        time.sleep(max(0.0, min(interval, deadline - time.monotonic())))
