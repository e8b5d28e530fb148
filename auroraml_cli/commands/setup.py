"""`auroraml setup SERVICE --cluster ID`: wire a cluster to an ML service, idempotently."""

import enum
from typing import List, Optional

import typer

from . import examples

from .options import DETAILED_EXITCODE_HELP, MAX_WAIT, TIMEOUT_HELP, ServiceName, seconds

Emit = enum.Enum("Emit", {f: f for f in ("cloudformation", "terraform")}, type=str)  # type: ignore[misc]

EXAMPLE = """
Examples:

  auroraml setup comprehend --cluster ml-demo --dry-run

  auroraml setup bedrock --cluster ml-demo --model-id anthropic.claude-3-haiku-20240307-v1:0 --reboot --yes

  auroraml setup sagemaker --cluster ml-demo --endpoint churn-predictor --no-reboot

  auroraml setup lambda --cluster ml-demo --function notify-orders --reboot --yes

  auroraml setup comprehend --cluster ml-demo --emit terraform > auroraml-ml-demo.tf
"""


@examples(EXAMPLE)
def setup(
    ctx: typer.Context,
    service: ServiceName = typer.Argument(..., help="The ML service to wire up."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="DB cluster id or ARN. [env: AURORAML_CLUSTER]"),
    model_id: List[str] = typer.Option([], "--model-id", help="bedrock: a model or inference-profile id the role may invoke (repeatable)."),
    endpoint: List[str] = typer.Option([], "--endpoint", help="sagemaker: an endpoint name the role may invoke (repeatable)."),
    bucket: Optional[str] = typer.Option(None, "--bucket", help="s3: the bucket to export to and load from."),
    prefix: Optional[str] = typer.Option(None, "--prefix", help="s3: restrict the policy to this folder: ml, ml/ and /ml/ all grant ml/* only."),
    kms_key: Optional[str] = typer.Option(None, "--kms-key", help="s3: a customer managed KMS key (ARN, key id or alias, in the cluster's region; Aurora MySQL 3.05+) the role may use (GenerateDataKey, Decrypt)."),
    function: List[str] = typer.Option([], "--function", help="lambda: a function name or ARN the role may invoke (repeatable; a name is the function in the cluster's region and account)."),
    allow_wildcards: bool = typer.Option(False, "--allow-wildcards", help="s3: let * and ? in --bucket/--prefix through to the policy as IAM wildcards (they match every name they fit)."),
    role_name: Optional[str] = typer.Option(None, "--role-name", help="IAM role name. [default: auroraml-SERVICE-CLUSTER]"),
    policy_name: Optional[str] = typer.Option(None, "--policy-name", help="IAM policy name. [default: auroraml-SERVICE-CLUSTER]"),
    parameter_group: Optional[str] = typer.Option(None, "--parameter-group", help="Custom DB cluster parameter group to use. [default: the cluster's own, or auroraml-CLUSTER when it uses a default.* group]"),
    allow_shared: bool = typer.Option(False, "--allow-shared-parameter-group", help="Change a parameter group other clusters use too."),
    reboot: Optional[bool] = typer.Option(None, "--reboot/--no-reboot", help="Reboot the members so the settings take effect (asks first; --yes to consent). Without --reboot: exit 7 while a reboot is pending."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for the association to be ACTIVE and the last reboot to reach in-sync."),
    timeout: float = typer.Option(1800.0, "--timeout", parser=seconds(1, MAX_WAIT), metavar="SECONDS", help=TIMEOUT_HELP),
    global_: bool = typer.Option(False, "--global", help="Every member cluster of the global database, each in its own region."),
    permissions_boundary: Optional[str] = typer.Option(None, "--permissions-boundary", metavar="ARN", help="The managed policy every role auroraml creates carries as its boundary. [default: arn:PARTITION:iam::ACCOUNT:policy/AuroraMLBoundary, made by `auroraml iam-policy --bootstrap`]"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Consent to the reboot without asking."),
    emit: Optional[Emit] = typer.Option(None, "--emit", case_sensitive=False, help="Apply nothing: write the AWS half of the plan (policy, role, association, parameter group) to stdout as a CloudFormation template or Terraform configuration, and on stderr the auroraml commands that finish the job (the group switch, reboots, grants). Reads AWS, never writes."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=DETAILED_EXITCODE_HELP),
) -> int:
    """Create the IAM policy and role, associate it, set aws_default_*_role, reboot — or find it done."""
    from ..core import names
    from ..core.catalogue import get_service
    from ..core.setup_plan import SetupRequest, plan_setup
    from ._plans import check_detailed_exitcode, cluster_lock, run_plan

    check_detailed_exitcode(detailed_exitcode, dry_run)
    app = ctx.obj
    if emit is not None:
        from ..core.emit import refuse_conflicts
        refuse_conflicts(reboot=reboot, yes=yes, dry_run=dry_run, global_=global_, query=app.out.query is not None)
    req = SetupRequest(
        service=get_service(service.value),
        cluster=app.cluster(cluster),
        model_ids=[names.model_id(m) for m in model_id],
        endpoints=[names.endpoint_name(e) for e in endpoint],
        bucket=names.bucket(bucket, allow_wildcards) if bucket else None,
        prefix=names.s3_prefix(prefix, allow_wildcards),
        kms_key=names.kms_key(kms_key) if kms_key is not None else None,
        functions=[names.lambda_function(f) for f in function],
        role_name=names.iam_name(role_name, "role", names.ROLE_NAME_MAX) if role_name else None,
        policy_name=names.iam_name(policy_name, "policy", names.POLICY_NAME_MAX) if policy_name else None,
        parameter_group=names.parameter_group_name(parameter_group) if parameter_group else None,
        allow_shared=allow_shared,
        reboot=bool(reboot),
        wait=wait,
        timeout=timeout,
        poll_interval=app.settings.poll_interval,
        global_=global_,
        permissions_boundary=_boundary(permissions_boundary) if permissions_boundary else None,
    )
    if emit is not None:
        from ..core.emit import emit_setup
        return emit_setup(app, req, emit.value)
    with cluster_lock(app, req.cluster, timeout=timeout, dry_run=dry_run):  # a second run waits, then re-reads
        with app.out.spinner(f"reading {req.cluster} and its IAM role"):
            plan = plan_setup(app.aws, req)
        return run_plan(app, plan, dry_run=dry_run, yes=yes, detailed=detailed_exitcode)


def _boundary(text: str) -> str:
    from ..core import names
    from ..core.errors import UsageError

    arn = names.Arn.parse(text)
    if arn.service != "iam" or not arn.resource.startswith("policy/"):
        raise UsageError(f"{text} is not an IAM managed policy ARN",
                         "pass arn:aws:iam::ACCOUNT:policy/NAME (see auroraml iam-policy --bootstrap)")
    return str(arn)
