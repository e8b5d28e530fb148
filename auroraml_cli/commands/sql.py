"""`auroraml sql`: a SQL session on the cluster in the user's own client, or one statement (-e)."""

from typing import Optional

import typer

from . import examples, options as o

EXAMPLE = """
Examples:

  auroraml sql --cluster ml-demo

  auroraml sql --cluster ml-demo -e "SELECT aws_comprehend_detect_sentiment('I love it', 'en')"

  auroraml -o json sql --cluster ml-demo --database mldb -e "SELECT * FROM support LIMIT 5"
"""


@examples(EXAMPLE)
def sql(
    ctx: typer.Context,
    execute: Optional[str] = typer.Option(None, "-e", "--execute", help="Run this one statement and print its result "
                                          "(a table, or JSON with -o json) instead of opening a client."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, database: Optional[str] = o.DATABASE, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    defaults_extra_file: Optional[str] = o.DEFAULTS_EXTRA_FILE, defaults_group_suffix: Optional[str] = o.DEFAULTS_GROUP_SUFFIX,
    login_path: Optional[str] = o.LOGIN_PATH,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
) -> int:
    """Open a SQL session on the cluster in your mysql, mariadb or mycli client, or run one statement (-e)."""
    from ..core import db

    app = ctx.obj
    request = o.connection_request(app, o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, database=database, defaults_file=defaults_file,
        iam_auth=iam_auth, secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode, defaults_extra_file=defaults_extra_file,
        defaults_group_suffix=defaults_group_suffix, login_path=login_path))
    if execute is not None and not execute.strip():
        from ..core.errors import UsageError

        raise UsageError("-e needs a statement", "pass -e 'SELECT ...', or leave -e out to open a client")
    if execute is None:
        from ..core import client

        name, path = client.find_client()  # before any AWS call or prompt: nothing to open it in
        target, creds = db.resolve(request, app.aws)
        app.out.progress(f"opening {name} on {target['host']}:{target['port']} as {creds.user} "
                         f"(credentials: {creds.source}, TLS: {target['ssl_mode']})")
        status = client.run(name, path, target, creds, includes=_includes(request))
        if status:
            from ..core.errors import DatabaseError

            raise DatabaseError(f"{name} exited with status {status}", f"see {name}'s message above")
        return 0
    target, creds = db.resolve(request, app.aws)
    conn = db.connect(target, creds)
    try:
        columns, rows, affected = db.run_statement(conn, execute)
    finally:
        conn.close()
    names = _unique(columns)
    doc = {"command": "sql", "host": target["host"], "port": target["port"], "statement": execute, "columns": columns,
           "rows": [[_text(v) for v in r] for r in rows], "rows_affected": None if columns else affected}
    if columns:
        app.out.document(doc, rows=[dict(zip(names, (_text(v) for v in r))) for r in rows], columns=names,
                         verbatim=names)  # the rows asked for, as the server sent them: ARNs not shortened
        app.out.progress(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    else:
        app.out.document(doc, rows=[], columns=())
        app.out.progress(f"query OK, {affected} row{'s' if affected != 1 else ''} affected")
    return 0


def _text(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    return value


def _unique(columns: list[str]) -> list[str]:
    """Column names made distinct (SELECT 1, 1 has two columns named 1): a table needs one key each."""
    seen: dict[str, int] = {}
    out = []
    for column in columns:
        seen[column] = seen.get(column, 0) + 1
        out.append(column if seen[column] == 1 else f"{column} ({seen[column]})")
    return out


def _includes(request) -> list[str]:
    """The option files auroraml read, for the client to read first (its [mysql] settings)."""
    from pathlib import Path

    from ..core import optionfile

    if request.defaults_file:
        files = [Path(request.defaults_file).expanduser()]
    else:
        files = ([Path(request.defaults_extra_file).expanduser()] if request.defaults_extra_file else []) + [optionfile.home() / ".my.cnf"]
    return [str(f.resolve()) for f in files if f.is_file()]

