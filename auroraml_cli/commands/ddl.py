"""`auroraml ddl sagemaker|bedrock NAME ...`: Aurora's CREATE FUNCTION ... ALIAS, built and checked."""

import sys
from typing import List, Optional

import typer

from . import options as o

app = typer.Typer(help="Write Aurora's ML function DDL (CREATE FUNCTION ... ALIAS): print it, or --apply it.",
                  no_args_is_help=True, rich_markup_mode=None, epilog="""
Examples:

  auroraml ddl sagemaker mldb.churn --endpoint churn-predictor --arg age:INT --returns DOUBLE --aurora-version 3.06.0

  auroraml ddl bedrock mldb.ask --model-id amazon.titan-text-express-v1 --wrapper auto --apply --cluster ml-demo
""")

SAGEMAKER_EXAMPLE = """
Example:

  auroraml ddl sagemaker mldb.anomaly_score --endpoint rcf-taxi --arg distance:DOUBLE --arg fare:DOUBLE --returns DOUBLE --aurora-version 3.06.0
"""
BEDROCK_EXAMPLE = """
Examples:

  auroraml ddl bedrock mldb.ask_claude --model-id anthropic.claude-3-haiku-20240307-v1:0 --wrapper auto --aurora-version 3.06.0

  auroraml ddl bedrock mldb.ask_claude --model-id anthropic.claude-3-haiku-20240307-v1:0 --wrapper auto --apply --cluster ml-demo
"""


def _emit(ctx: typer.Context, statements: list[tuple[str, str]], version: Optional[str], apply: bool, replace: bool,
          dry_run: bool, given: o.ConnectionOptions, checks, yes: bool = False, detailed: bool = False) -> int:
    from ..core.versions import AuroraVersion
    from ._plans import check_detailed_exitcode

    check_detailed_exitcode(detailed, dry_run)
    app_obj = ctx.obj
    if version:
        checks(AuroraVersion.parse(version))
    if not (apply or dry_run):
        if app_obj.settings.output == "json":
            app_obj.out.document({"command": "ddl", "statements": [s for _, s in statements]})
        else:  # SQL is the payload: `auroraml ddl ... > functions.sql` gives a file mysql(1) can run
            sys.stdout.write("".join(f"{s};\n\n" for _, s in statements))
        return 0
    from ..core import ddl
    from ._plans import run_plan

    conn_req = o.connection_request(app_obj, given)
    with app_obj.aurora(conn_req, "CREATE FUNCTION ... ALIAS") as (conn, server_version, where):
        checks(server_version)
        plan = ddl.plan_apply(conn, statements, replace=replace, where=where)
        _name_cluster(plan, conn_req.cluster)
        # Replacing drops a function callers use (for a moment, or for good if they relied on the
        # old definition): consent, as teardown's. Creating a new one asks nothing.
        return run_plan(app_obj, plan, dry_run=dry_run, yes=yes, cluster=conn_req.cluster,
                        destructive=lambda step: step.action == "replace-function", detailed=detailed)


def _name_cluster(plan, cluster: Optional[str]) -> None:
    """The plan says which cluster its server belongs to when it is known (--cluster, or the
    settings' cluster), and null when only a host was given: never an empty string."""
    plan.subject["cluster"] = cluster or None
    for step in plan.steps:
        step.cluster = cluster or None


