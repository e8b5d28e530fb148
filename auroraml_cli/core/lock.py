"""One changing run at a time per cluster: an advisory lock (flock) on a file in the state
directory, `$XDG_STATE_HOME/auroraml/locks/REGION.CLUSTER.lock`, taken by setup and teardown
before they read the cluster and held until they exit. A second run on the same cluster says
which process holds it and waits (up to its --timeout, then exit 6), then plans from what the
first one left, so the two never make, or record, the same change. The kernel drops the lock
when its holder exits, however it exits (a SIGKILL included): no stale lock to clear by hand.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import ConfigError, WaitTimeout

POLL = 0.05  # seconds between tries while another run holds the lock


def lock_path(region: str, cluster: str) -> Path:
    from .journal import state_dir

    return state_dir() / "locks" / f"{region}.{cluster.lower()}.lock"


def holder(path: Path) -> str:
    """The pid the holder wrote in the file, or "?"."""
    try:
        first = path.read_text(encoding="ascii", errors="replace").split("\n", 1)[0].strip()
    except OSError:
        return "?"
    return first if first.isdigit() else "?"


@contextmanager
def cluster_lock(region: str, cluster: str, *, timeout: float, on_wait: Callable[[str], None]) -> Iterator[Path]:
    """Hold the cluster's lock for the block; `on_wait(pid)` once if another run holds it first."""
    import fcntl

    path = lock_path(region, cluster)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot open the lock file {path}: {exc.strerror or exc}",
                          "fix the permissions of its directory, or set XDG_STATE_HOME to a writable directory") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = holder(path)
            on_wait(pid)
            deadline = time.monotonic() + timeout
            while True:
                time.sleep(POLL)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WaitTimeout(
                            f"another auroraml run on {cluster} (pid {pid}) still held it after {timeout:g}s; nothing was changed",
                            "run the same command again when it has finished, or pass a longer --timeout") from None
        mine = f"{os.getpid()}\n".encode()
        os.pwrite(fd, mine, 0)
        os.ftruncate(fd, len(mine))
        yield path
    finally:
        os.close(fd)  # releases the lock
