"""`auroraml setup comprehend` vs the equivalent bash runbook of `aws` calls, on one sandbox.

Each round makes two fresh, identical clusters (untimed), then runs the two commands one after
the other, alternating which goes first. Prints the medians and their ratio (goal: >= 8x, from
docs/reference/performance.md), and the AWS calls of a second, no-op `setup`.

    .venv/bin/python bench/setup_vs_runbook.py [--rounds 10]

Needs the AWS CLI (`pip install awscli`) on PATH, and the sandbox extra.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AURORAML = [str(Path(sys.executable).parent / "auroraml")]  # the installed console script, as users run it


def make_cluster(rds, name: str) -> None:
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.08.0",
                          MasterUsername="admin", MasterUserPassword="not-a-secret-1")
    rds.create_db_instance(DBInstanceIdentifier=f"{name}-1", DBClusterIdentifier=name, Engine="aurora-mysql",
                           DBInstanceClass="db.r6g.large")


def timed(argv: list[str], env: dict[str, str], ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    # The AWS CLI installed beside this Python (pip install awscli), else the one on PATH. A
    # pyenv or asdf shim on PATH adds its own start-up to every call and flatters auroraml.
    local_aws = Path(sys.executable).parent / "aws"
    aws_bin = str(local_aws) if local_aws.exists() else shutil.which("aws")
    if not aws_bin:
        sys.exit("the AWS CLI is needed for the runbook side: pip install awscli")

    import boto3

    from auroraml_cli.sandbox import server

    # No simulated delays: both sides are measured on their own overhead, not on AWS's.
    with server.start(seed=False, association_delay=0, reboot_duration=0) as sandbox:
        env = {**os.environ, "PATH": f"{Path(aws_bin).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
               "AWS_ENDPOINT_URL": sandbox.endpoint_url, "AURORAML_POLL_INTERVAL": "0.05"}
        env.pop("AWS_PROFILE", None)
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=sandbox.endpoint_url,
                           aws_access_key_id="bench", aws_secret_access_key="bench")
        ours, theirs = [], []
        for i in range(args.rounds):
            a, b = f"bench-{i}-a", f"bench-{i}-b"
            make_cluster(rds, a)
            make_cluster(rds, b)
            run_ours = lambda: ours.append(timed([*AURORAML, "setup", "comprehend", "--cluster", a, "--no-reboot"], env, (7,)))
            run_theirs = lambda: theirs.append(timed(["bash", str(HERE / "runbook.sh"), b, sandbox.endpoint_url], env, (0,)))
            for run in ((run_ours, run_theirs) if i % 2 == 0 else (run_theirs, run_ours)):
                run()
        second = subprocess.run([*AURORAML, "-vv", "setup", "comprehend", "--cluster", "bench-0-a", "--no-reboot"],
                                env=env, capture_output=True, text=True)
        calls = [line.split("aws call ", 1)[1] for line in second.stderr.splitlines() if "aws call " in line]

    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    print(f"rounds: {args.rounds} (alternating order), machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"aws: {aws_bin}")
    print(f"auroraml setup comprehend --no-reboot   median {m_ours * 1000:7.0f} ms")
    print(f"bash runbook of 8 aws calls             median {m_theirs * 1000:7.0f} ms")
    print(f"ratio (runbook / auroraml): {m_theirs / m_ours:.1f}x   goal >= 8x")
    writes = [c for c in calls if not c.split(".", 1)[1].startswith(("Describe", "Get", "List"))]
    print(f"second setup run: {len(calls)} AWS calls, {len(writes)} writes (goal: < 10 calls, 0 writes)")


if __name__ == "__main__":
    main()
