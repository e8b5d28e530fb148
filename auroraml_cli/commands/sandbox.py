"""`auroraml sandbox`: a local stand-in for AWS (moto plus auroraml's Aurora layer) to rehearse on."""

import os
import subprocess
import sys
from typing import List

import typer

from ..core.errors import ConfigError, UsageError

app = typer.Typer(help="A local stand-in for AWS, seeded with realistic Aurora clusters, on 127.0.0.1.",
                  no_args_is_help=True, rich_markup_mode=None, epilog="""
Examples:

  auroraml sandbox run -- auroraml setup comprehend --cluster ml-demo --reboot --yes

  auroraml sandbox start --port 5000
""")

SANDBOX_ENV = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_SESSION_TOKEN": "sandbox",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    # The sandbox changes state in a fraction of a second; real AWS takes minutes.
    "AURORAML_POLL_INTERVAL": "0.2",
}
# A real database password in the caller's environment (mysql(1) reads MYSQL_PWD) is not the
# sandbox's business: the command run against it does not inherit it, as it inherits no real AWS keys.
# AURORAML_TARGET names a target of the user's real settings file, which the sandbox does not read.
WITHHELD_ENV = ("MYSQL_PWD", "AURORAML_TARGET")

EXAMPLE_RUN = """
Example (rehearse the main job, reboot included, with no AWS account):

  auroraml sandbox run -- auroraml setup comprehend --cluster ml-demo --reboot --yes
"""


def _server():
    # moto resolves regions through a default boto3 session while it loads: a caller's
    # AWS_PROFILE naming a profile this machine lacks would break the sandbox, which never needs it.
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(key, None)
    try:
        from ..sandbox import server
    except ImportError as exc:  # moto is an optional extra
        raise ConfigError(f"the sandbox needs moto ({exc.name} is missing)",
                          "install it with: pip install 'auroraml[sandbox]'") from None
    return server


ENGINE_HELP = ("SQL engine of the Aurora SQL endpoints: sqlite (pip-only, in memory) or mariadb (a local "
               "MariaDB/MySQL server the sandbox starts and stops; needs mariadb-server installed).")


def _engine(name: str | None) -> str:
    """The --engine asked for (else $AURORAML_SANDBOX_ENGINE, else sqlite), checked before anything starts."""
    from ..sandbox.mariadb_server import MariaDBNotFound
    from ..sandbox.sql import sql_engine_choice

    try:
        return sql_engine_choice(name)
    except ValueError as exc:
        raise UsageError(str(exc), "pass --engine sqlite or --engine mariadb") from None
    except MariaDBNotFound as exc:
        raise ConfigError(f"--engine mariadb needs a MariaDB or MySQL server: {exc}", exc.hint) from None


def _environment(sandbox) -> dict[str, str]:
    """What points tools at the sandbox: AWS_* for its AWS half, and AURORAML_SSL_CA, the CA bundle
    its SQL endpoints' certificates verify against (what --ssl-ca is to the RDS global bundle)."""
    env = {"AWS_ENDPOINT_URL": sandbox.endpoint_url, **SANDBOX_ENV}
    if getattr(sandbox, "ssl_ca", None):
        env["AURORAML_SSL_CA"] = sandbox.ssl_ca
    if getattr(sandbox, "state_dir", None):
        env.update(own_state(sandbox.state_dir))
    return env


def own_state(state_dir) -> dict[str, str]:
    """A rehearsal leaves no trace in the user's real history: the change journal, the settings
    file, the locks (XDG_STATE_HOME) and the cluster-id cache of TAB completion (XDG_CACHE_HOME)
    of what runs against the sandbox all live in its own state directory, which goes with it."""
    from pathlib import Path

    state = Path(state_dir)
    config = state / "config.toml"
    if not config.exists():
        config.write_text("# The sandbox's settings file (auroraml's real one is not read): add [targets.NAME] here.\n")
    return {"AURORAML_JOURNAL": str(state / "journal.jsonl"), "AURORAML_CONFIG": str(config),
            "XDG_STATE_HOME": str(state / "state"), "XDG_CACHE_HOME": str(state / "cache")}


