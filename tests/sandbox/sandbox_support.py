"""Constants and helpers shared by the sandbox tests (fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

FAST = {"association_delay": 0.05, "reboot_duration": 0.05, "iam_propagation_delay": 0.0, "reboot_starts_late": True,
        "ml_throttle": 0, "endpoint_update_duration": 0.05}
PASSWORD = "password123"
V3 = "8.0.mysql_aurora.3.06.0"
V3_BEDROCK = "8.0.mysql_aurora.3.10.1"
V2 = "5.7.mysql_aurora.2.11.2"
ACCOUNT = "123456789012"  # moto's default account
RDS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

# What each service's role may do, wide: the tests that are not about IAM give their roles this
# (the sandbox evaluates the role's policies on every call; tests/sandbox/sql/test_sql_iam.py
# rehearses too narrow ones).
WIDE_POLICY = {
    "comprehend": ["comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"],
    "sagemaker": ["sagemaker:InvokeEndpoint"],
    "bedrock": ["bedrock:InvokeModel"],
    "s3": ["s3:*", "kms:GenerateDataKey", "kms:Decrypt"],
}


def allow_all(iam: Any, role_name: str, service: str) -> None:
    """An inline policy allowing the service's Aurora ML actions on every resource."""
    import json

    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": WIDE_POLICY[service], "Resource": "*"}]}
    iam.put_role_policy(RoleName=role_name, PolicyName=f"{service}-wide", PolicyDocument=json.dumps(document))


def after_delay() -> None:
    """Move the sandbox's clock past the pending associations, reboots and endpoint updates,
    whatever the knobs say. No sleep: the layer works the states out from its clock when read."""
    from auroraml_cli.sandbox import layer

    knobs = layer.settings
    layer.advance(max(knobs.association_delay, knobs.reboot_duration, knobs.endpoint_update_duration) + 1)


# Tests that assert a state *during* a delay use this instead of FAST's 0.05 s: a loaded machine
# can stall a test for a second, never for an hour. after_delay() ends it without waiting.
LONG_DELAY = 3600.0


def members(rds: Any, cluster: str) -> dict[str, str]:
    """Member instance → DBClusterParameterGroupStatus."""
    found = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    return {m["DBInstanceIdentifier"]: m["DBClusterParameterGroupStatus"] for m in found}


def instance_status(rds: Any, instance: str) -> str:
    return rds.describe_db_instances(DBInstanceIdentifier=instance)["DBInstances"][0]["DBInstanceStatus"]


def error_code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return excinfo.value.response["Error"]["Code"]


def error_message(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return excinfo.value.response["Error"]["Message"]


def deploy(client: Any, name: str, region: str = "us-east-1") -> None:
    """A SageMaker endpoint (moto makes it InService at once), as the seed deploys its own."""
    sagemaker = client("sagemaker", region)
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker",
                           PrimaryContainer={"Image": f"683313688378.dkr.ecr.{region}.amazonaws.com/model:1"})
    variant = {"VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
