"""The operator policy `auroraml iam-policy` prints, read as an attacker would: each escalation
path is evaluated with the project's IAM evaluator (conditions included) and must be denied."""

from __future__ import annotations

import pytest

from auroraml_cli.core.catalogue import SERVICES
from auroraml_cli.core.checks import iam_eval
from auroraml_cli.core.operator_policy import (BOUNDARY_ACTIONS, Scope, boundary_arn, boundary_document, bootstrap,
                                               document)
from auroraml_cli.core.policies import permission_policy

ACCT = "123456789012"
IAM = f"arn:aws:iam::{ACCT}"
BOUNDARY = f"{IAM}:policy/AuroraMLBoundary"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ROLE = f"{IAM}:role/auroraml-y"
OWN_POLICY = f"{IAM}:policy/auroraml-x"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


# The printed policy with --account, and without (the boundary then named through ${aws:PrincipalAccount}).
@pytest.fixture(params=[ACCT, "*"], ids=["account", "no-account"])
def operator(request):
    return [document(account=request.param)]


def verdict(operator, action, resource, **context):
    return iam_eval.effective(operator, None, action, resource, {"aws:PrincipalAccount": ACCT, **context})


def test_the_four_call_chain_to_account_admin_is_closed(operator):
    # 1. write a policy auroraml-x allowing * on *: allowed — it is the operator's job to write auroraml-* policies...
    assert verdict(operator, "iam:CreatePolicy", OWN_POLICY) == "allowed"
    # 2. ...but a role auroraml-y comes only with the boundary,
    assert verdict(operator, "iam:CreateRole", ROLE) == "denied"  # no boundary at all
    assert verdict(operator, "iam:CreateRole", ROLE, **{"iam:PermissionsBoundary": ADMIN}) == "denied"
    assert verdict(operator, "iam:CreateRole", ROLE, **{"iam:PermissionsBoundary": BOUNDARY}) == "allowed"
    # 3. attaching auroraml-x to it is allowed, and leaves the role capped by the boundary:
    attach = {"iam:PolicyARN": OWN_POLICY, "iam:PermissionsBoundary": BOUNDARY}
    assert verdict(operator, "iam:AttachRolePolicy", ROLE, **attach) == "allowed"
    boundary = boundary_document()
    for action, resource in [("iam:CreateRole", f"{IAM}:role/x"), ("iam:AttachRolePolicy", f"{IAM}:role/x"),
                             ("sts:AssumeRole", f"{IAM}:role/x"), ("secretsmanager:GetSecretValue", "*"),
                             ("rds:ModifyDBCluster", "*"), ("ec2:RunInstances", "*")]:
        assert iam_eval.effective([ADMIN_DOC], boundary, action, resource) == "implicitDeny", action
    # 4. and the operator may not assume it, whatever its trust says.
    assert verdict(operator, "sts:AssumeRole", ROLE) == "denied"


def test_a_look_alike_boundary_at_a_path_of_the_operators_own_does_not_pass(operator):
    # A policy the operator may write (policy/auroraml-*), at path /auroraml-x:policy/ and named
    # AuroraMLBoundary: a wildcard account in the condition would have taken it for the boundary.
    fake = f"{IAM}:policy/auroraml-x:policy/AuroraMLBoundary"
    assert verdict(operator, "iam:CreatePolicy", fake) == "allowed"
    assert verdict(operator, "iam:CreateRole", ROLE, **{"iam:PermissionsBoundary": fake}) == "denied"
    assert verdict(operator, "iam:AttachRolePolicy", ROLE,
                   **{"iam:PolicyARN": OWN_POLICY, "iam:PermissionsBoundary": fake}) == "implicitDeny"


@pytest.mark.parametrize("policy_arn, role_boundary", [
    (ADMIN, BOUNDARY),  # an AWS managed policy, not auroraml's
    (f"{IAM}:policy/TeamAdmin", BOUNDARY),  # someone else's policy
    (OWN_POLICY, None),  # a role without the boundary (made before it existed, or by someone else)
    (OWN_POLICY, ADMIN),  # a role with another boundary
])
def test_attach_only_auroramls_policies_to_roles_with_the_boundary(operator, policy_arn, role_boundary):
    context = {"iam:PolicyARN": policy_arn, **({"iam:PermissionsBoundary": role_boundary} if role_boundary else {})}
    assert verdict(operator, "iam:AttachRolePolicy", ROLE, **context) == "implicitDeny"


@pytest.mark.parametrize("service", ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com"])
def test_passrole_to_another_service_is_denied(operator, service):
    assert verdict(operator, "iam:PassRole", ROLE, **{"iam:PassedToService": service}) == "implicitDeny"
    assert verdict(operator, "iam:PassRole", ROLE, **{"iam:PassedToService": "rds.amazonaws.com"}) == "allowed"
    assert verdict(operator, "iam:PassRole", f"{IAM}:role/Admin",
                   **{"iam:PassedToService": "rds.amazonaws.com"}) == "implicitDeny"


@pytest.mark.parametrize("action", ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion",
                                    "iam:DeletePolicy"])
@pytest.mark.parametrize("target", [BOUNDARY, f"{IAM}:policy/AuroraMLOperator"])
def test_the_boundary_and_the_operator_policy_cannot_be_rewritten(operator, action, target):
    assert verdict(operator, action, target) == "denied"


def test_a_new_version_of_an_attached_auroraml_policy_stays_under_the_boundary(operator):
    # CreatePolicyVersion on a policy attached to auroraml's roles is allowed (setup updates its
    # policies), and every such role carries the boundary: the new version cannot exceed it.
    assert verdict(operator, "iam:CreatePolicyVersion", OWN_POLICY) == "allowed"
    assert iam_eval.effective([ADMIN_DOC], boundary_document(), "iam:PutRolePolicy", ROLE) == "implicitDeny"


