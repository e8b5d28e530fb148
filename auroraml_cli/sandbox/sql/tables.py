"""Databases and tables of one cluster, kept in an in-memory SQLite database.

Statements arrive parsed by sqlglot (MySQL dialect) and run transpiled to SQLite. A MySQL table
`db`.`t` is the SQLite table named "db<US>t" (US: the ASCII unit separator, which no MySQL name
contains), so any number of databases fit in one SQLite connection. The system databases
(information_schema, mysql) are views of the cluster's state, written into SQLite just before a
statement reads them.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from . import keys, results, semantics, strict
from .errors import SqlError, no_database, not_supported, unknown_database
from .schema import Catalogue

SEPARATOR = "\x1f"
SYSTEM_DATABASES = ("information_schema", "mysql", "performance_schema", "sys")
# System tables Aurora has that the sandbox does not keep: refused by name, not "doesn't exist".
_NOT_MODELLED = frozenset({("mysql", "aurora_s3_load_history")})

# (database, table) → (column names, rows), or None for a table the view does not have.
SystemTables = Callable[[str, str], "tuple[list[str], list[tuple]] | None"]


@dataclass
class Outcome:
    """A statement's result: rows and column names, or the counts of an OK packet."""

    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    affected: int = 0
    last_insert_id: int = 0
    types: list = field(default_factory=list)  # each column's declared schema.DataType, or None (results.py)


# The client session whose statements run now (each client connection is its own asyncio task,
# so each sees its own value); None: the cluster's own connection (demo data, resets, tests).
_SESSION: ContextVar[Hashable | None] = ContextVar("auroraml_sql_session", default=None)


