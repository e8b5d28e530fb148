"""`auroraml check --all` over 50 clusters vs over 1, side by side, on one sandbox server.

Region eu-west-1 gets one wired cluster, eu-central-1 fifty (every tenth on a shared group, some
broken in the ways check reports), all with an instance, a custom group naming the role, and the
role associated. The two commands run alternately; the script prints the medians and their ratio.
Goal (docs/reference/performance.md): 50 clusters in under 3x the wall time of one.

    .venv/bin/python bench/check_fleet.py [--rounds 7] [--clusters 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

AURORAML = str(Path(sys.executable).parent / "auroraml")
VERSION = "8.0.mysql_aurora.3.08.0"


def make_fleet(client, region: str, count: int, role_arn: str) -> None:
    rds = client("rds", region)
    for n in range(count):
        name = f"fleet-{region}-{n:02d}"
        group = f"{region}-shared" if n % 10 == 9 else f"{name}-ml"
        if n % 10 != 9 or n == 9:
            rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=group,
                                                  DBParameterGroupFamily="aurora-mysql8.0", Description="bench")
            rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[{
                "ParameterName": "aws_default_comprehend_role", "ParameterValue": role_arn,
                "ApplyMethod": "pending-reboot"}])
        rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql", EngineVersion=VERSION,
                              MasterUsername="admin", MasterUserPassword="not-a-secret-1",
                              DBClusterParameterGroupName=group)
        rds.create_db_instance(DBInstanceIdentifier=f"{name}-1", DBClusterIdentifier=name, Engine="aurora-mysql",
                               DBInstanceClass="db.r6g.large")
        rds.reboot_db_instance(DBInstanceIdentifier=f"{name}-1")
        if n % 7 != 3:  # a few clusters lack the association: check reports them
            rds.add_role_to_db_cluster(DBClusterIdentifier=name, RoleArn=role_arn)


def make_role(client) -> str:
    iam = client("iam", "us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="fleet-comprehend", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = iam.create_policy(PolicyName="fleet-comprehend", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
                                                "Action": ["comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"]}]}))
    iam.attach_role_policy(RoleName="fleet-comprehend", PolicyArn=policy["Policy"]["Arn"])
    return role


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clusters", type=int, default=50)
    args = parser.parse_args()

    from auroraml_cli.sandbox import server

    with server.start(seed=False, association_delay=0, reboot_duration=0) as sandbox:
        role = make_role(sandbox.client)
        make_fleet(sandbox.client, "eu-west-1", 1, role)
        make_fleet(sandbox.client, "eu-central-1", args.clusters, role)
        time.sleep(0.2)  # reboots end
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": sandbox.endpoint_url}
        env.pop("AWS_PROFILE", None)
        one_cmd = [AURORAML, "-o", "json", "check", "--all", "--region", "eu-west-1"]
        many_cmd = [AURORAML, "-o", "json", "check", "--all", "--region", "eu-central-1"]
        one, many = [], []
        for i in range(args.rounds):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                if which == 0:
                    seconds, doc = timed(one_cmd, env)
                    one.append(seconds)
                    assert len(doc["clusters"]) == 1
                else:
                    seconds, doc = timed(many_cmd, env)
                    many.append(seconds)
                    assert len(doc["clusters"]) == args.clusters
                    failing = sum(1 for row in doc["clusters"] if row["fail"])
        calls = subprocess.run([AURORAML, "-vv", "-o", "json", "check", "--all", "--region", "eu-central-1"], env=env,
                               capture_output=True, text=True).stderr.count("aws call ")
    ratio = statistics.median(many) / statistics.median(one)
    print(f"rounds: {args.rounds}, machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"check --all, 1 cluster:   median {statistics.median(one) * 1000:.0f} ms")
    print(f"check --all, {args.clusters} clusters: median {statistics.median(many) * 1000:.0f} ms "
          f"({failing} with a failing check; {calls} AWS calls)")
    print(f"ratio: {ratio:.2f}x   goal < 3x")


if __name__ == "__main__":
    main()
