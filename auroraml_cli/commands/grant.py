"""`auroraml grant` / `auroraml revoke`: let a database user call the ML functions, or stop it."""

from typing import List, Optional

import typer

from . import examples, options as o
from .options import DETAILED_EXITCODE_HELP, ServiceName

GRANT_EXAMPLE = """
Examples:

  auroraml grant comprehend analyst@'10.0.%' --cluster ml-demo

  auroraml grant sagemaker app --function mldb.churn_score --host 127.0.0.1 --user admin

  auroraml grant bedrock analyst --aurora-version 3.06.0 --dry-run     (print the SQL, no connection)
"""
REVOKE_EXAMPLE = """
Examples:

  auroraml revoke comprehend analyst@'10.0.%' --cluster ml-demo --dry-run

  auroraml revoke comprehend analyst@'10.0.%' --cluster ml-demo --yes     (no question: for scripts)
"""


def _run(ctx: typer.Context, revoke: bool, service: ServiceName, account: str, function: List[str],
         default_role: bool, dry_run: bool, aurora_version: Optional[str], given: o.ConnectionOptions,
         yes: bool = True, detailed: bool = False) -> int:
    from ..core import grants
    from ..core.catalogue import get_service
    from ..core.errors import UsageError
    from ..core.sql import MYSQL_USER_MAX, Account, FunctionRef
    from ..core.versions import AuroraVersion
    from ._plans import check_detailed_exitcode, run_plan

    check_detailed_exitcode(detailed, dry_run)
    app = ctx.obj
    # Aurora MySQL (v2 and v3) allows 32-character user names: a longer one is refused, not printed.
    req = grants.GrantRequest(get_service(service.value), Account.parse(account, MYSQL_USER_MAX).checked(),
                              [FunctionRef.parse(f) for f in function], default_role, revoke)
    offline = AuroraVersion.parse(aurora_version) if aurora_version else None
    if offline is not None and detailed:
        raise UsageError("--detailed-exitcode compares with the server, and --aurora-version plans without one",
                         "drop --aurora-version and connect (--cluster or --host), or drop --detailed-exitcode")
    if offline is not None and dry_run:  # review mode: the statements for that version, with no connection at all
        return run_plan(app, grants.plan(req, offline), dry_run=True, yes=False)
    conn_req = o.connection_request(app, given)
    if offline is not None and not (conn_req.host or conn_req.cluster):  # nowhere to connect: review mode too
        return run_plan(app, grants.plan(req, offline), dry_run=True, yes=False)
    what = ("REVOKE " if revoke else "GRANT ") + " / ".join(req.service.db_roles or req.service.v2_privileges)
    with app.aurora(conn_req, what) as (conn, version, where):
        if offline is not None and offline != version:
            app.out.warn(f"--aurora-version {offline} ignored: the server runs {version}")
        # revoke takes away what an application may use: consent (--yes, or a terminal's 'y').
        return run_plan(app, grants.plan(req, version, conn=conn, where=where), dry_run=dry_run, yes=yes,
                        cluster=conn_req.cluster, destructive=revoke, detailed=detailed)


@examples(GRANT_EXAMPLE)
def grant(
    ctx: typer.Context,
    service: ServiceName = typer.Argument(..., help="The ML service to let the user call."),
    account: str = typer.Argument(..., metavar="USER[@HOST]", help="The database account (host defaults to %)."),
    function: List[str] = typer.Option([], "--function", metavar="DB.NAME", help="Also GRANT EXECUTE on this ML function (repeatable)."),
    default_role: bool = typer.Option(True, "--default-role/--no-default-role", help="v3: make the role active at login (SET DEFAULT ROLE), keeping the account's other default roles."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the statements; execute nothing."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=DETAILED_EXITCODE_HELP),
    aurora_version: Optional[str] = typer.Option(None, "--aurora-version", metavar="VERSION", help="Print the SQL for this Aurora version (e.g. 3.06.0 or 2.11.2) without connecting (with --dry-run or no host)."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Grant the service's role (v3) or privilege (v2), EXECUTE on functions, and activate the role at login."""
    return _run(ctx, False, service, account, function, default_role, dry_run, aurora_version,
                o.ConnectionOptions(cluster=cluster, host=host, port=port, user=user, database=database,
                                    defaults_file=defaults_file, iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca,
                                    ssl_mode=ssl_mode), detailed=detailed_exitcode)


@examples(REVOKE_EXAMPLE)
def revoke(
    ctx: typer.Context,
    service: ServiceName = typer.Argument(..., help="The ML service to stop the user calling."),
    account: str = typer.Argument(..., metavar="USER[@HOST]", help="The database account (host defaults to %)."),
    function: List[str] = typer.Option([], "--function", metavar="DB.NAME", help="Also REVOKE EXECUTE on this ML function (repeatable)."),
    default_role: bool = typer.Option(True, "--default-role/--no-default-role", help="v3: also drop the role from the account's default roles."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the statements; execute nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Revoke without asking; needed when not at a terminal."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=DETAILED_EXITCODE_HELP),
    aurora_version: Optional[str] = typer.Option(None, "--aurora-version", metavar="VERSION", help="Print the SQL for this Aurora version without connecting (with --dry-run or no host)."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Revoke what grant gave: the role or privilege, EXECUTE on functions, the default role."""
    return _run(ctx, True, service, account, function, default_role, dry_run, aurora_version,
                o.ConnectionOptions(cluster=cluster, host=host, port=port, user=user, database=database,
                                    defaults_file=defaults_file, iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca,
                                    ssl_mode=ssl_mode), yes=yes, detailed=detailed_exitcode)