class Tables:
    """One SQLite database file in WAL mode (in a private temporary directory, deleted on close)
    and one SQLite connection per client session: a session's transaction is its own, other
    sessions read the last committed snapshot (as InnoDB's consistent read), and one transaction
    at a time writes (a second writer gets MySQL's 1205 at once: the endpoint is one event-loop
    thread, so waiting for the lock would block the transaction that holds it). See
    docs/reference/sql-compat.md "Semantics and transactions"."""

    def __init__(self) -> None:
        self.databases: set[str] = set(SYSTEM_DATABASES)
        self._failures: list[SqlError] = []  # a MySQL error a function of ours raised inside SQLite
        self.schema = Catalogue()  # the tables' definitions as written (schema.py)
        self._directory = tempfile.mkdtemp(prefix="auroraml-sql-")
        self._path = os.path.join(self._directory, "tables.db")
        self._main = self._connect()
        self._main.execute("PRAGMA journal_mode=WAL")
        self._sessions: dict[Hashable, sqlite3.Connection] = {}
        self._foreign_keys_off: set[int] = set()  # id() of connections with foreign_key_checks = 0
        self._wrote: set[int] = set()  # id() of connections whose open transaction has written
        self._keys: dict[str, keys.TableKeys] = {}  # physical table → its keys as MySQL names them
        self._created: tuple[str, keys.TableKeys] | None = None  # the CREATE TABLE being run

    def _connect(self) -> sqlite3.Connection:
        # autocommit at the SQLite level (transactions are begun by the session, as MySQL's are);
        # timeout 0: a lock conflict is an error now, never a wait on the event-loop thread.
        connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None, timeout=0)
        for pragma in ("synchronous=OFF", "foreign_keys=ON", "temp_store=MEMORY", "recursive_triggers=ON"):
            connection.execute(f"PRAGMA {pragma}")
        _add_mysql_functions(connection, self._failures)
        strict.register(connection, self._failures, self.schema)
        return connection

    @property
    def _sqlite(self) -> sqlite3.Connection:
        key = _SESSION.get()
        if key is None:
            return self._main
        connection = self._sessions.get(key)
        if connection is None:
            connection = self._sessions[key] = self._connect()
        return connection

    @contextmanager
    def session(self, key: Hashable) -> Iterator[None]:
        """Statements run inside are the client session `key`'s (its connection, its transaction)."""
        token = _SESSION.set(key)
        try:
            yield
        finally:
            _SESSION.reset(token)

    def end_session(self, key: Hashable) -> None:
        """The client went away: its open transaction is rolled back, as MySQL does."""
        connection = self._sessions.pop(key, None)
        if connection is not None:
            self._wrote.discard(id(connection))
            self._foreign_keys_off.discard(id(connection))
            connection.close()

    def close(self) -> None:
        for connection in [*self._sessions.values(), self._main]:
            connection.close()
        self._sessions.clear()
        shutil.rmtree(self._directory, ignore_errors=True)

    def foreign_key_checks(self, on: bool) -> None:
        """The session's foreign_key_checks: off (a dump's restore creates children before their
        parents), SQLite's foreign_keys pragma is off on its connection. The pragma is a no-op
        inside a transaction; MySQL's variable takes effect at once, so the change begins after
        the open transaction ends (dumps set it before their first table)."""
        connection = self._sqlite
        if on != self._checks_foreign_keys() and not connection.in_transaction:
            connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
            (self._foreign_keys_off.discard if on else self._foreign_keys_off.add)(id(connection))

    def _checks_foreign_keys(self) -> bool:
        return id(self._sqlite) not in self._foreign_keys_off

    # -- transactions (of the current session) ------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._sqlite.in_transaction

    def begin(self) -> None:
        self.commit()
        self._sqlite.execute("BEGIN")

    def commit(self) -> None:
        connection = self._sqlite
        self._wrote.discard(id(connection))
        if connection.in_transaction:
            self._transaction_statement("COMMIT")

    def rollback(self) -> None:
        connection = self._sqlite
        self._wrote.discard(id(connection))
        if connection.in_transaction:
            connection.execute("ROLLBACK")

    def savepoint(self, statement: str, name: str) -> None:
        """SAVEPOINT / ROLLBACK TO SAVEPOINT / RELEASE SAVEPOINT `name` (outside a transaction a
        savepoint lasts no longer than its statement, as under MySQL's autocommit)."""
        if statement == "SAVEPOINT" and not self.in_transaction:
            return
        if statement != "SAVEPOINT" and not self.in_transaction:
            raise SqlError(1305, f"SAVEPOINT {name} does not exist")
        sql = {"SAVEPOINT": "SAVEPOINT", "ROLLBACK": "ROLLBACK TO SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT"}
        try:
            self._sqlite.execute(f"{sql[statement]} {_quote(name)}")
        except sqlite3.OperationalError as error:
            if "no such savepoint" in str(error):
                raise SqlError(1305, f"SAVEPOINT {name} does not exist") from None
            raise

    def _transaction_statement(self, sql: str) -> None:
        try:
            self._sqlite.execute(sql)
        except sqlite3.OperationalError as error:
            raise _mysql_error(error, exp.Commit(), None) from None

    # -- databases ----------------------------------------------------------------------------

    def create_database(self, name: str, if_not_exists: bool) -> None:
        if name in self.databases:
            if if_not_exists:
                return
            raise SqlError(1007, f"Can't create database '{name}'; database exists")
        self.databases.add(name)

    def drop_database(self, name: str, if_exists: bool) -> int:
        """Drop a database and its tables; the number of tables dropped."""
        if name not in self.databases or name in SYSTEM_DATABASES:
            if if_exists and name not in SYSTEM_DATABASES:
                return 0
            raise SqlError(1008, f"Can't drop database '{name}'; database doesn't exist")
        tables = self.table_names(name)
        self._sqlite.execute("PRAGMA foreign_keys=OFF")  # the whole database goes, children and parents
        try:
            for table in tables:
                self._sqlite.execute(f"DROP TABLE {_quote(_physical(name, table))}")
                self._keys.pop(_physical(name, table), None)
        finally:
            if self._checks_foreign_keys():
                self._sqlite.execute("PRAGMA foreign_keys=ON")
        self.databases.discard(name)
        self.schema.drop_database(name)
        return len(tables)

    def table_names(self, database: str) -> list[str]:
        prefix = database + SEPARATOR
        found = self._sqlite.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return sorted(name[len(prefix) :] for (name,) in found if name.startswith(prefix))

    def temporary_table_names(self, database: str) -> list[str]:
        """The session's TEMPORARY tables (SQLite's temp schema): SHOW TABLES does not list them,
        SHOW CREATE TABLE and DESCRIBE do answer them, as in MySQL."""
        prefix = database + SEPARATOR
        found = self._sqlite.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'").fetchall()
        return sorted(name[len(prefix) :] for (name,) in found if name.startswith(prefix))

    def row_count(self, database: str, table: str) -> int:
        if table not in self.table_names(database):
            raise SqlError(1146, f"Table '{database}.{table}' doesn't exist")
        return self._sqlite.execute(f"SELECT COUNT(*) FROM {_quote(_physical(database, table))}").fetchone()[0]

    # -- statements ---------------------------------------------------------------------------

    def run(self, statement: exp.Expression, database: str | None, system: SystemTables) -> Outcome:
        """Run one parsed MySQL statement against the cluster's tables."""
        original = statement
        self._created = None
        if isinstance(statement, exp.Drop) and _kind(statement) == "TABLE" and self._checks_foreign_keys():
            self._check_drop(statement, database)
        statement, sql = self._for_sqlite(statement, database, system)
        upsert = _upsert_target(original, database)  # ON DUPLICATE KEY UPDATE: rows before, to count
        before = self._count(upsert) if upsert else 0
        self._failures.clear()
        connection = self._sqlite
        try:
            try:
                cursor = connection.execute(sql)
            except sqlite3.OperationalError as error:
                if not self._restart_snapshot(connection, error):
                    raise
                cursor = connection.execute(sql)
        except sqlite3.Error as error:
            if self._failures:
                raise self._failures[0] from None
            if isinstance(error, sqlite3.IntegrityError):
                key_error = self._key_error(str(error), original, database)
                if key_error is not None:
                    raise key_error from None
            raise _mysql_error(error, statement, database) from None
        self.schema.apply(original, database)
        if connection.in_transaction and not isinstance(statement, exp.Query):
            self._wrote.add(id(connection))
        if self._created is not None:
            self._table_created(*self._created)
        if isinstance(original, exp.TruncateTable):  # TRUNCATE starts the AUTO_INCREMENT counter again
            for table in original.expressions:
                physical = _physical(table.db or database or "", table.name)
                with suppress(sqlite3.OperationalError):  # no sqlite_sequence: no AUTO_INCREMENT table yet
                    connection.execute("DELETE FROM sqlite_sequence WHERE name = ?", (physical,))
        if cursor.description is None:
            last = self._first_id(original, database, cursor) if isinstance(statement, exp.Insert) else 0
            affected = max(cursor.rowcount, 0)
            if upsert:  # MySQL counts 1 per row inserted, 2 per row updated
                inserted = self._count(upsert) - before
                affected = inserted + 2 * max(affected - inserted, 0)
            return Outcome(affected=affected, last_insert_id=last or 0)
        rows = cursor.fetchall()
        kinds = semantics.decimal_scales(original, self._column_types(original, database)) if rows else []
        if any(kind is not None and kind[0] == "dec" for kind in kinds) and len(kinds) == len(cursor.description):
            rows = [tuple(semantics.exact(v, k) for v, k in zip(row, kinds)) for row in rows]
        types = results.declared_types(original, database, self.schema, len(cursor.description))
        return Outcome([d[0] for d in cursor.description], rows, types=types)

    def _count(self, physical: str) -> int:
        return self._sqlite.execute(f"SELECT COUNT(*) FROM {_quote(physical)}").fetchone()[0]

    def _column_types(self, select: exp.Expression, database: str | None) -> Callable[[str], str | None]:
        """A column name's declared type in the tables a SELECT reads (the first that has it)."""
        found: dict[str, str] = {}
        read = False

        def column_type(name: str) -> str | None:
            nonlocal read
            if not read:
                read = True
                for table in select.find_all(exp.Table):
                    db = table.db or database
                    if not db or db.lower() in SYSTEM_DATABASES:
                        continue
                    info = self._sqlite.execute(f"PRAGMA table_info({_quote(_physical(db, table.name))})").fetchall()
                    for row in info:
                        found.setdefault(row[1].lower(), row[2])
            return found.get(name.lower())

        return column_type

    def _restart_snapshot(self, connection: sqlite3.Connection, error: sqlite3.OperationalError) -> bool:
        """A transaction that has only read wants to write after another session committed: SQLite
        refuses (its snapshot is stale); InnoDB writes on the latest rows. Such a transaction has
        nothing to lose, so it begins again on the latest snapshot (once)."""
        if "locked" not in str(error) or not connection.in_transaction or id(connection) in self._wrote:
            return False
        connection.execute("ROLLBACK")
        connection.execute("BEGIN")
        return True

    def _for_sqlite(self, statement: exp.Expression, database: str | None, system: SystemTables
                    ) -> tuple[exp.Expression, str]:
        """A MySQL statement as SQLite runs it on these tables, and its text."""
        statement = statement.copy()
        if isinstance(statement, exp.TruncateTable):  # SQLite has no TRUNCATE
            statement = exp.Delete(this=statement.expressions[0])
        if isinstance(statement, exp.Create) and _kind(statement) == "TABLE" and isinstance(statement.this, exp.Schema):
            target = statement.this.this
            db = target.db or database
            if db and isinstance(target, exp.Table):
                self._created = (_physical(db, target.name), keys.describe(statement, target.name))
            keys.auto_increment_for_sqlite(statement)
            _for_sqlite_table(statement)
        if isinstance(statement, exp.Alter) and len(statement.args.get("actions") or []) == 1:
            keyed = self._key_alter_for_sqlite(statement, database)
            if keyed is not None:
                return statement, keyed
        if isinstance(statement, (exp.Create, exp.Drop)) and _kind(statement) == "INDEX":
            indexed = self._index_for_sqlite(statement, database)
            if isinstance(statement, exp.Drop):
                return statement, indexed
        _name_columns(statement)
        _map_tables(statement, database, self, system)
        _upsert_for_sqlite(statement)
        statement = statement.transform(for_sqlite_expression)
        sql = statement.sql(dialect="sqlite", unsupported_level=ErrorLevel.IGNORE, normalize_functions=False)
        return statement, sql

    def _index_for_sqlite(self, statement: exp.Expression, database: str | None) -> str:
        """An index is named per table in MySQL, per database in SQLite: its SQLite name is
        "db<US>table<US>index". CREATE INDEX is renamed in place; DROP INDEX ... ON t is written
        out (1091 for an index that is not there)."""
        if isinstance(statement, exp.Create):
            index = statement.this
            table = index.args["table"]
            name = _physical(table.db or database or "", f"{table.name}{SEPARATOR}{index.name}")
            index.set("this", exp.to_identifier(name, quoted=True))
            return name
        on = statement.args.get("cluster")
        if on is None:
            raise not_supported("DROP INDEX without ON table")
        index = statement.args["tables"][0].name
        name = _physical(on.this.db or database or "", f"{on.this.name}{SEPARATOR}{index}")
        found = self._sqlite.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,))
        if found.fetchone() is None:
            raise SqlError(1091, f"Can't DROP '{index}'; check that column/key exists")
        return f"DROP INDEX {_quote(name)}"

    def _key_alter_for_sqlite(self, statement: exp.Alter, database: str | None) -> str | None:
        """ALTER TABLE t ADD [UNIQUE] KEY|INDEX / DROP INDEX as SQLite's CREATE/DROP INDEX; ADD
        CONSTRAINT ... FOREIGN KEY / DROP FOREIGN KEY change only the catalogue (SQLite does not
        enforce foreign keys here). None: not such an ALTER."""
        action = statement.args["actions"][0]
        target = statement.this
        db = target.db or database or ""
        physical = _quote(_physical(db, target.name))
        nothing = f"DELETE FROM {physical} WHERE 0"  # no rows, no result set: the table must exist
        if isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "FOREIGN KEY":
            return nothing
        if isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "INDEX":
            drop = exp.Drop(kind="INDEX", tables=action.args["tables"], cluster=exp.OnProperty(this=target.copy()))
            return self._index_for_sqlite(drop, database)
        if not isinstance(action, exp.AddConstraint) or len(action.expressions) != 1:
            return None
        key = action.expressions[0]
        if isinstance(key, exp.Constraint) and all(isinstance(e, exp.ForeignKey) for e in key.expressions):
            return nothing
        if isinstance(key, exp.UniqueColumnConstraint) and isinstance(key.this, exp.Schema):
            name, columns, unique = (key.this.this.name if key.this.this else ""), key.this.expressions, True
        elif isinstance(key, exp.IndexColumnConstraint) and not key.args.get("kind"):
            name, columns, unique = (key.this.name if key.this else ""), key.expressions, False
        else:
            return None
        from .schema import _free_index_name

        known = self.schema.get(db, target.name)
        name = name or (_free_index_name(known, columns[0].name) if known else columns[0].name)
        listed = ", ".join(_quote(c.name) for c in columns)
        index = _quote(_physical(db, f"{target.name}{SEPARATOR}{name}"))
        return f"CREATE {'UNIQUE ' if unique else ''}INDEX {index} ON {physical} ({listed})"

    def sqlite_rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """A read of the SQLite tables themselves (schema.py: row counts, AUTO_INCREMENT, PRAGMAs)."""
        return self._sqlite.execute(sql, parameters).fetchall()

    def _check_drop(self, drop: exp.Drop, database: str | None) -> None:
        """MySQL refuses to drop a table another table's foreign key references (3730), rows or
        not; SQLite would drop it, or fail only when child rows exist. Dropped: its keys go too."""
        dropping = {(t.db or database or "", t.name) for t in drop.find_all(exp.Table)}
        for physical, child_keys in self._keys.items():
            child = _mysql_name(physical)
            if child in dropping:
                continue
            for fk in child_keys.foreign:
                if (fk.parent_db or child[0], fk.parent) in dropping:
                    raise SqlError(3730, f"Cannot drop table '{fk.parent}' referenced by a foreign key constraint "
                                         f"'{fk.name}' on table '{child[1]}'.")
        for db, table in dropping:
            self._keys.pop(_physical(db, table), None)

    def _first_id(self, insert: exp.Expression, database: str | None, cursor: sqlite3.Cursor) -> int:
        """The first id a multi-row INSERT generated (MySQL's LAST_INSERT_ID; SQLite knows the last)."""
        last = cursor.lastrowid or 0
        target = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
        named = [c.name.lower() for c in insert.this.expressions] if isinstance(insert.this, exp.Schema) else []
        table_keys = self._keys.get(_physical(target.db or database or "", target.name)) if isinstance(
            target, exp.Table) else None
        if named and table_keys and len(table_keys.primary) == 1 and table_keys.primary[0].lower() not in named:
            return max(last - max(cursor.rowcount, 1) + 1, 0)
        return last

    def _table_created(self, physical: str, table_keys: keys.TableKeys) -> None:
        self._keys[physical] = table_keys
        if table_keys.auto_increment is not None:  # AUTO_INCREMENT=n: the next id is n
            self._sqlite.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                 (physical, table_keys.auto_increment - 1))

    def _key_error(self, message: str, statement: exp.Expression, database: str | None) -> SqlError | None:
        """1062 / 1451 / 1452 as MySQL 8 words them, from SQLite's constraint error."""
        target = statement.find(exp.Table)
        if target is None or not (target.db or database):
            return None
        db, table = target.db or database or "", target.name
        table_keys = self._keys.get(_physical(db, table), keys.TableKeys())
        if match := _UNIQUE.match(message):
            columns = [_mysql_name(c.strip())[1].partition(".")[2] or _mysql_name(c.strip())[1]
                       for c in match.group(1).split(",")]
            columns = [c.rsplit(".", 1)[-1] for c in columns]
            entry = self._duplicate_entry(statement, db, table, columns)
            return SqlError(1062, f"Duplicate entry '{entry}' for key '{table}.{table_keys.key_name(columns)}'")
        if "FOREIGN KEY constraint failed" in message:
            if not isinstance(statement, exp.Delete) and table_keys.foreign:
                child = table_keys.foreign[0]
                return SqlError(1452, "Cannot add or update a child row: a foreign key constraint fails "
                                      + child.definition(db, table))
            deleting = isinstance(statement, exp.Delete)
            for physical, child_keys in self._keys.items():
                for fk in child_keys.foreign:
                    acts = "ON DELETE CASCADE" in fk.actions or "ON DELETE SET NULL" in fk.actions
                    if fk.parent == table and (fk.parent_db or _mysql_name(physical)[0]) == db and not (
                            deleting and acts):
                        child_db, child_table = _mysql_name(physical)
                        return SqlError(1451, "Cannot delete or update a parent row: a foreign key constraint "
                                              "fails " + fk.definition(child_db, child_table))
        return None

    def _duplicate_entry(self, statement: exp.Expression, db: str, table: str, columns: list[str]) -> str:
        """The key's value in the row that collided (INSERT ... VALUES, UPDATE ... SET key = value)."""
        rows: list[dict[str, Any]] = []
        if isinstance(statement, exp.Insert) and isinstance(statement.expression, exp.Values):
            names = [c.name.lower() for c in (statement.this.expressions if isinstance(statement.this, exp.Schema)
                                             else [])]
            if not names:
                found = self._sqlite.execute(f"PRAGMA table_info({_quote(_physical(db, table))})").fetchall()
                names = [row[1].lower() for row in found]
            for row in statement.expression.expressions:
                values = row.expressions if isinstance(row, exp.Tuple) else [row]
                rows.append({n: v for n, v in zip(names, values)})
        elif isinstance(statement, exp.Update):
            rows.append({eq.this.name.lower(): eq.expression for eq in statement.expressions
                         if isinstance(eq, exp.EQ)})
        seen: set[tuple] = set()
        for row in rows:
            if not all(c.lower() in row for c in columns):
                continue
            try:
                values = tuple(self._sqlite.execute("SELECT " + ", ".join(
                    _for_sqlite(row[c.lower()].copy()).sql(dialect="sqlite") for c in columns)).fetchone())
            except sqlite3.Error:
                continue
            where = " AND ".join(f"{_quote(c)} = ?" for c in columns)
            clash = values in seen or self._sqlite.execute(
                f"SELECT 1 FROM {_quote(_physical(db, table))} WHERE {where} LIMIT 1", values).fetchone()
            if clash:
                return "-".join(_entry_text(v) for v in values)
            seen.add(values)
        return ""

    def generated_columns(self, database: str, table: str) -> list[str]:
        """A table's generated columns (VIRTUAL or STORED); none for a table that is not there."""
        found = self._sqlite.execute(f"PRAGMA table_xinfo({_quote(_physical(database, table))})").fetchall()
        return [row[1] for row in found if row[6] in (2, 3)]

    # -- triggers -----------------------------------------------------------------------------

    def has_trigger(self, database: str, name: str) -> bool:
        return self._trigger(database, name) is not None

    def trigger_table(self, database: str, name: str) -> str:
        return _mysql_name(self._trigger(database, name) or "")[1]

    def _trigger(self, database: str, name: str) -> str | None:
        found = self._sqlite.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                     (_physical(database, name),)).fetchone()
        return found[0] if found else None

    def create_trigger(self, database: str, name: str, timing: str, event: str, table: str,
                       statements: list[exp.Expression]) -> None:
        """A SQLite trigger; `SET NEW.col = expr` (exp.EQ) becomes an UPDATE of the row just written,
        so a trigger that sets NEW runs AFTER in SQLite (which cannot change NEW)."""
        target = exp.Table(this=exp.to_identifier(table), db=exp.to_identifier(database))
        no_system: SystemTables = lambda db, t: None  # noqa: E731
        body = []
        for statement in statements:
            if isinstance(statement, exp.EQ):
                column = exp.column(statement.this.name)
                row = exp.EQ(this=exp.column("rowid"), expression=exp.column("rowid", table="NEW"))
                statement = exp.Update(this=target.copy(), expressions=[exp.EQ(this=column, expression=
                                       statement.expression.copy())], where=exp.Where(this=row))
            body.append(self._for_sqlite(statement, database, no_system)[1])
        sqlite_timing = "AFTER" if any(isinstance(st, exp.EQ) for st in statements) else timing
        sql = (f"CREATE TRIGGER {_quote(_physical(database, name))} {sqlite_timing} {event} ON "
               f"{_quote(_physical(database, table))} FOR EACH ROW BEGIN {'; '.join(body)}; END")
        try:
            self._sqlite.execute(sql)
        except sqlite3.Error as error:
            raise _mysql_error(error, statements[0], database) from None
        self.schema.triggers[(database, name)] = (event, table, timing)  # as MySQL lists it

    def drop_trigger(self, database: str, name: str) -> None:
        self._sqlite.execute(f"DROP TRIGGER {_quote(_physical(database, name))}")
        self.schema.triggers.pop((database, name), None)

    @contextmanager
    def user_functions(self, functions: dict[str, Callable[..., Any]]) -> Iterator[None]:
        """SQLite functions for the statements run inside (the ML call sites of one statement)."""
        for name, function in functions.items():
            self._sqlite.create_function(name, -1, function)
        try:
            yield
        finally:
            for name in functions:
                self._sqlite.create_function(name, -1, None)

    def write_system_table(self, database: str, table: str, columns: list[str], rows: list[tuple]) -> None:
        # TEMP: the session's own copy, written without the database's write lock.
        name = _quote(_physical(database, table))
        self._sqlite.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self._sqlite.execute(f"CREATE TEMP TABLE {name} ({', '.join(_quote(c) for c in columns)})")
        marks = ", ".join("?" for _ in columns)
        self._sqlite.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)


