"""A throw-away MariaDB (or MySQL) server on 127.0.0.1: its own temp datadir, its own free port.

One launcher for the sandbox's `--engine mariadb` (docs/reference/sql-compat.md, "Engine choice")
and for the tests (tests/support/mariadb.py builds on it):

    with MariaDB() as db:                      # ~1 s: mariadb-install-db, then mariadbd
        conn = db.connect()                    # root, empty password, over TCP to 127.0.0.1:db.port

The server never touches the machine's own server: `--no-defaults` (no /etc/mysql/*.cnf, no
~/.my.cnf), a fresh datadir, socket, pid file and error log in a temporary directory, a free port
on 127.0.0.1 (never 3306), and PR_SET_PDEATHSIG so that it dies with the process that started it.
`stop()` shuts it down (SIGTERM, then SIGKILL after a timeout) and removes the directory.

`find_binaries()` raises `MariaDBNotFound` (naming what is missing and how to install it) when
mariadbd/mysqld or mariadb-install-db/mysql_install_db are absent. PyMySQL is imported lazily.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INSTALL_HINT = ("install a MariaDB server: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive "
                "apt-get install -y --no-install-recommends mariadb-server")

SERVER_NAMES = ("mariadbd", "mysqld")
INSTALL_DB_NAMES = ("mariadb-install-db", "mysql_install_db")
EXTRA_DIRS = ("/usr/sbin", "/usr/libexec", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")
SYSTEM_PORT = 3306

# Small and fast: the tests need grants, not throughput. `--loose-` so that an option a future
# server version drops is ignored instead of refusing to start.
TUNING = (
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=8M",
    "--loose-innodb-log-buffer-size=1M",
    "--loose-innodb-use-native-aio=0",  # no AIO/io_uring surprises in containers and on tmpfs
    "--loose-innodb-flush-log-at-trx-commit=2",
    "--loose-innodb-doublewrite=0",
    "--loose-key-buffer-size=1M",
    "--loose-aria-pagecache-buffer-size=2M",
    "--loose-query-cache-size=0",
    "--loose-performance-schema=OFF",
    "--loose-feedback=OFF",
    "--max-connections=100",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
)
# Only what must agree between mariadb-install-db and the server it prepares.
INSTALL_TUNING = ("--innodb-log-file-size=8M", "--loose-innodb-use-native-aio=0")


class MariaDBError(RuntimeError):
    """The test server could not be prepared, started or reached."""


class MariaDBNotFound(MariaDBError):
    """mariadbd / mariadb-install-db are not installed: `str()` says what, `.hint` what to do."""

    def __init__(self, message: str, hint: str = INSTALL_HINT) -> None:
        super().__init__(message)
        self.hint = hint


class _PortTaken(MariaDBError):
    """The free port was taken by another server before ours bound it."""


@dataclass(frozen=True)
class Binaries:
    server: Path
    install_db: Path


def _find(names: tuple[str, ...], search_path: list[str]) -> Path | None:
    for directory in search_path:
        for name in names:
            candidate = Path(directory) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


def find_binaries(search_path: list[str] | None = None, extra_dirs: tuple[str, ...] | None = None) -> Binaries:
    """mariadbd (or mysqld) and mariadb-install-db (or mysql_install_db): PATH, then /usr/sbin etc."""
    extra_dirs = EXTRA_DIRS if extra_dirs is None else extra_dirs
    where = f"PATH{' and ' + ', '.join(extra_dirs) if extra_dirs else ''}" if search_path is None \
        else ", ".join(search_path)
    if search_path is None:
        search_path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d] + list(extra_dirs)
    server = _find(SERVER_NAMES, search_path)
    install_db = _find(INSTALL_DB_NAMES, search_path)
    if server and install_db:
        return Binaries(server, install_db)
    missing = [" or ".join(names) for names, found in ((SERVER_NAMES, server), (INSTALL_DB_NAMES, install_db))
               if not found]
    raise MariaDBNotFound(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed "
                          f"(looked in {where})", INSTALL_HINT)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (never the system server's 3306)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port != SYSTEM_PORT:
            return port


def q(name: str) -> str:
    """Backtick-quote an identifier or account part; means the same under every sql_mode."""
    if "\x00" in name:
        raise ValueError("names may not contain NUL")
    return "`" + name.replace("`", "``") + "`"


def account(user: str, host: str = "%") -> str:
    """`user`@`host`, quoted for any characters (quotes, backticks, %, backslashes)."""
    return f"{q(user)}@{q(host)}"


def _parent_death_signal():
    """preexec_fn: on Linux, have the kernel SIGTERM the server if the test process dies.

    (Strictly: when the thread that started it ends, so start servers from a long-lived thread.)
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    PR_SET_PDEATHSIG = 1

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return preexec


