"""The one seam to the database: the only module that imports pymysql and opens connections.

Credentials, first found wins: --secret-arn (Secrets Manager), --iam-auth (an RDS token made at
connect time; TLS required), the option file (--defaults-file, else ~/.my.cnf [client]), the
cluster's RDS-managed master secret, then a hidden prompt on a terminal. A password is never
taken from argv and never put in logs, output, the environment of children or error messages.
Connect and read timeouts are always set: a dead writer must not hang the tool.

TLS follows mysql(1)'s --ssl-mode (SSL_MODES; also `ssl-mode` in the option file): DISABLED,
PREFERRED (TLS when the server offers it, unverified: the default without a CA), REQUIRED (TLS or
no connection, unverified), VERIFY_CA (the certificate chains to --ssl-ca), VERIFY_IDENTITY (and
names the host connected to). --ssl-ca without a mode is VERIFY_IDENTITY, as against RDS with
its global bundle. --iam-auth sends its token in the clear-text plugin, so it needs TLS.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AccessDenied, ConfigError, DatabaseError, UsageError, remember_secret
from .versions import AuroraVersion


def _log():
    """The module's logger. logging and configparser load when first needed, not at import: `grant
    --dry-run` imports this module for its types and never connects."""
    import logging

    return logging.getLogger("auroraml.db")


CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
SSL_MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")


@dataclass
class ConnectionRequest:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    database: str | None = None
    defaults_file: str | None = None
    iam_auth: bool = False
    secret_arn: str | None = None
    ssl_ca: str | None = None
    ssl_mode: str | None = None  # one of SSL_MODES; None: VERIFY_IDENTITY with a CA (or an RDS host), else PREFERRED
    defaults_extra_file: str | None = None  # read before ~/.my.cnf (mysql's --defaults-extra-file)
    defaults_group_suffix: str | None = None  # also [clientSUFFIX], [mysqlSUFFIX], [auroramlSUFFIX]
    login_path: str | None = None  # also the [NAME] group, from ~/.mylogin.cnf too
    cluster: str | None = None  # to find the writer endpoint and a managed master secret


@dataclass
class Engine:
    """What the server is: Aurora MySQL (with its version), or plain MySQL / MariaDB."""

    kind: str  # "aurora-mysql" | "mysql" | "mariadb"
    server_version: str
    aurora: AuroraVersion | None = None

    @property
    def label(self) -> str:
        return f"Aurora MySQL {self.aurora}" if self.aurora else f"{'MariaDB' if self.kind == 'mariadb' else 'MySQL'} {self.server_version}"

    def require_aurora(self, what: str, where: str) -> AuroraVersion:
        if self.aurora is None:
            raise UsageError(f"{where} is {self.label}, not Aurora MySQL: {what} is Aurora-only; nothing was executed",
                             "point --host (or --cluster) at an Aurora MySQL writer")
        return self.aurora


@dataclass
class Credentials:
    user: str | None
    password: str | None = field(default=None, repr=False)  # never printed, even by repr
    source: str = "none"

    def __post_init__(self) -> None:
        remember_secret(self.password)  # scrubbed from errors, tracebacks and logs (errors.redact)


def read_option_file(path: Path) -> dict[str, str]:
    """The options of a MySQL option file's [client], [mysql] and [auroraml] groups, as mysql(1)
    reads them (core/optionfile.py: includes, escapes, the last value winning)."""
    from . import optionfile

    sink = optionfile.Options()
    optionfile.read_file(Path(path), optionfile.groups(), sink)
    return sink.values


def _option_file(req: ConnectionRequest):
    from . import optionfile

    return optionfile.load(req.defaults_file, req.defaults_extra_file, req.defaults_group_suffix, req.login_path)


# Where an RDS endpoint's name ends: commercial and GovCloud, China, and the ISO partitions.
_RDS_HOST = re.compile(r"\.rds\.(amazonaws\.com|amazonaws\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov)\.?$", re.I)


def is_rds_host(host: str | None) -> bool:
    return bool(host and _RDS_HOST.search(host))


def rds_bundle_paths() -> list[Path]:
    """Where the RDS CA bundle is looked for when no --ssl-ca names one, first found wins: a copy
    shipped in the package (a packager may add it), the user's auroraml config directory, then
    the system-wide places distributions and images put it."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path(os.environ.get("HOME", "~")).expanduser() / ".config")
    return [Path(__file__).resolve().parent.parent / "data" / "rds-global-bundle.pem",
            config / "auroraml" / "rds-global-bundle.pem",
            Path("/etc/ssl/certs/rds-global-bundle.pem"),
            Path("/etc/pki/tls/certs/rds-global-bundle.pem"),
            Path("/usr/local/share/ca-certificates/rds-global-bundle.pem")]


def locate_rds_bundle() -> str | None:
    for path in rds_bundle_paths():
        try:
            if path.is_file():
                return str(path)
        except OSError:
            continue
    return None


def tls_target(host: str, given_mode: str | None, ca: str | None, mode_source: str | None = None) -> tuple[str, str | None]:
    """(ssl mode, CA file) for `host`. Against an RDS endpoint with no mode asked for, TLS is
    verified with the RDS CA bundle (--ssl-ca, AURORAML_SSL_CA, ssl-ca in the option file, else a
    copy found at rds_bundle_paths()); with none found the connection is refused, never made
    unverified. Plaintext only with DISABLED; unverified TLS only with REQUIRED or PREFERRED asked."""
    if not ca and is_rds_host(host) and (given_mode is None or given_mode == ""
                                         or str(getattr(given_mode, "value", given_mode)).upper().startswith("VERIFY")):
        ca = locate_rds_bundle()
        if ca is None:
            from .optionfile import RDS_BUNDLE_URL

            raise UsageError(f"{host} is an RDS endpoint and no RDS CA bundle was found to verify its certificate with",
                             f"curl -fsSo ~/.config/auroraml/rds-global-bundle.pem --create-dirs {RDS_BUNDLE_URL} "
                             "(or pass --ssl-ca FILE / AURORAML_SSL_CA; --ssl-mode REQUIRED skips verifying)")
    return ssl_mode(given_mode, ca, mode_source), ca


def resolve(req: ConnectionRequest, aws=None, interactive: bool | None = None) -> tuple[dict[str, Any], Credentials]:
    """Where to connect and as whom; reads AWS only when the request asks for it."""
    options = _option_file(req)
    option_path = options.sources.get("ssl_mode")
    host, port = req.host or options.get("host"), req.port or _int(options.get("port"))
    cluster = None
    if req.cluster and (not host or (not req.iam_auth and not req.secret_arn)):
        from .cluster import describe_raw

        cluster = describe_raw(aws, req.cluster)
        if not host:
            host, port = cluster.get("Endpoint"), port or cluster.get("Port")
    if not host:
        raise UsageError("no database host", "pass --host, or --cluster to use its writer endpoint")
    user = req.user or options.get("user")
    target = {"host": host, "port": port or 3306, "database": req.database or options.get("database")}
    target["ssl_mode"], target["ssl_ca"] = tls_target(host, req.ssl_mode or options.get("ssl_mode"), req.ssl_ca or options.get("ssl_ca"),
                                                      None if req.ssl_mode else option_path)
    if req.secret_arn:
        creds = _from_secret(aws, req.secret_arn, user)
    elif req.iam_auth:
        if not user:
            raise UsageError("--iam-auth needs --user", "the database user created WITH AWSAuthenticationPlugin")
        # checked before any AWS call: a token over plain TCP is refused anyway
        if target["ssl_mode"] == "DISABLED":
            raise UsageError("--iam-auth needs TLS: --ssl-mode DISABLED sends the token in the clear",
                             "drop --ssl-mode DISABLED (or ssl-mode in the option file) and pass --ssl-ca with the RDS CA bundle")
        if not target["ssl_ca"] and target["ssl_mode"] == "PREFERRED":
            raise UsageError("--iam-auth needs TLS: pass --ssl-ca with the RDS CA bundle",
                             "download global-bundle.pem from the RDS documentation (or --ssl-mode REQUIRED to skip verifying)")
        token = aws.client("rds").generate_db_auth_token(DBHostname=host, Port=target["port"], DBUsername=user)
        creds = Credentials(user, token, "iam")
    elif "password" in options:
        creds = Credentials(user, options.get("password"), f"option file {options.sources['password']}")
    elif cluster and cluster.get("MasterUserSecret", {}).get("SecretArn") and (not user or user == cluster.get("MasterUsername")):
        creds = _from_secret(aws, cluster["MasterUserSecret"]["SecretArn"], user or cluster.get("MasterUsername"))
    else:
        creds = Credentials(user or (cluster or {}).get("MasterUsername"), None, "none")
        if creds.user and (interactive if interactive is not None else _tty()):
            import getpass

            creds = Credentials(creds.user, getpass.getpass(f"Password for {creds.user}@{host}: "), "prompt")
    if not creds.user:
        raise UsageError("no database user", "pass --user, or put user= in the [client] group of ~/.my.cnf")
    return target, creds


def ssl_mode(given: str | None, ca: str | None, option_path: str | None = None) -> str:
    """The TLS mode in effect: the one given (any case, as mysql(1) takes it), else VERIFY_IDENTITY
    with a CA and PREFERRED without. VERIFY_CA and VERIFY_IDENTITY need a CA to verify with."""
    if given is None or given == "":
        return "VERIFY_IDENTITY" if ca else "PREFERRED"
    mode = str(getattr(given, "value", given)).upper()
    if mode not in SSL_MODES:
        where = f"ssl-mode in {option_path}" if option_path else "--ssl-mode"
        raise ConfigError(f"{where}: {given!r} is not an SSL mode", f"use one of {', '.join(SSL_MODES)}")
    if mode.startswith("VERIFY") and not ca:
        raise UsageError(f"--ssl-mode {mode} verifies the server's certificate: it needs --ssl-ca",
                         "pass --ssl-ca with the CA bundle (the RDS global-bundle.pem; the sandbox prints its own)")
    return mode


def _ssl_context(target: dict[str, Any]):
    """PyMySQL's TLS arguments for the target's mode."""
    import ssl as ssl_mod

    mode = target.get("ssl_mode") or ssl_mode(None, target.get("ssl_ca"))
    if mode == "DISABLED":
        return {"ssl_disabled": True}
    if mode == "PREFERRED":
        return {}  # PyMySQL's own default: TLS when offered, unverified, else plain
    if mode == "REQUIRED":
        context = ssl_mod.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl_mod.CERT_NONE
        return {"ssl": context}
    cafile = _ssl_ca_file(target["ssl_ca"])
    try:
        context = ssl_mod.create_default_context(cafile=str(cafile))  # verifies the chain and the name
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: not a PEM bundle
        raise ConfigError(f"cannot use the CA bundle {cafile}: {getattr(exc, 'reason', None) or exc.__class__.__name__}",
                          "check --ssl-ca: a PEM file of CA certificates such as the RDS global-bundle.pem") from None
    if mode == "VERIFY_CA":
        context.check_hostname = False
    return {"ssl": context}


def _ssl_ca_file(path: str) -> Path:
    found = Path(path).expanduser()
    if not _is_file(found, "check --ssl-ca (or ssl-ca in the option file)"):
        raise ConfigError(f"CA bundle not found: {found}", "check --ssl-ca (or ssl-ca in the option file): the RDS global-bundle.pem")
    return found


def _is_file(path: Path, hint: str) -> bool:
    """Path.is_file() says False for a missing file but raises for a name too long (ENAMETOOLONG)."""
    try:
        return path.is_file()
    except OSError as exc:
        raise ConfigError(f"cannot use {path}: {exc.strerror}", hint) from None


def _tty() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stderr.isatty()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None  # "²".isdigit() too


def _from_secret(aws, arn: str, user: str | None) -> Credentials:
    import json

    from .names import Arn

    region = None
    if arn.startswith("arn:"):  # read in the secret's own region; anything but a secret is refused unread
        parsed = Arn.parse(arn)
        if parsed.service != "secretsmanager" or not parsed.resource.startswith("secret:") or not parsed.region:
            raise UsageError(f"not a Secrets Manager secret ARN: {arn!r}",
                             "use arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME (or the secret's name)")
        region = parsed.region
    raw = aws.reader.secret(arn, region).string or "{}"  # read once per process, however many instances
    remember_secret(raw)
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ConfigError(f"secret {arn} is not a JSON object with username and password",
                          'store {"username": ..., "password": ...} as the secret string (RDS-managed secrets are)')
    password = data.get("password")
    if not isinstance(password, str):
        raise ConfigError(f"secret {arn} has no password field" if password is None else f"secret {arn}: password is not a string",
                          'store {"username": ..., "password": ...} as the secret string (RDS-managed secrets are)')
    username = data.get("username")
    return Credentials(user or (username if isinstance(username, str) else None), password, "secrets manager")


def connect(target: dict[str, Any], creds: Credentials, timeout: float | None = None):
    """A connection, or a DatabaseError (AccessDenied for a refused login). `timeout` bounds the
    TCP connect, the handshake and each read and write alike (default: CONNECT_TIMEOUT to connect,
    READ_TIMEOUT after): a server that accepts and never answers is given up, not waited on."""
    import pymysql

    tls = _ssl_context(target)
    _log().info("connecting to %s:%s as %s (credentials: %s)", target["host"], target["port"], creds.user, creds.source)
    try:
        # UTF-8 bytes, as mysql(1) sends them: PyMySQL would encode a str as latin-1, which fails
        # a non-ASCII password and raises (naming a character of it) on one outside latin-1.
        return pymysql.connect(host=target["host"], port=int(target["port"]), user=creds.user,
                               password=(creds.password or "").encode("utf-8"), database=target.get("database"),
                               connect_timeout=timeout or CONNECT_TIMEOUT, read_timeout=timeout or READ_TIMEOUT,
                               write_timeout=timeout or READ_TIMEOUT, autocommit=True, charset="utf8mb4", **tls)
    except pymysql.err.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        # The server's message names the account, never the password; keep it, drop the rest.
        message = exc.args[1] if len(exc.args) > 1 else str(exc)
        if code in CONNECTION_LOST and "timed out" in str(message):  # PyMySQL says "during query" even in the handshake
            message = f"no answer within {timeout or READ_TIMEOUT:g} s (the connection was accepted)"
        if code == 1045:
            hint = ("check that the user was created IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS', that the cluster has "
                    "IAM database authentication enabled and that your AWS identity may rds-db:connect (auroraml check --iam-auth)"
                    if creds.source == "iam" else "check the user and password (--defaults-file, ~/.my.cnf, --secret-arn)")
            raise AccessDenied(f"access denied for {creds.user} at {target['host']}:{target['port']}: {message}", hint) from None
        if "CERTIFICATE_VERIFY_FAILED" in str(message):
            raise DatabaseError(f"cannot connect to {target['host']}:{target['port']}: the server's certificate did not verify "
                                f"({_verify_reason(str(message))}, --ssl-mode {target.get('ssl_mode')})",
                                "check --ssl-ca (the CA that issued the server's certificate) and that --host is a name "
                                "the certificate carries (--ssl-mode VERIFY_CA checks the CA only)") from None
        raise DatabaseError(f"cannot connect to {target['host']}:{target['port']}: {message}",
                            "check --host/--port and that the database accepts connections from here") from None


def _verify_reason(message: str) -> str:
    """OpenSSL's reason, e.g. "Hostname mismatch, certificate is not valid for 'db.example.com'"."""
    found = re.search(r"certificate verify failed: ([^(]+?)\s*\(_ssl", message)
    return found.group(1) if found else "certificate verify failed"


def detect(conn) -> Engine:
    """Aurora MySQL answers @@aurora_version; MySQL and MariaDB do not have it."""
    version = scalar(conn, "SELECT VERSION()")
    try:
        aurora = scalar(conn, "SELECT @@aurora_version")
    except Exception as exc:  # 1193 unknown system variable: not Aurora
        if not is_mysql_error(exc) or connection_lost(exc):  # a lost line or a timeout says nothing of the engine
            raise
        aurora = None
    if aurora:
        return Engine("aurora-mysql", version, AuroraVersion.parse(str(aurora)))
    return Engine("mariadb" if "mariadb" in version.lower() else "mysql", version)


def is_mysql_error(exc: BaseException) -> bool:
    import pymysql

    return isinstance(exc, pymysql.err.MySQLError)


def scalar(conn, sql: str) -> Any:
    with conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return row[0] if row else None


def rows(conn, sql: str, args: tuple = ()) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        return list(cur.fetchall())


def execute(conn, sql: str) -> int:
    """Run one statement; the rows it affected. A refusal becomes a DatabaseError naming it."""
    _log().info("sql: %s", sql)
    try:
        with conn.cursor() as cur:
            return cur.execute(sql)
    except Exception as exc:
        if is_mysql_error(exc):
            code = exc.args[0] if exc.args else "?"
            reason = exc.args[1] if len(exc.args) > 1 else exc
            if connection_lost(exc):  # not a refusal: the statement may have run before the line dropped
                raise DatabaseError(f"lost the connection running `{sql}`: ({code}) {reason}; it may or may not have taken effect",
                                    "run the same command again: it reads what is there before changing anything") from None
            raise DatabaseError(f"the database refused `{sql}`: ({code}) {reason}",
                                "fix the cause above and run the same command again") from None
        raise


# Client and server codes for a connection that went away: gone away, lost during a query, lost
# at a read, killed (MariaDB), closed for inactivity (MySQL 8).
CONNECTION_LOST = {2006, 2013, 2055, 1927, 4031}


def connection_lost(exc: BaseException) -> bool:
    import pymysql

    code = exc.args[0] if exc.args else None
    return isinstance(exc, pymysql.err.InterfaceError) or (isinstance(exc, pymysql.err.OperationalError)
                                                            and code in CONNECTION_LOST)


def run_statement(conn, sql: str) -> tuple[list[str], list[tuple], int]:
    """(column names, rows, rows affected) of one statement of the user's (`auroraml sql -e`).
    A refusal becomes a DatabaseError naming the server's code and reason."""
    _log().info("sql: %s", sql)
    try:
        with conn.cursor() as cur:
            affected = cur.execute(sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            found = list(cur.fetchall()) if cur.description else []
            while cur.nextset():  # a CALL's trailing result sets: read, so the connection stays usable
                pass
    except Exception as exc:
        if is_mysql_error(exc):
            code = exc.args[0] if exc.args else "?"
            reason = exc.args[1] if len(exc.args) > 1 else exc
            if connection_lost(exc):
                raise DatabaseError(f"lost the connection running the statement: ({code}) {reason}; it may or may not have taken effect",
                                    "check whether it took effect before running it again") from None
            raise DatabaseError(f"the database refused the statement: ({code}) {reason}",
                                "fix the statement and run it again") from None
        raise
    return columns, found, affected
