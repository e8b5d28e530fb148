"""Per-statement cost of the sandbox's SQL endpoint: this tree against a baseline checkout (say
main before the per-session WAL storage and MySQL semantics of docs/reference/sql-compat.md).

Each side runs in its own process (its own `auroraml_cli` on PYTHONPATH), starts an endpoint,
logs in with PyMySQL and runs the same mix: INSERT, point SELECT, UPDATE, an aggregate over a
DECIMAL column, a text comparison, a transaction of 10 INSERTs. Sides alternate; medians of the
time per statement and their ratio (this tree / baseline) are printed.

    git archive main | tar -x -C /tmp/auroraml-main      # the baseline, once
    .venv/bin/python bench/sql_statements.py --baseline /tmp/auroraml-main [--rounds 5] [--statements 400]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

WORKLOAD = r'''
import sys, time
sys.path.insert(0, {tests!r})
from auroraml_cli.sandbox.sql import start_endpoint
import pymysql
count = {count}
with start_endpoint(cluster_id="bench", engine_version="8.0.mysql_aurora.3.10.1", master_password="pw-bench-1") as ep:
    c = pymysql.connect(host=ep.host, port=ep.port, user="admin", password="pw-bench-1", autocommit=True)
    cur = c.cursor()
    cur.execute("CREATE DATABASE b")
    cur.execute("CREATE TABLE b.t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2))")
    statements = []
    for i in range(count // 6):
        statements += [
            f"INSERT INTO b.t (name, amount) VALUES ('name {{i}}', {{i}}.25)",
            f"SELECT name, amount FROM b.t WHERE id = {{i + 1}}",
            f"UPDATE b.t SET amount = amount + 1 WHERE id = {{i + 1}}",
            "SELECT SUM(amount), AVG(amount) FROM b.t",
            f"SELECT COUNT(*) FROM b.t WHERE name = 'NAME {{i}}'",
            "SELECT 1 + 1, 5 / 2",
        ]
    start = time.perf_counter()
    for sql in statements:
        cur.execute(sql)
        cur.fetchall()
    for _ in range(count // 60):
        cur.execute("BEGIN")
        for i in range(10):
            cur.execute(f"INSERT INTO b.t (name, amount) VALUES ('tx', {{i}})")
        cur.execute("COMMIT")
    elapsed = time.perf_counter() - start
    done = len(statements) + (count // 60) * 12
    print(elapsed / done * 1e6)
'''


def side(root: Path, count: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = WORKLOAD.format(tests=str(HERE / "tests"), count=count)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=root)
    if done.returncode != 0:
        sys.exit(f"{root}: exited {done.returncode}: {done.stderr[-800:]}")
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--statements", type=int, default=600)
    args = parser.parse_args()
    ours, theirs = [], []
    for round_ in range(args.rounds):
        pair = [(HERE, ours), (args.baseline, theirs)]
        for root, into in pair if round_ % 2 == 0 else reversed(pair):
            into.append(side(root, args.statements))
    mine, base = statistics.median(ours), statistics.median(theirs)
    print(f"this tree: {mine:8.1f} us/statement (median of {args.rounds})")
    print(f"baseline:  {base:8.1f} us/statement ({args.baseline})")
    print(f"ratio (this tree / baseline): {mine / base:.2f}x")


if __name__ == "__main__":
    main()
