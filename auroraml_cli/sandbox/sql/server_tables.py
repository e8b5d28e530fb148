"""The cluster's tables on a real MariaDB/MySQL server: `--engine mariadb` (docs/reference/sql-compat.md,
"Engine choice").

`ServerTables` has the interface of `tables.Tables` where the session, ML evaluation, export and
load use it, but runs statements on a server the sandbox starts itself (`mariadb_server.MariaDB`:
127.0.0.1, a temp datadir, a free port, dies with the sandbox), lazily on the cluster's first
statement. Each client session gets a server connection of its own, so transactions, locks,
temporary tables and user variables are the server's; types, strict mode, keys, collations,
`SHOW` and `information_schema` of user tables are the server's too. The Aurora layer keeps what
is its own (accounts, roles and grants, ML functions, variables and counters): end-user accounts
never exist on the server, the layer talks to it as root with a random password of its own.

Rows come back twice: as the server's text with its column definitions (`ServerOutcome.fields`,
passed to the client as they are) and converted to Python values (`rows`, what the layer reads).
"""

from __future__ import annotations

import atexit
import re
import secrets
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .errors import SqlError, not_supported
from .tables import _SESSION, SYSTEM_DATABASES, Outcome, SystemTables, Tables

# MySQL 8.0's default sql_mode (Aurora MySQL 3's); the server's sessions run under it.
MYSQL8_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
                   "NO_ENGINE_SUBSTITUTION")
SERVER_ARGS = (f"--sql-mode={MYSQL8_SQL_MODE}", "--loose-explicit-defaults-for-timestamp=1",
               "--default-time-zone=+00:00")  # Aurora's time_zone is UTC
# Aurora's @@time_zone says 'UTC': a named zone, which a server knows only from its time-zone
# tables (empty in a fresh datadir); UTC is one row each, no transitions.
_UTC_ZONE = (
    "INSERT IGNORE INTO mysql.time_zone (Time_zone_id, Use_leap_seconds) VALUES (1, 'N')",
    "INSERT IGNORE INTO mysql.time_zone_name (Name, Time_zone_id) VALUES ('UTC', 1)",
    "INSERT IGNORE INTO mysql.time_zone_transition_type (Time_zone_id, Transition_type_id, `Offset`, Is_DST, "
    "Abbreviation) VALUES (1, 0, 0, 0, 'UTC')",
)
# MySQL 8's collations a MariaDB before 11.4 does not have (clients of a MySQL 8 server send them:
# mysql-connector's SET NAMES, dumps' COLLATE), as the nearest it has.
COLLATION_STANDINS = {"utf8mb4_0900_ai_ci": "utf8mb4_unicode_520_ci", "utf8mb4_0900_as_ci": "utf8mb4_unicode_520_ci",
                      "utf8mb4_0900_as_cs": "utf8mb4_bin", "utf8mb4_0900_bin": "utf8mb4_bin"}
_COLLATIONS_0900 = re.compile(r"\butf8mb4_0900_(?:ai_ci|as_ci|as_cs|bin)\b", re.IGNORECASE)
# Where the layer's own system tables are written for a statement that reads them, and ML answers
# (ml_server): one session's TEMPORARY tables named __aurora_*, in the server's `mysql` (which
# always exists and shows no temporary table); the server's own mysql.* and information_schema are
# not the cluster's accounts and routines.
SYS_SCHEMA = "mysql"
LAYER_TABLES = frozenset({("mysql", "user"), ("mysql", "default_roles"), ("mysql", "role_edges"),
                          ("information_schema", "routines"), ("performance_schema", "global_status"),
                          ("performance_schema", "session_status")})
HIDDEN_DATABASES: frozenset[str] = frozenset()
_IN_TRANS = 1  # SERVER_STATUS_IN_TRANS


@dataclass
class ServerOutcome(Outcome):
    """An Outcome with the server's column definitions and text rows, for the client as they are."""

    fields: list[Any] = field(default_factory=list)
    text_rows: list[tuple] = field(default_factory=list)
    warnings: int = 0


