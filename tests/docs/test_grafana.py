"""The Grafana dashboard in docs/grafana/ reads only what `status`'s Prometheus output holds: every
metric name and label each panel's expression (and each template query) names is one the exporter
emits, taken from the code (core/prometheus.py), and it is the exporter's real output that is
checked against, not a list written here."""

from __future__ import annotations

import json
import re
from pathlib import Path

from auroraml_cli.core import prometheus as pm
from auroraml_cli.core import status as st

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "auroraml.json"

FUNCTIONS_AND_KEYWORDS = {
    "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "group", "count_values",
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
}
IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def names_in(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, label names) a PromQL expression uses."""
    labels: set[str] = set()
    text = re.sub(r"\$\{?\w+\}?", "", expr)  # Grafana variables ($cluster, $__rate_interval)
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", text):
        labels |= {g.strip() for g in group.split(",") if g.strip()}
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    for matchers in re.findall(r"\{([^}]*)\}", text):
        labels |= set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", text)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    metrics = set()
    for m in IDENT.finditer(text):
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or m.group() in FUNCTIONS_AND_KEYWORDS:
            continue
        metrics.add(m.group())
    return metrics, labels


def expressions() -> list[tuple[str, str]]:
    doc = json.loads(DASHBOARD.read_text())
    found = [(p["title"], t["expr"]) for p in doc["panels"] for t in p.get("targets", [])]
    for var in doc["templating"]["list"]:
        query = var.get("query")
        if var["type"] == "query":
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query)
            assert m, query
            found.append((f"${var['name']}", f"{m.group(1)} by ({m.group(2)})"))
    return found


def emitted() -> tuple[set[str], set[str]]:
    """Metric and label names in a real exposition of two instances, one unreachable."""
    counters = {k: 1 for k in st.SHORT}
    records = [{"instance": "i1", "reachable": True, "uptime": 5, "counters": counters, "derived": st.derived(counters)},
               {"instance": "i2", "reachable": False, "uptime": None, "counters": None, "derived": None}]
    metrics, labels = set(), set()
    for line in pm.exposition(records, "c").splitlines():
        if not line.startswith("#"):
            metrics.add(line.split("{")[0])
            labels |= set(re.findall(r'([a-zA-Z_]\w*)="', line.split("{", 1)[1]))
    return metrics, labels


def test_every_expression_names_only_metrics_and_labels_the_exporter_emits():
    metrics, labels = emitted()
    assert metrics == set(pm.metric_names())
    for title, expr in expressions():
        used_metrics, used_labels = names_in(expr)
        assert used_metrics, f"{title}: {expr!r} names no metric"
        assert used_metrics <= metrics, f"{title}: {sorted(used_metrics - metrics)} are not emitted"
        assert used_labels <= labels, f"{title}: labels {sorted(used_labels - labels)} are not emitted"


def test_the_dashboard_shows_what_teams_watch():
    used = set().union(*(names_in(e)[0] for _, e in expressions()))
    exprs = " ".join(e for _, e in expressions())
    for variable in ("Aurora_ml_logical_request_cnt", "Aurora_ml_actual_request_cnt", "Aurora_ml_retry_request_cnt"):
        assert f"rate({pm.counter_name(variable)}" in exprs  # per-instance request and retry rates
    assert {"auroraml_batching_factor", "auroraml_cache_hit_ratio"} <= used
    assert f"resets({pm.UPTIME}" in exprs  # restarts


def test_the_parser_sees_through_promql():
    assert names_in('sum by (cluster, instance) (rate(a_b{cluster=~"$cluster"}[$__rate_interval])) / c') == (
        {"a_b", "c"}, {"cluster", "instance"})
    assert names_in('resets(x{instance="by (y)"}[1h])')[0] == {"x"}