class _Deviation:
    """MySQL's STD/STDDEV/VARIANCE family (sqlglot writes them as STDDEV_POP, VARIANCE_SAMP, ...)."""

    sample = False
    root = True

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        count = len(self.values) - (1 if self.sample else 0)
        if count <= 0:
            return None
        mean = sum(self.values) / len(self.values)
        variance = sum((v - mean) ** 2 for v in self.values) / count
        return math.sqrt(variance) if self.root else variance


def _deviation(sample: bool, root: bool) -> type:
    return type("Deviation", (_Deviation,), {"sample": sample, "root": root})


def _json_unquote(value: Any) -> Any:
    """JSON_UNQUOTE: a JSON string literal becomes its text; anything else is returned as it is."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _mysql_json(value: Any) -> str:
    """A JSON value as MySQL shows it: one space after `,` and `:`, object keys by length, then bytes."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_mysql_json(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_mysql_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _substring(side: str) -> Callable[[Any, Any], Any]:
    def cut(text: Any, length: Any) -> Any:
        if text is None or length is None:
            return None
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        count = max(int(length), 0)
        return text[:count] if side == "left" else text[len(text) - count :]

    return cut


def _add_mysql_functions(connection: sqlite3.Connection, failures: list[SqlError]) -> None:
    """MySQL functions SQLite lacks, by the names sqlglot writes for SQLite, or those
    for_sqlite_expression gives them. (JSON_EXTRACT is SQLite's `->`, its answer shown as MySQL
    shows JSON; JSON_OBJECT and JSON_ARRAY are built in.)"""

    def cast_as_json(value: Any) -> Any:
        if value is None or isinstance(value, (int, float)):
            return None if value is None else _mysql_json(value)
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        try:
            return _mysql_json(json.loads(text))
        except ValueError as error:
            position = getattr(error, "pos", 0)
            failures.append(SqlError(3141, "Invalid JSON text in argument 1 to function cast_as_json: "
                                           f'"Invalid value." at position {position}.'))
            raise

    def json_text(value: Any) -> Any:
        try:
            return _mysql_json(json.loads(value)) if isinstance(value, str) else value
        except ValueError:
            return value

    connection.create_function("MYSQL_CAST_JSON", 1, cast_as_json, deterministic=True)
    connection.create_function("MYSQL_JSON_TEXT", 1, json_text, deterministic=True)
    connection.create_function("MYSQL_LEFT", 2, _substring("left"), deterministic=True)
    connection.create_function("MYSQL_RIGHT", 2, _substring("right"), deterministic=True)
    for name, sample, root in (("STDDEV_POP", False, True), ("STDDEV", False, True), ("STD", False, True),
                               ("STDDEV_SAMP", True, True), ("VARIANCE_POP", False, False),
                               ("VAR_POP", False, False), ("VARIANCE", False, False),
                               ("VARIANCE_SAMP", True, False), ("VAR_SAMP", True, False)):
        connection.create_aggregate(name, 1, _deviation(sample, root))
    connection.create_function("JSON_UNQUOTE", 1, _json_unquote, deterministic=True)
    semantics.add_functions(connection, failures)