class ServerHolder:
    """One cluster's server, started on first use. When the endpoint stops, the server (its
    databases dropped by ServerTables.close) waits in the process's pool for the next cluster's
    endpoint instead of stopping: tests start endpoints one after another, ~1 s each saved. The
    pool's servers stop when the process exits (and die with it: PR_SET_PDEATHSIG)."""

    def __init__(self) -> None:
        self.server: Any = None
        self.password = ""
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self.server is None or not self.server.running():
                self.server, self.password = _take()
            return self.server

    def stop(self) -> None:
        with self._lock:
            if self.server is not None:
                _give_back(self.server, self.password)
                self.server = None


_POOL: list[tuple[Any, str]] = []
_POOL_LOCK = threading.Lock()


def _take() -> tuple[Any, str]:
    with _POOL_LOCK:
        while _POOL:
            server, password = _POOL.pop()
            if server.running():
                return server, password
    from ..mariadb_server import MariaDB

    password = secrets.token_urlsafe(24)
    # Started from one long-lived thread: PR_SET_PDEATHSIG fires when the *thread* that started the
    # server ends, and an endpoint's thread ends with the endpoint while its server goes on in the pool.
    server = _starter().submit(MariaDB(extra_args=SERVER_ARGS, private_files=True).start).result()
    if not _POOL_EXIT:
        atexit.register(_stop_pool)
        _POOL_EXIT.append(True)
    conn = server.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT User, Host FROM mysql.user WHERE User = 'root'")
            accounts = cursor.fetchall()
            for statement in _UTC_ZONE:
                cursor.execute(statement)
            cursor.execute("SHOW COLLATION LIKE 'utf8mb4_0900_ai_ci'")
            server.has_0900 = cursor.fetchone() is not None
            for user, host in accounts:  # only the layer may log in; not in argv, not logged
                cursor.execute(f"ALTER USER '{user}'@'{host}' IDENTIFIED BY %s", (password,))
    finally:
        conn.close()
    return server, password


def _give_back(server: Any, password: str) -> None:
    with _POOL_LOCK:
        if server.running():
            _POOL.append((server, password))


_POOL_EXIT: list[bool] = []
_STARTER: list[Any] = []


def _starter() -> Any:
    with _POOL_LOCK:
        if not _STARTER:
            from concurrent.futures import ThreadPoolExecutor

            _STARTER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="auroraml-mariadb-start"))
        return _STARTER[0]


def _stop_pool() -> None:
    with _POOL_LOCK:
        servers, _POOL[:] = list(_POOL), []
    for server, _ in servers:
        server.stop()


