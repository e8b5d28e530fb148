"""The checks' view of the process's one AWS reader (core/reader.py), in the shapes the checks read.

Every read is the reader's, made once per resource and kept for the run: fleet mode checks many
clusters on threads at once, and clusters that share a parameter group, a role, a VPC or a
region's model catalogue read it once. A read that fails is remembered as its exception and
raised again to every caller, so a missing permission costs one call too. This module only
presents the answers (the raw API dicts the checks were written against, and a RoleView: the role
with the documents of every policy it holds); it makes no call of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..aws import Aws
from ..operator_policy import PREFIX

ROLE_PARAMETER_PREFIXES = ("aws_default_", "aurora_select_into_s3_role", "aurora_load_from_s3_role")
GROUP_PARAMETERS = ("binlog_format", "activate_all_roles_on_login", "aurora_ml_inference_timeout")


@dataclass(frozen=True)
class RoleView:
    """A role as the checks judge it: its trust policy, the documents of every policy it holds
    (attached, then inline), its permissions boundary's ARN, and whether auroraml manages it."""

    arn: str
    trust: Any
    documents: tuple[Any, ...]
    boundary: str | None
    managed: bool

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


class Reader:
    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.core = aws.reader

    # --- RDS -------------------------------------------------------------------------------

    def clusters(self, region: str) -> list[dict]:
        """Every DB cluster of the region (one paginated read, shared by fleet mode and by the
        shared-parameter-group check)."""
        return [c.raw for c in self.core.clusters(region)]

    def instances(self, region: str) -> dict[str, dict]:
        return {ident: i.raw for ident, i in self.core.instances(region).items()}

    def engine_version(self, region: str, version: str) -> dict | None:
        found = self.core.engine_version(region, version)
        return None if found is None else found.raw

    def parameters(self, region: str, group: str) -> dict[str, str | None]:
        """The group's values of every role parameter and the few others the checks read."""
        return {name: p.value for name, p in self.core.parameters(region, group).items()
                if name.startswith(ROLE_PARAMETER_PREFIXES) or name in GROUP_PARAMETERS}

    def global_cluster(self, ident: str, region: str) -> dict | None:
        return self.core.global_cluster(ident, region)

    def subnet_group(self, region: str, name: str) -> dict | None:
        return self.core.subnet_group(region, name)

    # --- IAM -------------------------------------------------------------------------------

    def role(self, arn: str) -> RoleView | None:
        """The role (trust policy decoded) and the documents of every policy it holds, or None."""
        role = self.core.role(arn)
        if role is None:
            return None
        documents = [self.core.policy_document(a) for a in sorted(role.attached)]
        documents += list(self.core.role_policies(arn).values())
        return RoleView(role.arn, role.trust, tuple(documents), role.boundary, role.ours or role.name.startswith(PREFIX))

    def policy_document(self, arn: str) -> Any:
        return self.core.policy_document(arn)

    def simulate(self, role_arn: str, actions: tuple[str, ...], resources: tuple[str, ...]) -> dict[tuple[str, str], str]:
        """IAM's own verdict per (action, resource): "allowed", "explicitDeny", "implicitDeny"."""
        return self.core.simulate(role_arn, actions, resources)

    # --- EC2 -------------------------------------------------------------------------------

    def security_groups(self, region: str, ids: tuple[str, ...]) -> list[dict]:
        return self.core.security_groups(region, ids)

    def route_tables(self, region: str, vpc: str) -> list[dict]:
        return self.core.route_tables(region, vpc)

    def vpc_endpoints(self, region: str, vpc: str) -> list[dict]:
        return self.core.vpc_endpoints(region, vpc)

    # --- the ML services -------------------------------------------------------------------

    def foundation_model(self, region: str, model_id: str) -> dict | None:
        return self.core.foundation_model(region, model_id)

    def model_availability(self, region: str, model_id: str) -> dict:
        return self.core.model_availability(region, model_id)

    def sagemaker_endpoint(self, region: str, name: str) -> dict | None:
        return self.core.sagemaker_endpoint(region, name)

    def lambda_function(self, region: str, name: str) -> dict | None:
        return self.core.lambda_function(region, name)
