"""The plan behind `auroraml setup SERVICE`: IAM policy and role, association, parameter group,
parameters, reboots — read first, then each step planned or found unchanged.

Order (the Aurora ML reference in the auroraml repository, docs/reference/ §4): policy → role → attach → associate (wait ACTIVE) → custom parameter
group → aws_default_* parameters → reboot writer, then readers, each until `in-sync`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import iam, rds
from .aws import Aws
from .catalogue import MANAGED_BY, TAG_CLUSTER, TAG_MANAGED_BY, TAG_SERVICE, Service
from .cluster import PENDING_REBOOT, Cluster, describe, require_aurora_mysql
from .errors import ConfigError, UsageError
from .names import POLICY_NAME_MAX, ROLE_NAME_MAX, derived_name
from .operator_policy import boundary_arn
from .plan import PLANNED, SKIPPED, UNCHANGED, Plan, Step, command_line
from .policies import permission_policy, same_document, trust_policy
from .services.base import SETUP_OPTIONS, regional_minimum
from .versions import AuroraVersion

@dataclass
class SetupRequest:
    service: Service
    cluster: str
    model_ids: list[str] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)
    bucket: str | None = None
    prefix: str = ""
    kms_key: str | None = None
    functions: list[str] = field(default_factory=list)
    role_name: str | None = None
    policy_name: str | None = None
    parameter_group: str | None = None
    allow_shared: bool = False
    reboot: bool = False
    wait: bool = True
    timeout: float = 1800.0
    poll_interval: float = 5.0
    global_: bool = False
    permissions_boundary: str | None = None  # default: operator_policy.BOUNDARY_NAME in the cluster's account

    def options_given(self) -> dict[str, object]:
        """Each setup option (services.base.SETUP_OPTIONS) and what it was given."""
        return {"--model-id": self.model_ids, "--endpoint": self.endpoints, "--bucket": self.bucket,
                "--prefix": self.prefix, "--kms-key": self.kms_key, "--function": self.functions}

    def validate(self) -> None:
        """What can be refused without asking AWS: the service's required options, and no other's."""
        service, given = self.service, self.options_given()
        if service.required and not given[service.required]:
            raise UsageError(f"setup {service.name} needs {service.required}", service.required_hint)
        wrong = [flag for flag in SETUP_OPTIONS if given[flag] and flag not in service.options]
        if wrong:
            raise UsageError(f"{', '.join(wrong)} does not apply to {service.name}")


@dataclass
class AwsHalf:
    """What setup makes on AWS for one cluster, whole — not only what is still missing: the plan's
    `desired`, which `setup --emit` writes as CloudFormation or Terraform (core/emit/). Filled in
    while planning, from the same reads and the same policy and trust builders as apply."""

    service: str
    cluster: str
    region: str
    account: str
    partition: str
    tags: dict[str, str]
    description: str  # the policy's and the role's
    policy_name: str
    policy_arn: str
    role_name: str
    role_arn: str
    boundary: str
    policy_document: dict = field(default_factory=dict)
    trust: dict = field(default_factory=dict)
    policy_exists: bool = False
    role_exists: bool = False
    attached: bool = False
    association: str | None = None  # the association's status now (None: not associated)
    parameter_group: str = ""  # the custom group setup uses
    current_group: str = ""  # the group the cluster uses now
    group_description: str = ""
    group_exists: bool = False
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (value, ApplyMethod)
    members: list[str] = field(default_factory=list)  # writer first: the reboot order
    family: str | None = None  # resolved by complete()
    feature_name: str | None = None  # resolved by complete()
    _complete: object = field(default=None, repr=False)

    def complete(self) -> "AwsHalf":
        """Resolve what apply reads only when it runs (the group's family, the association's
        FeatureName): reads, never writes."""
        if callable(self._complete):
            self._complete(self)
            self._complete = None
        return self


def plan_setup(aws: Aws, req: SetupRequest) -> Plan:
    req.validate()
    first = describe(aws, req.cluster)
    clusters = global_members(aws, first) if req.global_ else [first]
    plan = Plan("setup", {"service": req.service.name, "cluster": first.id, "region": first.region,
                          "account": first.account, "partition": first.partition,
                          "clusters": [c.id for c in clusters],
                          "regions": list(dict.fromkeys(c.region for c in clusters))})  # --global: each it touches
    for cluster in clusters:
        _plan_cluster(aws, req, cluster, plan)
    return plan


def global_members(aws: Aws, cluster: Cluster) -> list[Cluster]:
    """Every member cluster of the global database, each read in its own region."""
    if not cluster.global_cluster_id:
        raise UsageError(f"cluster {cluster.id} is not part of a global database", "drop --global")
    found = aws.reader.global_cluster(cluster.global_cluster_id, cluster.region) or {}
    members = sorted(found.get("GlobalClusterMembers", []), key=lambda m: not m.get("IsWriter"))
    return [describe(aws, m["DBClusterArn"]) for m in members]


def check_supported(service: Service, cluster: Cluster, version: AuroraVersion, aws: Aws) -> None:
    if not service.supported_by(version):
        raise UsageError(
            f"{service.title} needs Aurora MySQL {service.minimum_text()}; {cluster.id} runs {version}",
            "upgrade the cluster's engine version (aws rds modify-db-cluster --engine-version ...) first",
        )
    region = cluster.region
    if service.blocked_in(region):
        raise UsageError(f"Aurora machine learning is not offered in {region}", "use a cluster in a supported region")
    regional = regional_minimum(region, version)
    if regional is None or (regional and not version.at_least(regional)):
        raise UsageError(f"Aurora machine learning in {region} needs a newer engine than {version}",
                         "see the Aurora ML region table in the AWS documentation")
    # An empty list means botocore's endpoint data does not say (newer services use endpoint
    # rules); the model or endpoint look-up that follows then proves the region offers it.
    offered = aws.available_regions(service.endpoint_service, cluster.partition) if service.endpoint_service else []
    if offered and region not in offered:
        raise UsageError(f"{service.title} is not offered in {region}",
                         "Aurora ML calls the service in the cluster's own region: use a cluster in a region that offers it")


def _plan_cluster(aws: Aws, req: SetupRequest, cluster: Cluster, plan: Plan) -> None:
    need_reboot = plan_service(aws, req, cluster, plan)
    add_reboot_steps(plan, aws, cluster, every_member=need_reboot, reboot=req.reboot, wait=req.wait,
                     timeout=req.timeout, interval=req.poll_interval)


def plan_service(aws: Aws, req: SetupRequest, cluster: Cluster, plan: Plan) -> bool:
    """Every step setup plans for one service on one cluster but the reboots; True when the steps
    change what the members run with. The fleet plan (core/fleet/plan.py) adds one set of reboots
    after all of a cluster's services."""
    service = req.service
    version = require_aurora_mysql(cluster)
    check_supported(service, cluster, version, aws)
    resources = service.resolve(aws, cluster, version, req)
    ctx = _Context(aws, req, cluster, version, plan)
    policy_doc = permission_policy(service, partition=cluster.partition, account=cluster.account,
                                   region=cluster.region, **resources)
    ctx.plan_iam(policy_doc)
    ctx.plan_association()
    ctx.plan_parameters()
    plan.desired.append(ctx.half)
    return ctx.changes_need_reboot


