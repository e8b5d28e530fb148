"""What a service spec holds, and the rules every service shares, written once.

A spec is one row per service (bedrock.py, comprehend.py, ...): its versions, parameters, database
roles and privileges, IAM actions and how their resources are built, the setup options it takes,
the VPC endpoint it needs, its checks and its SQL. Plans, checks and commands read the spec and
never branch on a service's name (tests/core/test_service_spec.py enforces it). Every fact comes
from the Aurora ML reference in the auroraml repository, docs/reference/, with its source there.

Specs are plain data plus a few methods; AWS look-ups (`resolve`) import what they need when
called, so importing the catalogue stays cheap (the CLI imports it to list service names).
"""

from __future__ import annotations

from typing import Any

from ..records import Frozen
from ..versions import AuroraVersion

# Regions where Aurora ML (Comprehend, SageMaker, Bedrock) is not offered at all (the Aurora ML
# regions page); S3 and Lambda integration are not Aurora ML and are not limited by this list.
AURORA_ML_UNAVAILABLE_REGIONS = frozenset(
    {"af-south-1", "eu-south-1", "ap-southeast-6", "ap-east-2", "ap-southeast-7", "mx-central-1"}
)
# Regions where Aurora ML needs a newer engine than the service minimum; None: the generation has
# none there at all (the Aurora ML regions page).
REGIONAL_MINIMUM: dict[str, dict[str, tuple[int, ...] | None]] = {
    "ap-northeast-3": {"2": (2, 7, 3)},  # Osaka
    "ap-southeast-5": {"2": None, "3": (3, 4)},  # Malaysia: no v2
}

# The setup options that name what a role may reach, in the order they are reported.
SETUP_OPTIONS = ("--model-id", "--endpoint", "--bucket", "--prefix", "--kms-key", "--function")


