"""Demo resources for the sandbox, created through boto3 so they work in-process and on a server.

Each cluster covers a case the tool must handle: a fresh v3 cluster on its default group, a v2
cluster, one that is Bedrock-ready on its own group, two clusters sharing a group, a global
database across two regions, and a non-Aurora cluster. SageMaker endpoints: churn-predictor
(us-east-1, us-west-2) and rcf-taxi (us-east-1). KMS: a customer managed key, alias/ml-demo-exports
(us-east-1). Lambda: a function, ml-demo-notify (us-east-1; the sandbox answers Invoke with a
stand-in, sandbox/lambda_invoke.py). Seeding skips what already exists.

The SQL side (the guide's `support` and `nyc_taxi` tables in database `demo` of the clusters in
DEMO_DATA_CLUSTERS) is loaded by server.Sandbox when it starts or resets the SQL endpoints.
"""

from __future__ import annotations

import functools

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

ClientFactory = Callable[[str, str], Any]  # (service, region) -> boto3 client

MASTER_USERNAME = "admin"
MASTER_PASSWORD = "sandbox-password"  # not a secret: the sandbox is local and throwaway
INSTANCE_CLASS = "db.r6g.large"
V2 = "5.7.mysql_aurora.2.11.2"
V3 = "8.0.mysql_aurora.3.08.0"
V3_SHARED = "8.0.mysql_aurora.3.06.0"
V3_BEDROCK = "8.0.mysql_aurora.3.10.1"

GLOBAL_CLUSTER = "ml-global"
ENDPOINT = "churn-predictor"
ENDPOINT_REGIONS = ("us-east-1", "us-west-2")
ANOMALY_ENDPOINT = "rcf-taxi"  # Random Cut Forest over demo.nyc_taxi (sql/demo_data.py)
# SageMaker endpoint → (its container image, the regions it is deployed in)
ENDPOINTS = {
    ENDPOINT: ("sagemaker-xgboost:1.7-1", ENDPOINT_REGIONS),
    ANOMALY_ENDPOINT: ("randomcutforest:1", ("us-east-1",)),
}
EXPORT_BUCKET = "ml-demo-exports"
EXPORT_KEY_ALIAS = "alias/ml-demo-exports"  # a customer managed KMS key in us-east-1, for setup s3 --kms-key
SAGEMAKER_ROLE = "sandbox-sagemaker-execution"
LAMBDA_FUNCTION = "ml-demo-notify"  # us-east-1, for lambda_sync / lambda_async (`setup lambda --function`)
LAMBDA_ROLE = "sandbox-lambda-execution"
# Its code, stored for GetFunction; the sandbox never runs it (lambda_invoke answers instead).
_LAMBDA_CODE = "def handler(event, context):\n    return {'statusCode': 200, 'event': event}\n"


@dataclass(frozen=True)
class SeedCluster:
    name: str
    version: str
    instances: int = 1  # named NAME-1 (the writer), NAME-2, ...
    group: str | None = None  # a custom cluster parameter group, else the engine's default
    region: str = "us-east-1"
    engine: str = "aurora-mysql"
    global_role: str | None = None  # "primary" or "secondary" of GLOBAL_CLUSTER
    extra: dict[str, Any] = field(default_factory=dict)  # further CreateDBCluster arguments


GROUPS = ("bedrock-ready-params", "shared-params")  # aurora-mysql8.0, us-east-1

CLUSTERS = (
    SeedCluster("ml-demo", V3, instances=2, extra={"ManageMasterUserPassword": True}),
    SeedCluster("legacy-v2", V2),
    SeedCluster("bedrock-ready", V3_BEDROCK, group="bedrock-ready-params"),
    SeedCluster("shared-a", V3_SHARED, group="shared-params"),
    SeedCluster("shared-b", V3_SHARED, group="shared-params"),
    SeedCluster("ml-global-use1", V3_BEDROCK, global_role="primary"),
    SeedCluster("ml-global-usw2", V3_BEDROCK, region="us-west-2", global_role="secondary"),
    # A Multi-AZ DB cluster (not Aurora) without instances: moto does not create its three.
    SeedCluster(
        "plain-mysql",
        "8.0.36",
        instances=0,
        engine="mysql",
        extra={
            "DBClusterInstanceClass": "db.m6gd.large", "AllocatedStorage": 100, "StorageType": "io1", "Iops": 1000
        },
    ),
)

