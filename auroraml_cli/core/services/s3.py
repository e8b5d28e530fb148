"""Amazon S3: SELECT INTO OUTFILE S3 / LOAD DATA FROM S3 on one bucket (and folder), with an
optional customer managed KMS key."""

from __future__ import annotations

from typing import Any

from .base import Service, statement

OBJECT_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
                  "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
KMS_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


class S3(Service):
    def statements(self, *, partition: str, account: str, region: str, bucket: str | None = None, prefix: str = "",
                   kms_key: str | None = None, **_: Any) -> list[dict]:
        """A prefix is a folder (names.s3_prefix gives it without slashes): objects under `PREFIX/`
        and listing of `PREFIX/` and below only, so `ml` does not reach `ml-backups/` or `mlflow/`."""
        bucket_arn = f"arn:{partition}:s3:::{bucket or ''}"
        folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        list_stmt = statement("AuroraMLListBucket", ["s3:ListBucket"], [bucket_arn])
        if folder:
            # Aurora lists the prefix it writes to; keep listing to that folder too.
            list_stmt["Condition"] = {"StringLike": {"s3:prefix": [folder, f"{folder}*"]}}
        statements = [list_stmt, statement("AuroraMLObjects", list(OBJECT_ACTIONS), [f"{bucket_arn}/{folder}*"])]
        if kms_key:
            statements.append(statement("AuroraMLKms", list(KMS_ACTIONS), [kms_key]))
        return statements

    def resolve(self, aws, cluster, version, req) -> dict[str, Any]:
        return {"bucket": req.bucket, "prefix": req.prefix, "kms_key": kms_key_arn(aws, req.kms_key, cluster, version)}


def kms_key_arn(aws, kms_key: str | None, cluster, version) -> str | None:
    """The key ARN the policy grants GenerateDataKey/Decrypt on: resolved in the cluster's region,
    refused for an AWS managed key (S3 uses it without a grant) and below Aurora MySQL 3.05."""
    from .. import kms
    from ..errors import UsageError

    if not kms_key:
        return None
    key = kms.resolve(aws, kms_key, cluster.region, cluster.partition)
    if key.aws_managed:
        raise UsageError(f"KMS key {key.arn} is AWS managed: Aurora uses it through S3 without a grant in the role",
                         "drop --kms-key (or name a customer managed key)")
    kms.require_engine_support(key, version, f"cluster {cluster.id}")
    return key.arn


SPEC = S3(
    name="s3",
    title="Amazon S3 (SELECT INTO OUTFILE S3 / LOAD DATA FROM S3)",
    minimum={"2": (2,), "3": (3,), "8.4": (8, 4)},
    parameters={
        "2": ("aurora_select_into_s3_role", "aurora_load_from_s3_role"),
        "3": ("aws_default_s3_role",),
        "8.4": ("aws_default_s3_role",),
    },
    db_roles=("AWS_SELECT_S3_ACCESS", "AWS_LOAD_S3_ACCESS"),
    v2_privileges=("SELECT INTO S3", "LOAD FROM S3"),
    iam_actions=("s3:ListBucket", *OBJECT_ACTIONS),
    endpoint_service="s3",
    vpc_endpoint="s3",
    vpc_endpoint_type="Gateway",
    extra_iam_actions={"kms": KMS_ACTIONS},
    aurora_ml=False,
    options=("--bucket", "--prefix", "--kms-key"),
    required="--bucket",
    required_hint="the policy is scoped to that bucket (and --prefix, if given)",
    placeholder="BUCKET",
    checked_actions=("s3:PutObject", "s3:GetObject"),
    sandbox="moto's S3 and KMS; INTO OUTFILE S3 / LOAD ... FROM S3 in sandbox/sql",
)
