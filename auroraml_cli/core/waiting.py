"""Bounded polling. AWS state changes are eventually visible; every wait has a deadline.

While it waits, the run's reporter (core/progress.py) shows it: the check may answer
`Pending(state)` (falsy) to say where things stand. The clock and the sleep are this module's
`time`, so a test drives a whole wait, heartbeats included, with a fake one.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from . import progress
from .errors import WaitTimeout
from .progress import Pending

T = TypeVar("T")

__all__ = ["Pending", "wait_for"]


def wait_for(check: Callable[[], T | None], *, what: str, timeout: float, interval: float,
             hint: str = "run the same command again: it resumes waiting",
             on_poll: Callable[[], None] = lambda: None, subject: str | None = None) -> T:
    """Call `check` until it returns something truthy; WaitTimeout after `timeout` seconds.
    `subject`: what the progress line names (an instance, a cluster); `what` is what it waits for."""
    start = time.monotonic()
    deadline = start + timeout
    watch = None
    try:
        while True:
            result = check()
            if result:
                return result
            now = time.monotonic()
            if watch is None:  # a wait that ends at its first check shows nothing
                watch = progress.current().watch(subject or what, what, start, lambda: time.monotonic())
            watch.state(getattr(result, "state", None), now)
            if now >= deadline:
                raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}", hint)
            on_poll()
            remaining = max(0.0, min(interval, deadline - time.monotonic()))
            while True:  # sleep until the next poll, waking for any heartbeat due before it
                gap = watch.due() - time.monotonic()
                if gap >= remaining:
                    time.sleep(remaining)
                    break
                gap = max(0.0, gap)
                time.sleep(gap)
                remaining -= gap
                watch.tick(time.monotonic())
    finally:
        if watch is not None:
            watch.close()
