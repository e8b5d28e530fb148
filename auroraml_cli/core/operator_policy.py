"""The IAM permissions the person (or pipeline) running auroraml needs, per command.

`auroraml iam-policy` prints them as a policy document. A test runs every command against the
sandbox and fails if any AWS call it makes is missing here, so the list cannot fall behind.
IAM objects are scoped to the names auroraml derives (`auroraml-*`); RDS describes and the ML
services' reads take no useful resource scoping and use "*".
"""

from __future__ import annotations

from typing import Any

_RDS_READ = ("rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeDBEngineVersions",
             "rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters", "rds:DescribeGlobalClusters")
_IAM_READ = ("iam:GetRole", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListAttachedRolePolicies",
             "iam:ListPolicyVersions")
_CONNECT = ("secretsmanager:GetSecretValue",)  # the cluster's managed master secret, or --secret-arn
_WHO = ("sts:GetCallerIdentity",)  # who made the change, for the change journal (needs no grant, listed for audit)

# command → actions. Tags are written with the objects (CreateRole/CreatePolicy/CreateDBCluster-
# ParameterGroup with Tags), which IAM and RDS authorise as TagRole/TagPolicy/AddTagsToResource.
ACTIONS: dict[str, tuple[str, ...]] = {
    "setup": (*_RDS_READ, *_IAM_READ, *_WHO, "rds:CreateDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup",
              "rds:ModifyDBCluster", "rds:AddRoleToDBCluster", "rds:RebootDBInstance", "rds:AddTagsToResource",
              "rds:ListTagsForResource", "iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:CreatePolicy",
              "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:AttachRolePolicy",
              "iam:PassRole", "bedrock:GetFoundationModel", "bedrock:GetInferenceProfile",
              "sagemaker:DescribeEndpoint", "kms:DescribeKey"),
    "teardown": (*_RDS_READ, *_IAM_READ, *_WHO, "rds:ResetDBClusterParameterGroup", "rds:RemoveRoleFromDBCluster",
                 "rds:RebootDBInstance", "iam:DetachRolePolicy", "iam:DeleteRole", "iam:DeletePolicyVersion",
                 "iam:DeletePolicy"),
    "check": (*_RDS_READ, *_IAM_READ, *_CONNECT, "rds:DescribeDBSubnetGroups", "iam:ListRolePolicies",
              "iam:GetRolePolicy", "iam:SimulatePrincipalPolicy", "ec2:DescribeSecurityGroups",
              "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints", "bedrock:GetFoundationModel",
              "bedrock:GetFoundationModelAvailability", "sagemaker:DescribeEndpoint"),
    "grant": ("rds:DescribeDBClusters", *_CONNECT),
    "revoke": ("rds:DescribeDBClusters", *_CONNECT),
    "ddl": ("rds:DescribeDBClusters", *_CONNECT),
    "export": ("rds:DescribeDBClusters", "kms:DescribeKey", *_CONNECT),
    "explain": ("rds:DescribeDBClusters", *_CONNECT),
    "status": ("rds:DescribeDBClusters", "rds:DescribeDBInstances", *_CONNECT),
}
COMMANDS = tuple(ACTIONS)
_IAM_SCOPED = {"iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:AttachRolePolicy",
               "iam:DetachRolePolicy", "iam:DeleteRole", "iam:PassRole", "iam:GetRole", "iam:ListAttachedRolePolicies",
               "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:SimulatePrincipalPolicy"}
_POLICY_SCOPED = {"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy",
                  "iam:TagPolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"}


def actions_for(commands: tuple[str, ...] = COMMANDS) -> list[str]:
    return sorted({a for c in commands for a in ACTIONS[c]})


def document(commands: tuple[str, ...] = COMMANDS, partition: str = "aws", account: str = "*",
             prefix: str = "auroraml-") -> dict[str, Any]:
    """The policy: roles and policies limited to `prefix`* (check reads roles by whatever name the
    parameter holds: widen those reads if your roles were not made by auroraml)."""
    wanted = actions_for(commands)
    roles = [a for a in wanted if a in _IAM_SCOPED]
    policies = [a for a in wanted if a in _POLICY_SCOPED]
    rest = [a for a in wanted if a not in _IAM_SCOPED and a not in _POLICY_SCOPED]
    statements = []
    if rest:
        statements.append({"Sid": "AuroraMLOperator", "Effect": "Allow", "Action": rest, "Resource": "*"})
    if roles:
        statement: dict[str, Any] = {"Sid": "AuroraMLRoles", "Effect": "Allow", "Action": roles,
                                     "Resource": f"arn:{partition}:iam::{account}:role/{prefix}*"}
        statements.append(statement)
    if policies:
        statements.append({"Sid": "AuroraMLPolicies", "Effect": "Allow", "Action": policies,
                           "Resource": f"arn:{partition}:iam::{account}:policy/{prefix}*"})
    if "iam:PassRole" in roles:
        # PassRole only towards RDS: the role is for the cluster, not for anything else.
        statements.append({"Sid": "AuroraMLPassRoleToRds", "Effect": "Deny", "Action": "iam:PassRole",
                           "Resource": f"arn:{partition}:iam::{account}:role/{prefix}*",
                           "Condition": {"StringNotEquals": {"iam:PassedToService": "rds.amazonaws.com"}}})
    return {"Version": "2012-10-17", "Statement": statements}