def statement(sid: str, actions: list[str] | tuple[str, ...], resources: list[str]) -> dict[str, Any]:
    """One Allow statement; a single action or resource is written as a string, as IAM shows it."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions) if len(actions) > 1 else actions[0],
        "Resource": sorted(resources) if len(resources) > 1 else resources[0],
    }


def regional_minimum(region: str, version: AuroraVersion) -> tuple[int, ...] | None:
    """The engine the region needs for this generation: () none beyond the service's, None: no such
    generation in the region."""
    return REGIONAL_MINIMUM.get(region, {}).get(version.generation, ())


class Service(Frozen):
    """One service's spec (keyword arguments only; a field left out takes the default shown)."""

    __slots__ = ("name", "title", "minimum", "parameters", "db_roles", "v2_privileges", "iam_actions",
                 "endpoint_service", "feature_name", "vpc_endpoint", "vpc_endpoint_type", "extra_iam_actions",
                 "aurora_ml", "options", "required", "required_hint", "placeholder", "checked_actions", "checks",
                 "ddl_alias", "ddl_target_clause", "ddl_target_attr", "ddl_target_label", "ddl_refusal",
                 "builtin_functions", "builtin_call", "probe_sql", "unbatched_reason", "sandbox")
    name: str
    title: str
    # Minimum Aurora version per generation; a generation missing here is not supported at all.
    minimum: dict[str, tuple[int, ...]]
    # Cluster parameters that must name the role, per generation.
    parameters: dict[str, tuple[str, ...]]
    db_roles: tuple[str, ...]  # v3 / 8.4 built-in roles
    v2_privileges: tuple[str, ...]  # v2 privileges, granted ON *.*
    iam_actions: tuple[str, ...]
    # The botocore service whose endpoint data says which regions offer it (None: every region).
    endpoint_service: str | None
    # The value AddRoleToDBCluster takes as FeatureName when the engine lists it in
    # SupportedFeatureNames; Aurora MySQL docs never pass one otherwise (terraform-provider-aws#44140).
    feature_name: str | None
    # The VPC endpoint service a cluster without a route out needs: com.amazonaws.REGION.<this>.
    vpc_endpoint: str
    vpc_endpoint_type: str  # "Interface" or "Gateway" (S3)
    extra_iam_actions: dict[str, tuple[str, ...]]
    # Aurora machine learning proper: AURORA_ML_UNAVAILABLE_REGIONS applies.
    aurora_ml: bool

    # setup: the options it takes (of SETUP_OPTIONS), the one it needs, and how to ask for it.
    options: tuple[str, ...]
    required: str | None
    required_hint: str
    placeholder: str  # the required option's value in a command written for the operator to fill in

    # check: the actions asked of IAM for the role (default: iam_actions; the first also finds
    # the resources the role's policy names), and the checks of what the role reaches.
    checked_actions: tuple[str, ...]
    checks: tuple[str, ...]  # "model" | "endpoint" | "function": core/checks/aws_side.py

    # SQL: the ALIAS its own functions are made with (`auroraml ddl`), the clause naming the
    # target, the Function attribute holding it and how a literal of it is described.
    ddl_alias: str | None
    ddl_target_clause: str
    ddl_target_attr: str
    ddl_target_label: str
    ddl_refusal: tuple[str, str]  # (message, hint) when the engine is too old
    # Built-in SQL functions that call the service, and a pattern finding a call to one.
    builtin_functions: tuple[str, ...]
    builtin_call: str | None
    probe_sql: str | None  # `check --probe`: a call that needs no function of one's own
    unbatched_reason: str | None  # explain: why Aurora never batches its calls (None: it may)

    # The sandbox's stand-in for the service (auroraml_cli/sandbox/...).
    sandbox: str

    def __init__(
        self, *, name: str, title: str, minimum: dict[str, tuple[int, ...]], parameters: dict[str, tuple[str, ...]],
        db_roles: tuple[str, ...], v2_privileges: tuple[str, ...], iam_actions: tuple[str, ...],
        endpoint_service: str | None, feature_name: str | None = None, vpc_endpoint: str = "",
        vpc_endpoint_type: str = "Interface", extra_iam_actions: dict[str, tuple[str, ...]] | None = None,
        aurora_ml: bool = True, options: tuple[str, ...] = (), required: str | None = None, required_hint: str = "",
        placeholder: str = "", checked_actions: tuple[str, ...] = (), checks: tuple[str, ...] = (),
        ddl_alias: str | None = None, ddl_target_clause: str = "", ddl_target_attr: str = "", ddl_target_label: str = "",
        ddl_refusal: tuple[str, str] = ("", ""), builtin_functions: tuple[str, ...] = (), builtin_call: str | None = None,
        probe_sql: str | None = None, unbatched_reason: str | None = None, sandbox: str = "",
    ) -> None:
        self._init(name, title, minimum, parameters, db_roles, v2_privileges, iam_actions, endpoint_service, feature_name,
                   vpc_endpoint, vpc_endpoint_type, {} if extra_iam_actions is None else extra_iam_actions, aurora_ml,
                   options, required, required_hint, placeholder, checked_actions or iam_actions, checks, ddl_alias,
                   ddl_target_clause, ddl_target_attr, ddl_target_label, ddl_refusal, builtin_functions, builtin_call,
                   probe_sql, unbatched_reason, sandbox)

    # --- versions and regions ------------------------------------------------------------------
    def supported_by(self, version: AuroraVersion) -> bool:
        minimum = self.minimum.get(version.generation)
        return minimum is not None and version.at_least(minimum)

    def minimum_text(self) -> str:
        parts = []
        for gen, numbers in self.minimum.items():
            if numbers in ((8, 4), (2,), (3,)):
                parts.append(f"any {gen}.x" if gen != "8.4" else "any 8.4")
            else:
                parts.append(".".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers)))
        return " / ".join(parts)

    def parameters_for(self, version: AuroraVersion) -> tuple[str, ...]:
        return self.parameters[version.generation]

    def blocked_in(self, region: str) -> bool:
        """The region offers no Aurora ML, and this service is Aurora ML."""
        return self.aurora_ml and region in AURORA_ML_UNAVAILABLE_REGIONS

    # --- the role's policy ---------------------------------------------------------------------
    def statements(self, *, partition: str, account: str, region: str, **resources: Any) -> list[dict[str, Any]]:
        """The permission policy's statements, scoped to `resources` (what `resolve` returns)."""
        raise NotImplementedError(self.name)

    def resolve(self, aws, cluster, version: AuroraVersion, req) -> dict[str, Any]:
        """setup: check that what the policy will name exists where the cluster can reach it, and
        return it as `statements` takes it. `req` is the SetupRequest."""
        return {}

    # --- check ---------------------------------------------------------------------------------
    def scope_targets(self, scope) -> tuple[str, ...]:
        """What `check` was asked about for this service (a check Scope): models, endpoints, ..."""
        return ()

    def scope_resources(self, partition: str, region: str, account: str, scope) -> list[str] | None:
        """The resources the role must reach, for `check`; None: those the role's policy names."""
        return None

    def target_flag(self, target: str) -> str:
        """The setup option naming one target, as it is added to a fix: ` --endpoint churn`."""
        return f" {self.required} {target}" if self.required else ""

    def setup_flags(self, scope) -> str:
        """The setup options that would repair a scope check."""
        return "".join(self.target_flag(t) for t in self.scope_targets(scope)) or self.target_flag(self.placeholder)

    def function_request(self, partition: str, region: str, account: str, target: str) -> tuple[str, list[str], str]:
        """(action, resource ARNs, what the target is) an ALIAS function of this service asks IAM for."""
        raise NotImplementedError(self.name)
