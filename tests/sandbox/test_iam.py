"""IAM DeletePolicy refuses, as on AWS, while the policy is attached or has old versions."""

from __future__ import annotations

import json

import pytest
from sandbox_support import RDS_TRUST, error_code

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}


@pytest.fixture
def policy(iam):
    return iam.create_policy(PolicyName="ml", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]


@pytest.mark.parametrize("entity", ["role", "user", "group"])
def test_attached_policy_cannot_be_deleted_until_detached(iam, policy, entity):
    if entity == "role":
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))
        attach, detach, name = iam.attach_role_policy, iam.detach_role_policy, {"RoleName": "r"}
    elif entity == "user":
        iam.create_user(UserName="u")
        attach, detach, name = iam.attach_user_policy, iam.detach_user_policy, {"UserName": "u"}
    else:
        iam.create_group(GroupName="g")
        attach, detach, name = iam.attach_group_policy, iam.detach_group_policy, {"GroupName": "g"}
    attach(PolicyArn=policy, **name)
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_policy(PolicyArn=policy)
    assert error_code(excinfo) == "DeleteConflict"
    detach(PolicyArn=policy, **name)
    iam.delete_policy(PolicyArn=policy)
    assert iam.list_policies(Scope="Local")["Policies"] == []


@pytest.mark.parametrize("entity", ["role", "user", "group"])
def test_attaching_twice_is_one_attachment(iam, policy, entity):
    """A repeated AttachRolePolicy (its first answer lost, say) changes nothing on AWS: one detach
    then lets the policy be deleted."""
    kind = entity.capitalize()
    {"role": lambda: iam.create_role(RoleName="x", AssumeRolePolicyDocument=json.dumps(RDS_TRUST)),
     "user": lambda: iam.create_user(UserName="x"), "group": lambda: iam.create_group(GroupName="x")}[entity]()
    attach, detach = getattr(iam, f"attach_{entity}_policy"), getattr(iam, f"detach_{entity}_policy")
    attach(PolicyArn=policy, **{f"{kind}Name": "x"})
    attach(PolicyArn=policy, **{f"{kind}Name": "x"})
    assert iam.get_policy(PolicyArn=policy)["Policy"]["AttachmentCount"] == 1
    detach(PolicyArn=policy, **{f"{kind}Name": "x"})
    iam.delete_policy(PolicyArn=policy)


def test_policy_with_old_versions_cannot_be_deleted(iam, policy):
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=json.dumps(POLICY), SetAsDefault=True)
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=policy)
    iam.delete_policy_version(PolicyArn=policy, VersionId="v1")
    iam.delete_policy(PolicyArn=policy)


def test_missing_policy_is_still_no_such_entity(iam):
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_policy(PolicyArn="arn:aws:iam::123456789012:policy/nope")
