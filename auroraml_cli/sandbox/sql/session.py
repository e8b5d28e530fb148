"""One client connection: mysql-mimic's Session with Aurora's statements in front of it.

A statement goes first to the Aurora grammar (statements.route: accounts, roles, grants,
functions, SHOW, EXPLAIN, export); what that does not claim goes through mysql-mimic's
middlewares (SET, USE, BEGIN/COMMIT, @@variables and information functions replaced by values)
and ends in `query()`, which runs it on the cluster's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mysql_mimic import Session
from mysql_mimic.intercept import value_to_expression
from mysql_mimic.results import AllowedResult
from mysql_mimic.session import Query, mysql_function_mapping
from mysql_mimic.types import Capabilities
from mysql_mimic.variable_processor import VariableProcessor
from sqlglot import Dialect, exp
from sqlglot.errors import ParseError

from . import alter_columns, ml_eval, statements, strict, system_tables, transactions
from .accounts import GLOBAL, AccountName, Level
from .engine import AURORA_306_RESERVED, Engine
from .errors import (
    SqlError,
    database_denied,
    need_privilege,
    no_database,
    not_supported,
    syntax_error,
    unknown_database,
)
from .lexer import WORD, split_statements, tokenize
from . import results
from .results import Affected, label_columns
from .tables import Outcome
from .variables import RESTRICTED_SESSION, SessionValues

if TYPE_CHECKING:
    from mysql_mimic.connection import Connection

    from .cluster import ClusterState

# Statement types that run on the cluster's tables.
_TABLE_STATEMENTS = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


class AuroraSession(Session):
    variables: SessionValues

    def __init__(self, cluster: ClusterState, client_host: str, instance: str | None = None) -> None:
        super().__init__(SessionValues(cluster.variables, instance))
        self.cluster = cluster
        self.client_host = client_host
        self.instance = instance  # reached through this instance's endpoint; None: the cluster endpoint
        self.account = AccountName("")  # known once the client has logged in
        self.active_roles: set[AccountName] = set()
        self.user_variables: dict[str, Any] = {}  # SET @name = ...
        self.last_insert_id = 0  # LAST_INSERT_ID(): the first id this session's last INSERT generated
        self.found_rows = True  # the client asked for CLIENT_FOUND_ROWS (init)
        self.autocommit_before = True  # @@autocommit before the statement now running (transactions)
        self.middlewares = [
            self._set_var_middleware,
            self._set_middleware,
            self._use_middleware,
            self._kill_middleware,
        ]

    @property
    def engine(self) -> Engine:
        return self.cluster.engine

    # -- login --------------------------------------------------------------------------------

    async def init(self, connection: Connection) -> None:
        await super().init(connection)
        # CLIENT_FOUND_ROWS: an UPDATE counts the rows it matched; without it, those it changed.
        self.found_rows = Capabilities.CLIENT_FOUND_ROWS in connection.capabilities
        if self.username is not None:  # None: the login failed and the connection is ending
            self._log_in()

    async def reset(self) -> None:  # after COM_CHANGE_USER: a new login (and no transaction)
        self.cluster.tables.end_session(self)
        self._log_in()

    async def close(self) -> None:  # the client went away: its open transaction is rolled back
        self.cluster.tables.end_session(self)
        await super().close()

    def _log_in(self) -> None:
        account = self.cluster.accounts.login(self.username or "", self.client_host)
        if account is None:  # dropped between authentication and now
            raise SqlError(1045, f"Access denied for user '{self.username}'@'{self.client_host}'")
        self.account = account.name
        if self.engine.uses_roles and self.variables.get("activate_all_roles_on_login"):
            self.active_roles = set(account.roles)
        else:
            self.active_roles = {r for r in account.default_roles if r in account.roles}

    # -- what the connected account may do ----------------------------------------------------

    @property
    def who(self) -> str:
        """The account as MySQL's access-denied messages write it."""
        return f"'{self.account.user}'@'{self.account.host}'"

    def holds(self, privilege: str, level: Level = GLOBAL) -> bool:
        return self.cluster.accounts.holds(self.account, self.active_roles, privilege, level)

    def require_on_database(self, privilege: str, database: str) -> None:
        if not self.holds(privilege, Level("db", database)):
            raise database_denied(self.who, database)

    def database_for(self, name: str | None) -> str:
        """The named database, else the current one: it must exist."""
        database = name or self.database
        if not database:
            raise no_database()
        if database not in self.cluster.tables.databases:
            raise unknown_database(database)
        return database

    def current_role(self) -> str:
        names = sorted(self.active_roles)
        return ",".join(self.engine.quote_account(r.user, r.host) for r in names) or "NONE"

    # -- statements ---------------------------------------------------------------------------

    async def handle_query(self, sql: str, attrs: dict[str, str]) -> AllowedResult | Affected:
        pieces = split_statements(statements.unfold_comments(sql, self.engine.mysql_version))
        if not pieces:
            raise SqlError(1065, "Query was empty")
        result: AllowedResult | Affected = None
        with self.cluster.tables.session(self):
            for piece in pieces:
                result = await self._statement(piece, attrs)
        return result

    async def _statement(self, piece: str, attrs: dict[str, str]) -> AllowedResult | Affected:
        if getattr(self.cluster.tables, "is_server", False):  # --engine mariadb: server_session routes it
            from . import server_session

            return await server_session.statement(self, piece, attrs, self._layer_statement)
        return await self._layer_statement(piece, attrs)

    async def _layer_statement(self, piece: str, attrs: dict[str, str]) -> AllowedResult | Affected:
        words = transactions.first_words(piece)
        if transactions.handle(self, piece, words):
            return Affected(0)
        transactions.before(self, words)
        handler = statements.route(self, piece)
        if handler is not None:
            result = handler()
        else:
            self._check_reserved(piece)
            result = await super().handle_query(piece, attrs)
        transactions.after(self, words)
        return result

    def _check_reserved(self, sql: str) -> None:
        """Since 3.06 Aurora's ML keywords are reserved: unquoted, they are a syntax error."""
        if not self.engine.bedrock:
            return
        for token in tokenize(sql):
            if token.kind == WORD and token.text.lower() in AURORA_306_RESERVED:
                raise syntax_error(sql, token.start)

    def _parse(self, sql: str) -> list[exp.Expression]:
        try:
            parsed = [e for e in Dialect.get_or_raise(self.dialect).parse(sql) if e]
        except ParseError as error:
            raise syntax_error(sql, _error_offset(sql, error)) from None
        for statement in parsed:
            _check_limits(statement, sql)
        if len(parsed) == 1:  # named now, before values and ML calls replace what the user wrote
            label_columns(parsed[0], sql)
        return parsed

    def parse_one(self, sql: str) -> exp.Expression:
        """One statement parsed for a handler that runs part of a statement (EXPLAIN, export)."""
        self._check_reserved(sql)
        parsed = self._parse(sql)
        if len(parsed) != 1:
            raise syntax_error(sql, 0)
        return parsed[0]

    async def _set_var_middleware(self, q: Query) -> AllowedResult:
        """@@variables and information functions (CURRENT_ROLE(), AURORA_VERSION(), ...) become values."""
        with _Values(self._functions(), self.variables, q.expression).set_variables():
            return await q.next()

    def _functions(self) -> dict[str, Callable[[], Any]]:
        functions = dict(mysql_function_mapping(self))
        login = lambda: f"{self.username}@{self.client_host}"  # noqa: E731  USER() is who connected
        functions.update({"USER": login, "SESSION_USER": login, "SYSTEM_USER": login,
                          "CURRENT_USER": lambda: str(self.account),
                          "AURORA_VERSION": lambda: self.engine.aurora_version,
                          "LAST_INSERT_ID": lambda: self.last_insert_id})
        if self.engine.uses_roles:  # MySQL 5.7 has no CURRENT_ROLE(): it stays an unknown function
            functions["CURRENT_ROLE"] = self.current_role
        return functions

    def _set_variable(self, setitem: exp.SetItem) -> None:
        left = setitem.this.left
        if isinstance(left, exp.Parameter):  # SET @name = expr: a user variable of this session
            outcome = self.run_on_tables(exp.Select(expressions=[setitem.this.right.copy()]))
            self.user_variables[left.name.lower()] = outcome.rows[0][0] if outcome.rows else None
            return
        scope = (left.text("kind") if isinstance(left, exp.SessionParameter) else "") or setitem.text("kind")
        if scope.upper() in ("GLOBAL", "PERSIST", "PERSIST_ONLY"):
            # Aurora's master user has neither SUPER nor SYSTEM_VARIABLES_ADMIN: parameter groups set these.
            needed = ("SUPER", "SYSTEM_VARIABLES_ADMIN") if self.engine.uses_roles else ("SUPER",)
            raise need_privilege(*needed)
        if left.name.lower() in RESTRICTED_SESSION:
            self._check_restricted_session(left.name.lower())
        right = setitem.this.right
        bare = isinstance(right, exp.Var) or (isinstance(right, exp.Column) and not right.table)
        if bare and right.name.upper() not in ("DEFAULT", "ON", "OFF"):  # a bare word: ROW, utf8mb4
            setitem = setitem.copy()
            setitem.this.set("expression", exp.Literal.string(right.name))
        elif isinstance(right, exp.Parameter):  # SET sql_mode = @OLD_SQL_MODE (mysqldump's output)
            setitem = setitem.copy()
            setitem.this.set("expression", value_to_expression(self.user_variables.get(right.name.lower())))
        super()._set_variable(setitem)

    def _check_restricted_session(self, name: str) -> None:
        """MySQL's restricted session variables (binlog_format): SUPER, or on 8.0 SYSTEM_ or
        SESSION_VARIABLES_ADMIN, which Aurora 3's master user holds and Aurora 2's does not (no SUPER)."""
        needed = ("SUPER", "SYSTEM_VARIABLES_ADMIN", "SESSION_VARIABLES_ADMIN") if self.engine.uses_roles else ("SUPER",)
        if any(self.holds(privilege) for privilege in needed):
            return
        if len(needed) == 1:
            raise need_privilege(*needed)
        raise SqlError(1227, "Access denied; you need (at least one of) the SUPER, SYSTEM_VARIABLES_ADMIN or "
                             "SESSION_VARIABLES_ADMIN privilege(s) for this operation")

    async def use(self, database: str) -> None:
        self.database = self.database_for(database)

    async def query(self, expression: exp.Expression, sql: str, attrs: dict[str, str]) -> AllowedResult:
        """What mysql-mimic's middlewares pass on: databases, then table statements."""
        kind = str(expression.args.get("kind") or "").upper()
        if isinstance(expression, (exp.Create, exp.Drop)) and kind in ("DATABASE", "SCHEMA"):
            return self._database_statement(expression)
        if not isinstance(expression, _TABLE_STATEMENTS):
            raise not_supported(f"{sql.split()[0].upper()} statements in the sandbox")
        return _result(self.run_on_tables(expression))

    def run_on_tables(self, expression: exp.Expression) -> Outcome:
        """Run a statement on the cluster's tables; ML calls go to the AWS half (ml_eval)."""
        if getattr(self.cluster.tables, "is_server", False):  # --engine mariadb: the server does strict mode
            from . import ml_server

            outcome = ml_server.run(self, self._with_user_variables(expression))
            self.last_insert_id = outcome.last_insert_id or self.last_insert_id
            return outcome
        if alter_columns.is_modify(expression):  # MODIFY/CHANGE COLUMN: the table is rebuilt
            return alter_columns.run(self, expression)
        expression = self._defaults_in_values(expression)
        system = lambda db, table: system_tables.read(self, db, table)  # noqa: E731
        self.cluster.tables.foreign_key_checks(bool(self.variables.get("foreign_key_checks")))
        transactions.implicit_begin(self)
        changed = None if self.found_rows else self._rows_to_change(expression, system)
        outcome = ml_eval.run(self, self._with_user_variables(expression),
                              lambda statement: self.cluster.tables.run(strict.prepare(self, statement), self.database,
                                                                        system))
        if outcome.last_insert_id:
            self.last_insert_id = outcome.last_insert_id
        if changed is not None:
            outcome.affected = min(changed, outcome.affected)
        return outcome

    def _defaults_in_values(self, expression: exp.Expression) -> exp.Expression:
        """`INSERT ... VALUES (DEFAULT, ...)`: DEFAULT becomes the column's default from the
        catalogue (NULL for AUTO_INCREMENT, which numbers the row; 1364 for a NOT NULL column
        without one, as strict MySQL)."""
        values = expression.expression if isinstance(expression, exp.Insert) else None
        if not isinstance(values, exp.Values) or not any(
                isinstance(v, exp.Var) and v.name.upper() == "DEFAULT" for v in values.find_all(exp.Var)):
            return expression
        target = expression.this
        table = target.this if isinstance(target, exp.Schema) else target
        if not isinstance(table, exp.Table):
            return expression
        from . import schema

        definition = schema.definition(self.cluster.tables, self.database_for(table.db or None), table.name,
                                       self.engine)
        names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else \
            [c.name for c in definition.columns]
        expression = expression.copy()
        for row in expression.expression.expressions:
            for index, value in enumerate(row.expressions):
                if not (isinstance(value, exp.Var) and value.name.upper() == "DEFAULT") or index >= len(names):
                    continue
                column = definition.column(names[index])
                if column is None:
                    raise SqlError(1054, f"Unknown column '{names[index]}' in 'field list'")
                if column.default is not None:
                    replacement = self.parse_one(f"SELECT {column.default}").expressions[0].unalias()
                elif column.nullable or column.auto_increment:
                    replacement = exp.null()
                else:
                    raise SqlError(1364, f"Field '{column.name}' doesn't have a default value")
                value.replace(replacement)
        return expression

    def _rows_to_change(self, expression: exp.Expression, system: Any) -> int | None:
        """How many rows a single-table UPDATE will change (MySQL's affected rows without
        CLIENT_FOUND_ROWS): those it matches whose new values differ from the old. None: not counted."""
        if not isinstance(expression, exp.Update) or expression.args.get("joins") or expression.args.get("from_") \
                or not isinstance(expression.this, exp.Table):
            return None
        same = [exp.NullSafeEQ(this=a.this.copy(), expression=exp.paren(a.expression.copy()))
                for a in expression.expressions if isinstance(a, exp.EQ)]
        if not same:
            return None
        changes = exp.Not(this=exp.paren(exp.and_(*same)))
        inner = exp.select(exp.alias_(exp.Case(ifs=[exp.If(this=changes, true=exp.Literal.number(1))],
                                               default=exp.Literal.number(0)), "ch"))
        inner = inner.from_(expression.this.copy())
        for key in ("where", "order", "limit"):
            if expression.args.get(key) is not None:
                inner.set(key, expression.args[key].copy())
        count = exp.select("COALESCE(SUM(ch), 0)").from_(inner.subquery("changed_rows"))
        try:
            outcome = self.cluster.tables.run(self._with_user_variables(count), self.database, system)
        except SqlError:
            return None
        return int(outcome.rows[0][0]) if outcome.rows else None

    def _with_user_variables(self, expression: exp.Expression) -> exp.Expression:
        """@name becomes its value (NULL if never set); a bare @name in a SELECT list keeps its name."""
        if expression.find(exp.Parameter) is None:
            return expression
        expression = expression.copy()
        for node in list(expression.find_all(exp.Parameter)):
            held = self.user_variables.get(node.name.lower())
            value = value_to_expression(held)
            if isinstance(held, float):  # a DOUBLE stays one (a bare literal would read as a DECIMAL)
                value = exp.Cast(this=value, to=exp.DataType.build("DOUBLE"))
            if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
                value = exp.alias_(value, exp.to_identifier(f"@{node.name}", quoted=True))
            node.replace(value)
        return expression

    def _database_statement(self, expression: exp.Expression) -> Affected:
        target = expression.this if isinstance(expression, exp.Create) else expression.args["tables"][0]
        name = target.name
        if isinstance(expression, exp.Create):
            self.require_on_database("CREATE", name)
            self.cluster.tables.create_database(name, bool(expression.args.get("exists")))
            return Affected(1)
        self.require_on_database("DROP", name)
        dropped = self.cluster.tables.drop_database(name, bool(expression.args.get("exists")))
        for function in self.cluster.functions.drop_database(name):
            self.cluster.forget_routine(function)
        if self.database == name:
            self.database = None
        return Affected(dropped)


