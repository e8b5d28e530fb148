"""What the sandbox's IAM checks cost per ML call, against what the call costs without them.

One cluster in in-process moto (with auroraml's layer), wired as `auroraml setup` wires it (the
project's trust and permission policies, plus a permissions boundary), its SQL endpoint, and a
table of ROWS rows. Two statements run alternately over TCP (PyMySQL), each ROUNDS times:

- Bedrock: `SELECT ask(p) FROM t` — one InvokeModel per row, so one IAM evaluation per row
  without the statement's memo (the worst case: the gate is called for every request);
- SageMaker: `SELECT score(v) FROM t` — one batched InvokeEndpoint per statement.

each with the checks on (role_access.Gate.authorize as shipped, and a variant that re-evaluates
on every call: no statement memo) and off (authorize replaced by a no-op). It prints the median
per-row cost of each and the checks' share, plus Gate.authorize timed on its own (role read from
moto's IAM and the memoised verdicts). Goal (issue 14): the checks stay well under a millisecond
a call, a small fraction of the sandbox's per-row cost.

    .venv/bin/python bench/ml_call_checks.py [--rounds 9] [--rows 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

ACCOUNT, REGION, CLUSTER = "123456789012", "us-east-1", "bench"
EXPRESS = "amazon.titan-text-express-v1"


def wire(boto3) -> None:
    from auroraml_cli.core import policies
    from auroraml_cli.core.catalogue import SERVICES
    from auroraml_cli.core.operator_policy import boundary_document

    rds, iam, sagemaker = (boto3.client(s, region_name=REGION) for s in ("rds", "iam", "sagemaker"))
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="bench-ml", DBParameterGroupFamily="aurora-mysql8.0",
                                          Description="bench")
    rds.create_db_cluster(DBClusterIdentifier=CLUSTER, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.10.1",
                          MasterUsername="admin", MasterUserPassword="bench-password",
                          DBClusterParameterGroupName="bench-ml")
    rds.create_db_instance(DBInstanceIdentifier="bench-1", DBClusterIdentifier=CLUSTER, Engine="aurora-mysql",
                           DBInstanceClass="db.r6g.large")
    sagemaker.create_model(ModelName="scorer", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker",
                           PrimaryContainer={"Image": f"683313688378.dkr.ecr.{REGION}.amazonaws.com/model:1"})
    sagemaker.create_endpoint_config(EndpointConfigName="scorer", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "scorer", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    sagemaker.create_endpoint(EndpointName="scorer", EndpointConfigName="scorer")
    boundary = iam.create_policy(PolicyName="AuroraMLBoundary", PolicyDocument=json.dumps(boundary_document()))
    parameters = []
    for service, scope in (("bedrock", {"model_arns": [f"arn:aws:bedrock:{REGION}::foundation-model/{EXPRESS}"]}),
                           ("sagemaker", {"endpoints": ["scorer"]})):
        name = f"auroraml-{service}-{CLUSTER}"
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policies.trust_policy("aws", ACCOUNT, REGION)),
                              PermissionsBoundary=boundary["Policy"]["Arn"])["Role"]["Arn"]
        document = policies.permission_policy(SERVICES[service], partition="aws", account=ACCOUNT, region=REGION, **scope)
        policy = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        rds.add_role_to_db_cluster(DBClusterIdentifier=CLUSTER, RoleArn=arn)
        parameters.append({"ParameterName": f"aws_default_{service}_role", "ParameterValue": arn,
                           "ApplyMethod": "pending-reboot"})
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="bench-ml", Parameters=parameters)
    rds.reboot_db_instance(DBInstanceIdentifier="bench-1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION)):
        os.environ[name] = value
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)

    import boto3
    import pymysql
    from moto import mock_aws

    from auroraml_cli.sandbox import layer
    from auroraml_cli.sandbox.sql import ml_calls, role_access, start_endpoint

    layer.install()
    layer.configure(association_delay=0.0, reboot_duration=0.0, iam_propagation_delay=0.0, ml_throttle=0)
    with mock_aws():
        wire(boto3)
        layer.advance(5)
        endpoint = start_endpoint(cluster_id=CLUSTER, engine_version="8.0.mysql_aurora.3.10.1")
        try:
            sql = pymysql.connect(host=endpoint.host, port=endpoint.port, user="admin", password="bench-password",
                                  autocommit=True, read_timeout=120)
            cursor = sql.cursor()
            cursor.execute("CREATE DATABASE b")
            cursor.execute("USE b")
            cursor.execute("CREATE TABLE t (id INT PRIMARY KEY, p TEXT, v DOUBLE)")
            cursor.execute("INSERT INTO t VALUES " + ", ".join(
                f"({i}, '{{\"inputText\": \"row {i}\"}}', {i / 7:.3f})" for i in range(args.rows)))
            cursor.execute(f"CREATE FUNCTION ask (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{EXPRESS}'")
            cursor.execute("CREATE FUNCTION score (v DOUBLE) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT "
                           "ENDPOINT NAME 'scorer'")
            statements = {"bedrock": "SELECT ask(p) FROM t", "sagemaker": "SELECT score(v) FROM t"}

            shipped, memo = role_access.Gate.authorize, ml_calls.ServiceCalls._authorize

            def no_memo(self, service, needs):  # every request evaluated, as if each were a new statement
                self._aws.gate.authorize(service, self._s.cluster.variables.get(f"aws_default_{service}_role"), needs)

            modes = {"checks": (shipped, memo), "checks, no memo": (shipped, no_memo),
                     "no checks": (lambda *a, **k: None, memo)}
            times: dict[tuple[str, str], list[float]] = {(s, m): [] for s in statements for m in modes}
            for round_ in range(args.rounds):
                order = list(modes) if round_ % 2 == 0 else list(reversed(modes))
                for service, statement in statements.items():
                    for mode in order:
                        role_access.Gate.authorize, ml_calls.ServiceCalls._authorize = modes[mode]
                        start = time.perf_counter()
                        cursor.execute(statement)
                        rows = cursor.fetchall()
                        times[(service, mode)].append(time.perf_counter() - start)
                        assert len(rows) == args.rows
            role_access.Gate.authorize, ml_calls.ServiceCalls._authorize = shipped, memo

            gate = endpoint.cluster.aws.gate
            role = f"arn:aws:iam::{ACCOUNT}:role/auroraml-bedrock-{CLUSTER}"
            needs = role_access.bedrock_requests("aws", REGION, ACCOUNT, EXPRESS)
            calls = 2000
            start = time.perf_counter()
            for _ in range(calls):
                gate.authorize("bedrock", role, needs)
            one_call = (time.perf_counter() - start) / calls
        finally:
            endpoint.stop()

    print(f"{args.rows} rows, {args.rounds} rounds; median statement time per row (microseconds), side by side")
    print(f"{'statement':<24}{'no checks':>11}{'checks':>9}{'ratio':>8}{'no memo':>10}{'ratio':>8}")
    for service in statements:
        med = {m: statistics.median(times[(service, m)]) / args.rows * 1e6 for m in modes}
        base = med["no checks"]
        print(f"{service + (' (1 call/row)' if service == 'bedrock' else ' (1 batch)'):<24}{base:>11.1f}"
              f"{med['checks']:>9.1f}{med['checks'] / base:>7.2f}x{med['checks, no memo']:>10.1f}"
              f"{med['checks, no memo'] / base:>7.2f}x")
    print(f"Gate.authorize alone (role read from moto's IAM, trust and verdicts memoised, boundary): "
          f"{one_call * 1e6:.1f} us a call")

if __name__ == "__main__":
    main()
