"""What `auroraml status --watch` costs per tick, against the sandbox's SQL endpoints.

Runs `status --watch --count N` and `--count 1` side by side (alternating), and reads each child's
CPU time (user + system, from the kernel via wait4). The difference over N-1 ticks is the cost of
one tick — start-up excluded. Goal (docs/reference/performance.md): one query per instance
per tick on a kept-open connection, under 1% of one core at a 1 s interval (< 10 ms CPU a tick).

    .venv/bin/python bench/status_watch.py [--ticks 100] [--interval 0.05] [--rounds 5]

The seeded ml-demo gets a third instance first (the goal is stated for three). The number of
status queries and connections is read from a -vv log of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

AURORAML = str(Path(sys.executable).parent / "auroraml")


def cpu_of(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stderr) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{err}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start, err


def _sql_per_run(base: list[str], env: dict[str, str], ticks: int) -> tuple[int, int]:
    """(status queries, connections) of one run, counted from its -vv log."""
    done = subprocess.run([*base, "--count", str(ticks)], env=env, capture_output=True, text=True, check=True)
    lines = done.stderr.splitlines()
    return (sum("sql on " in line and "SHOW GLOBAL STATUS" in line for line in lines),
            sum("connecting to " in line for line in lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from auroraml_cli.sandbox import server

    with server.start(sql=False) as sandbox:
        # The goal is stated for three instances: the seeded ml-demo has two, so add a reader
        # before its SQL endpoint starts (each instance gets a port of its own).
        sandbox.client("rds").create_db_instance(
            DBInstanceIdentifier="ml-demo-3", DBClusterIdentifier="ml-demo", Engine="aurora-mysql",
            DBInstanceClass="db.r6g.large", PromotionTier=3)
        sandbox.start_sql_endpoints()
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": sandbox.endpoint_url}
        env.pop("AWS_PROFILE", None)
        base = [AURORAML, "-vv", "-o", "json", "status", "--cluster", "ml-demo", "--watch", "--interval", str(args.interval)]
        many, one = [], []
        queries, connections = _sql_per_run(base, env, args.ticks)
        for i in range(args.rounds):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                if which == 0:
                    cpu, _, err = cpu_of([*base, "--count", str(args.ticks)], env)
                    many.append(cpu)
                else:
                    cpu, _, _ = cpu_of([*base, "--count", "1"], env)
                    one.append(cpu)
        instances = len(sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]["DBClusterMembers"])
    per_tick = (statistics.median(many) - statistics.median(one)) / (args.ticks - 1)
    print(f"rounds: {args.rounds}, ticks: {args.ticks} at {args.interval}s, instances: {instances}, "
          f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"status --watch --count {args.ticks}: median CPU {statistics.median(many) * 1000:.0f} ms")
    print(f"status --watch --count 1:  median CPU {statistics.median(one) * 1000:.0f} ms")
    print(f"status queries over {args.ticks} ticks: {queries} = {queries / args.ticks / instances:.2f} per instance "
          f"per tick, on {connections} connection(s)   goal 1 per instance per tick, kept open")
    print(f"CPU per tick ({instances} instances): {per_tick * 1000:.2f} ms "
          f"= {per_tick * 100:.2f}% of one core at a 1 s interval   goal < 1%")


if __name__ == "__main__":
    main()