class _Values(VariableProcessor):
    """mysql-mimic's replacement of @@variables by values, with @@global.x read globally and an
    unknown name refused (mysql-mimic's lookup turns it into NULL)."""

    _variables: SessionValues

    def _transform(self, node: exp.Expression) -> exp.Expression:
        if node.find_ancestor(exp.DefaultColumnConstraint, exp.OnUpdateColumnConstraint):
            return node  # DEFAULT CURRENT_TIMESTAMP stays an expression, evaluated when a row is written
        if not isinstance(node, exp.SessionParameter):
            return super()._transform(node)
        scope = self._variables.global_variables if node.text("kind").upper() == "GLOBAL" else self._variables
        value = value_to_expression(scope.get_variable(node.name))
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            return exp.alias_(value, exp.to_identifier(node.sql()))
        return value


def _result(outcome: Outcome) -> AllowedResult:
    if outcome.columns:
        columns: list[Any] = list(outcome.columns)
        rows = outcome.rows
        types = outcome.types if len(outcome.types) == len(columns) else [None] * len(columns)
        for index, name in enumerate(columns):
            columns[index], convert = results.wire_column(name, types[index], [row[index] for row in rows])
            if convert is not None:
                rows = [row[:index] + (None if row[index] is None else convert(row[index]),) + row[index + 1:]
                        for row in rows]
        return rows, columns
    return Affected(outcome.affected, outcome.last_insert_id)


def _check_limits(statement: exp.Expression, sql: str) -> None:
    """MySQL's LIMIT and OFFSET take integer literals only (sqlglot and SQLite take any
    expression): `LIMIT 1 + 1` is 1064, as in MySQL 8.0 and MariaDB."""
    for node in statement.find_all(exp.Limit, exp.Offset):
        value = node.expression
        if isinstance(value, exp.Literal) and value.is_int or isinstance(value, exp.Placeholder):
            continue
        word = "OFFSET" if isinstance(node, exp.Offset) else "LIMIT"
        tokens = [t for t in tokenize(sql) if t.kind == WORD and t.text.upper() == word]
        raise syntax_error(sql, tokens[-1].start + len(word) + 1 if tokens else 0)


def _error_offset(sql: str, error: ParseError) -> int:
    """Where sqlglot stopped, as an offset into the statement."""
    details = error.errors[0] if error.errors else {}
    line, col = details.get("line"), details.get("col")
    if not line or not col:
        return 0
    line_start = sum(len(text) + 1 for text in sql.split("\n")[: line - 1])
    return max(line_start + col - len(details.get("highlight") or ""), 0)
