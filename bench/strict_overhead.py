"""What the strict-mode value checks (auroraml_cli/sandbox/sql/strict.py) cost the sandbox's SQL
endpoint: the same statements on the same tables, run unchecked and checked, alternately; the
script prints the medians and their ratio for a 5000-row INSERT ... VALUES (literals: checked in
Python once) and a 5000-row INSERT ... SELECT (each value checked by a SQLite function).

    .venv/bin/python bench/strict_overhead.py [--rounds 7] [--rows 5000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

import sqlglot

from auroraml_cli.sandbox.sql import strict
from auroraml_cli.sandbox.sql.tables import Tables


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    tables = Tables()
    tables.create_database("d", if_not_exists=False)
    no_system = lambda _db, _table: None  # noqa: E731

    def run(sql: str | sqlglot.exp.Expression) -> None:
        tables.run(sqlglot.parse_one(sql, read="mysql") if isinstance(sql, str) else sql, "d", no_system)

    run("CREATE TABLE t (id INT, v VARCHAR(20), d DATE, x DECIMAL(7,2))")
    values = ", ".join(f"({i}, 'name{i}', '2024-01-{i % 28 + 1:02d}', {i / 7:.2f})" for i in range(args.rows))
    statements = {"INSERT ... VALUES": sqlglot.parse_one(f"INSERT INTO t VALUES {values}", read="mysql"),
                  "INSERT ... SELECT": sqlglot.parse_one("INSERT INTO t SELECT id, v, d, x FROM t", read="mysql")}
    session = SimpleNamespace(cluster=SimpleNamespace(tables=tables), variables={"sql_mode": "STRICT_TRANS_TABLES"},
                              database="d")
    for label, statement in statements.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.rounds):
            for checked in (False, True):
                run("DELETE FROM t")
                if label == "INSERT ... SELECT":
                    run(statements["INSERT ... VALUES"])
                started = time.perf_counter()
                run(strict.prepare(session, statement) if checked else statement)  # type: ignore[arg-type]
                times[checked].append(time.perf_counter() - started)
        plain, checked_ = statistics.median(times[False]), statistics.median(times[True])
        print(f"{args.rows}-row {label}: unchecked {plain * 1000:.1f} ms, checked {checked_ * 1000:.1f} ms, "
              f"ratio {checked_ / plain:.2f}")


if __name__ == "__main__":
    main()
