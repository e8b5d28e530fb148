"""setup's AWS half as a CloudFormation template (JSON: no YAML library needed, and CloudFormation
reads it as it is).

The stack makes the managed policy (attached to the role through the policy's `Roles`), the role
with its confused-deputy trust and permissions boundary, and the custom DB cluster parameter group
with the parameters naming the role. The cluster itself is not the stack's: the role association
is a property of AWS::RDS::DBCluster (`AssociatedRoles`) and there is no resource of its own, and
neither is the cluster's switch to the group (`DBClusterParameterGroupName`). Importing a running
cluster into a stack to change those would hand the whole cluster to the template, so both are
left to the follow-up `auroraml setup`, listed in the template's Metadata and on stderr. A
parameter group that exists already (the cluster's own custom group, or --parameter-group naming
one) cannot be created by a stack: it is left out, and the follow-up sets its parameters.
AWS::IAM::ManagedPolicy has no Tags property (cfn-lint E3002), so the policy alone is untagged:
the stack owns it, and teardown (which deletes only tagged objects) leaves it to the stack.
"""

from __future__ import annotations

import json

POLICY, ROLE, GROUP = "AuroraMLPolicy", "AuroraMLRole", "AuroraMLParameterGroup"


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def template(half, steps) -> dict:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Aurora ML {half.service} for Aurora cluster {half.cluster} in {half.region} "
                       "(written by auroraml setup --emit cloudformation)",
        "Metadata": {
            "auroraml": {
                "cluster": half.cluster, "region": half.region, "account": half.account, "service": half.service,
                "NotInThisTemplate": "the role association and the cluster's switch to the parameter group "
                                     "(the cluster is not this stack's), the reboots, grants and functions",
                "ThenRun": [{"Command": s.command, "Does": s.why} for s in steps],
            },
        },
        "Resources": {
            POLICY: {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": half.policy_name,
                    "Description": half.description,
                    "PolicyDocument": half.policy_document,
                    "Roles": [{"Ref": ROLE}],
                },
            },
            ROLE: {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": half.role_name,
                    "Description": half.description,
                    "AssumeRolePolicyDocument": half.trust,
                    "PermissionsBoundary": half.boundary,
                    "Tags": _tags(half.tags),
                },
            },
            GROUP: {
                "Type": "AWS::RDS::DBClusterParameterGroup",
                "Properties": {
                    "DBClusterParameterGroupName": half.parameter_group,
                    "Description": half.group_description,
                    "Family": half.family,
                    "Parameters": {name: value for name, (value, _method) in half.parameters.items()},
                    "Tags": _tags(half.tags),
                },
            },
        },
        "Outputs": {
            "RoleArn": {"Description": "the role Aurora assumes", "Value": {"Fn::GetAtt": [ROLE, "Arn"]}},
            "PolicyArn": {"Description": "the role's least-privilege policy", "Value": {"Ref": POLICY}},
            "ParameterGroupName": {"Description": "the cluster parameter group to switch the cluster to",
                                   "Value": {"Ref": GROUP}},
        },
    }
    if half.group_exists:
        del doc["Resources"][GROUP], doc["Outputs"]["ParameterGroupName"]
        doc["Metadata"]["auroraml"]["NotInThisTemplate"] += (
            f"; the parameter group {half.parameter_group}, which exists already (the follow-up sets its parameters)")
    return doc


def render(half, steps) -> str:
    return json.dumps(template(half, steps), indent=2) + "\n"
