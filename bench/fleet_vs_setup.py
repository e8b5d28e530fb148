"""`auroraml apply -f` for N clusters vs N sequential `auroraml setup` runs, on one sandbox (issue 17).

Each round makes 2N fresh clusters of two members (untimed): N for the fleet file, N for the
setup runs. The setup side runs `setup SERVICE --cluster C --reboot --yes` once per cluster and
service, one after the other, as a shell loop would; the fleet side one `apply -f FILE --yes
--parallel P` with every cluster and service in the file. The sandbox simulates an association
and a reboot taking a while (--association-delay, --reboot-duration: seconds, scaled down from
AWS's minutes), since the waits are what a fleet apply saves: one reboot per cluster however many
services, clusters side by side. Prints the medians and their ratio.

    .venv/bin/python bench/fleet_vs_setup.py [--clusters 10] [--services comprehend] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AURORAML = [str(Path(sys.executable).parent / "auroraml")]  # the installed console script, as users run it
SETUP_ARGS = {"comprehend": [], "sagemaker": ["--endpoint", "churn-predictor"],
              "s3": ["--bucket", "ml-demo-exports"]}
FILE_KEYS = {"comprehend": "", "sagemaker": 'endpoints = ["churn-predictor"]\n', "s3": 'bucket = "ml-demo-exports"\n'}


def make_cluster(rds, name: str) -> None:
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.08.0",
                          MasterUsername="admin", MasterUserPassword="not-a-secret-1")
    for n in (1, 2):
        rds.create_db_instance(DBInstanceIdentifier=f"{name}-{n}", DBClusterIdentifier=name, Engine="aurora-mysql",
                               DBInstanceClass="db.r6g.large", PromotionTier=n)


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def fleet_file(clusters: list[str], services: list[str]) -> str:
    text = ""
    for c in clusters:
        text += f'[[cluster]]\nid = "{c}"\n'
        for s in services:
            text += f"[cluster.{s}]\n{FILE_KEYS[s]}"
        text += "\n"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--services", default="comprehend", help="comma-separated: comprehend,sagemaker,s3")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--association-delay", type=float, default=0.5)
    parser.add_argument("--reboot-duration", type=float, default=1.0)
    args = parser.parse_args()
    services = args.services.split(",")
    import boto3

    from auroraml_cli.sandbox import server

    with server.start(seed=True, sql=False, association_delay=args.association_delay,
                      reboot_duration=args.reboot_duration, iam_propagation_delay=0) as sandbox, \
            tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "HOME": tmp,
               "AWS_ENDPOINT_URL": sandbox.endpoint_url, "AURORAML_POLL_INTERVAL": "0.1"}
        env.pop("AWS_PROFILE", None)
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=sandbox.endpoint_url,
                           aws_access_key_id="bench", aws_secret_access_key="bench")
        fleet, sequential = [], []
        for i in range(args.rounds):
            ours = [f"fleet-{i}-{n}" for n in range(args.clusters)]
            theirs = [f"seq-{i}-{n}" for n in range(args.clusters)]
            for name in ours + theirs:
                make_cluster(rds, name)
            path = Path(tmp) / f"fleet-{i}.toml"
            path.write_text(fleet_file(ours, services))

            def run_fleet() -> None:
                fleet.append(timed([*AURORAML, "apply", "-f", str(path), "--yes", "--parallel", str(args.parallel)], env))

            def run_sequential() -> None:
                start = time.perf_counter()
                for c in theirs:
                    for s in services:
                        timed([*AURORAML, "setup", s, "--cluster", c, *SETUP_ARGS[s], "--reboot", "--yes"], env)
                sequential.append(time.perf_counter() - start)

            for run in ((run_fleet, run_sequential) if i % 2 == 0 else (run_sequential, run_fleet)):
                run()

    m_fleet, m_seq = statistics.median(fleet), statistics.median(sequential)
    runs = args.clusters * len(services)
    print(f"{args.clusters} clusters x {len(services)} service(s) ({', '.join(services)}), 2 members each; "
          f"association {args.association_delay:g}s, reboot {args.reboot_duration:g}s; rounds: {args.rounds} "
          f"(alternating order); {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"auroraml apply -f (--parallel {args.parallel})      median {m_fleet:7.1f} s")
    print(f"{runs} sequential auroraml setup runs    median {m_seq:7.1f} s")
    print(f"ratio (sequential / apply -f): {m_seq / m_fleet:.1f}x")


if __name__ == "__main__":
    main()