class _Context:
    """The facts read for one cluster, and the steps they lead to."""

    def __init__(self, aws: Aws, req: SetupRequest, cluster: Cluster, version: AuroraVersion, plan: Plan) -> None:
        self.aws, self.req, self.cluster, self.version, self.plan = aws, req, cluster, version, plan
        self.role_name, self.role_arn, self.policy_name, self.policy_arn = managed_names(
            req.service, cluster, req.role_name, req.policy_name)
        self.tags = {TAG_MANAGED_BY: MANAGED_BY, TAG_CLUSTER: str(cluster.arn), TAG_SERVICE: req.service.name}
        self.boundary = req.permissions_boundary or boundary_arn(cluster.partition, cluster.account)
        self.changes_need_reboot = False  # a step of this run changes what the members run with
        self.half = AwsHalf(req.service.name, cluster.id, cluster.region, cluster.account, cluster.partition,
                            dict(self.tags), f"Aurora ML {req.service.name} for {cluster.id} (auroraml)",
                            self.policy_name, self.policy_arn, self.role_name, self.role_arn, self.boundary,
                            members=[m.instance_id for m in cluster.ordered_members()], _complete=self._complete_half)

    def _complete_half(self, half: "AwsHalf") -> None:
        half.feature_name = self._feature_name()
        half.family = half.family or self._family()

    def step(self, action: str, target: str, detail: str, run, **change: str | None) -> Step:
        """A planned step; `change` is its before/after/undo for the journal."""
        return self.plan.add(Step(action, target, detail, PLANNED, self.cluster.id, run, **change))

    def teardown_command(self) -> str:
        """The auroraml command that removes what setup creates (the journal's undo)."""
        req = self.req
        return command_line("auroraml", "--region", self.cluster.region, "teardown", req.service.name,
                            "--cluster", self.cluster.id, *(("--role-name", req.role_name) if req.role_name else ()),
                            *(("--policy-name", req.policy_name) if req.policy_name else ()))

    def aws_command(self, *words: str) -> str:
        return command_line("aws", *words, "--region", self.cluster.region)

    def unchanged(self, action: str, target: str, detail: str) -> Step:
        return self.plan.unchanged(action, target, detail, self.cluster.id)

    # IAM ------------------------------------------------------------------------------------
    def plan_iam(self, policy_doc: dict) -> None:
        aws, c = self.aws, self.cluster
        policy = iam.read_policy(aws, self.policy_arn)
        description = self.half.description
        self.half.policy_document, self.half.policy_exists = policy_doc, policy.exists
        if not policy.exists:
            self.step("create-policy", self.policy_name, "least-privilege policy for " + ", ".join(self.req.service.iam_actions),
                      lambda s: iam.create_policy(aws, self.policy_name, self.policy_arn, policy_doc, self.tags, description),
                      after=self.policy_arn, undo=self.teardown_command())
        elif same_document(policy.document, policy_doc):
            self.unchanged("create-policy", self.policy_name, "exists with the same document")
        else:
            self._refuse_foreign(policy, "policy", self.policy_name, "--policy-name")
            self.step("update-policy", self.policy_name, "new default version with the resources asked for",
                      lambda s: iam.replace_policy_document(aws, self.policy_arn, policy_doc),
                      before=compact_json(policy.document), after=compact_json(policy_doc),
                      undo=self.aws_command("iam", "create-policy-version", "--policy-arn", self.policy_arn,
                                            "--policy-document", compact_json(policy.document), "--set-as-default"))

        trust = trust_policy(c.partition, c.account, c.region)
        role = iam.read_role(aws, self.role_name, self.role_arn)
        self.half.trust, self.half.role_exists = trust, role.exists
        self.half.attached = self.policy_arn in role.attached
        if not role.exists:
            self._require_boundary()
            self.step("create-role", self.role_name, "trusted by rds.amazonaws.com for this account, "
                      f"permissions boundary {self.boundary.rsplit('/', 1)[-1]}",
                      lambda s: iam.create_role(aws, self.role_name, self.role_arn, trust, self.tags, description,
                                                self.boundary),
                      after=self.role_arn, undo=self.teardown_command())
        else:
            self.role_arn = self.half.role_arn = role.arn  # a role given by name may live under a path
            if role.boundary != self.boundary:
                # Setting a boundary is what the operator policy must not allow: an administrator's job.
                self.plan.notes.append(
                    f"role {self.role_name} has {'permissions boundary ' + role.boundary if role.boundary else 'no permissions boundary'}"
                    f"; an administrator should run: aws iam put-role-permissions-boundary --role-name {self.role_name} "
                    f"--permissions-boundary {self.boundary}")
            if same_document(role.document, trust):
                self.unchanged("create-role", self.role_name, "exists with the same trust policy")
            else:
                self._refuse_foreign(role, "role", self.role_name, "--role-name")
                self.plan.notes.append(f"the trust policy of {self.role_name} was changed; putting it back needs "
                                       "iam:UpdateAssumeRolePolicy, which the operator policy (auroraml iam-policy) "
                                       "leaves out: an administrator's run")
                self.step("update-trust", self.role_name, "trust policy for rds.amazonaws.com",
                          lambda s: iam.replace_trust(aws, self.role_name, self.role_arn, trust),
                          before=compact_json(role.document), after=compact_json(trust),
                          undo=self.aws_command("iam", "update-assume-role-policy", "--role-name", self.role_name,
                                                "--policy-document", compact_json(role.document)))
        if self.policy_arn in role.attached:
            self.unchanged("attach-policy", self.role_name, f"{self.policy_name} attached")
        else:
            self.step("attach-policy", self.role_name, f"attach {self.policy_name}",
                      lambda s: iam.attach(aws, self.role_name, self.role_arn, self.policy_arn),
                      after=self.policy_arn,
                      undo=self.aws_command("iam", "detach-role-policy", "--role-name", self.role_name,
                                            "--policy-arn", self.policy_arn))

    def _require_boundary(self) -> None:
        if not iam.policy_exists(self.aws, self.boundary):
            raise ConfigError(f"the permissions boundary {self.boundary} does not exist; every role auroraml creates "
                              "carries it", "an administrator creates it once: auroraml iam-policy --bootstrap "
                              "(or pass --permissions-boundary ARN)")

    @staticmethod
    def _refuse_foreign(obj: iam.IamObject, kind: str, name: str, flag: str) -> None:
        if not obj.ours:
            raise UsageError(f"IAM {kind} {name} exists and was not created by auroraml; it will not be changed",
                             f"pass another {flag}, or tag it {TAG_MANAGED_BY}={MANAGED_BY} to let auroraml manage it")

    # Association ----------------------------------------------------------------------------
    def plan_association(self) -> None:
        aws, c, req = self.aws, self.cluster, self.req
        current = c.roles.get(self.role_arn)
        status = self.half.association = current.get("Status") if current else None
        wait_kw = {"timeout": req.timeout, "interval": req.poll_interval}
        if status == "ACTIVE":
            self.unchanged("associate-role", c.id, f"{self.role_name} ACTIVE")
            return
        if status is None and len(c.roles) >= rds.MAX_ROLES_PER_CLUSTER:
            raise UsageError(f"cluster {c.id} already has {len(c.roles)} IAM roles associated (the most RDS allows)",
                             "remove one it no longer needs (aws rds remove-role-from-db-cluster), then run again")

        def run(step: Step) -> str:
            if status == "INVALID":  # try again from scratch: the steps above may have fixed the role
                rds.disassociate(aws, c, self.role_arn, current.get("FeatureName"))
            if status != "PENDING":
                rds.associate(aws, c, self.role_arn, self._feature_name(), **wait_kw)
            elif not req.wait:
                step.status = UNCHANGED
                return f"{self.role_name} still PENDING (associated by an earlier run; not waiting for ACTIVE)"
            if not req.wait:
                return f"{self.role_name} associated (not waiting for ACTIVE)"
            rds.wait_active(aws, c, self.role_arn, **wait_kw)
            if status == "PENDING":
                # An earlier run (interrupted, or timed out in this wait) sent the association; this
                # run only waited for it, so it reports and journals no change of its own. Whether
                # the re-run plans while it is PENDING or after it turned ACTIVE, the outcome is the same.
                step.status = UNCHANGED
                return f"{self.role_name} ACTIVE (associated by an earlier run; waited for it)"
            return f"{self.role_name} ACTIVE"

        detail = {"PENDING": "wait for the association (sent by an earlier run) to become ACTIVE",
                  "INVALID": "association is INVALID: associate again"}.get(status, f"associate {self.role_name}")
        step = self.step("associate-role", c.id, detail, run, before=f"{self.role_arn} {status}" if status else None,
                         after=f"{self.role_arn} ACTIVE", undo=self.teardown_command())
        step.writes = status != "PENDING"

    def _feature_name(self) -> str | None:
        """Only when the engine lists the service in SupportedFeatureNames (newer 3.x: Bedrock)."""
        feature = self.req.service.feature_name
        if not feature:
            return None
        info = rds.engine_version_info(self.aws, self.cluster.region, self.cluster.engine_version)
        return feature if feature in info.get("SupportedFeatureNames", []) else None

    # Parameter group ------------------------------------------------------------------------
    def plan_parameters(self) -> None:
        aws, c, req = self.aws, self.cluster, self.req
        current = c.parameter_group
        target = req.parameter_group or (f"auroraml-{c.id}" if current.startswith("default.") else current)
        existing = group_info = None
        half = self.half
        half.parameter_group, half.current_group = target, current
        half.group_description = f"Aurora ML settings for {c.id} (auroraml)"
        if target != current:
            group_info = rds.group_exists(aws, c.region, target)
            if group_info is None:
                family = half.family = self._family()
                self.step("create-parameter-group", target, f"custom {family} group for {c.id}",
                          lambda s: rds.create_group(aws, c.region, target, family,
                                                     half.group_description, iam.tag_list(self.tags)),
                          after=target,
                          undo=self.aws_command("rds", "delete-db-cluster-parameter-group",
                                                "--db-cluster-parameter-group-name", target))
            else:
                half.family = group_info["DBParameterGroupFamily"]
            if group_info is not None and group_info["DBParameterGroupFamily"] != self.version.family:
                raise UsageError(f"parameter group {target} is for {group_info['DBParameterGroupFamily']}, "
                                 f"but {c.id} needs {self.version.family}", "pass another --parameter-group")
            self.step("attach-parameter-group", c.id, f"{current} → {target} (takes effect at reboot)",
                      lambda s: aws.client("rds", c.region).modify_db_cluster(
                          DBClusterIdentifier=c.id, DBClusterParameterGroupName=target, ApplyImmediately=True),
                      before=current, after=target,
                      undo=self.aws_command("rds", "modify-db-cluster", "--db-cluster-identifier", c.id,
                                            "--db-cluster-parameter-group-name", current, "--apply-immediately"))
            self.changes_need_reboot = True
        half.group_exists = target == current or group_info is not None
        if half.group_exists:
            existing = rds.read_parameters(aws, c.region, target, req.service.parameters_for(self.version))
        changes = []
        for name in req.service.parameters_for(self.version):
            now = (existing or {}).get(name)
            half.parameters[name] = (self.role_arn, rds.apply_method(now.apply_type if now else None))
            if existing is not None and now is None:
                raise UsageError(f"parameter {name} is not defined for {c.engine_version} in group {target}",
                                 "this engine version does not support the service; upgrade it")
            if now is not None and now.value == self.role_arn:
                self.unchanged("set-parameter", f"{target}:{name}", "already names the role")
                continue
            was = f" (was {now.value})" if now is not None and now.value else ""
            previous = now.value if now is not None and now.value else None
            changes.append(self.step("set-parameter", f"{target}:{name}", f"= {self.role_name}{was}",
                                     self._set_run(target, name, now.apply_type if now else None),
                                     before=previous, after=self.role_arn, undo=self._undo_set(target, name, previous)))
            if now is None or now.apply_type != "dynamic":
                self.changes_need_reboot = True
        if changes and (target == current or group_info is not None):
            self._refuse_shared(target)

    def _set_run(self, group: str, name: str, apply_type: str | None):
        def run(step: Step) -> str:
            method = rds.set_parameter(self.aws, self.cluster.region, group, name, self.role_arn, apply_type)
            return f"= {self.role_name} ({method})"
        return run

    def _undo_set(self, group: str, name: str, previous: str | None) -> str:
        """Put the previous value back (or the engine default when there was none); a reboot applies it."""
        if previous is None:
            return self.aws_command("rds", "reset-db-cluster-parameter-group", "--db-cluster-parameter-group-name", group,
                                    "--parameters", f"ParameterName={name},ApplyMethod=pending-reboot")
        return self.aws_command("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", group,
                                "--parameters", f"ParameterName={name},ParameterValue={previous},ApplyMethod=pending-reboot")

    def _family(self) -> str:
        info = rds.engine_version_info(self.aws, self.cluster.region, self.cluster.engine_version)
        return info.get("DBParameterGroupFamily") or self.version.family

    def _refuse_shared(self, group: str) -> None:
        others = [c for c in rds.clusters_using_group(self.aws, self.cluster.region, group) if c != self.cluster.id]
        if others and not self.req.allow_shared:
            raise UsageError(f"parameter group {group} is shared with {', '.join(others)}: changing it changes them too",
                             "pass --parameter-group NEW to give this cluster its own, or --allow-shared-parameter-group")
        if others:
            self.plan.notes.append(f"{group} is shared with {', '.join(others)}; they will need a reboot too")