def _entry_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _physical(database: str, table: str) -> str:
    return f"{database}{SEPARATOR}{table}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kind(statement: exp.Expression) -> str:
    return str(statement.args.get("kind") or "").upper()


def _for_sqlite_table(create: exp.Create) -> None:
    """MySQL table definitions SQLite refuses: index clauses, named UNIQUE keys, ON UPDATE
    defaults, AUTO_INCREMENT (an INTEGER PRIMARY KEY numbers rows by itself in SQLite)."""
    schema = create.this
    if not isinstance(schema, exp.Schema):
        return
    for node in list(schema.expressions):
        if isinstance(node, exp.IndexColumnConstraint):
            node.pop()
        elif isinstance(node, exp.UniqueColumnConstraint):
            columns = node.this.expressions if isinstance(node.this, exp.Schema) else None
            node.set("this", exp.Tuple(expressions=columns) if columns else None)
    for column in schema.find_all(exp.AutoIncrementColumnConstraint):  # SQLite numbers an INTEGER key itself
        definition = column.find_ancestor(exp.ColumnDef)
        if definition is not None:
            definition.set("kind", exp.DataType.build("INTEGER"))
    refused = (exp.AutoIncrementColumnConstraint, exp.OnUpdateColumnConstraint,
               # kept in the catalogue (schema.py), not in SQLite
               exp.CommentColumnConstraint, exp.CharacterSetColumnConstraint, exp.ZeroFillColumnConstraint)
    for constraint in list(schema.find_all(*refused)):
        wrapper = constraint.parent  # ColumnConstraint(kind=...)
        column = wrapper.parent if isinstance(wrapper, exp.ColumnConstraint) else None
        if isinstance(constraint, exp.AutoIncrementColumnConstraint) and isinstance(column, exp.ColumnDef) and any(
                isinstance(c.kind, exp.PrimaryKeyColumnConstraint) for c in column.constraints):
            continue  # INTEGER PRIMARY KEY AUTOINCREMENT (keys.auto_increment_for_sqlite)
        (wrapper if isinstance(wrapper, exp.ColumnConstraint) else constraint).pop()


