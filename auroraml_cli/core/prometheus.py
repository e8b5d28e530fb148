"""`status` in Prometheus's text exposition format, and the textfile node_exporter reads.

The counters carry the names dashboards already know from mysqld_exporter, which lowercases each
SHOW GLOBAL STATUS variable and prefixes `mysql_global_status_` (its collector/global_status.go):
`Aurora_ml_logical_request_cnt` is `mysql_global_status_aurora_ml_logical_request_cnt`, `Uptime`
is `mysql_global_status_uptime`. mysqld_exporter exposes them untyped; here they are typed
`counter` (they only grow, and restart from 0 after a restart or FLUSH STATUS, which rate() and
resets() understand). Uptime is counter-like too: resets() of it counts restarts. auroraml's own
figures are gauges under `auroraml_`: whether each instance answered, and the ratios derived from
the counters since the instance started (or FLUSH STATUS); a dashboard takes a windowed ratio
from rate() of the counters.

Labels: `cluster` (when known) and `instance`, the DB instance id (or HOST:PORT with --host).
"""

from __future__ import annotations

import os
from pathlib import Path

from .status import COUNTERS

PREFIX = "mysql_global_status_"
UPTIME = f"{PREFIX}uptime"
UP = "auroraml_instance_up"
# derived key (core/status.derived) → (gauge name, help)
DERIVED: dict[str, tuple[str, str]] = {
    "batching_factor": ("auroraml_batching_factor", "Logical ÷ actual Aurora ML requests since the instance started"),
    "single_share": ("auroraml_single_share", "Share of logical requests sent one by one (single ÷ logical)"),
    "cache_hit_ratio": ("auroraml_cache_hit_ratio", "Cache hits ÷ logical requests"),
    "retry_rate": ("auroraml_retry_rate", "Retries ÷ actual requests"),
    "responses_missing": ("auroraml_responses_missing", "Actual requests without a response (requests - responses)"),
}


def counter_name(variable: str) -> str:
    """mysqld_exporter's name for a SHOW GLOBAL STATUS variable."""
    return PREFIX + variable.lower()


def metric_names() -> list[str]:
    """Every metric name the exposition can hold (a dashboard may name these and no others)."""
    return [*(counter_name(v) for v in COUNTERS), UPTIME, UP, *(name for name, _ in DERIVED.values())]


def exposition(records: list[dict], cluster: str | None) -> str:
    """The text format for one sample: `records` are the per-instance records of a status sample
    (reachable, counters, uptime, derived). An instance not read this sample has only
    `auroraml_instance_up 0`: no stale counters."""
    lines: list[str] = []
    read = [r for r in records if r.get("reachable")]

    def family(name: str, kind: str, help_text: str, values: list[tuple[str, object]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(f"{name}{{{labels}}} {_number(v)}" for labels, v in values if v is not None)

    for variable, short in COUNTERS.items():
        family(counter_name(variable), "counter", f"{variable} (SHOW GLOBAL STATUS), per DB instance",
               [(_labels(cluster, r["instance"]), (r.get("counters") or {}).get(short)) for r in read])
    family(UPTIME, "counter", "Uptime (SHOW GLOBAL STATUS): seconds since the engine started, per DB instance",
           [(_labels(cluster, r["instance"]), r.get("uptime")) for r in read])
    family(UP, "gauge", "1 when auroraml read the instance's counters this sample, else 0",
           [(_labels(cluster, r["instance"]), 1 if r.get("reachable") else 0) for r in records])
    for key, (name, help_text) in DERIVED.items():
        family(name, "gauge", help_text,
               [(_labels(cluster, r["instance"]), (r.get("derived") or {}).get(key)) for r in read])
    return "\n".join(lines) + "\n"


def _number(value) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _labels(cluster: str | None, instance: str) -> str:
    esc = lambda v: v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")  # noqa: E731
    parts = ([f'cluster="{esc(cluster)}"'] if cluster else []) + [f'instance="{esc(instance)}"']
    return ",".join(parts)


def check_textfile(path: str) -> Path:
    """The --prometheus-textfile path, checked before anything is read: its directory exists and
    is writable, and the path is not a directory. A one-line UsageError (exit 2) otherwise."""
    from .errors import UsageError

    target = Path(path)
    directory = target.parent
    if not target.name or target.is_dir():
        raise UsageError(f"--prometheus-textfile {path} is a directory", "name a file in it, e.g. DIR/aurora_ml.prom")
    if not directory.is_dir():
        raise UsageError(f"--prometheus-textfile: directory {directory} does not exist",
                         "create it, or point at node_exporter's --collector.textfile.directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"--prometheus-textfile: directory {directory} is not writable by this user",
                         "run as a user who may write there, or choose another directory")
    return target


def write_textfile(target: Path, text: str) -> None:
    """Write `text` to a temporary file in the same directory, then rename it over `target`: the
    rename is atomic within a file system, so node_exporter reads either the previous file or the
    new one, never half of one. The temporary name ends in `.tmp`, which the textfile collector
    (it reads `*.prom`) ignores. The file is 0644: node_exporter often runs as another user."""
    import tempfile

    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), 0o644)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
