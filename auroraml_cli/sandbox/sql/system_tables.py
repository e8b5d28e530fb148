"""The system tables a client may query, computed from the cluster's state when read:
information_schema.SCHEMATA, TABLES and ROUTINES; mysql.user, and on MySQL 8 mysql.default_roles
and mysql.role_edges (which tools read to learn an account's default roles);
performance_schema.global_status and session_status (what SHOW STATUS shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import Level
from .errors import SqlError

if TYPE_CHECKING:
    from .session import AuroraSession

Table = tuple[list[str], list[tuple]]


def read(s: AuroraSession, database: str, table: str) -> Table | None:
    """The columns and rows of `database.table` (lower case), or None if there is no such table."""
    if database == "information_schema":
        views = {"schemata": _schemata, "tables": _tables, "routines": _routines}
    elif database == "mysql":
        views = {"user": _users, **({"default_roles": _default_roles, "role_edges": _role_edges}
                                    if s.engine.uses_roles else {})}
        if table in views and not s.holds("SELECT", Level("db", "mysql")):
            raise SqlError(1142, f"SELECT command denied to user {s.who} for table '{table}'")
    elif database == "performance_schema":
        views = {"global_status": _status, "session_status": _status}
    else:
        return None
    view = views.get(table)
    return view(s) if view else None


def _schemata(s: AuroraSession) -> Table:
    columns = ["CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME", "SQL_PATH"]
    collation = s.variables.get("collation_server")
    charset = s.variables.get("character_set_server")
    return columns, [("def", name, charset, collation, None) for name in sorted(s.cluster.tables.databases)]


def _tables(s: AuroraSession) -> Table:
    columns = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_ROWS"]
    tables = s.cluster.tables
    rows = [
        ("def", db, name, "BASE TABLE", "InnoDB", tables.row_count(db, name))
        for db in sorted(tables.databases)
        for name in tables.table_names(db)
    ]
    return columns, rows


def _routines(s: AuroraSession) -> Table:
    columns = ["SPECIFIC_NAME", "ROUTINE_CATALOG", "ROUTINE_SCHEMA", "ROUTINE_NAME", "ROUTINE_TYPE", "DATA_TYPE",
               "DTD_IDENTIFIER", "ROUTINE_BODY", "ROUTINE_DEFINITION", "IS_DETERMINISTIC", "SQL_DATA_ACCESS",
               "SECURITY_TYPE", "CREATED", "LAST_ALTERED", "ROUTINE_COMMENT", "DEFINER"]
    rows = [
        (f.name, "def", f.db, f.name, "FUNCTION", f.returns.name.lower(), f.returns.dtd(s.engine), "SQL",
         f.definition(), "YES" if f.deterministic else "NO", f.data_access, f.security, str(f.created),
         str(f.created), f.comment, str(f.definer))
        for f in s.cluster.functions.all()
    ]
    return columns, rows


def _users(s: AuroraSession) -> Table:
    columns = ["Host", "User", "plugin", "authentication_string", "account_locked"]
    rows = [
        (a.name.host, a.name.user, a.plugin, f"*{a.auth_string.upper()}" if a.auth_string else "",
         "Y" if a.locked else "N")
        for a in s.cluster.accounts.all()
    ]
    return columns, rows


def _default_roles(s: AuroraSession) -> Table:
    columns = ["HOST", "USER", "DEFAULT_ROLE_HOST", "DEFAULT_ROLE_USER"]
    rows = [
        (a.name.host, a.name.user, role.host, role.user)
        for a in s.cluster.accounts.all()
        for role in sorted(a.default_roles)
    ]
    return columns, rows


def _role_edges(s: AuroraSession) -> Table:
    columns = ["FROM_HOST", "FROM_USER", "TO_HOST", "TO_USER", "WITH_ADMIN_OPTION"]
    rows = [
        (role.host, role.user, a.name.host, a.name.user, "Y" if admin else "N")
        for a in s.cluster.accounts.all()
        for role, admin in sorted(a.roles.items())
    ]
    return columns, rows


def _status(s: AuroraSession) -> Table:
    return ["VARIABLE_NAME", "VARIABLE_VALUE"], s.cluster.ml_status.rows(s.instance)