def _name_columns(statement: exp.Expression) -> None:
    """Name result columns as MySQL does: after the expression as written (`AVG(score)`)."""
    select = statement if isinstance(statement, exp.Select) else None
    if select is None:
        return
    for node in list(select.expressions):
        if isinstance(node, (exp.Alias, exp.Column, exp.Star)):
            continue
        name = node.name if isinstance(node, exp.Literal) else node.sql(dialect="mysql")
        node.replace(exp.alias_(node.copy(), exp.to_identifier(name, quoted=True)))


def _map_tables(statement: exp.Expression, database: str | None, tables: Tables, system: SystemTables) -> None:
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    creating = isinstance(statement, exp.Create)
    created_db = _created_db(statement)
    for table in list(statement.find_all(exp.Table)):
        if not table.name or (not table.db and table.name in ctes):
            continue
        if not table.db and table.name.upper() == "DUAL":  # SQLite selects without FROM
            (table.parent if isinstance(table.parent, exp.From) else table).pop()
            continue
        db = table.db or (created_db if table.find_ancestor(exp.Reference) else None) or database
        if not db:
            raise no_database()
        name = table.name
        if db.lower() in SYSTEM_DATABASES:
            db, name = db.lower(), name.lower()
            found = system(db, name)
            if found is None and (db, name) in _NOT_MODELLED:
                raise not_supported(f"{db}.{name} in the sandbox")
            if found is None:
                raise SqlError(1146, f"Table '{db}.{name}' doesn't exist")
            tables.write_system_table(db, name, *found)
        elif creating and db not in tables.databases:
            raise unknown_database(db)
        physical = exp.Table(this=exp.to_identifier(_physical(db, name), quoted=True))
        # UPDATE t / DELETE FROM t keep the name as an alias when a column names it, so `t.c` and
        # `db.t.c` (as SQLAlchemy writes every UPDATE and DELETE) resolve: SQLite takes `UPDATE x AS
        # t`, but not inside a trigger's body, so only then.
        if isinstance(table.parent, (exp.From, exp.Join)) or (
                isinstance(table.parent, (exp.Update, exp.Delete)) and table.arg_key == "this"
                and any(c.table.lower() == table.name.lower() for c in statement.find_all(exp.Column))):
            physical.set("alias", table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name)))
        table.replace(physical)
    for column in statement.find_all(exp.Column):  # `db.t.c`: the table's alias is `t`
        if column.args.get("db"):
            column.set("db", None)
            column.set("catalog", None)
    if isinstance(statement, exp.Update):  # SET t.c = ...: SQLite takes an unqualified column only
        for assignment in statement.expressions:
            if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                assignment.this.set("table", None)