@pytest.mark.parametrize("action", ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"])
def test_the_boundary_cannot_be_removed_or_changed(operator, action):
    assert verdict(operator, action, ROLE, **{"iam:PermissionsBoundary": ADMIN}) == "denied"
    assert verdict(operator, action, ROLE, **{"iam:PermissionsBoundary": BOUNDARY}) == "denied"


def test_a_roles_trust_cannot_be_rewritten_by_the_operator(operator):
    # The path to a role made before the boundary existed: rewrite its trust, then its policy.
    assert verdict(operator, "iam:UpdateAssumeRolePolicy", ROLE) == "implicitDeny"


@pytest.mark.parametrize("action, resource", [
    ("iam:CreateRole", f"{IAM}:role/Admin"),
    ("iam:CreatePolicy", BOUNDARY),
    ("iam:CreatePolicy", f"{IAM}:policy/AuroraMLOperator"),
    ("iam:PutRolePolicy", ROLE),  # inline policies are never auroraml's
    ("iam:CreateUser", f"{IAM}:user/x"),
    ("iam:CreateAccessKey", f"{IAM}:user/admin"),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:prod/payments-AbCdEf"),
])
def test_nothing_outside_auroramls_names(operator, action, resource):
    assert verdict(operator, action, resource) == "implicitDeny"


def test_secrets_only_rds_managed_ones_and_those_given():
    rds_secret = f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:rds!cluster-12ab-XyZ123"
    mine = f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:app/db-AbCdEf"
    plain = [document(account=ACCT)]
    assert verdict(plain, "secretsmanager:GetSecretValue", rds_secret) == "allowed"
    assert verdict(plain, "secretsmanager:GetSecretValue", mine) == "implicitDeny"
    given = [document(account=ACCT, scope=Scope(secret_arns=[mine]))]
    assert verdict(given, "secretsmanager:GetSecretValue", mine) == "allowed"


def test_scoped_rds_writes_reach_only_the_clusters_named():
    rds = f"arn:aws:rds:us-east-1:{ACCT}"
    scope = Scope(clusters=[f"{rds}:cluster:ml-demo"], instances=[f"{rds}:db:ml-demo-1"],
                  parameter_groups=[f"{rds}:cluster-pg:auroraml-*"])
    scoped = [document(account=ACCT, scope=scope)]
    assert verdict(scoped, "rds:ModifyDBCluster", f"{rds}:cluster:ml-demo") == "allowed"
    assert verdict(scoped, "rds:ModifyDBCluster", f"{rds}:cluster:payments") == "implicitDeny"
    assert verdict(scoped, "rds:RebootDBInstance", f"{rds}:db:ml-demo-1") == "allowed"
    assert verdict(scoped, "rds:RebootDBInstance", f"{rds}:db:payments-1") == "implicitDeny"
    assert verdict(scoped, "rds:ModifyDBClusterParameterGroup", f"{rds}:cluster-pg:auroraml-ml-demo") == "allowed"
    assert verdict(scoped, "rds:ModifyDBClusterParameterGroup", f"{rds}:cluster-pg:payments") == "implicitDeny"


def test_the_boundary_allows_every_action_a_role_policy_of_setup_holds():
    """Derived from the policies setup writes, so a new action there fails here until the boundary has it."""
    boundary = boundary_document()
    kwargs = {"bedrock": {"model_arns": ["arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
                                         f"arn:aws:bedrock:us-east-1:{ACCT}:inference-profile/us.amazon.nova-lite-v1:0"]},
              "sagemaker": {"endpoints": ["churn-predictor"]},
              "s3": {"bucket": "b", "prefix": "p/", "kms_key": f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd"},
              "lambda": {"functions": [f"arn:aws:lambda:us-east-1:{ACCT}:function:notify"]}}
    for name, service in SERVICES.items():
        policy = permission_policy(service, partition="aws", account=ACCT, region="us-east-1", **kwargs.get(name, {}))
        for statement in policy["Statement"]:
            for action in iam_eval._list(statement["Action"]):
                assert action in BOUNDARY_ACTIONS, action
                for resource in iam_eval._list(statement["Resource"]):
                    assert iam_eval.decide([boundary], action, resource, {})[0] == "allowed", (action, resource)


def test_bootstrap_names_the_boundary_and_the_operator_policy_outside_the_operators_pattern():
    out = bootstrap(account=ACCT)
    assert out["boundary"]["Arn"] == boundary_arn("aws", ACCT) == BOUNDARY
    assert out["operator"]["PolicyDocument"] == document(account=ACCT)
    for name in (out["boundary"]["PolicyName"], out["operator"]["PolicyName"]):
        assert not name.lower().startswith("auroraml-")


def test_publishing_is_allowed_into_the_namespace_named_and_no_other():
    from auroraml_cli.core.operator_policy import Scope

    publishing = [document(("status",), account=ACCT, scope=Scope(publish_namespaces=["AuroraML"]))]
    assert verdict(publishing, "cloudwatch:PutMetricData", "*", **{"cloudwatch:namespace": "AuroraML"}) == "allowed"
    assert verdict(publishing, "cloudwatch:PutMetricData", "*", **{"cloudwatch:namespace": "AWS/RDS"}) == "implicitDeny"
    assert verdict([document(("status",), account=ACCT)], "cloudwatch:PutMetricData", "*",
                   **{"cloudwatch:namespace": "AuroraML"}) == "implicitDeny"
