"""Aurora ML's batching counters: reading them per instance, and the maths over them.

Seven `Aurora_ml_*` status counters, per DB instance, cleared by FLUSH STATUS and by every engine
restart; older engines have five (no logical_request, no retry_request): a counter the engine
lacks is None (absent), never 0. The maths are pure functions so they are tested on their own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from .errors import DatabaseError

log = logging.getLogger("auroraml.status")

# Status variable → the short name used in output (stable: runbooks and dashboards read it).
COUNTERS: dict[str, str] = {
    "Aurora_ml_logical_request_cnt": "logical_requests",
    "Aurora_ml_logical_response_cnt": "logical_responses",
    "Aurora_ml_actual_request_cnt": "actual_requests",
    "Aurora_ml_actual_response_cnt": "actual_responses",
    "Aurora_ml_cache_hit_cnt": "cache_hits",
    "Aurora_ml_retry_request_cnt": "retries",
    "Aurora_ml_single_request_cnt": "single_requests",
}
SHORT = tuple(COUNTERS.values())
QUERY = "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Aurora_ml%' OR Variable_name = 'Uptime'"

Counters = dict[str, "int | None"]


@dataclass
class Sample:
    instance: str
    counters: Counters
    uptime: int | None
    at: float = field(default_factory=time.monotonic)
    wall: float = field(default_factory=time.time)


def parse(rows: list[tuple], instance: str, at: float | None = None, wall: float | None = None) -> Sample:
    values = {str(name): value for name, value in rows}
    counters: Counters = {short: _int(values.get(name)) for name, short in COUNTERS.items()}
    return Sample(instance, counters, _int(values.get("Uptime")),
                  at if at is not None else time.monotonic(), wall if wall is not None else time.time())


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class NotAurora(DatabaseError):
    """The server answered and is not Aurora MySQL: it has no Aurora_ml_* counters to read."""


def open_aurora(connect, where: str):
    """connect(), then the engine checked: a plain MySQL or MariaDB server is refused, naming the
    VERSION() it gave, rather than read as an Aurora whose counters are all absent."""
    from . import db

    conn = connect()
    try:
        engine = db.detect(conn)
    except BaseException:
        conn.close()
        raise
    if engine.aurora is None:
        conn.close()
        raise NotAurora(f"{where} is {engine.server_version}, not Aurora MySQL: it has no Aurora_ml_* counters",
                        "point --host at an Aurora MySQL instance (or --cluster at an Aurora MySQL cluster)")
    return conn


def read(conn, instance: str) -> Sample:
    log.debug("sql on %s: %s", instance, QUERY)
    with conn.cursor() as cur:
        cur.execute(QUERY)  # one query per instance per tick, on a kept-open connection
        return parse(list(cur.fetchall()), instance)


def _ratio(a: int | None, b: int | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def derived(c: Counters) -> dict[str, float | int | None]:
    """Batching factor (logical ÷ actual requests), share of calls sent one by one (single ÷
    logical), cache hit ratio (hits ÷ logical), retry rate (retries ÷ actual), responses missing."""
    missing = None
    if c.get("actual_requests") is not None and c.get("actual_responses") is not None:
        missing = c["actual_requests"] - c["actual_responses"]
    return {
        "batching_factor": _ratio(c.get("logical_requests"), c.get("actual_requests")),
        "single_share": _ratio(c.get("single_requests"), c.get("logical_requests")),
        "cache_hit_ratio": _ratio(c.get("cache_hits"), c.get("logical_requests")),
        "retry_rate": _ratio(c.get("retries"), c.get("actual_requests")),
        "responses_missing": missing,
    }


def restarted(prev: Sample, cur: Sample) -> bool:
    """The engine restarted (or FLUSH STATUS ran) between two samples of one instance."""
    if prev.uptime is not None and cur.uptime is not None and cur.uptime < prev.uptime:
        return True
    return any(p is not None and c is not None and c < p
               for p, c in ((prev.counters.get(k), cur.counters.get(k)) for k in SHORT))


def delta(prev: Sample, cur: Sample) -> tuple[Counters, bool]:
    """What moved since `prev`; after a restart the counters started again from 0, so the delta
    is the current value — never a negative number."""
    if restarted(prev, cur):
        return dict(cur.counters), True
    return {k: (None if cur.counters.get(k) is None or prev.counters.get(k) is None
                else cur.counters[k] - prev.counters[k]) for k in SHORT}, False


def rates(moved: Counters, seconds: float) -> dict[str, float | None]:
    return {k: (None if v is None or seconds <= 0 else v / seconds) for k, v in moved.items()}


def total(samples: list[Counters]) -> Counters:
    """Sum per counter over instances; absent where every instance lacks it."""
    out: Counters = {}
    for k in SHORT:
        present = [s[k] for s in samples if s.get(k) is not None]
        out[k] = sum(present) if present else None
    return out