def _upsert_target(statement: exp.Expression, database: str | None) -> str | None:
    """The physical table of an INSERT ... ON DUPLICATE KEY UPDATE, else None."""
    conflict = statement.args.get("conflict") if isinstance(statement, exp.Insert) else None
    if not isinstance(conflict, exp.OnConflict) or not conflict.args.get("duplicate"):
        return None
    target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    db = target.db or database if isinstance(target, exp.Table) else None
    return _physical(db, target.name) if db else None


def _upsert_for_sqlite(statement: exp.Expression) -> None:
    """INSERT ... ON DUPLICATE KEY UPDATE c = VALUES(c), and MySQL 8.0.19's row alias
    (`VALUES (...) AS new [(x, y)] ... UPDATE c = new.c`), as SQLite's upsert: the row that
    would have been inserted is `excluded`."""
    conflict = statement.args.get("conflict") if isinstance(statement, exp.Insert) else None
    if not isinstance(conflict, exp.OnConflict) or not conflict.args.get("duplicate"):
        return
    values = statement.expression
    alias = values.args.get("alias") if isinstance(values, exp.Values) else None
    names: dict[str, str] = {}  # the alias's column names -> the inserted columns
    target = statement.this
    inserted = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
    if alias is not None:
        values.set("alias", None)
        for index, column in enumerate(alias.args.get("columns") or []):
            names[column.name.lower()] = inserted[index] if index < len(inserted) else column.name
    row = alias.name.lower() if alias is not None else None

    def excluded(name: str) -> exp.Column:
        return exp.Column(this=exp.to_identifier(name), table=exp.to_identifier("excluded"))

    for assignment in conflict.expressions:
        value = assignment.expression if isinstance(assignment, exp.EQ) else None
        if value is None:
            continue
        for node in list(value.find_all(exp.Anonymous, exp.Column)):
            if isinstance(node, exp.Anonymous) and node.name.upper() == "VALUES" and len(node.expressions) == 1:
                node.replace(excluded(node.expressions[0].name))
            elif isinstance(node, exp.Column) and row and node.table.lower() == row:
                node.replace(excluded(names.get(node.name.lower(), node.name)))
            elif isinstance(node, exp.Column) and not node.table and node.name.lower() in names:
                node.replace(excluded(names[node.name.lower()]))


