"""The IAM permissions the person (or pipeline) running auroraml needs, per command, and the
permissions boundary every role auroraml creates carries.

`auroraml iam-policy` prints the operator's policy; `--bootstrap` prints what an administrator
creates once (the boundary and the operator policy). A test runs every command against the
sandbox and fails if any AWS call it makes is missing here, so the list cannot fall behind.

The operator may create roles and policies named `auroraml-*` — that is the job — so the policy
follows AWS's pattern for delegating IAM administration with a permissions boundary:
- CreateRole only with `iam:PermissionsBoundary` equal to the boundary (BOUNDARY_NAME), which caps
  every role at the data-plane calls Aurora makes (InvokeModel, DetectSentiment, InvokeEndpoint,
  S3 objects, KMS data keys, InvokeFunction), whatever policy is attached to it;
- AttachRolePolicy only of auroraml's own policies (`iam:PolicyARN`) to a role with that boundary;
- no Put/DeleteRolePermissionsBoundary, no write to the boundary or to the operator policy (both
  named outside `auroraml-*`, and denied explicitly as well);
- PassRole only to rds.amazonaws.com; no sts:AssumeRole of auroraml's roles;
- no UpdateAssumeRolePolicy: a role's trust is written when the role is created (with the
  boundary). Rewriting the trust of an existing role is how a role made before the boundary
  existed would be taken over; setup's repair of a changed trust is left to an administrator.

With `--iam-auth --db-user USER` the commands that connect to the database get `rds-db:connect`
on `arn:PARTITION:rds-db:REGION:ACCOUNT:dbuser:CLUSTER_RESOURCE_ID/USER` (RDS IAM database
authentication: the token is checked against it at login), for the clusters given (their
DbClusterResourceId) or any cluster.

With `--publish cloudwatch [--namespace NAME]`, `status` also gets `cloudwatch:PutMetricData`
(for `status --watch --publish cloudwatch`), on the condition `cloudwatch:namespace` equals NAME
(default AuroraML): the operator can publish into that namespace and no other. Without it, the
policy has no CloudWatch action at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERSION = "2012-10-17"
BOUNDARY_NAME = "AuroraMLBoundary"  # outside the `auroraml-*` names the operator may write
OPERATOR_POLICY_NAME = "AuroraMLOperator"  # likewise: an operator must not write its own policy
PREFIX = "auroraml-"

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
              "rds:ListTagsForResource", "iam:CreateRole", "iam:TagRole", "iam:CreatePolicy",
              "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:AttachRolePolicy",
              "iam:PassRole", "bedrock:GetFoundationModel", "bedrock:GetInferenceProfile",
              "sagemaker:DescribeEndpoint", "kms:DescribeKey", "lambda:GetFunction"),
    "teardown": (*_RDS_READ, *_IAM_READ, *_WHO, "rds:ResetDBClusterParameterGroup", "rds:RemoveRoleFromDBCluster",
                 "rds:RebootDBInstance", "iam:DetachRolePolicy", "iam:DeleteRole", "iam:DeletePolicyVersion",
                 "iam:DeletePolicy"),
    "check": (*_RDS_READ, *_IAM_READ, *_CONNECT, "rds:DescribeDBSubnetGroups", "iam:ListRolePolicies",
              "iam:GetRolePolicy", "iam:SimulatePrincipalPolicy", "ec2:DescribeSecurityGroups",
              "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints", "bedrock:GetFoundationModel",
              "bedrock:GetFoundationModelAvailability", "sagemaker:DescribeEndpoint", "lambda:GetFunction"),
    "grant": ("rds:DescribeDBClusters", *_CONNECT),
    "revoke": ("rds:DescribeDBClusters", *_CONNECT),
    "ddl": ("rds:DescribeDBClusters", *_CONNECT),
    "export": ("rds:DescribeDBClusters", "kms:DescribeKey", *_CONNECT),
    "explain": ("rds:DescribeDBClusters", *_CONNECT),
    "status": ("rds:DescribeDBClusters", "rds:DescribeDBInstances", *_CONNECT),
}
COMMANDS = tuple(ACTIONS)
# What `status --watch --publish TARGET` adds, granted only when asked for (`iam-policy --publish`):
# PutMetricData has no resource type; the statement is held to the namespaces named
# (the cloudwatch:namespace condition key).
PUBLISH_ACTIONS: dict[str, tuple[str, ...]] = {"cloudwatch": ("cloudwatch:PutMetricData",)}
# The commands that log in to the database (with --iam-auth: rds-db:connect).
CONNECTING = ("check", "grant", "revoke", "ddl", "export", "explain", "status")

# The data-plane calls Aurora makes with the roles auroraml creates (the Aurora ML reference in the auroraml repository, docs/reference/ §1): the
# boundary allows these and nothing else. Every action a role policy of `setup` can hold must be
# here (a test derives them from policies.permission_policy).
BOUNDARY_ACTIONS = ("bedrock:InvokeModel", "comprehend:DetectSentiment", "comprehend:BatchDetectSentiment",
                    "sagemaker:InvokeEndpoint", "s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion",
                    "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                    "kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction")


@dataclass
class Scope:
    """Which resources the operator may change: None for every one of the account's.
    clusters / instances / parameter_groups are ARNs (see commands/iam_policy.py)."""

    clusters: list[str] | None = None
    instances: list[str] | None = None
    parameter_groups: list[str] | None = None
    secret_arns: list[str] = field(default_factory=list)
    db_users: list[str] = field(default_factory=list)  # --iam-auth: the database users to connect as
    db_clusters: list[tuple[str, str]] | None = None  # (region, DbClusterResourceId); None: any cluster
    publish_namespaces: list[str] = field(default_factory=list)  # --publish cloudwatch: its namespaces


def actions_for(commands: tuple[str, ...] = COMMANDS) -> list[str]:
    return sorted({a for c in commands for a in ACTIONS[c]})


def boundary_arn(partition: str = "aws", account: str = "*") -> str:
    return f"arn:{partition}:iam::{account}:policy/{BOUNDARY_NAME}"


def operator_policy_arn(partition: str = "aws", account: str = "*") -> str:
    return f"arn:{partition}:iam::{account}:policy/{OPERATOR_POLICY_NAME}"


def boundary_document(partition: str = "aws") -> dict[str, Any]:
    """The most any role auroraml creates may do: Aurora's data-plane calls, on their resource types."""
    p = partition
    by_prefix = {
        "bedrock": [f"arn:{p}:bedrock:*::foundation-model/*", f"arn:{p}:bedrock:*:*:inference-profile/*"],
        "comprehend": ["*"],  # DetectSentiment takes no resource ARN
        "sagemaker": [f"arn:{p}:sagemaker:*:*:endpoint/*"],
        "s3": [f"arn:{p}:s3:::*"],
        "kms": [f"arn:{p}:kms:*:*:key/*"],
        "lambda": [f"arn:{p}:lambda:*:*:function:*"],
    }
    statements = []
    for prefix, resources in by_prefix.items():
        actions = sorted(a for a in BOUNDARY_ACTIONS if a.split(":")[0] == prefix)
        statements.append({"Sid": f"AuroraML{prefix.capitalize()}DataPlane", "Effect": "Allow", "Action": actions,
                           "Resource": resources[0] if len(resources) == 1 else resources})
    return {"Version": VERSION, "Statement": statements}


