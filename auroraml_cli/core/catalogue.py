"""The Aurora ML vocabulary, in one table.

Every fact here comes from docs/reference/aurora-ml.md §1-3. setup, teardown, check, grant
and ddl all read this table; adding Lambda means adding a row. Parameter names differ per
generation (CDK shipped the wrong S3 name for v3, aws/aws-cdk#19126), so they are keyed by it
and tested per generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UsageError
from .versions import AuroraVersion


@dataclass(frozen=True)
class Service:
    name: str
    title: str
    # Minimum Aurora version per generation; a generation missing here is not supported at all.
    minimum: dict[str, tuple[int, ...]]
    # Cluster parameters that must name the role, per generation.
    parameters: dict[str, tuple[str, ...]]
    db_roles: tuple[str, ...]  # v3 / 8.4 built-in roles
    v2_privileges: tuple[str, ...]  # v2 privileges, granted ON *.*
    iam_actions: tuple[str, ...]
    # The botocore service whose endpoint data says which regions offer it (None: every region).
    endpoint_service: str | None
    # The value AddRoleToDBCluster takes as FeatureName when the engine lists it in
    # SupportedFeatureNames; Aurora MySQL docs never pass one otherwise (terraform-provider-aws#44140).
    feature_name: str | None = None
    # The VPC endpoint service a cluster without a route out needs: com.amazonaws.REGION.<this>.
    vpc_endpoint: str = ""
    extra_iam_actions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def supported_by(self, version: AuroraVersion) -> bool:
        minimum = self.minimum.get(version.generation)
        return minimum is not None and version.at_least(minimum)

    def minimum_text(self) -> str:
        parts = []
        for gen, numbers in self.minimum.items():
            if numbers in ((8, 4), (2,), (3,)):
                parts.append(f"any {gen}.x" if gen != "8.4" else "any 8.4")
            else:
                parts.append(".".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers)))
        return " / ".join(parts)

    def parameters_for(self, version: AuroraVersion) -> tuple[str, ...]:
        return self.parameters[version.generation]


_V3_AND_84 = ("3", "8.4")


def _same(gens: tuple[str, ...], value: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {g: value for g in gens}


SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        Service(
            name="bedrock",
            vpc_endpoint="bedrock-runtime",
            title="Amazon Bedrock",
            minimum={"3": (3, 6), "8.4": (8, 4)},
            parameters=_same(_V3_AND_84, ("aws_default_bedrock_role",)),
            db_roles=("AWS_BEDROCK_ACCESS",),
            v2_privileges=(),
            iam_actions=("bedrock:InvokeModel",),
            endpoint_service="bedrock",  # bedrock-runtime has no region list in botocore's endpoint data
            feature_name="Bedrock",
        ),
        Service(
            name="comprehend",
            vpc_endpoint="comprehend",
            title="Amazon Comprehend",
            minimum={"2": (2, 7), "3": (3, 1), "8.4": (8, 4)},
            parameters={"2": ("aws_default_comprehend_role",), **_same(_V3_AND_84, ("aws_default_comprehend_role",))},
            db_roles=("AWS_COMPREHEND_ACCESS",),
            v2_privileges=("INVOKE COMPREHEND",),
            iam_actions=("comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"),
            endpoint_service="comprehend",
        ),
        Service(
            name="sagemaker",
            vpc_endpoint="sagemaker.runtime",
            title="Amazon SageMaker",
            minimum={"2": (2, 7), "3": (3, 1), "8.4": (8, 4)},
            parameters={"2": ("aws_default_sagemaker_role",), **_same(_V3_AND_84, ("aws_default_sagemaker_role",))},
            db_roles=("AWS_SAGEMAKER_ACCESS",),
            v2_privileges=("INVOKE SAGEMAKER",),
            iam_actions=("sagemaker:InvokeEndpoint",),
            endpoint_service="sagemaker-runtime",
        ),
        Service(
            name="s3",
            vpc_endpoint="s3",
            title="Amazon S3 (SELECT INTO OUTFILE S3 / LOAD DATA FROM S3)",
            minimum={"2": (2,), "3": (3,), "8.4": (8, 4)},
            parameters={
                "2": ("aurora_select_into_s3_role", "aurora_load_from_s3_role"),
                **_same(_V3_AND_84, ("aws_default_s3_role",)),
            },
            db_roles=("AWS_SELECT_S3_ACCESS", "AWS_LOAD_S3_ACCESS"),
            v2_privileges=("SELECT INTO S3", "LOAD FROM S3"),
            iam_actions=(
                "s3:ListBucket",
                "s3:PutObject",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ),
            endpoint_service="s3",
            extra_iam_actions={"kms": ("kms:GenerateDataKey", "kms:Decrypt")},
        ),
    )
}

SERVICE_NAMES: tuple[str, ...] = tuple(SERVICES)

# Regions where Aurora ML (Comprehend / SageMaker) is not offered at all (Regions-doc).
AURORA_ML_UNAVAILABLE_REGIONS = frozenset(
    {"af-south-1", "eu-south-1", "ap-southeast-6", "ap-east-2", "ap-southeast-7", "mx-central-1"}
)
# Regions where Aurora ML needs a newer engine than the service minimum (Regions-doc).
REGIONAL_MINIMUM: dict[str, dict[str, tuple[int, ...] | None]] = {
    "ap-northeast-3": {"2": (2, 7, 3)},  # Osaka
    "ap-southeast-5": {"2": None, "3": (3, 4)},  # Malaysia: no v2
}

# Every parameter auroraml may set, across services and generations: teardown and check use it.
ALL_ROLE_PARAMETERS = frozenset(p for s in SERVICES.values() for names in s.parameters.values() for p in names)

# Tags on everything setup creates, so teardown and check touch only what is ours.
TAG_MANAGED_BY = "auroraml:managed-by"
TAG_CLUSTER = "auroraml:cluster"
TAG_SERVICE = "auroraml:service"
MANAGED_BY = "auroraml"


def get_service(name: str) -> Service:
    try:
        return SERVICES[name.lower()]
    except KeyError:
        raise UsageError(f"unknown service {name!r}", f"choose one of: {', '.join(SERVICE_NAMES)}") from None
