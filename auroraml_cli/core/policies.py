"""IAM documents for Aurora ML: least-privilege permission policies and the RDS trust policy.

Pure functions over the service specs (core/services/): no AWS calls, so the same inputs always give the same
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
    admits any RDS resource of this account in the cluster's region (the Aurora ML reference in the auroraml repository, docs/reference/ §4.1).
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


def permission_policy(service: Service, *, partition: str, account: str, region: str, **resources: Any) -> dict[str, Any]:
    """The role's permission policy: the statements the service's spec builds for `resources`
    (model_arns, endpoints, bucket/prefix/kms_key, functions: what its `resolve` returns)."""
    return {"Version": VERSION, "Statement": service.statements(partition=partition, account=account, region=region,
                                                                 **resources)}


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
