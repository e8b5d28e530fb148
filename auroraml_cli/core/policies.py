"""IAM documents for Aurora ML: least-privilege permission policies and the RDS trust policy.

Pure functions over the catalogue: no AWS calls, so the same inputs always give the same
document, which is what lets a second `setup` compare and find nothing to do.
"""

from __future__ import annotations

import json
from typing import Any

from .catalogue import Service

VERSION = "2012-10-17"


def trust_policy(partition: str, account: str, region: str) -> dict[str, Any]:
    """Trusted by rds.amazonaws.com, with confused-deputy conditions.

    Whether Aurora ML passes the cluster ARN as aws:SourceArn is undocumented, so the condition
    admits any RDS resource of this account in the cluster's region (docs/reference/aurora-ml.md §4.1).
    """
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:rds:{region}:{account}:*"},
                },
            }
        ],
    }


def _statement(sid: str, actions: list[str] | tuple[str, ...], resources: list[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions) if len(actions) > 1 else actions[0],
        "Resource": sorted(resources) if len(resources) > 1 else resources[0],
    }


def permission_policy(
    service: Service,
    *,
    partition: str,
    account: str,
    region: str,
    model_arns: list[str] = (),  # type: ignore[assignment]
    endpoints: list[str] = (),  # type: ignore[assignment]
    bucket: str | None = None,
    prefix: str = "",
    kms_key: str | None = None,
) -> dict[str, Any]:
    if service.name == "bedrock":
        statements = [_statement("AuroraMLInvokeBedrock", service.iam_actions, list(model_arns))]
    elif service.name == "comprehend":
        # Comprehend's sentiment actions take no resource ARN: "*" is the only value that works.
        statements = [_statement("AuroraMLComprehend", service.iam_actions, ["*"])]
    elif service.name == "sagemaker":
        # Endpoint ARNs carry the name in lower case, whatever case it was created with.
        arns = [f"arn:{partition}:sagemaker:{region}:{account}:endpoint/{e.lower()}" for e in endpoints]
        statements = [_statement("AuroraMLInvokeSageMaker", service.iam_actions, arns)]
    elif service.name == "s3":
        statements = _s3_statements(partition, bucket or "", prefix, kms_key)
    else:  # pragma: no cover - the catalogue and this function grow together
        raise ValueError(service.name)
    return {"Version": VERSION, "Statement": statements}


def _s3_statements(partition: str, bucket: str, prefix: str, kms_key: str | None) -> list[dict[str, Any]]:
    """A prefix is a folder (names.s3_prefix gives it without slashes): objects under `PREFIX/`
    and listing of `PREFIX/` and below only, so `ml` does not reach `ml-backups/` or `mlflow/`."""
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    objects = f"{bucket_arn}/{folder}*"
    list_stmt = _statement("AuroraMLListBucket", ["s3:ListBucket"], [bucket_arn])
    if folder:
        # Aurora lists the prefix it writes to; keep listing to that folder too.
        list_stmt["Condition"] = {"StringLike": {"s3:prefix": [folder, f"{folder}*"]}}
    statements = [
        list_stmt,
        _statement(
            "AuroraMLObjects",
            ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
             "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            [objects],
        ),
    ]
    if kms_key:
        statements.append(_statement("AuroraMLKms", ["kms:GenerateDataKey", "kms:Decrypt"], [kms_key]))
    return statements


def same_document(a: Any, b: Any) -> bool:
    """Compare two policy documents the way IAM does: order of lists and one-element lists aside."""
    return _normal(a) == _normal(b)


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        if len(items) == 1:
            return items[0]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value