def compact_json(document) -> str | None:
    """A policy document on one line, as the journal keeps it."""
    return None if document is None else json.dumps(document, separators=(",", ":"), sort_keys=True)


def managed_names(service: Service, cluster: Cluster, role_name: str | None = None,
                  policy_name: str | None = None) -> tuple[str, str, str, str]:
    """(role name, role ARN, policy name, policy ARN) that setup uses, and teardown looks for."""
    role_name = role_name or derived_name(f"auroraml-{service.name}", cluster.id, ROLE_NAME_MAX)
    policy_name = policy_name or derived_name(f"auroraml-{service.name}", cluster.id, POLICY_NAME_MAX)
    prefix = f"arn:{cluster.partition}:iam::{cluster.account}"
    return role_name, f"{prefix}:role/{role_name}", policy_name, f"{prefix}:policy/{policy_name}"


def add_reboot_steps(plan: Plan, aws: Aws, cluster: Cluster, *, every_member: bool, reboot: bool, wait: bool,
                     timeout: float, interval: float) -> None:
    """One step per member to reboot, writer first: every member when this plan changes what they
    run with, else those still `pending-reboot` from an earlier run (a member already in-sync is
    reported unchanged, never rebooted again). Without consent they are `skipped` (exit 7)."""
    members = [m for m in cluster.ordered_members() if every_member or m.parameter_status == PENDING_REBOOT]
    if not members:
        return
    for member in cluster.ordered_members():
        kind = "writer" if member.is_writer else "reader"
        target = member.instance_id
        if member not in members:
            plan.unchanged("reboot-instance", target, f"{kind}: {member.parameter_status}", cluster.id)
            continue
        if not reboot:
            plan.add(Step("reboot-instance", target, f"{kind}: pending-reboot; run again with --reboot",
                          SKIPPED, cluster.id))
            continue
        # Every reboot but the last is awaited even with --no-wait: rebooting the next member
        # while the previous one is down would take the whole cluster down at once.
        await_it = wait or member is not members[-1]
        plan.add(Step("reboot-instance", target, f"{kind}: RebootDBInstance, wait for in-sync", PLANNED, cluster.id,
                      _reboot_run(aws, cluster, target, wait=await_it, timeout=timeout, interval=interval)))
    if not reboot:
        plan.notes.append(f"{cluster.id}: the new settings take effect after a reboot of "
                          + ", ".join(m.instance_id for m in members))


def _reboot_run(aws: Aws, cluster: Cluster, target: str, **wait: float | bool):
    def run(step: Step) -> str:
        detail = rds.reboot_member(aws, cluster, target, **wait)
        if detail == rds.ALREADY_IN_SYNC:  # it finished rebooting since the plan was read
            step.status = UNCHANGED
        return detail
    return run


def reboots_skipped(plan: Plan) -> list[Step]:
    return [s for s in plan.steps if s.action == "reboot-instance" and s.status == SKIPPED]


def reboots_planned(plan: Plan) -> list[Step]:
    return [s for s in plan.steps if s.action == "reboot-instance" and s.status == PLANNED]

