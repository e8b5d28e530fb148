"""Counter maths for `auroraml status`, as pure functions."""

from __future__ import annotations

import pytest

from auroraml_cli.core import status as st


def sample(uptime, at=0.0, **counters):
    values = {k: None for k in st.SHORT}
    values.update(counters)
    return st.Sample("i1", values, uptime, at=at, wall=1_700_000_000 + at)


def test_parse_reads_the_seven_counters_and_uptime_and_marks_missing_ones_absent():
    rows = [("Aurora_ml_actual_request_cnt", "4"), ("Aurora_ml_actual_response_cnt", "4"),
            ("Aurora_ml_cache_hit_cnt", "10"), ("Aurora_ml_logical_response_cnt", "100"),
            ("Aurora_ml_single_request_cnt", "0"), ("Uptime", "3600")]
    s = st.parse(rows, "legacy-v2-1")
    assert s.uptime == 3600
    assert s.counters["actual_requests"] == 4 and s.counters["cache_hits"] == 10
    assert s.counters["logical_requests"] is None and s.counters["retries"] is None  # five-counter engine


def test_derived_figures():
    d = st.derived({"logical_requests": 1000, "logical_responses": 1000, "actual_requests": 40, "actual_responses": 38,
                    "cache_hits": 100, "retries": 2, "single_requests": 50})
    assert d == {"batching_factor": 25.0, "single_share": 0.05, "cache_hit_ratio": 0.1, "retry_rate": 0.05,
                 "responses_missing": 2}


def test_derived_figures_are_absent_not_zero_when_they_cannot_be_computed():
    d = st.derived({k: None for k in st.SHORT} | {"actual_requests": 0, "actual_responses": 0})
    assert d["batching_factor"] is None and d["single_share"] is None and d["retry_rate"] is None
    assert d["responses_missing"] == 0


def test_delta_and_rates():
    prev, cur = sample(100, 0.0, logical_requests=10, actual_requests=1), sample(102, 2.0, logical_requests=60, actual_requests=3)
    moved, restarted = st.delta(prev, cur)
    assert not restarted and moved["logical_requests"] == 50 and moved["actual_requests"] == 2
    assert moved["retries"] is None
    assert st.rates(moved, 2.0)["logical_requests"] == 25.0


@pytest.mark.parametrize("cur", [
    sample(5, 2.0, logical_requests=60, actual_requests=3),  # uptime went down: a reboot
    sample(200, 2.0, logical_requests=4, actual_requests=1),  # a counter went down: FLUSH STATUS
])
def test_a_restart_starts_the_deltas_again_instead_of_going_negative(cur):
    prev = sample(100, 0.0, logical_requests=10, actual_requests=2)
    moved, restarted = st.delta(prev, cur)
    assert restarted
    assert moved["logical_requests"] == cur.counters["logical_requests"]
    assert all(v is None or v >= 0 for v in moved.values())


def test_total_sums_present_counters_and_keeps_absent_ones_absent():
    a = {k: None for k in st.SHORT} | {"actual_requests": 3, "logical_requests": 30}
    b = {k: None for k in st.SHORT} | {"actual_requests": 1}
    t = st.total([a, b])
    assert t["actual_requests"] == 4 and t["logical_requests"] == 30 and t["retries"] is None


def test_after_a_slow_tick_the_watch_keeps_its_interval_instead_of_bursting(monkeypatch):
    """A tick that took three intervals (an instance given up after its --timeout) is followed by
    the next tick at once, then one a full interval later. Was: two more ticks at the same instant,
    catching up on the schedule (rates over ~0 s)."""
    from auroraml_cli.core import watch

    clock = [0.0]
    monkeypatch.setattr(watch.time, "monotonic", lambda: clock[0])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    def emit(doc: dict) -> None:
        if len(slept) == 0:
            clock[0] += 3.0  # the first tick waited on a silent server

    watcher = watch.Watcher([])
    assert watcher.run(1.0, 4, emit, sleep=sleep) == 4 == watcher.ticks
    assert slept == [0.0, 1.0, 1.0]