def _created_db(statement: exp.Expression) -> str | None:
    """The database of the table a CREATE TABLE makes: where its REFERENCES look by default."""
    target = statement.this.this if isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema) \
        else None
    return target.db or None if isinstance(target, exp.Table) else None


def for_sqlite_expression(node: exp.Expression) -> exp.Expression:
    rewritten = semantics.rewrite(node, _for_sqlite)
    if rewritten is not None:
        return rewritten
    # MySQL's "no limit" for an offset alone is 18446744073709551615; SQLite's LIMIT is a signed 64-bit -1.
    if isinstance(node, exp.Limit) and isinstance(node.expression, exp.Literal) and node.expression.is_int \
            and int(node.expression.this) > 2**63 - 1:
        limited = node.copy()
        limited.set("expression", exp.Literal.number(-1))
        return limited
    # (SELECT ... LIMIT n) UNION (SELECT ...): SQLite's compound SELECT takes no parenthesized member.
    if isinstance(node, exp.SetOperation) and any(isinstance(node.args.get(k), exp.Subquery)
                                                  for k in ("this", "expression")):
        node = node.copy()
        for key in ("this", "expression"):
            member = node.args.get(key)
            if isinstance(member, exp.Subquery):
                node.set(key, exp.select("*").from_(member.copy()))
        return node
    # INSERT INTO t () VALUES (): every column its default.
    if isinstance(node, exp.Insert) and isinstance(node.expression, exp.Values) and \
            [len(t.expressions) for t in node.expression.expressions] == [0]:
        node = node.copy()
        node.set("expression", None)
        node.set("default", True)
        if isinstance(node.this, exp.Schema):
            node.set("this", node.this.this)
        return node
    # SQLite's statement text ends at a NUL: a string holding one is written as its UTF-8 bytes.
    if isinstance(node, exp.Literal) and node.is_string and "\0" in node.this:
        return exp.Cast(this=exp.HexString(this=node.this.encode("utf-8").hex()), to=exp.DataType.build("TEXT"))
    # LEFT and RIGHT are keywords in SQLite; CAST(... AS JSON) is a number there (0).
    if isinstance(node, (exp.Left, exp.Right)):
        name = "MYSQL_LEFT" if isinstance(node, exp.Left) else "MYSQL_RIGHT"
        return exp.Anonymous(this=name, expressions=[_for_sqlite(node.this), _for_sqlite(node.expression)])
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.JSON:
        return exp.Anonymous(this="MYSQL_CAST_JSON", expressions=[_for_sqlite(node.this)])
    if isinstance(node, exp.JSONExtract):  # SQLite's `->` answers compact JSON: shown as MySQL shows it
        inner = node.copy()
        inner.set("this", _for_sqlite(node.this))
        return exp.Anonymous(this="MYSQL_JSON_TEXT", expressions=[inner])
    # CONVERT(x USING utf8mb4) (how careful clients write string literals) is text in SQLite.
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.CHARACTER_SET:
        return exp.Cast(this=node.this, to=exp.DataType.build("TEXT"))
    # MySQL's LIKE escapes with a backslash; SQLite's only with an ESCAPE clause.
    if isinstance(node, exp.Like) and not isinstance(node.parent, exp.Escape):
        return exp.Escape(this=node.copy(), expression=exp.Literal.string("\\"))
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.ENUM, exp.DataType.Type.SET):
        return exp.DataType.build("TEXT")
    # INSERT ... ON DUPLICATE KEY UPDATE is SQLite's ON CONFLICT DO UPDATE.
    if isinstance(node, exp.OnConflict) and node.args.get("duplicate"):
        return exp.OnConflict(expressions=node.expressions, action=exp.var("DO UPDATE"))
    return node