@app.command("sagemaker", epilog=SAGEMAKER_EXAMPLE)
def sagemaker(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="[DB.]NAME", help="The function to create."),
    endpoint: str = typer.Option(..., "--endpoint", help="The SageMaker endpoint (text/csv) the function calls."),
    arg: List[str] = typer.Option(..., "--arg", metavar="NAME:TYPE", help="An argument, in the order the model takes its features (repeatable)."),
    returns: str = typer.Option(..., "--returns", metavar="TYPE", help="A numeric type (not BIT) or VARCHAR(n)."),
    max_batch_size: Optional[int] = typer.Option(None, "--max-batch-size", help="Rows per InvokeEndpoint request (> 0; Aurora's default 10,000)."),
    sql_security: Optional[str] = typer.Option(None, "--sql-security", metavar="DEFINER|INVOKER", help="SQL SECURITY of the function (Aurora's default: DEFINER)."),
    apply: bool = typer.Option(False, "--apply", help="Create it on the server (an identical function is left unchanged)."),
    replace: bool = typer.Option(False, "--replace", help="With --apply: re-create a function that differs (its new definition is tried under a temporary name first; the old one is put back if the CREATE fails)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Connect and show what --apply would do; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --replace: re-create without asking; needed when not at a terminal."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=o.DETAILED_EXITCODE_HELP),
    aurora_version: Optional[str] = typer.Option(None, "--aurora-version", metavar="VERSION", help="Check the DDL against this version without connecting."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """A function that sends rows to a SageMaker endpoint, batched."""
    from ..core import ddl, names

    fn = ddl.sagemaker(name, endpoint=names.endpoint_name(endpoint), args=arg, returns=returns,
                       max_batch_size=max_batch_size, sql_security=sql_security)
    given = o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, database=database, defaults_file=defaults_file,
        iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode)
    return _emit(ctx, [(fn.qualified(), fn.statement())], aurora_version, apply, replace, dry_run, given,
                 lambda v: ddl.require_version(fn, v), yes=yes, detailed=detailed_exitcode)


@app.command("bedrock", epilog=BEDROCK_EXAMPLE)
def bedrock(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="[DB.]NAME", help="The function to create."),
    model_id: str = typer.Option(..., "--model-id", help="The Bedrock model or inference profile id."),
    arg: Optional[str] = typer.Option(None, "--arg", metavar="NAME:TYPE", help="The request-body argument. [default: request_body:TEXT]"),
    returns: str = typer.Option("TEXT", "--returns", metavar="TYPE", help="TEXT, LONGTEXT or VARCHAR(n) — never JSON (CAST the result instead)."),
    content_type: Optional[str] = typer.Option(None, "--content-type", help="The request's content type. [Aurora's default: application/json]"),
    accept: Optional[str] = typer.Option(None, "--accept", help="The response's content type. [Aurora's default: application/json]"),
    timeout_ms: Optional[int] = typer.Option(None, "--timeout-ms", help="Per-call timeout. [default: aurora_ml_inference_timeout]"),
    wrapper: Optional[str] = typer.Option(None, "--wrapper", metavar="FAMILY|auto", help="Also create NAME(prompt) that builds the request and extracts the answer: anthropic, titan-text, titan-embed, cohere-embed, or auto (from the model id). The model function becomes NAME_raw."),
    sql_security: Optional[str] = typer.Option(None, "--sql-security", metavar="DEFINER|INVOKER", help="SQL SECURITY of the function (Aurora's default: DEFINER)."),
    apply: bool = typer.Option(False, "--apply", help="Create it on the server (an identical function is left unchanged)."),
    replace: bool = typer.Option(False, "--replace", help="With --apply: re-create a function that differs (its new definition is tried under a temporary name first; the old one is put back if the CREATE fails)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Connect and show what --apply would do; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --replace: re-create without asking; needed when not at a terminal."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help=o.DETAILED_EXITCODE_HELP),
    aurora_version: Optional[str] = typer.Option(None, "--aurora-version", metavar="VERSION", help="Check the DDL against this version without connecting."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """A function that sends one request to a Bedrock model per row (Bedrock calls are not batched)."""
    from ..core import ddl, names
    from ..core.errors import UsageError

    fn = ddl.bedrock(name, model_id=names.model_id(model_id), args=[arg] if arg else None, returns=returns,
                     content_type=content_type, accept=accept, timeout_ms=timeout_ms, sql_security=sql_security)
    statements = [(fn.qualified(), fn.statement())]
    if wrapper:
        family = ddl.family_for(model_id) if wrapper == "auto" else wrapper
        if family is None:
            raise UsageError(f"no wrapper family known for {model_id}", "name one: --wrapper " + "|".join(ddl.FAMILIES))
        raw, body = ddl.wrapper(fn, family)
        statements = [(raw.qualified(), raw.statement()), (fn.qualified(), body)]
    given = o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, database=database, defaults_file=defaults_file,
        iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode)
    return _emit(ctx, statements, aurora_version, apply, replace, dry_run, given, lambda v: ddl.require_version(fn, v), yes=yes, detailed=detailed_exitcode)
