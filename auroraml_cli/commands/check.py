"""`auroraml check`: will Aurora ML work on this cluster, and if not, why — with the fix."""

from typing import List, Optional

import typer

from . import examples, options as o

EXAMPLE = """
Examples:

  auroraml check --cluster ml-demo

  auroraml check --cluster ml-demo --service bedrock --model-id anthropic.claude-3-haiku-20240307-v1:0

  auroraml check --cluster ml-demo --user 'analyst@%' --probe

  auroraml -o json check --all --region us-east-1 --region us-west-2
"""
COLUMNS = ("service", "check", "instance", "status", "detail", "fix")
FLEET_COLUMNS = ("cluster", "region", "pass", "warn", "fail", "skip", "first_problem")


@examples(EXAMPLE)
def check(
    ctx: typer.Context,
    services: Optional[List[o.ServiceName]] = typer.Option(None, "--service", "-s", help="Check this service (repeatable). [default: those the cluster has wired]"),
    user: Optional[str] = typer.Option(None, "--user", metavar="USER[@HOST]", help="Also check this database account: role or privilege, active at login, EXECUTE on the ML functions."),
    model_ids: Optional[List[str]] = typer.Option(None, "--model-id", help="Bedrock model to check (repeatable). [default: those the role's policy names]"),
    endpoints: Optional[List[str]] = typer.Option(None, "--endpoint", help="SageMaker endpoint to check (repeatable). [default: those the role's policy names]"),
    functions: Optional[List[str]] = typer.Option(None, "--function", help="Lambda function (name or ARN) to check (repeatable). [default: those the role's policy names]"),
    probe: bool = typer.Option(False, "--probe", help="Make one real ML call per service and explain its error."),
    no_database: bool = typer.Option(False, "--no-database", help="Only the AWS side: no database connection."),
    all_clusters: bool = typer.Option(False, "--all", help="Every Aurora MySQL cluster of the region(s): one summary row each (AWS side only)."),
    regions: Optional[List[str]] = typer.Option(None, "--region", help="The cluster's region; with --all, a region to scan (repeatable). [default: the global --region, AWS_REGION...]"),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    db_user: Optional[str] = typer.Option(None, "--db-user", help="Database user to connect as (check's --user is the account checked). [env: AURORAML_USER]"),
    defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Say whether Aurora ML will work on a cluster, check by check, with the fix for each failure."""
    from ..core import errors, names
    from ..core.checks import aws_side, failed, runner
    from ..core.errors import UsageError

    app = ctx.obj
    scope = aws_side.Scope(
        services=tuple(s.value for s in services) if services else None,
        model_ids=tuple(names.model_id(m) for m in model_ids or ()),
        endpoints=tuple(names.endpoint_name(e) for e in endpoints or ()),
        functions=tuple(names.lambda_function(f) for f in functions or ()),
    )
    if user is not None:
        from ..core.sql import MYSQL_USER_MAX, Account

        Account.parse(user, MYSQL_USER_MAX).checked()  # a bad account name is refused before any call (Aurora: 32 characters)
    if all_clusters:
        if cluster or host or user or probe:
            raise UsageError("--all checks the AWS side of every cluster: it takes no --cluster, --host, --user "
                             "or --probe", "drop --all to check one cluster in depth")
        rows = runner.fleet(app.aws, list(dict.fromkeys(regions or [app.aws.region])), scope)
        app.out.document({"command": "check", "all": True, "clusters": rows}, title="Aurora ML across clusters",
                         rows=rows, columns=FLEET_COLUMNS)
        return errors.EXIT_CHECK_FAILED if any(r["fail"] for r in rows) else errors.EXIT_OK
    if regions and len(regions) > 1:
        raise UsageError("one cluster lives in one region: --region is repeatable only with --all",
                         "pass --region once, or add --all to scan several regions")
    given = o.ConnectionOptions(cluster=cluster, host=host, port=port, user=db_user, defaults_file=defaults_file,
                                iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode)
    request = None if no_database else o.connection_request(app, given)
    explicit = given.names_a_login
    ref = app.cluster(cluster)
    if request is not None:
        request.cluster = ref
    dbs = runner.DbScope(request, explicit, user, probe)
    with app.out.spinner(f"checking {ref}"):
        report = runner.check_one(app.aws, ref, scope, dbs, region=regions[0] if regions else None)
    doc = {"command": "check", **report.as_dict()}
    app.out.document(doc, title=f"Aurora ML on {report.cluster} ({report.region})",
                     rows=[f.as_dict() for f in report.findings], columns=COLUMNS)
    counts = doc["summary"]
    app.out.progress(f"{counts['pass']} passed, {counts['warn']} warned, {counts['fail']} failed, {counts['skip']} skipped")
    return errors.EXIT_CHECK_FAILED if failed(report.findings) else errors.EXIT_OK
