"""Start-up: `auroraml --help`, `--version` and two offline SQL-printing commands (`ddl` and
`grant --dry-run`), each against a plain click app with the same command names (bench/plain_click_app.py) and `--version` against
the AWS CLI's `aws --version`. Commands run alternately; medians of wall time and their ratios.
Goals (docs/reference/performance.md): <= 1.5x the plain click app; >= 4x faster than
`aws --version`.

    .venv/bin/python bench/startup.py [--rounds 30] [--cpu]

`--cpu` times each process by the CPU it used (user + system) instead of wall time: steadier on a
machine shared with other work, where wall time swings with the load.

Needs the AWS CLI for the last line (`pip install awscli`); skipped without it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
AURORAML = str(BIN / "auroraml")
PLAIN = [sys.executable, str(Path(__file__).with_name("plain_click_app.py"))]
DDL = ["ddl", "sagemaker", "mldb.churn", "--endpoint", "churn-predictor", "--arg", "age:INT", "--returns", "DOUBLE",
       "--aurora-version", "3.06.0"]
GRANT = ["grant", "comprehend", "analyst@%", "--dry-run", "--aurora-version", "3.06.0"]
PAIRS = [
    ("--help", [AURORAML, "--help"], [*PLAIN, "--help"]),
    ("--version", [AURORAML, "--version"], [*PLAIN, "--version"]),
    ("ddl (offline SQL)", [AURORAML, *DDL], [*PLAIN, *DDL]),
    ("grant --dry-run", [AURORAML, *GRANT], [*PLAIN, *GRANT]),
]


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


CLOCK = time.perf_counter  # --cpu: _cpu


def once(argv: list[str]) -> float:
    start = CLOCK()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = CLOCK() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[:400]}")
    return elapsed


def side_by_side(a: list[str], b: list[str], rounds: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(3):  # warm the page cache (and write bytecode)
        once(a), once(b)
    for i in range(rounds):
        first, second = ((b, tb), (a, ta)) if i % 2 else ((a, ta), (b, tb))
        first[1].append(once(first[0]))
        second[1].append(once(second[0]))
    return statistics.median(ta), statistics.median(tb)


ENV = {k: v for k, v in os.environ.items() if not k.startswith(("AURORAML_", "AWS_"))}
ENV.update({"TERM": "dumb", "COLUMNS": "100"})
# As installed by pip, modules come with their bytecode; an editable checkout under
# PYTHONDONTWRITEBYTECODE=1 (set on some machines) would compile every module on every run. The
# warm-up rounds write it.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="time by CPU used (user + system), not wall time")
    args = parser.parse_args()
    global CLOCK
    CLOCK = _cpu if args.cpu else time.perf_counter
    print(f"rounds: {args.rounds}, machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{'CPU time' if args.cpu else 'wall time'}")
    for label, ours, theirs in PAIRS:
        a, b = side_by_side(ours, theirs, args.rounds)
        print(f"auroraml {label:<18} {a * 1000:6.0f} ms   plain click {b * 1000:6.0f} ms   ratio {a / b:.2f}x   goal <= 1.5x")
    a, b = side_by_side([sys.executable, str(Path(__file__).with_name("plain_typer_app.py")), "a", "--x", "1"],
                        [*PLAIN, "--version"], args.rounds)
    print(f"the typer floor: a trivial typer app {a * 1000:.0f} ms vs plain click {b * 1000:.0f} ms: {a / b:.2f}x")
    aws = str(BIN / "aws") if (BIN / "aws").exists() else shutil.which("aws")
    if aws:
        a, b = side_by_side([AURORAML, "--version"], [aws, "--version"], args.rounds)
        print(f"auroraml --version {a * 1000:6.0f} ms   aws --version {b * 1000:6.0f} ms   aws is {b / a:.1f}x slower   goal >= 4x")
    else:
        print("aws --version: skipped (pip install awscli)")


if __name__ == "__main__":
    main()
