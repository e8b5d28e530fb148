"""`auroraml export`: SELECT ... INTO OUTFILE S3, from a table or a query."""

import sys
from typing import Optional

import typer

from . import examples, options as o

EXAMPLE = """
Examples:

  auroraml export --table mldb.support --to s3://ml-demo-exports/support/all --header --overwrite --cluster ml-demo

  auroraml export --sql "SELECT id, comment FROM mldb.support" --to s3://ml-demo-exports/x --dry-run
"""


@examples(EXAMPLE)
def export(
    ctx: typer.Context,
    to: str = typer.Option(..., "--to", metavar="S3-URI", help="s3://bucket/prefix (the cluster's region) or s3-REGION://bucket/prefix."),
    sql: Optional[str] = typer.Option(None, "--sql", metavar="SELECT", help="One SELECT to export."),
    query: Optional[str] = typer.Option(None, "--query", hidden=True, help="Deprecated name of --sql."),
    table: Optional[str] = typer.Option(None, "--table", metavar="[DB.]TABLE", help="A whole table to export."),
    fmt: str = typer.Option("csv", "--format", metavar="csv|text", help="CSV (RFC 4180) or Aurora's TEXT format."),
    header: bool = typer.Option(False, "--header", help="CSV: a header row."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace files already at the prefix."),
    manifest: bool = typer.Option(False, "--manifest", help="Also write a manifest (leave off for SageMaker training data)."),
    encryption: Optional[str] = typer.Option(None, "--encryption", metavar="on|off|sse_s3|sse_kms", help="Server-side encryption of the files (Aurora's default: the bucket's)."),
    kms_key: Optional[str] = typer.Option(None, "--kms-key", help="With --encryption sse_kms: a KMS key (ARN, key id or alias) of the bucket's region, resolved to its ARN; a customer managed key needs Aurora MySQL 3.05+."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the statement; run nothing."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Run SELECT ... INTO OUTFILE S3 (needs `setup s3` and `grant s3` first)."""
    from ..core import db
    from ..core.export import Export

    app = ctx.obj
    sql = _sql(app, sql, query)
    spec = Export(to, sql, table, fmt.lower(), header, overwrite, manifest, encryption, kms_key)
    statement = spec.statement()
    if dry_run:  # the key as typed: a dry run reads nothing
        if app.settings.output == "json":
            app.out.document({"command": "export", "dry_run": True, "statement": statement})
        else:
            sys.stdout.write(statement + ";\n")
        return 0
    request = o.connection_request(app, o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, database=database, defaults_file=defaults_file,
        iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode))
    key = _kms_key(app, spec, request.cluster) if kms_key is not None else None
    if key is not None:
        spec.kms_key = key.arn
        statement = spec.statement()
    with app.aurora(request, "SELECT ... INTO OUTFILE S3") as (conn, version, where):
        if key is not None:
            from ..core.kms import require_engine_support

            require_engine_support(key, version, where)
        with app.out.spinner(f"exporting to {to}"):
            rows = db.execute(conn, statement)
    app.out.document({"command": "export", "dry_run": False, "statement": statement, "to": to, "rows": rows},
                     title=f"export to {to}", rows=[{"to": to, "rows": rows}], columns=("to", "rows"))
    return 0


def _sql(app, sql: Optional[str], query: Optional[str]) -> Optional[str]:
    """--sql, or --query: its former name, deprecated now that `--query` is the AWS CLI's JMESPATH
    filter of the output. Still taken, with one warning line on stderr (even with -q: it asks the
    user, or the script's author, to change something)."""
    if query is None:
        return sql
    if sql is not None:
        from ..core.errors import UsageError

        raise UsageError("--query and --sql given: --query is the deprecated name of --sql", "give --sql only")
    sys.stderr.write("warning: export --query is deprecated: use --sql (the same SELECT)\n")
    return query


def _kms_key(app, spec, cluster: Optional[str]):
    """The key resolved in the bucket's region: the target's s3-REGION, else the cluster's."""
    from ..core import kms
    from ..core.names import cluster_ref

    region = spec.region or (cluster_ref(cluster)[1] if cluster else None) or app.aws.region
    return kms.resolve(app.aws, spec.kms_key, region, app.aws.session.get_partition_for_region(region))