# The clusters the sandbox serves SQL for: Aurora MySQL with a writer (a global secondary has none).
SQL_CLUSTERS = tuple(c for c in CLUSTERS if c.engine == "aurora-mysql" and c.instances and c.global_role != "secondary")
# The SQL clusters whose database `demo` holds the guide's example tables (sql/demo_data.py).
DEMO_DATA_CLUSTERS = ("ml-demo", "legacy-v2")

# What each describe says for a missing resource (SageMaker: "ValidationException: Could not find").
_NOT_FOUND = {
    "DBClusterNotFoundFault",
    "DBInstanceNotFound",
    "DBParameterGroupNotFound",
    "NoSuchEntity",
    "404",
    "ValidationException",
    "NotFoundException",  # KMS
    "ResourceNotFoundException",  # Lambda
}


def seed(clients: ClientFactory | Any) -> list[str]:
    """Create whatever of the demo set is missing; return what was created ("rds cluster ml-demo", ...).

    `clients` is a boto3 Session or a `(service, region) -> client` factory."""
    # One client per (service, region): building one costs ~45 ms, and seeding asks for 13.
    make = functools.lru_cache(maxsize=None)(
        clients if callable(clients) else lambda service, region: clients.client(service, region_name=region))
    created: list[str] = []
    rds = make("rds", "us-east-1")
    for group in GROUPS:
        if not _exists(lambda: rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=group)):
            rds.create_db_cluster_parameter_group(
                DBClusterParameterGroupName=group,
                DBParameterGroupFamily="aurora-mysql8.0",
                Description=f"sandbox: {group}",
            )
            created.append(f"rds cluster parameter group {group}")
    for cluster in CLUSTERS:
        created += _seed_cluster(make("rds", cluster.region), cluster)
    created += _seed_endpoints(make)
    created += _seed_function(make)
    created += seed_boundary(make("iam", "us-east-1"))
    s3 = make("s3", "us-east-1")
    if not _exists(lambda: s3.head_bucket(Bucket=EXPORT_BUCKET)):
        s3.create_bucket(Bucket=EXPORT_BUCKET)
        created.append(f"s3 bucket {EXPORT_BUCKET}")
    kms = make("kms", "us-east-1")
    if not _exists(lambda: kms.describe_key(KeyId=EXPORT_KEY_ALIAS)):
        key = kms.create_key(Description=f"sandbox: SSE-KMS for {EXPORT_BUCKET}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=EXPORT_KEY_ALIAS, TargetKeyId=key)
        created.append(f"kms key {EXPORT_KEY_ALIAS}")
    return created


def _seed_cluster(rds: Any, spec: SeedCluster) -> list[str]:
    created = []
    if not _exists(lambda: rds.describe_db_clusters(DBClusterIdentifier=spec.name)):
        rds.create_db_cluster(**_cluster_arguments(spec))
        created.append(f"rds cluster {spec.name} ({spec.region})")
    for number in range(1, spec.instances + 1):
        instance = f"{spec.name}-{number}"
        if not _exists(lambda: rds.describe_db_instances(DBInstanceIdentifier=instance)):
            rds.create_db_instance(
                DBInstanceIdentifier=instance,
                DBClusterIdentifier=spec.name,
                Engine=spec.engine,
                DBInstanceClass=INSTANCE_CLASS,
                PromotionTier=number,
            )
            created.append(f"rds instance {instance} ({spec.region})")
    if spec.global_role == "primary" and GLOBAL_CLUSTER not in _global_clusters(rds):
        arn = rds.describe_db_clusters(DBClusterIdentifier=spec.name)["DBClusters"][0]["DBClusterArn"]
        rds.create_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER, SourceDBClusterIdentifier=arn)
        created.append(f"rds global cluster {GLOBAL_CLUSTER}")
    return created


