"""Status variables: Aurora ML's counters and Uptime, per DB instance (the writer the endpoint
stands for), as `SHOW [GLOBAL|SESSION] STATUS [LIKE 'p' | WHERE expr]` reports them.

| variable                          | moves when                                                   |
|-----------------------------------|--------------------------------------------------------------|
| Aurora_ml_logical_request_cnt     | a call is evaluated (a row at a call site; v3 only)          |
| Aurora_ml_logical_response_cnt    | an evaluated call got an answer (from the service or cache)  |
| Aurora_ml_actual_request_cnt      | a request goes to the service (a batch, or a single call)    |
| Aurora_ml_actual_response_cnt     | the service answered a request                               |
| Aurora_ml_cache_hit_cnt           | a call is answered from the statement's batch results        |
| Aurora_ml_retry_request_cnt       | a throttled request is sent again (v3 only)                  |
| Aurora_ml_single_request_cnt      | a call cannot be batched and goes alone                      |
| Uptime, Uptime_since_flush_status | seconds since the instance started / since FLUSH STATUS      |

Aurora MySQL 2 (5.7) lacks logical_request and retry_request: they are not shown at all. The
counters start again at 0 when the instance restarts (a reboot in the AWS half completing: its
boot time changes) and on FLUSH STATUS. Each instance keeps its own: after a failover the endpoint
shows the new writer's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .._patch import clock
from .engine import Engine

COUNTERS = (
    "Aurora_ml_actual_request_cnt",
    "Aurora_ml_actual_response_cnt",
    "Aurora_ml_cache_hit_cnt",
    "Aurora_ml_logical_request_cnt",
    "Aurora_ml_logical_response_cnt",
    "Aurora_ml_retry_request_cnt",
    "Aurora_ml_single_request_cnt",
)
V3_ONLY = ("Aurora_ml_logical_request_cnt", "Aurora_ml_retry_request_cnt")
SHORT = {name[len("Aurora_ml_") : -len("_cnt")]: name for name in COUNTERS}  # logical_request → the variable

# instance id, or None for the writer → (instance id, when it started, on _patch.clock())
Boot = Callable[["str | None"], "tuple[str, float]"]


@dataclass
class _Instance:
    booted_at: float
    flushed_at: float
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))


class MlStatus:
    """The status variables of a cluster's instances. Each method takes the instance a session is
    connected to (None: the cluster endpoint, i.e. the writer of the moment); `boot(instance)`
    says which instance that is and when it last started."""

    def __init__(self, engine: Engine, boot: Boot) -> None:
        self._engine = engine
        self._boot = boot
        self._instances: dict[str, _Instance] = {}

    def _current(self, instance: str | None) -> _Instance:
        name, booted_at = self._boot(instance)
        state = self._instances.get(name)
        if state is None or state.booted_at != booted_at:  # new, or restarted since: all from 0
            state = self._instances[name] = _Instance(booted_at, booted_at)
        return state

    @property
    def names(self) -> tuple[str, ...]:
        return COUNTERS if self._engine.uses_roles else tuple(n for n in COUNTERS if n not in V3_ONLY)

    def add(self, counts: Mapping[str, int], instance: str | None = None) -> None:
        """Add to counters by short name (`actual_request`, ...)."""
        values = self._current(instance).values
        for short, amount in counts.items():
            values[SHORT[short]] += amount

    def flush(self, instance: str | None = None) -> None:
        state = self._current(instance)
        state.values = dict.fromkeys(COUNTERS, 0)
        state.flushed_at = clock()

    def counters(self, instance: str | None = None) -> dict[str, int]:
        """The counters this engine shows, by variable name."""
        values = self._current(instance).values
        return {name: values[name] for name in self.names}

    def rows(self, instance: str | None = None) -> list[tuple[str, str]]:
        """SHOW STATUS's rows, in MySQL's (case-insensitive) name order."""
        state = self._current(instance)
        now = clock()
        rows = [(name, str(value)) for name, value in self.counters(instance).items()]
        rows += [("Uptime", str(int(now - state.booted_at))),
                 ("Uptime_since_flush_status", str(int(now - state.flushed_at)))]
        return sorted(rows, key=lambda row: row[0].lower())
