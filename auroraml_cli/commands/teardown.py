"""`auroraml teardown SERVICE --cluster ID`: undo setup, touching only what setup created."""

from typing import Optional

import typer

from . import examples

from .options import DETAILED_EXITCODE_HELP, MAX_WAIT, TIMEOUT_HELP, ServiceName, seconds

EXAMPLE = """
Examples:

  auroraml teardown comprehend --cluster ml-demo --dry-run

  auroraml teardown comprehend --cluster ml-demo --dry-run --detailed-exitcode     (exit 2: something to undo)

  auroraml teardown comprehend --cluster ml-demo --reboot --yes --keep-iam
"""


@examples(EXAMPLE)
def teardown(
    ctx: typer.Context,
    service: ServiceName = typer.Argument(..., help="The ML service to unwire."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="DB cluster id or ARN. [env: AURORAML_CLUSTER]"),
    role_name: Optional[str] = typer.Option(None, "--role-name", help="The IAM role setup used, if not the default name."),
    policy_name: Optional[str] = typer.Option(None, "--policy-name", help="The IAM policy setup used, if not the default name."),
    keep_iam: bool = typer.Option(False, "--keep-iam", help="Keep the IAM role and policy."),
    reboot: Optional[bool] = typer.Option(None, "--reboot/--no-reboot", help="Reboot so the parameter reset takes effect (asks first; --yes to consent)."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for the last reboot to reach in-sync."),
    timeout: float = typer.Option(1800.0, "--timeout", parser=seconds(1, MAX_WAIT), metavar="SECONDS", help=TIMEOUT_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Make the changes (and the reboot) without asking; needed when not at a terminal."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=DETAILED_EXITCODE_HELP),
) -> int:
    """Reset the parameters, reboot if asked, remove the association, delete the role and policy."""
    from ..core import names
    from ..core.catalogue import get_service
    from ..core.teardown_plan import TeardownRequest, plan_teardown
    from ._plans import check_detailed_exitcode, cluster_lock, run_plan

    check_detailed_exitcode(detailed_exitcode, dry_run)
    app = ctx.obj
    req = TeardownRequest(
        service=get_service(service.value),
        cluster=app.cluster(cluster),
        role_name=names.iam_name(role_name, "role", names.ROLE_NAME_MAX) if role_name else None,
        policy_name=names.iam_name(policy_name, "policy", names.POLICY_NAME_MAX) if policy_name else None,
        keep_iam=keep_iam,
        reboot=bool(reboot),
        wait=wait,
        timeout=timeout,
        poll_interval=app.settings.poll_interval,
    )
    with cluster_lock(app, req.cluster, timeout=timeout, dry_run=dry_run):  # a second run waits, then re-reads
        with app.out.spinner(f"reading {req.cluster} and its IAM role"):
            plan = plan_teardown(app.aws, req)
        # Everything teardown does takes something away: each change needs consent.
        return run_plan(app, plan, dry_run=dry_run, yes=yes, destructive=True, detailed=detailed_exitcode)