# Which statement each action belongs to (actions not named here are reads left on "*").
_KIND = {
    **dict.fromkeys(("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy",
                     "iam:SimulatePrincipalPolicy"), "role-read"),
    **dict.fromkeys(("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"), "policy-read"),
    "iam:CreateRole": "create-role",
    "iam:AttachRolePolicy": "attach",
    "iam:DetachRolePolicy": "detach",
    **dict.fromkeys(("iam:TagRole", "iam:DeleteRole"), "role-write"),
    "iam:PassRole": "pass-role",
    **dict.fromkeys(("iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy",
                     "iam:TagPolicy"), "policy-write"),
    **dict.fromkeys(("rds:AddRoleToDBCluster", "rds:RemoveRoleFromDBCluster"), "cluster-write"),
    "rds:ModifyDBCluster": "switch-group",
    **dict.fromkeys(("rds:CreateDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup",
                     "rds:ResetDBClusterParameterGroup", "rds:AddTagsToResource"), "group-write"),
    "rds:RebootDBInstance": "reboot",
    "secretsmanager:GetSecretValue": "secret",
}


def document(commands: tuple[str, ...] = COMMANDS, partition: str = "aws", account: str = "*",
             scope: Scope | None = None) -> dict[str, Any]:
    """The operator's policy. IAM objects are limited to `auroraml-*` (check reads roles by
    whatever name the parameter holds: widen those reads if your roles were not made by auroraml);
    RDS writes to `scope` (default: the account's clusters, instances and parameter groups)."""
    scope = scope or Scope()
    wanted = actions_for(commands)
    p, acct = partition, account
    role = f"arn:{p}:iam::{acct}:role/{PREFIX}*"
    policy = f"arn:{p}:iam::{acct}:policy/{PREFIX}*"
    # The boundary named exactly: with no account given, the caller's own (a policy variable). A
    # wildcard would let a policy of the operator's own, at a path such as /auroraml-x:policy/
    # named AuroraMLBoundary, pass for it.
    boundary = boundary_arn(p, acct if acct != "*" else "${aws:PrincipalAccount}")
    rds = f"arn:{p}:rds:*:{acct}"
    clusters = scope.clusters if scope.clusters is not None else [f"{rds}:cluster:*"]
    instances = scope.instances if scope.instances is not None else [f"{rds}:db:*"]
    groups = scope.parameter_groups if scope.parameter_groups is not None else [f"{rds}:cluster-pg:*"]
    secrets = [f"arn:{p}:secretsmanager:*:{acct}:secret:rds!*", *scope.secret_arns]

    def pick(kind: str | None) -> list[str]:
        return [a for a in wanted if _KIND.get(a) == kind]

    statements: list[dict[str, Any]] = []

    def allow(sid: str, actions: list[str], resources: list[str], condition: dict | None = None) -> None:
        if actions:
            statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions,
                                         "Resource": resources[0] if len(resources) == 1 else resources}
            if condition:
                statement["Condition"] = condition
            statements.append(statement)

    allow("AuroraMLRead", pick(None), ["*"])
    allow("AuroraMLReadRoles", pick("role-read"), [role])
    allow("AuroraMLReadPolicies", pick("policy-read"), [policy, boundary_arn(p, acct)] if "iam:GetPolicy" in wanted
          else [policy])
    allow("AuroraMLCreateRoleWithBoundary", pick("create-role"), [role], {"StringEquals": {"iam:PermissionsBoundary": boundary}})
    allow("AuroraMLAttachOwnPolicies", pick("attach"), [role],
          {"ArnLike": {"iam:PolicyARN": policy}, "StringEquals": {"iam:PermissionsBoundary": boundary}})
    allow("AuroraMLDetachOwnPolicies", pick("detach"), [role], {"ArnLike": {"iam:PolicyARN": policy}})
    allow("AuroraMLRoles", pick("role-write"), [role])
    allow("AuroraMLPassRoleToRds", pick("pass-role"), [role], {"StringEquals": {"iam:PassedToService": "rds.amazonaws.com"}})
    allow("AuroraMLPolicies", pick("policy-write"), [policy])
    allow("AuroraMLClusters", pick("cluster-write"), clusters)
    # ModifyDBCluster that switches the cluster's group is authorised on the cluster and on that group.
    allow("AuroraMLSwitchParameterGroup", pick("switch-group"), clusters + groups)
    allow("AuroraMLParameterGroups", pick("group-write"), groups)
    allow("AuroraMLReboot", pick("reboot"), instances)
    allow("AuroraMLSecrets", pick("secret"), secrets)
    if scope.db_users and any(c in CONNECTING for c in commands):
        targets = scope.db_clusters if scope.db_clusters is not None else [("*", "*")]
        allow("AuroraMLConnectWithIAM", ["rds-db:connect"],
              [f"arn:{p}:rds-db:{region}:{acct}:dbuser:{resource}/{user}" for region, resource in targets
               for user in scope.db_users])
    if scope.publish_namespaces and "status" in commands:
        names = list(dict.fromkeys(scope.publish_namespaces))
        allow("AuroraMLPublishMetrics", list(PUBLISH_ACTIONS["cloudwatch"]), ["*"],
              {"StringEquals": {"cloudwatch:namespace": names[0] if len(names) == 1 else names}})
    if any(_KIND.get(a, "").endswith("write") or _KIND.get(a) in ("create-role", "attach", "pass-role")
           for a in wanted):
        statements += _denies(p, acct, role, boundary)
    return {"Version": VERSION, "Statement": statements}