def _for_sqlite(node: exp.Expression) -> exp.Expression:
    return node.transform(for_sqlite_expression)


_NO_TABLE = re.compile(r"no such table: (?:main\.)?(.+)")
_EXISTS = re.compile(r"(?:table (.+) already exists|there is already another table or index with this name: (.+))")
_NO_COLUMN = re.compile(r"no such column: (.+)")
_NO_FUNCTION = re.compile(r"no such function: (.+)")
_NOT_NULL = re.compile(r"NOT NULL constraint failed: .+\.(.+)")
_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_VALUE_COUNT = re.compile(r"table .+ has \d+ columns but \d+ values were supplied|\d+ values for \d+ columns")


def _mysql_name(physical: str) -> tuple[str, str]:
    db, _, table = physical.strip('"').partition(SEPARATOR)
    return db, table


def _mysql_error(error: sqlite3.Error, statement: exp.Expression, database: str | None) -> SqlError:
    message = str(error)
    if match := _NO_TABLE.match(message):
        db, table = _mysql_name(match.group(1))
        if isinstance(statement, exp.Drop):
            return SqlError(1051, f"Unknown table '{db}.{table}'")
        return SqlError(1146, f"Table '{db}.{table}' doesn't exist")
    if match := _EXISTS.match(message):
        return SqlError(1050, f"Table '{_mysql_name(match.group(1) or match.group(2))[1]}' already exists")
    if match := _NO_COLUMN.match(message):
        return SqlError(1054, f"Unknown column '{match.group(1)}' in 'field list'")
    if match := _NO_FUNCTION.match(message):
        if database is None:
            return no_database()
        return SqlError(1305, f"FUNCTION {database}.{match.group(1)} does not exist")
    if match := _NOT_NULL.match(message):
        return SqlError(1048, f"Column '{match.group(1)}' cannot be null")
    if match := _UNIQUE.match(message):
        # SQLite names the columns, not the value or the key: "t.a, t.b".
        key = ",".join(_mysql_name(column.strip())[1] for column in match.group(1).split(","))
        return SqlError(1062, f"Duplicate entry for key '{key}'")
    if "database is locked" in message or "database table is locked" in message:
        return SqlError(1205, "Lock wait timeout exceeded; try restarting transaction")
    if _VALUE_COUNT.search(message):
        return SqlError(1136, "Column count doesn't match value count at row 1")
    return SqlError(1105, message)
