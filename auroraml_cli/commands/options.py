"""Option types shared by several commands, so their names and help read the same everywhere."""

import enum
from typing import Optional

import typer

from ..core.patterns import lazy
from ..core.records import Record


# Only plain ASCII decimals: float() would also take "nan", "inf", "1e309" (inf) and "１" (a
# full-width 1); each is refused with exit 2 before anything connects or changes.
_DECIMAL = lazy(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


def seconds(low: float, high: float):
    """A typer `parser` for a number of seconds from `low` to `high`, written in ASCII decimals."""
    def parse(value) -> float:
        if isinstance(value, float):  # the default
            return value
        number = float(value) if _DECIMAL.fullmatch(value) else None
        if number is None or not low <= number <= high:
            raise typer.BadParameter(f"{value!r} is not a number of seconds from {low:g} to {high:g}")
        return number

    return parse


MAX_WAIT = 7 * 86400.0  # the longest --timeout a setup or teardown waits: a week

TIMEOUT_HELP = ("Seconds to wait for another auroraml run on the cluster to finish, and for each association and each "
                "reboot, before giving up (exit 6; run again to resume).")


# Database connection options, shared by every command that talks SQL. A password option is
# deliberately absent: passwords come from option files, Secrets Manager, IAM tokens or a prompt.
HOST = typer.Option(None, "--host", help="Database host. [env: AURORAML_HOST; default: the cluster's writer endpoint]")
PORT = typer.Option(None, "--port", min=1, max=65535, help="Database port. [env: AURORAML_PORT; default 3306]")
USER = typer.Option(None, "--user", help="Database user. [env: AURORAML_USER]")
DATABASE = typer.Option(None, "--database", help="Default database. [env: AURORAML_DATABASE]")
DEFAULTS_FILE = typer.Option(None, "--defaults-file", help="MySQL option file with a [client] group (user, password, host...). [default: ~/.my.cnf]")
IAM_AUTH = typer.Option(False, "--iam-auth", help="Authenticate with an RDS IAM token made at connect time (needs TLS: --ssl-ca).")
SECRET_ARN = typer.Option(None, "--secret-arn", help="Secrets Manager secret with username and password. [default: the cluster's managed master secret]")
SSL_CA = typer.Option(None, "--ssl-ca", help="CA bundle: connect with TLS and verify the server's certificate and name (--ssl-mode VERIFY_IDENTITY). [env: AURORAML_SSL_CA]")
# mysql(1)'s --ssl-mode, by the same names (any case).
SslMode = enum.Enum("SslMode", {m: m for m in ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")},
                    type=str)  # type: ignore[misc]
SSL_MODE = typer.Option(None, "--ssl-mode", case_sensitive=False,
                        help="TLS as mysql's --ssl-mode: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY. "
                             "[default: VERIFY_IDENTITY with --ssl-ca or against an RDS endpoint (its CA bundle), else PREFERRED; "
                             "ssl-mode in the option file]")
DEFAULTS_EXTRA_FILE = typer.Option(None, "--defaults-extra-file", help="MySQL option file read before ~/.my.cnf (as mysql's). [env: AURORAML_DEFAULTS_EXTRA_FILE]")
DEFAULTS_GROUP_SUFFIX = typer.Option(None, "--defaults-group-suffix", help="Also read the [clientSUFFIX], [mysqlSUFFIX] and [auroramlSUFFIX] groups. [env: AURORAML_DEFAULTS_GROUP_SUFFIX]")
LOGIN_PATH = typer.Option(None, "--login-path", help="Also read the [NAME] group, from ~/.mylogin.cnf (mysql_config_editor) too. [env: AURORAML_LOGIN_PATH]")
CLUSTER = typer.Option(None, "--cluster", help="DB cluster id or ARN (its writer endpoint is the default host). [env: AURORAML_CLUSTER]")


class ConnectionOptions(Record):
    """The database connection options a command was given, by name (None: not given)."""

    __slots__ = ("cluster", "host", "port", "user", "database", "defaults_file", "iam_auth", "secret_arn", "ssl_ca",
                 "ssl_mode", "defaults_extra_file", "defaults_group_suffix", "login_path")
    cluster: Optional[str]
    host: Optional[str]
    port: Optional[int]
    user: Optional[str]
    database: Optional[str]
    defaults_file: Optional[str]
    iam_auth: bool
    secret_arn: Optional[str]
    ssl_ca: Optional[str]
    ssl_mode: Optional[str]  # an SslMode (a str) or its name
    defaults_extra_file: Optional[str]
    defaults_group_suffix: Optional[str]
    login_path: Optional[str]

    def __init__(self, cluster: Optional[str] = None, host: Optional[str] = None, port: Optional[int] = None,
                 user: Optional[str] = None, database: Optional[str] = None, defaults_file: Optional[str] = None,
                 iam_auth: bool = False, secret_arn: Optional[str] = None, ssl_ca: Optional[str] = None,
                 ssl_mode: Optional[str] = None, defaults_extra_file: Optional[str] = None,
                 defaults_group_suffix: Optional[str] = None, login_path: Optional[str] = None) -> None:
        self.cluster, self.host, self.port, self.user, self.database = cluster, host, port, user, database
        self.defaults_file, self.iam_auth, self.secret_arn, self.ssl_ca = defaults_file, iam_auth, secret_arn, ssl_ca
        self.ssl_mode, self.defaults_extra_file = ssl_mode, defaults_extra_file
        self.defaults_group_suffix, self.login_path = defaults_group_suffix, login_path

    @property
    def names_a_login(self) -> bool:
        """Whether any option saying where or how to log in was given (a cluster or a database alone is not)."""
        return any((self.host, self.port, self.user, self.defaults_file, self.iam_auth, self.secret_arn, self.ssl_ca,
                    self.ssl_mode, self.defaults_extra_file, self.defaults_group_suffix, self.login_path))


def connection_request(app, given: ConnectionOptions):
    """The ConnectionRequest for the options a command was given, flags first, then the layered
    settings (AURORAML_* and the target)."""
    from ..core.db import ConnectionRequest

    g, s = given, app.settings
    return ConnectionRequest(host=g.host or s.host, port=g.port or s.port, user=g.user or s.user,
                             database=g.database or s.database, defaults_file=g.defaults_file or s.defaults_file,
                             iam_auth=bool(g.iam_auth), secret_arn=g.secret_arn, ssl_ca=g.ssl_ca or s.ssl_ca,
                             ssl_mode=getattr(g.ssl_mode, "value", g.ssl_mode), cluster=g.cluster or s.cluster,
                             defaults_extra_file=g.defaults_extra_file or s.defaults_extra_file,
                             defaults_group_suffix=g.defaults_group_suffix or s.defaults_group_suffix,
                             login_path=g.login_path or s.login_path)


def __getattr__(name: str):
    """`ServiceName`, made when a command that takes a service is loaded: an Enum gives shell
    completion and a clear usage error for free, but reading the catalogue for it is start-up
    that `ddl` or `status` need not pay."""
    if name == "ServiceName":
        from ..core.catalogue import SERVICE_NAMES

        made = globals()["ServiceName"] = enum.Enum("ServiceName", {n: n for n in SERVICE_NAMES}, type=str)  # type: ignore[misc]
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DETAILED_EXITCODE_HELP = ("With --dry-run: exit 0 when nothing would change, 2 when something would "
                          "(as terraform plan -detailed-exitcode).")