def _denies(p: str, acct: str, role: str, boundary: str) -> list[dict[str, Any]]:
    """Explicit denies, so no other policy the operator holds reopens what this one closes."""
    return [
        {"Sid": "AuroraMLNoBoundaryOrOperatorPolicyEdit", "Effect": "Deny",
         "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                    "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
         "Resource": [boundary_arn(p, acct), operator_policy_arn(p, acct)]},
        {"Sid": "AuroraMLNoBoundaryChange", "Effect": "Deny",
         "Action": ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"], "Resource": role},
        {"Sid": "AuroraMLNoRoleWithoutBoundary", "Effect": "Deny", "Action": "iam:CreateRole", "Resource": role,
         "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary}}},
        {"Sid": "AuroraMLNoAssumingItsRoles", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": role},
    ]


def bootstrap(partition: str = "aws", account: str = "*", commands: tuple[str, ...] = COMMANDS,
              scope: Scope | None = None) -> dict[str, Any]:
    """What an administrator creates once, before anyone runs auroraml with the operator policy."""
    operator = document(commands, partition, account, scope)
    boundary = boundary_document(partition)
    acct = account if account != "*" else "ACCOUNT"
    return {
        "boundary": {"PolicyName": BOUNDARY_NAME, "Arn": boundary_arn(partition, acct),
                     "Description": "Caps every role auroraml creates at Aurora's data-plane calls",
                     "PolicyDocument": boundary},
        "operator": {"PolicyName": OPERATOR_POLICY_NAME, "Arn": operator_policy_arn(partition, acct),
                     "Description": "What the operator running auroraml needs", "PolicyDocument": operator},
        "steps": [
            "auroraml iam-policy --boundary > boundary.json",
            f"aws iam create-policy --policy-name {BOUNDARY_NAME} --policy-document file://boundary.json",
            f"auroraml iam-policy{'' if account == '*' else ' --account ' + account} > operator.json"
            "   # with the same --command / --cluster / --secret-arn as this bootstrap",
            f"aws iam create-policy --policy-name {OPERATOR_POLICY_NAME} --policy-document file://operator.json",
            f"aws iam attach-role-policy --role-name OPERATOR_ROLE --policy-arn {operator_policy_arn(partition, acct)}"
            "   # or attach-user-policy / attach-group-policy",
            "every auroraml-* role made before the boundary existed (auroraml check reports them): aws iam "
            f"put-role-permissions-boundary --role-name ROLE --permissions-boundary {boundary_arn(partition, acct)}",
        ],
    }
