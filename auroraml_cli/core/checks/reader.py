"""Every AWS read the checks make, each made once per resource and kept for the run.

Fleet mode checks many clusters on threads at once: clusters that share a parameter group, a
role, a VPC or a region's model catalogue read it once. A read that fails is remembered as its
exception and raised again to every caller, so a missing permission costs one call too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..aws import Aws, error_code
from ..catalogue import MANAGED_BY, TAG_MANAGED_BY
from ..iam import _doc, iam_client
from ..operator_policy import PREFIX

ROLE_PARAMETER_PREFIXES = ("aws_default_", "aurora_select_into_s3_role", "aurora_load_from_s3_role")
GROUP_PARAMETERS = ("binlog_format", "activate_all_roles_on_login", "aurora_ml_inference_timeout")


class Reader:
    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self._values: dict[tuple, Any] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def once(self, key: tuple, read: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, read())
                except Exception as exc:  # noqa: BLE001 - remembered, raised to every caller
                    self._values[key] = (False, exc)
        ok, value = self._values[key]
        if not ok:
            raise value
        return value

    # --- RDS -------------------------------------------------------------------------------

    def clusters(self, region: str) -> list[dict]:
        """Every DB cluster of the region (one paginated read, shared by fleet mode and by the
        shared-parameter-group check)."""
        def read() -> list[dict]:
            pages = self.aws.client("rds", region).get_paginator("describe_db_clusters").paginate()
            return [c for page in pages for c in page.get("DBClusters", [])]
        return self.once(("clusters", region), read)

    def instances(self, region: str) -> dict[str, dict]:
        def read() -> dict[str, dict]:
            pages = self.aws.client("rds", region).get_paginator("describe_db_instances").paginate()
            return {i["DBInstanceIdentifier"]: i for page in pages for i in page.get("DBInstances", [])}
        return self.once(("instances", region), read)

    def engine_version(self, region: str, version: str) -> dict | None:
        def read() -> dict | None:
            found = self.aws.client("rds", region).describe_db_engine_versions(Engine="aurora-mysql",
                                                                               EngineVersion=version)
            return (found.get("DBEngineVersions") or [None])[0]
        return self.once(("engine-version", region, version), read)

    def parameters(self, region: str, group: str) -> dict[str, str | None]:
        """The group's values of every role parameter and the few others the checks read."""
        def read() -> dict[str, str | None]:
            paginator = self.aws.client("rds", region).get_paginator("describe_db_cluster_parameters")
            out: dict[str, str | None] = {}
            for page in paginator.paginate(DBClusterParameterGroupName=group):
                for p in page.get("Parameters", []):
                    name = p["ParameterName"]
                    if name.startswith(ROLE_PARAMETER_PREFIXES) or name in GROUP_PARAMETERS:
                        out[name] = p.get("ParameterValue")
            return out
        return self.once(("parameters", region, group), read)

    def global_cluster(self, ident: str, region: str) -> dict | None:
        def read() -> dict | None:
            found = self.aws.client("rds", region).describe_global_clusters(GlobalClusterIdentifier=ident)
            return (found.get("GlobalClusters") or [None])[0]
        return self.once(("global", ident), read)

    def subnet_group(self, region: str, name: str) -> dict | None:
        def read() -> dict | None:
            try:
                found = self.aws.client("rds", region).describe_db_subnet_groups(DBSubnetGroupName=name)
            except Exception as exc:
                if error_code(exc) == "DBSubnetGroupNotFoundFault":
                    return None
                raise
            return (found.get("DBSubnetGroups") or [None])[0]
        return self.once(("subnet-group", region, name), read)

    # --- IAM -------------------------------------------------------------------------------

    def role(self, arn: str) -> dict | None:
        """The role (trust policy decoded) and the documents of every policy it holds, or None."""
        def read() -> dict | None:
            iam = iam_client(self.aws, arn)
            name = arn.rsplit("/", 1)[-1]
            try:
                role = iam.get_role(RoleName=name)["Role"]
            except Exception as exc:
                if error_code(exc) == "NoSuchEntity":
                    return None
                raise
            documents = []
            for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                documents.append(self.policy_document(attached["PolicyArn"]))
            for inline in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                documents.append(_doc(iam.get_role_policy(RoleName=name, PolicyName=inline)["PolicyDocument"]))
            tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
            return {"arn": role["Arn"], "trust": _doc(role["AssumeRolePolicyDocument"]), "documents": documents,
                    "boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                    "managed": tags.get(TAG_MANAGED_BY) == MANAGED_BY or role["RoleName"].startswith(PREFIX)}
        return self.once(("role", arn), read)

    def policy_document(self, arn: str) -> dict:
        def read() -> dict:
            iam = iam_client(self.aws, arn)
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
            version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
            return _doc(version["Document"])
        return self.once(("policy", arn), read)

    def simulate(self, role_arn: str, actions: tuple[str, ...], resources: tuple[str, ...]) -> dict[tuple[str, str], str]:
        """IAM's own verdict per (action, resource): "allowed", "explicitDeny", "implicitDeny"."""
        def read() -> dict[tuple[str, str], str]:
            iam = iam_client(self.aws, role_arn)
            out: dict[tuple[str, str], str] = {}
            for page in iam.get_paginator("simulate_principal_policy").paginate(
                    PolicySourceArn=role_arn, ActionNames=list(actions), ResourceArns=list(resources)):
                for result in page.get("EvaluationResults", []):
                    out[(result["EvalActionName"], result.get("EvalResourceName", "*"))] = result["EvalDecision"]
            return out
        return self.once(("simulate", role_arn, actions, resources), read)

    # --- EC2 -------------------------------------------------------------------------------

    def security_groups(self, region: str, ids: tuple[str, ...]) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_security_groups(GroupIds=list(ids))["SecurityGroups"]
        return self.once(("security-groups", region, ids), read)

    def route_tables(self, region: str, vpc: str) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_route_tables(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        return self.once(("route-tables", region, vpc), read)

    def vpc_endpoints(self, region: str, vpc: str) -> list[dict]:
        def read() -> list[dict]:
            return self.aws.client("ec2", region).describe_vpc_endpoints(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
        return self.once(("vpc-endpoints", region, vpc), read)

    # --- the ML services -------------------------------------------------------------------

    def foundation_model(self, region: str, model_id: str) -> dict | None:
        def read() -> dict | None:
            try:
                return self.aws.client("bedrock", region).get_foundation_model(modelIdentifier=model_id)["modelDetails"]
            except Exception as exc:
                if error_code(exc) in ("ResourceNotFoundException", "ValidationException"):
                    return None
                raise
        return self.once(("model", region, model_id), read)

    def model_availability(self, region: str, model_id: str) -> dict:
        def read() -> dict:
            return self.aws.client("bedrock", region).get_foundation_model_availability(modelId=model_id)
        return self.once(("model-availability", region, model_id), read)

    def sagemaker_endpoint(self, region: str, name: str) -> dict | None:
        def read() -> dict | None:
            try:
                return self.aws.client("sagemaker", region).describe_endpoint(EndpointName=name)
            except Exception as exc:
                if error_code(exc) in ("ValidationException", "ResourceNotFound"):
                    return None
                raise
        return self.once(("endpoint", region, name), read)

    def lambda_function(self, region: str, name: str) -> dict | None:
        def read() -> dict | None:
            try:
                return self.aws.client("lambda", region).get_function(FunctionName=name)["Configuration"]
            except Exception as exc:
                if error_code(exc) == "ResourceNotFoundException":
                    return None
                raise
        return self.once(("lambda-function", region, name), read)