def _cluster_arguments(spec: SeedCluster) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "DBClusterIdentifier": spec.name,
        "Engine": spec.engine,
        "EngineVersion": spec.version,
        **spec.extra,
    }
    if spec.group:
        arguments["DBClusterParameterGroupName"] = spec.group
    if spec.global_role == "secondary":
        # A secondary takes its data, and its master user, from the primary.
        arguments["GlobalClusterIdentifier"] = GLOBAL_CLUSTER
    else:
        arguments["MasterUsername"] = MASTER_USERNAME
        if not spec.extra.get("ManageMasterUserPassword"):
            arguments["MasterUserPassword"] = MASTER_PASSWORD
    return arguments


def _global_clusters(rds: Any) -> set[str]:
    return {g["GlobalClusterIdentifier"] for g in rds.describe_global_clusters()["GlobalClusters"]}


def seed_boundary(iam: Any) -> list[str]:
    """The permissions boundary every role setup creates carries: what an administrator makes
    once on AWS (`auroraml iam-policy --bootstrap`), made here so setup runs as on a prepared account."""
    from ..core.operator_policy import BOUNDARY_NAME, boundary_document

    try:
        iam.create_policy(PolicyName=BOUNDARY_NAME, PolicyDocument=json.dumps(boundary_document()),
                          Description="Caps every role auroraml creates at Aurora's data-plane calls")
    except ClientError as error:
        if error.response["Error"]["Code"] == "EntityAlreadyExists":
            return []
        raise
    return [f"iam policy {BOUNDARY_NAME}"]


def _seed_endpoints(make: ClientFactory) -> list[str]:
    """churn-predictor in two regions, as a global database needs; rcf-taxi in us-east-1."""
    created = []
    iam = make("iam", "us-east-1")
    if not _exists(lambda: iam.get_role(RoleName=SAGEMAKER_ROLE)):
        principal = {"Service": "sagemaker.amazonaws.com"}
        statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        trust = {"Version": "2012-10-17", "Statement": [statement]}
        iam.create_role(RoleName=SAGEMAKER_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        created.append(f"iam role {SAGEMAKER_ROLE}")
    role_arn = iam.get_role(RoleName=SAGEMAKER_ROLE)["Role"]["Arn"]
    for name, (image_name, regions) in ENDPOINTS.items():
        for region in regions:
            sagemaker = make("sagemaker", region)
            if _exists(lambda: sagemaker.describe_endpoint(EndpointName=name)):
                continue
            image = f"683313688378.dkr.ecr.{region}.amazonaws.com/{image_name}"
            sagemaker.create_model(ModelName=name, ExecutionRoleArn=role_arn, PrimaryContainer={"Image": image})
            variant = {
                "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"
            }
            sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
            created.append(f"sagemaker endpoint {name} ({region})")
    return created


def _seed_function(make: ClientFactory) -> list[str]:
    """ml-demo-notify in us-east-1, with an execution role Lambda may assume."""
    import io
    import zipfile

    created = []
    lam = make("lambda", "us-east-1")
    if _exists(lambda: lam.get_function(FunctionName=LAMBDA_FUNCTION)):
        return created
    iam = make("iam", "us-east-1")
    if not _exists(lambda: iam.get_role(RoleName=LAMBDA_ROLE)):
        statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))
        created.append(f"iam role {LAMBDA_ROLE}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", _LAMBDA_CODE)
    lam.create_function(FunctionName=LAMBDA_FUNCTION, Runtime="python3.12", Handler="index.handler",
                        Role=iam.get_role(RoleName=LAMBDA_ROLE)["Role"]["Arn"], Code={"ZipFile": code.getvalue()},
                        Description="sandbox: notified by lambda_sync / lambda_async")
    created.append(f"lambda function {LAMBDA_FUNCTION} (us-east-1)")
    return created


def _exists(describe: Callable[[], Any]) -> bool:
    try:
        describe()
    except ClientError as error:
        if error.response["Error"]["Code"] in _NOT_FOUND:
            return False
        raise
    return True