class ServerTables:
    """The cluster's databases on its server; see the module's docstring."""

    is_server = True

    def __init__(self, holder: ServerHolder) -> None:
        self.holder = holder
        self._sessions: dict[Hashable, Any] = {}
        self._current_db: dict[int, str | None] = {}
        self._main: Any = None
        self.schema = None  # the SQLite engine's catalogue: the server keeps its own

    # -- connections --------------------------------------------------------------------------

    def _connect(self, found_rows: bool = False) -> Any:
        import pymysql
        import pymysql.constants.CLIENT

        server = self.holder.get()
        flags = pymysql.constants.CLIENT.FOUND_ROWS if found_rows else 0
        return server.connect(password=self.holder.password, conv={}, client_flag=flags, read_timeout=None,
                              write_timeout=None, init_command=f"SET SESSION sql_mode = '{MYSQL8_SQL_MODE}'")

    @property
    def connection(self) -> Any:
        key = _SESSION.get()
        if key is None:
            if self._main is None or not self._main.open:
                self._main = self._connect()
            return self._main
        conn = self._sessions.get(key)
        if conn is None:
            conn = self._sessions[key] = self._connect(bool(getattr(key, "client_found_rows", False)))
        return conn

    session = Tables.session  # the same client-session scope (one ContextVar) as the SQLite engine's

    def end_session(self, key: Hashable) -> None:
        conn = self._sessions.pop(key, None)
        if conn is not None:
            self._current_db.pop(id(conn), None)
            conn.close()

    def close(self) -> None:
        """Every connection ends and the cluster's databases go (a reset); the server stays up."""
        for conn in [*self._sessions.values(), self._main]:
            if conn is not None and conn.open:
                conn.close()
        self._sessions.clear()
        self._current_db.clear()
        self._main = None
        if self.holder.server is not None and self.holder.server.running():
            conn = self._connect()
            try:
                for name in self._databases(conn) - set(SYSTEM_DATABASES) - HIDDEN_DATABASES:
                    conn.query(f"DROP DATABASE `{name}`")
            finally:
                conn.close()

    # -- running ------------------------------------------------------------------------------

    def raw(self, sql: str, database: str | None) -> ServerOutcome:
        """Run one statement as written on the session's connection."""
        import pymysql

        conn = self.connection
        if database and self._current_db.get(id(conn)) != database:
            try:
                conn.select_db(database)
            except pymysql.err.MySQLError as error:
                raise _sql_error(error) from None
            self._current_db[id(conn)] = database
        if not getattr(self.holder.server, "has_0900", True) and "_0900_" in sql:
            sql = _COLLATIONS_0900.sub(lambda m: COLLATION_STANDINS[m.group(0).lower()], sql)
        try:
            conn.query(sql)
        except pymysql.err.MySQLError as error:
            raise _sql_error(error) from None
        finally:
            self._track_database(conn, sql)
        result = conn._result
        fields = list(getattr(result, "fields", None) or [])
        if not fields:
            return ServerOutcome(affected=max(result.affected_rows or 0, 0), last_insert_id=result.insert_id or 0,
                                 warnings=result.warning_count or 0)
        text_rows = list(getattr(result, "rows", None) or [])
        return ServerOutcome(columns=[f.name for f in fields], rows=[_typed(row, fields) for row in text_rows],
                             fields=fields, text_rows=text_rows, warnings=result.warning_count or 0)

    def _track_database(self, conn: Any, sql: str) -> None:
        words = sql.lstrip().split(None, 2)
        if words and words[0].upper() in ("USE", "DROP", "CREATE"):
            self._current_db.pop(id(conn), None)  # asked again before the next statement

    def run(self, statement: exp.Expression, database: str | None, system: SystemTables) -> Outcome:
        """Run one parsed statement (rendered as MySQL), the layer's system tables written first."""
        statement = self._with_layer_tables(statement, system)
        sql = statement.sql(dialect="mysql")
        if isinstance(statement, exp.Insert) and sql.startswith("INSERT OR REPLACE "):  # sqlglot's spelling
            sql = "REPLACE " + sql[len("INSERT OR REPLACE "):]
        return self.raw(sql, database)

    def _with_layer_tables(self, statement: exp.Expression, system: SystemTables) -> exp.Expression:
        found = [t for t in statement.find_all(exp.Table)
                 if (t.db.lower(), t.name.lower()) in LAYER_TABLES]
        if not found:
            return statement
        statement = statement.copy()
        for table in [t for t in statement.find_all(exp.Table) if (t.db.lower(), t.name.lower()) in LAYER_TABLES]:
            db, name = table.db.lower(), table.name.lower()
            view = system(db, name)
            if view is None:
                continue
            physical = f"__aurora_{db}__{name}"
            self.write_system_table(SYS_SCHEMA, physical, *view)
            table.set("db", exp.to_identifier(SYS_SCHEMA))
            table.set("this", exp.to_identifier(physical))
            if not table.alias:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
        return statement

    def write_system_table(self, database: str, table: str, columns: list[str], rows: list[tuple]) -> None:
        """The session's TEMPORARY copy of one of the layer's tables (text columns)."""
        quoted = f"`{database}`.`{table}`"
        self.raw(f"DROP TEMPORARY TABLE IF EXISTS {quoted}", None)
        spec = ", ".join(f"`{c.replace('`', '``')}` LONGTEXT" for c in columns)
        self.raw(f"CREATE TEMPORARY TABLE {quoted} ({spec})", None)
        self.insert_rows(quoted, [tuple(None if v is None else str(v) for v in row) for row in rows])

    def insert_rows(self, quoted_table: str, rows: list[tuple]) -> None:
        """INSERT rows of Python values (the session's connection converts nothing: escaped here)."""
        from pymysql.converters import encoders, escape_item

        for start in range(0, len(rows), 500):
            values = ", ".join("(" + ", ".join(escape_item(v, "utf8mb4", encoders) for v in row) + ")"
                               for row in rows[start : start + 500])
            self.raw(f"INSERT INTO {quoted_table} VALUES {values}", None)

    # -- transactions -------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return bool(self.connection.server_status & _IN_TRANS)

    def begin(self) -> None:
        self.raw("BEGIN", None)

    def commit(self) -> None:
        self.raw("COMMIT", None)

    def rollback(self) -> None:
        self.raw("ROLLBACK", None)

    def savepoint(self, statement: str, name: str) -> None:
        sql = {"SAVEPOINT": "SAVEPOINT", "ROLLBACK": "ROLLBACK TO SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT"}
        self.raw(f"{sql[statement]} `{name.replace('`', '``')}`", None)

    def foreign_key_checks(self, on: bool) -> None:
        """The session's SET foreign_key_checks reaches the server itself."""

    # -- databases and tables -----------------------------------------------------------------

    @staticmethod
    def _databases(conn: Any) -> set[str]:
        with conn.cursor() as cursor:
            cursor.execute("SHOW DATABASES")
            return {_text(row[0]) for row in cursor.fetchall()}

    @property
    def databases(self) -> set[str]:
        return self._databases(self.connection) - HIDDEN_DATABASES

    def create_database(self, name: str, if_not_exists: bool) -> None:
        self.raw(f"CREATE DATABASE {'IF NOT EXISTS ' if if_not_exists else ''}`{name.replace('`', '``')}`", None)

    def drop_database(self, name: str, if_exists: bool) -> int:
        if name.lower() in SYSTEM_DATABASES:  # as the SQLite engine (tables.Tables) answers
            raise SqlError(1008, f"Can't drop database '{name}'; database doesn't exist")
        tables = self.table_names(name) if name in self.databases else []
        self.raw(f"DROP DATABASE {'IF EXISTS ' if if_exists else ''}`{name.replace('`', '``')}`", None)
        return len(tables)

    def table_names(self, database: str) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (database,))
            return sorted(_text(row[0]) for row in cursor.fetchall())

    def row_count(self, database: str, table: str) -> int:
        outcome = self.raw(f"SELECT COUNT(*) FROM `{database}`.`{table}`", None)
        return int(outcome.rows[0][0])

    def generated_columns(self, database: str, table: str) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND "
                           "TABLE_NAME = %s AND EXTRA LIKE '%%GENERATED%%'", (database, table))
            return [_text(row[0]) for row in cursor.fetchall()]

    def has_trigger(self, database: str, name: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s AND TRIGGER_NAME = %s",
                           (database, name))
            return cursor.fetchone() is not None

    def create_trigger(self, database: str, name: str, timing: str, event: str, table: str,
                       body: list[exp.Expression]) -> None:
        """A trigger that calls the cluster's plain stored functions (any other is the server's,
        created as written), with their bodies inlined by the layer (triggers._inlined)."""
        parts = [f"SET {b.this.sql(dialect='mysql')} = {b.expression.sql(dialect='mysql')}" if isinstance(b, exp.EQ)
                 else b.sql(dialect="mysql") for b in body]
        text = parts[0] if len(parts) == 1 else "BEGIN " + "; ".join(parts) + "; END"
        q = lambda n: "`" + n.replace("`", "``") + "`"  # noqa: E731
        self.raw(f"CREATE TRIGGER {q(database)}.{q(name)} {timing} {event} ON {q(database)}.{q(table)} "
                 f"FOR EACH ROW {text}", None)

    @contextmanager
    def user_functions(self, functions: dict[str, Callable[..., Any]]) -> Iterator[None]:
        raise not_supported("SQLite user functions on the mariadb engine")
        yield  # pragma: no cover

    def sqlite_rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        raise not_supported("this SQLite-engine statement on the mariadb engine")


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _typed(row: tuple, fields: list[Any]) -> tuple:
    """A text row as PyMySQL's default conversions read it (DECIMAL as Decimal, dates as datetime...)."""
    from pymysql.converters import decoders

    values = []
    for value, column in zip(row, fields):
        if value is None:
            values.append(None)
            continue
        convert = decoders.get(column.type_code)
        if convert is None:
            values.append(value)
            continue
        try:
            values.append(convert(value if not isinstance(value, bytes) or column.charsetnr == 63
                                  else value.decode("utf-8", "replace")))
        except (TypeError, ValueError):
            values.append(value)
    return tuple(values)


def _sql_error(error: Any) -> SqlError:
    code, message = (tuple(error.args) + ("",))[:2]
    if not isinstance(code, int):
        code, message = 2013, str(error)
    if code >= 2000:  # a client error: the server went away
        return SqlError(1105, f"the mariadb engine's server connection failed: {message}")
    return SqlError(code, message)