EXAMPLE_START = """
Example (then, in another shell, the printed `export` lines; or AWS_ENDPOINT_URL=http://127.0.0.1:5000):

  auroraml sandbox start --port 5000
"""


@app.command("start", epilog=EXAMPLE_START)
def start(
    ctx: typer.Context,
    port: int = typer.Option(5000, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."),
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Create the demo clusters, endpoint and bucket."),
    engine: str = typer.Option(None, "--engine", metavar="sqlite|mariadb", help=ENGINE_HELP,
                               show_default="sqlite, or $AURORAML_SANDBOX_ENGINE"),
) -> int:
    """Run the sandbox in the foreground until Ctrl-C; print the variables that point tools at it."""
    server = _server()
    engine = _engine(engine)

    def ready(sandbox) -> None:
        for key, value in _environment(sandbox).items():
            typer.echo(f"export {key}={value}")
        sys.stdout.flush()
        ctx.obj.out.progress(f"sandbox listening on {sandbox.endpoint_url}; Ctrl-C stops it")
        _describe_sql(ctx.obj.out, sandbox)

    try:
        server.serve_forever(host="127.0.0.1", port=port, seed=seed, on_ready=ready, sql_engine=engine)
    except OSError as exc:
        raise _port_refused(exc, port) from None
    return 0


@app.command("run", epilog=EXAMPLE_RUN, context_settings={"allow_interspersed_args": False})
def run(
    ctx: typer.Context,
    command: List[str] = typer.Argument(..., help="The command to run against the sandbox, after --."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."),
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Create the demo clusters, endpoint and bucket."),
    engine: str = typer.Option(None, "--engine", metavar="sqlite|mariadb", help=ENGINE_HELP,
                               show_default="sqlite, or $AURORAML_SANDBOX_ENGINE"),
) -> int:
    """Start a sandbox, run COMMAND with AWS_ENDPOINT_URL pointing at it, stop it; exit with COMMAND's code."""
    server = _server()
    engine = _engine(engine)
    env = {k: v for k, v in os.environ.items() if k not in WITHHELD_ENV}
    try:
        sandbox = server.start(host="127.0.0.1", port=port, seed=seed, sql_engine=engine)
    except OSError as exc:
        raise _port_refused(exc, port) from None
    with sandbox:
        env.update(_environment(sandbox))
        ctx.obj.out.progress(f"sandbox on {sandbox.endpoint_url}: {' '.join(command)}")
        argv = list(command)
        if argv[0] == "auroraml":  # the same installation that runs this sandbox
            argv = [sys.executable, "-m", "auroraml_cli", *argv[1:]]
        try:
            return subprocess.run(argv, env=env).returncode
        except FileNotFoundError:
            raise ConfigError(f"command not found: {command[0]}") from None


def _port_refused(exc: OSError, port: int) -> Exception:
    """A port taken, or below 1024 without the privilege: the user's choice, with a free one to use."""
    import errno
    import socket

    if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
        return exc
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    why = "is in use" if exc.errno == errno.EADDRINUSE else "needs privileges this user does not have"
    return UsageError(f"port {port} on 127.0.0.1 {why}",
                      f"pass another port: --port 0 picks any free one (and prints it), or --port {free} is free now")


def _describe_sql(out, sandbox) -> None:
    """Where each cluster's Aurora SQL endpoint listens (RDS reports the same address)."""
    for cluster, endpoint in sorted(getattr(sandbox, "sql_endpoints", {}).items()):
        out.progress(f"  {cluster}: Aurora SQL endpoint on {endpoint.host}:{endpoint.port} (user admin)")
    if getattr(sandbox, "sql_endpoints", None) and getattr(sandbox, "ssl_ca", None):
        out.progress(f"  TLS: the endpoints' certificates verify with --ssl-ca {sandbox.ssl_ca} (AURORAML_SSL_CA)")
