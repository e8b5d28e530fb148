"""Opening the user's own SQL client (`auroraml sql`) on a resolved endpoint, without putting the
password where another user could read it.

The client is the first of CLIENTS on PATH. What it needs (host, port, user, password, database,
TLS) is written to a private option file (mode 0600, made by mkstemp, in the temporary
directory) passed as --defaults-file; argv holds only the file's name, the child's environment
no secret, and the file is deleted when the client exits (or fails to start). The file first
!includes the option files auroraml read (so the user's [mysql] settings, a prompt or a pager,
still apply), then a [client] group with what auroraml resolved, which mysql(1) applies last:
--defaults-extra-file would let ~/.my.cnf's password override it. MYSQL_TEST_LOGIN_FILE points at
no file in the child, so a ~/.mylogin.cnf [client] cannot override it either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .errors import ConfigError, DatabaseError

CLIENTS = ("mysql", "mariadb", "mycli")


def find_client() -> tuple[str, str]:
    """(name, path) of the first client on PATH."""
    for name in CLIENTS:
        path = shutil.which(name)
        if path:
            return name, path
    raise ConfigError(f"no SQL client found on PATH (looked for {', '.join(CLIENTS)})",
                      "install one (e.g. apt install mariadb-client, brew install mysql-client, pip install mycli), "
                      "or run one statement with -e 'STATEMENT'")


def quote(value: str) -> str:
    """`value` as an option-file value mysql(1) and MariaDB read back unchanged."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t").replace("\b", "\\b"))
    return f'"{escaped}"'


def option_text(target: dict[str, Any], creds, name: str, includes: list[str] = ()) -> str:
    """The option file handed to the client. `loose-` options are skipped by a client that does
    not know them (MariaDB has no ssl-mode, MySQL 8 no ssl-verify-server-cert)."""
    lines = [f"!include {path}" for path in includes if name != "mycli"]  # mycli's reader knows no !include
    lines += ["[client]", f"host = {quote(str(target['host']))}", f"port = {int(target['port'])}",
              f"user = {quote(creds.user)}"]
    if creds.password is not None:
        lines.append(f"password = {quote(creds.password)}")
    if target.get("database"):
        lines.append(f"database = {quote(target['database'])}")
    mode, ca = target.get("ssl_mode"), target.get("ssl_ca")
    loose = "" if name == "mycli" else "loose-"
    if ca and mode != "DISABLED":
        lines.append(f"ssl-ca = {quote(str(Path(ca).expanduser().resolve()))}")
    if name != "mycli":
        lines.append(f"loose-ssl-mode = {mode}")
    if mode == "DISABLED":
        lines.append(f"{loose}skip-ssl")
    elif mode in ("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"):
        lines.append(f"{loose}ssl")
        if mode.startswith("VERIFY"):
            lines.append(f"{loose}ssl-verify-server-cert")
    if creds.source == "iam" and name != "mycli":
        lines.append("loose-enable-cleartext-plugin")  # an IAM token goes in the clear-text plugin (over TLS)
    return "\n".join(lines) + "\n"


def run(name: str, path: str, target: dict[str, Any], creds, includes: list[str] = (), extra_args: list[str] = ()) -> int:
    """Run the client on a terminal; its exit status."""
    import signal

    fd, option_file = tempfile.mkstemp(prefix="auroraml-", suffix=".cnf")  # 0600, owned by us
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(option_text(target, creds, name, includes))
        argv = [path, f"--defaults-file={option_file}", *extra_args]
        env = dict(os.environ)
        env.pop("MYSQL_PWD", None)
        env["MYSQL_TEST_LOGIN_FILE"] = option_file + ".none"  # no ~/.mylogin.cnf [client] over ours
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's (it cancels a query)
        try:
            return subprocess.call(argv, env=env)
        except OSError as exc:
            raise DatabaseError(f"cannot run {path}: {exc.strerror}", f"check that {name} is an executable SQL client") from None
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        try:
            os.unlink(option_file)
        except FileNotFoundError:
            pass
