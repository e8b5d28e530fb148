"""The plan behind `auroraml teardown SERVICE`: setup in reverse, touching only what setup made.

Order: reset the aws_default_* parameters that name our role → reboot (with consent) → remove
the association → detach and delete the role and policy (unless --keep-iam). A parameter that
names another role, or an IAM object without auroraml's tag, is left alone and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import iam, rds
from .aws import Aws
from .catalogue import Service
from .cluster import describe, require_aurora_mysql
from .plan import PLANNED, Plan, Step, command_line
from .setup_plan import add_reboot_steps, compact_json, managed_names


@dataclass
class TeardownRequest:
    service: Service
    cluster: str
    role_name: str | None = None
    policy_name: str | None = None
    keep_iam: bool = False
    reboot: bool = False
    wait: bool = True
    timeout: float = 1800.0
    poll_interval: float = 5.0


def plan_teardown(aws: Aws, req: TeardownRequest) -> Plan:
    c = describe(aws, req.cluster)
    version = require_aurora_mysql(c)
    role_name, role_arn, policy_name, policy_arn = managed_names(req.service, c, req.role_name, req.policy_name)
    plan = Plan("teardown", {"service": req.service.name, "cluster": c.id, "region": c.region,
                             "account": c.account, "partition": c.partition, "clusters": [c.id]})
    role = iam.read_role(aws, role_name, role_arn)
    role_arn = role.arn if role.exists else role_arn

    def add(action: str, target: str, detail: str, run, **change: str | None) -> None:
        plan.add(Step(action, target, detail, PLANNED, c.id, run, **change))

    def aws_cli(*words: str) -> str:
        return command_line("aws", *words, "--region", c.region)

    group = c.parameter_group
    changes_need_reboot = False
    names = req.service.parameters_for(version)
    values = {} if group.startswith("default.") else rds.read_parameters(aws, c.region, group, names)
    for name in names:
        value = values.get(name)
        target = f"{group}:{name}"
        if value is None or not value.value:
            plan.unchanged("reset-parameter", target, "not set", c.id)
        elif value.value != role_arn:
            plan.unchanged("reset-parameter", target, f"names another role ({value.value}): left alone", c.id)
        else:
            add("reset-parameter", target, "back to the engine default",
                lambda s, n=name: rds.reset_parameter(aws, c.region, group, n), before=value.value,
                undo=aws_cli("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", group,
                             "--parameters", f"ParameterName={name},ParameterValue={value.value},ApplyMethod=pending-reboot"))
            changes_need_reboot = changes_need_reboot or value.apply_type != "dynamic"
    add_reboot_steps(plan, aws, c, every_member=changes_need_reboot, reboot=req.reboot, wait=req.wait,
                     timeout=req.timeout, interval=req.poll_interval)

    association = c.roles.get(role_arn)
    if association is None:
        plan.unchanged("remove-role", c.id, f"{role_name} not associated", c.id)
    elif role.exists and not role.ours:
        plan.unchanged("remove-role", c.id, f"{role_name} was not created by auroraml: left associated", c.id)
    else:
        feature = association.get("FeatureName")
        add("remove-role", c.id, f"disassociate {role_name}",
            lambda s: rds.disassociate(aws, c, role_arn, feature), before=role_arn,
            undo=aws_cli("rds", "add-role-to-db-cluster", "--db-cluster-identifier", c.id, "--role-arn", role_arn,
                         *(("--feature-name", feature) if feature else ())))

    if req.keep_iam:
        plan.unchanged("delete-role", role_name, "kept (--keep-iam)", c.id)
        plan.unchanged("delete-policy", policy_name, "kept (--keep-iam)", c.id)
        return plan
    _plan_iam_removal(aws, plan, c.id, role, role_name, policy_name, policy_arn, _setup_again(req, c.id, c.region))
    return plan


def _setup_again(req: TeardownRequest, cluster_id: str, region: str) -> str:
    """The setup that re-creates the role and policy (the journal's undo); the service's own
    options (models, endpoints, bucket) are the operator's to fill in."""
    service = req.service
    needs = (service.required, service.placeholder) if service.required else ()
    return command_line("auroraml", "--region", region, "setup", service.name, "--cluster", cluster_id, *needs,
                        *(("--role-name", req.role_name) if req.role_name else ()),
                        *(("--policy-name", req.policy_name) if req.policy_name else ()))


def _plan_iam_removal(aws: Aws, plan: Plan, cluster_id: str, role: iam.IamObject, role_name: str,
                      policy_name: str, policy_arn: str, undo: str | None = None) -> None:
    def add(action: str, target: str, detail: str, run, **change: str | None) -> None:
        plan.add(Step(action, target, detail, PLANNED, cluster_id, run, undo=undo, **change))

    if not role.exists:
        plan.unchanged("delete-role", role_name, "does not exist", cluster_id)
    elif not role.ours:
        plan.unchanged("delete-role", role_name, "not created by auroraml: left alone", cluster_id)
    else:
        def delete_role(step: Step) -> str:
            for attached in sorted(role.attached):
                iam.detach(aws, role_name, role.arn, attached)
            iam.delete_role(aws, role_name, role.arn)
            return "detached its policies and deleted it"
        add("delete-role", role_name, "detach policies, delete the role", delete_role, before=role.arn)

    policy = iam.read_policy(aws, policy_arn)
    if not policy.exists:
        plan.unchanged("delete-policy", policy_name, "does not exist", cluster_id)
    elif not policy.ours:
        plan.unchanged("delete-policy", policy_name, "not created by auroraml: left alone", cluster_id)
    else:
        add("delete-policy", policy_name, "delete the policy and its old versions",
            lambda s: iam.delete_policy(aws, policy_arn), before=compact_json(policy.document) or policy_arn)
