"""A real, throw-away MariaDB server for tests: its own temp datadir, its own loopback port.

    with MariaDB() as db:                      # ~1 s: mariadb-install-db, then mariadbd
        conn = db.connect()                    # root, empty password, over TCP to 127.0.0.1:db.port
        conn.cursor().execute("CREATE ROLE r")

The launcher is the product's (auroraml_cli/sandbox/mariadb_server.py, which the sandbox's
`--engine mariadb` runs too): `--no-defaults`, a fresh datadir in a temporary directory, a free
port on 127.0.0.1 (never 3306), PR_SET_PDEATHSIG. This module adds the tests' advice when the
binaries are missing (`.ci/run` installs Debian's mariadb-server) and `Accounts`.
"""

from __future__ import annotations

import pymysql

from auroraml_cli.sandbox import mariadb_server as _launcher
from auroraml_cli.sandbox.mariadb_server import (  # noqa: F401  (re-exported for the tests)
    INSTALL_DB_NAMES,
    SERVER_NAMES,
    SYSTEM_PORT,
    TUNING,
    Binaries,
    MariaDBError,
    MariaDBNotFound,
    account,
    q,
)

EXTRA_DIRS = _launcher.EXTRA_DIRS


def find_binaries(search_path: list[str] | None = None) -> Binaries:
    """The launcher's search (over this module's EXTRA_DIRS), with the tests' advice when missing."""
    try:
        return _launcher.find_binaries(search_path, EXTRA_DIRS)
    except MariaDBNotFound as missing:
        raise MariaDBNotFound(
            f"the database tests need a real MariaDB server, but {missing}.\n"
            "Run `bash .ci/run` as root (it installs Debian's mariadb-server when missing), or "
            + missing.hint.replace("install a MariaDB server: ", "install it yourself: ")) from None


def free_port(host: str = "127.0.0.1") -> int:
    return _launcher.free_port(host)


class MariaDB(_launcher.MariaDB):
    """The launcher's server, finding binaries and ports through this module (tests patch them)."""

    @staticmethod
    def _find_binaries() -> Binaries:
        return find_binaries()

    @staticmethod
    def _free_port(host: str) -> int:
        return free_port(host)


class Accounts:
    """Creates users, roles and databases for one test and drops everything the test added.

    Cleanup is by difference, so accounts and databases created by the code under test (not through
    this helper) are dropped too: whatever exists afterwards and did not exist at the start goes,
    and the global sql_mode is put back.
    """

    SYSTEM_DATABASES = {"information_schema", "mysql", "performance_schema", "sys"}

    def __init__(self, server: MariaDB) -> None:
        self.server = server
        self.root = server.connect()
        self._connections: list[pymysql.connections.Connection] = []
        self._accounts_before = self._accounts()
        self._databases_before = self._databases()
        self._sql_mode_before = self.scalar("SELECT @@GLOBAL.sql_mode")

    # --- creating -----------------------------------------------------------------------------

    def user(self, name: str, host: str = "%", password: str = "", *, roles: tuple[str, ...] = (),
             default_role: str | None = None) -> str:
        """CREATE USER; optionally GRANT roles and SET DEFAULT ROLE. Returns the quoted account."""
        who = account(name, host)
        if password:
            # No %s parameters here: the quoted account may itself contain '%'.
            self.execute(f"CREATE USER {who} IDENTIFIED BY {self.root.escape(password)}")
        else:
            self.execute(f"CREATE USER {who}")
        for role in roles:
            self.execute(f"GRANT {q(role)} TO {who}")
        if default_role:
            self.execute(f"SET DEFAULT ROLE {q(default_role)} FOR {who}")
        return who

    def role(self, name: str) -> str:
        self.execute(f"CREATE ROLE {q(name)}")
        return q(name)

    def database(self, name: str) -> str:
        self.execute(f"CREATE DATABASE {q(name)}")
        return q(name)

    def connect(self, user: str, password: str = "", **kw) -> pymysql.connections.Connection:
        """A connection as `user`, closed at cleanup."""
        conn = self.server.connect(user=user, password=password, **kw)
        self._connections.append(conn)
        return conn

    # --- querying as root ---------------------------------------------------------------------

    def execute(self, sql: str, args=None) -> list[tuple]:
        with self.root.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def scalar(self, sql: str, args=None):
        rows = self.execute(sql, args)
        return rows[0][0] if rows else None

    def grants(self, user: str, host: str = "%") -> list[str]:
        return [row[0] for row in self.execute(f"SHOW GRANTS FOR {account(user, host)}")]

    # --- cleanup ------------------------------------------------------------------------------

    def _accounts(self) -> set[tuple[str, str, bool]]:
        rows = self.execute("SELECT User, Host, is_role FROM mysql.user")
        return {(user, host, is_role == "Y") for user, host, is_role in rows}

    def _databases(self) -> set[str]:
        return {row[0] for row in self.execute("SHOW DATABASES")}

    def cleanup(self) -> None:
        for conn in self._connections:
            try:
                conn.close()
            except Exception:
                pass
        self._connections.clear()
        try:
            self.root.ping(reconnect=False)  # the test may have killed or broken it
        except pymysql.err.Error:
            self.root = self.server.connect()
        for user, host, is_role in sorted(self._accounts() - self._accounts_before):
            if is_role:
                self.execute(f"DROP ROLE IF EXISTS {q(user)}")
            else:
                self.execute(f"DROP USER IF EXISTS {account(user, host)}")
        for name in sorted(self._databases() - self._databases_before - self.SYSTEM_DATABASES):
            self.execute(f"DROP DATABASE IF EXISTS {q(name)}")
        self.execute("SET GLOBAL sql_mode = %s", (self._sql_mode_before,))
        self.root.close()

    def __enter__(self) -> "Accounts":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()
