"""Writing the IAM role and policy that Aurora assumes (only what setup needs); reading them is the
process's reader's (core/reader.py), which read_policy and read_role present as setup sees them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .aws import Aws, error_code
from .catalogue import MANAGED_BY, TAG_MANAGED_BY
from .policies import same_document
from .reader import iam_client

MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


@dataclass
class IamObject:
    """What exists now: None fields when the object does not exist."""

    arn: str
    exists: bool = False
    document: Any = None
    tags: dict[str, str] = field(default_factory=dict)
    attached: set[str] = field(default_factory=set)  # roles: ARNs of attached managed policies
    boundary: str | None = None  # roles: the ARN of the permissions boundary, if any

    @property
    def ours(self) -> bool:
        return self.tags.get(TAG_MANAGED_BY) == MANAGED_BY


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def read_policy(aws: Aws, arn: str) -> IamObject:
    policy = aws.reader.policy(arn)
    if policy is None:
        return IamObject(arn)
    return IamObject(arn, True, aws.reader.policy_document(arn), dict(policy.tags))


def read_role(aws: Aws, name: str, arn: str) -> IamObject:
    role = aws.reader.role(arn)
    if role is None:
        return IamObject(arn)
    return IamObject(role.arn, True, role.trust, dict(role.tags), set(role.attached), role.boundary)


def policy_exists(aws: Aws, arn: str) -> bool:
    return aws.reader.policy(arn) is not None


def _is_ours_already(found: IamObject, document: Any, tags: dict[str, str]) -> bool:
    """After EntityAlreadyExists: is it what this very call made (its first answer lost, botocore
    sent it again)? Only with our tags and the same document; anything else is someone's object."""
    return found.exists and same_document(found.document, document) and all(
        found.tags.get(k) == v for k, v in tags.items())


def create_policy(aws: Aws, name: str, arn: str, document: Any, tags: dict[str, str], description: str) -> None:
    try:
        iam_client(aws, arn).create_policy(PolicyName=name, PolicyDocument=json.dumps(document),
                                           Description=description, Tags=tag_list(tags))
    except Exception as exc:
        if error_code(exc) != "EntityAlreadyExists" or not _is_ours_already(read_policy(aws, arn), document, tags):
            raise


def replace_policy_document(aws: Aws, arn: str, document: Any) -> None:
    """New default version; the oldest non-default version goes first when IAM's five are used."""
    iam = iam_client(aws, arn)
    versions = aws.reader.policy_versions(arn)
    if len(versions) >= MAX_POLICY_VERSIONS:
        oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
        iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
    try:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    except Exception as exc:
        # Its first answer lost, the call sent again meets the version limit: done if the first made it.
        if error_code(exc) != "LimitExceeded" or not same_document(read_policy(aws, arn).document, document):
            raise


def create_role(aws: Aws, name: str, arn: str, trust: Any, tags: dict[str, str], description: str,
                boundary: str) -> None:
    """With the permissions boundary: the operator policy allows CreateRole only with it."""
    try:
        iam_client(aws, arn).create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                                         Description=description, Tags=tag_list(tags), PermissionsBoundary=boundary)
    except Exception as exc:
        if error_code(exc) != "EntityAlreadyExists" or not _is_ours_already(read_role(aws, name, arn), trust, tags):
            raise


def _gone_already(call, **kwargs) -> None:
    """A removal whose object is already gone is done: its first answer was lost and botocore sent
    it again, or someone removed it since the plan was read."""
    try:
        call(**kwargs)
    except Exception as exc:
        if error_code(exc) != "NoSuchEntity":
            raise


def replace_trust(aws: Aws, name: str, arn: str, trust: Any) -> None:
    iam_client(aws, arn).update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))


def attach(aws: Aws, role_name: str, role_arn: str, policy_arn: str) -> None:
    iam_client(aws, role_arn).attach_role_policy(RoleName=role_name, PolicyArn=policy_arn)


def detach(aws: Aws, role_name: str, role_arn: str, policy_arn: str) -> None:
    _gone_already(iam_client(aws, role_arn).detach_role_policy, RoleName=role_name, PolicyArn=policy_arn)


def delete_role(aws: Aws, role_name: str, role_arn: str) -> None:
    _gone_already(iam_client(aws, role_arn).delete_role, RoleName=role_name)


def delete_policy(aws: Aws, policy_arn: str) -> None:
    """Delete the non-default versions first: IAM refuses to delete a policy that has any."""
    iam = iam_client(aws, policy_arn)
    try:
        versions = aws.reader.policy_versions(policy_arn)
    except Exception as exc:
        if error_code(exc) == "NoSuchEntity":
            return
        raise
    for version in versions:
        if not version["IsDefaultVersion"]:
            _gone_already(iam.delete_policy_version, PolicyArn=policy_arn, VersionId=version["VersionId"])
    _gone_already(iam.delete_policy, PolicyArn=policy_arn)