_BIND_FAILED = re.compile(r"Can't start server: Bind on TCP/IP port|Address already in use|errno: 98", re.I)


class MariaDB:
    """A MariaDB server in a temp directory on 127.0.0.1:<free port>. Use as a context manager."""

    host = "127.0.0.1"

    def __init__(self, *, port: int | None = None, startup_timeout: float = 30.0,
                 stop_timeout: float = 15.0, extra_args: tuple[str, ...] = (),
                 binaries: Binaries | None = None, keep_dir: bool = False, private_files: bool = False) -> None:
        if port == SYSTEM_PORT:
            raise ValueError("port 3306 belongs to the machine's own MariaDB; pick another (or None)")
        self._fixed_port = port
        self.port: int = port or 0
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = tuple(extra_args)
        self.binaries = binaries
        self.keep_dir = keep_dir
        # secure_file_priv in an empty directory of its own: clients of the sandbox's engine must not
        # read or write the machine's files through the server (LOAD DATA INFILE, INTO OUTFILE, LOAD_FILE)
        self.private_files = private_files
        self.base_dir: Path | None = None
        self.version: str = ""
        self.startup_seconds: float = 0.0
        self._proc: subprocess.Popen | None = None

    # --- paths --------------------------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        return self._dir() / "data"

    @property
    def socket(self) -> Path:
        return self._dir() / "mariadb.sock"

    @property
    def pid_file(self) -> Path:
        return self._dir() / "mariadb.pid"

    @property
    def error_log(self) -> Path:
        return self._dir() / "error.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def version_info(self) -> tuple[int, ...]:
        match = re.match(r"(\d+)\.(\d+)\.(\d+)", self.version)
        return tuple(int(p) for p in match.groups()) if match else ()

    def _dir(self) -> Path:
        if self.base_dir is None:
            raise MariaDBError("the server has not been started")
        return self.base_dir

    # --- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> "MariaDB":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "MariaDB":
        if self.running():
            return self
        began = time.monotonic()
        self.binaries = self.binaries or self._find_binaries()
        self.base_dir = Path(tempfile.mkdtemp(prefix="auroraml-mariadb-", dir=self._temp_root()))
        try:
            self._install_db()
            attempts = 1 if self._fixed_port else 3
            for attempt in range(attempts):
                self.port = self._fixed_port or self._free_port(self.host)
                try:
                    self._launch_and_wait()
                    break
                except MariaDBError as exc:
                    # Another process took the port between free_port() and the server's bind.
                    if attempt + 1 < attempts and (isinstance(exc, _PortTaken)
                                                   or _BIND_FAILED.search(self.error_log_text())):
                        self.error_log.unlink(missing_ok=True)
                        continue
                    raise
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Shut the server down (SIGTERM, then SIGKILL) and remove its directory. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.base_dir is not None and not self.keep_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    # --- using it -----------------------------------------------------------------------------

    def connect(self, user: str = "root", password: str = "", **kw) -> Any:
        """A PyMySQL connection over TCP; autocommit on. Keyword arguments override the defaults."""
        options = dict(host=self.host, port=self.port, user=user, password=password, charset="utf8mb4",
                       connect_timeout=5, read_timeout=30, write_timeout=30, autocommit=True)
        options.update(kw)
        import pymysql

        return pymysql.connect(**options)

    def query(self, sql: str, args=None, **connect_kw) -> list[tuple]:
        """Run one statement on a short-lived connection (root by default) and return its rows."""
        conn = self.connect(**connect_kw)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def error_log_text(self, tail: int = 60) -> str:
        parts = []
        for path in (self.error_log, self._dir() / "mariadbd.out"):
            try:
                lines = path.read_text(errors="replace").splitlines()
            except OSError:
                continue
            if lines:
                parts.append(f"--- {path.name} (last {min(tail, len(lines))} lines) ---")
                parts.extend(lines[-tail:])
        return "\n".join(parts) or "(no server output)"

    def __repr__(self) -> str:
        state = "running" if self.running() else "stopped"
        return f"<MariaDB {self.version or '?'} {self.host}:{self.port} {state} in {self.base_dir}>"

    # --- internals ----------------------------------------------------------------------------

    @staticmethod
    def _find_binaries() -> Binaries:  # the tests' launcher looks where its module says
        return find_binaries()

    @staticmethod
    def _free_port(host: str) -> int:
        return free_port(host)

    @staticmethod
    def _temp_root() -> str | None:
        # A unix socket path must fit in 108 bytes; a long TMPDIR would not leave room.
        root = tempfile.gettempdir()
        return root if len(root) <= 60 else "/tmp"

    @staticmethod
    def _env() -> dict[str, str]:
        # Client/server variables that could point the tools somewhere else.
        return {k: v for k, v in os.environ.items()
                if not k.startswith(("MYSQL_", "MARIADB_")) and k not in ("MYSQL_HOME", "MARIADB_HOME")}

    @staticmethod
    def _as_root() -> bool:
        return hasattr(os, "geteuid") and os.geteuid() == 0

    def _install_db(self) -> None:
        args = [str(self.binaries.install_db), "--no-defaults", f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
                "--force",  # no hostname lookup: it fails where `uname -n` is not in /etc/hosts
                # its own tmpdir, as the server's: a server starting beside it (another xdist worker,
                # another checkout) removes the `#sql-temptable-*` files it finds in its tmpdir, and
                # with /tmp shared that was this bootstrap's, which then failed (ERROR 1051).
                f"--tmpdir={self.base_dir}",
                *INSTALL_TUNING]
        if self._as_root():
            args.append("--user=root")
        try:
            done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, errors="replace", timeout=120, env=self._env(), cwd=self.base_dir)
        except subprocess.TimeoutExpired as exc:
            raise MariaDBError(f"{self.binaries.install_db.name} took over 120 s:\n{exc.output or ''}") from None
        if done.returncode != 0:
            raise MariaDBError(f"{' '.join(args)}\nexited {done.returncode}:\n{done.stdout[-4000:]}")

    def _server_args(self) -> list[str]:
        args = [
            str(self.binaries.server),
            "--no-defaults",  # must come first
            f"--datadir={self.datadir}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            f"--bind-address={self.host}",
            "--skip-networking=0",
            f"--pid-file={self.pid_file}",
            f"--log-error={self.error_log}",
            f"--tmpdir={self.base_dir}",
            *TUNING,
            *self.extra_args,
        ]
        if self.private_files:
            files = self._dir() / "files"
            files.mkdir(exist_ok=True)
            args.append(f"--secure-file-priv={files}")
        if self._as_root():
            args.insert(2, "--user=root")
        return args

    def _launch_and_wait(self) -> None:
        with open(self._dir() / "mariadbd.out", "ab") as out:
            self._proc = subprocess.Popen(
                self._server_args(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=self._env(), cwd=self.base_dir,
                start_new_session=True,  # Ctrl-C reaches pytest (which stops us cleanly), not the server
                preexec_fn=_parent_death_signal(),
            )
        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while True:
            code = self._proc.poll()
            if code is not None:
                self._proc = None
                raise MariaDBError(f"mariadbd exited with {code} while starting on {self.host}:{self.port}\n"
                                   f"{self.error_log_text()}")
            try:
                conn = self.connect(connect_timeout=2, read_timeout=10)
            except _operational_error() as exc:
                last_error = exc
            else:
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT VERSION(), @@datadir")
                        version, datadir = cur.fetchone()
                finally:
                    conn.close()
                if Path(datadir).resolve() != self.datadir.resolve():
                    # Another server (another test process's) took the port before ours could bind
                    # it: ours is failing to start, and that one is not ours to use.
                    proc, self._proc = self._proc, None
                    proc.kill()
                    proc.wait(timeout=10)
                    raise _PortTaken(f"{self.host}:{self.port} is served by another server (datadir {datadir})")
                self.version = version
                return
            if time.monotonic() > deadline:
                proc, self._proc = self._proc, None
                proc.kill()
                proc.wait(timeout=10)
                raise MariaDBError(f"mariadbd did not accept connections on {self.host}:{self.port} within "
                                   f"{self.startup_timeout:.0f} s (last error: {last_error})\n{self.error_log_text()}")
            time.sleep(0.05)




def _operational_error() -> type[Exception]:
    import pymysql

    return pymysql.err.OperationalError
