"""`auroraml explain "SQL"`: whether Aurora batches each ML call in a query, and why not."""

from typing import Optional

import typer

from . import examples, options as o

EXAMPLE = """
Example:

  auroraml explain "SELECT AVG(aws_comprehend_detect_sentiment_confidence(comment, 'en')) FROM support" --cluster ml-demo --database mldb
"""


@examples(EXAMPLE)
def explain(
    ctx: typer.Context,
    sql: str = typer.Argument(..., help="One SELECT, INSERT, REPLACE, UPDATE or DELETE."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Run EXPLAIN and report, per ML function call, whether it is batched."""
    from ..core import explain as ex

    app = ctx.obj
    ex.check_query(sql)
    conn_req = o.connection_request(app, o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, database=database, defaults_file=defaults_file,
        iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode))
    with app.aurora(conn_req, "Aurora ML batching") as (conn, _, _where):
        plan_rows, calls = ex.explain(conn, sql, conn_req.database)
    doc = {"command": "explain", "sql": sql, "calls": [c.to_dict() for c in calls], "plan": plan_rows}
    app.out.document(doc, title="ML calls", rows=[c.to_dict() for c in calls],
                     columns=("function", "service", "batched", "reason"))
    if not calls:
        app.out.progress("no ML function calls found in the query")
    return 0
