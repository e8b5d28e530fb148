"""The system tables a client may query, computed from the cluster's state when read:
information_schema.SCHEMATA, TABLES, ROUTINES, and what ORMs and dump tools read of tables
(COLUMNS, STATISTICS, KEY_COLUMN_USAGE, TABLE_CONSTRAINTS, REFERENTIAL_CONSTRAINTS, PARTITIONS,
and FILES and COLUMN_STATISTICS, which are empty here), from the catalogue (schema.py), listing
the tables of user databases the account holds some privilege on; mysql.user, and on MySQL 8 mysql.default_roles
and mysql.role_edges (which tools read to learn an account's default roles);
performance_schema.global_status and session_status (what SHOW STATUS shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import schema
from .accounts import Level
from .errors import SqlError
from .tables import SYSTEM_DATABASES

if TYPE_CHECKING:
    from .session import AuroraSession

Table = tuple[list[str], list[tuple]]


def read(s: AuroraSession, database: str, table: str) -> Table | None:
    """The columns and rows of `database.table` (lower case), or None if there is no such table."""
    if database == "information_schema":
        views = {"schemata": _schemata, "tables": _tables, "routines": _routines, "columns": _columns,
                 "statistics": _statistics, "key_column_usage": _key_column_usage,
                 "table_constraints": _table_constraints, "referential_constraints": _referential_constraints,
                 "partitions": _partitions, "files": _files, "column_statistics": _column_statistics,
                 "triggers": _triggers}
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


_TABLES_COLUMNS = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "VERSION", "ROW_FORMAT",
                   "TABLE_ROWS", "AVG_ROW_LENGTH", "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE",
                   "AUTO_INCREMENT", "CREATE_TIME", "UPDATE_TIME", "CHECK_TIME", "TABLE_COLLATION", "CHECKSUM",
                   "CREATE_OPTIONS", "TABLE_COMMENT"]
_ANY_TABLE_PRIVILEGE = ("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "REFERENCES",
                        "TRIGGER", "SHOW VIEW")


def _definitions(s: AuroraSession) -> list[schema.TableDef]:
    """The user tables the account may see (some privilege on each), by database and name."""
    tables = s.cluster.tables
    found = []
    for db in sorted(tables.databases):
        if db in SYSTEM_DATABASES:
            continue
        for name in tables.table_names(db):
            level = Level("table", db, name)
            if any(s.holds(privilege, level) for privilege in _ANY_TABLE_PRIVILEGE):
                found.append(schema.definition(tables, db, name, s.engine))
    return found


def _tables(s: AuroraSession) -> Table:
    tables = s.cluster.tables
    rows = [
        ("def", t.db, t.name, "BASE TABLE", "InnoDB", 10, "Dynamic", tables.row_count(t.db, t.name), 0, 16384, 0, 0,
         0, schema.next_auto_increment(tables, t), None, None, None, t.collation, None, "", t.comment)
        for t in _definitions(s)
    ]
    return _TABLES_COLUMNS, rows


_COLUMNS_COLUMNS = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_DEFAULT",
                    "IS_NULLABLE", "DATA_TYPE", "CHARACTER_MAXIMUM_LENGTH", "CHARACTER_OCTET_LENGTH",
                    "NUMERIC_PRECISION", "NUMERIC_SCALE", "DATETIME_PRECISION", "CHARACTER_SET_NAME", "COLLATION_NAME",
                    "COLUMN_TYPE", "COLUMN_KEY", "EXTRA", "PRIVILEGES", "COLUMN_COMMENT", "GENERATION_EXPRESSION",
                    "SRS_ID"]
_INT_PRECISION = {"TINYINT": 3, "SMALLINT": 5, "MEDIUMINT": 7, "INT": 10, "BIGINT": 19}
_BYTES_MAX = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215, "LONGTEXT": 4294967295, "TINYBLOB": 255,
              "BLOB": 65535, "MEDIUMBLOB": 16777215, "LONGBLOB": 4294967295}


def _sizes(column: schema.Column) -> tuple:
    """CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,
    DATETIME_PRECISION, as MySQL 8.0 fills them for the type."""
    from .column_types import MBMAXLEN
    from .strict import members

    kind = column.type.name
    size = column.type.size.strip("()").split(",") if column.type.size and kind not in ("ENUM", "SET") else []
    per_char = MBMAXLEN.get(column.type.charset or schema.DEFAULT_CHARSET, 4)
    if kind in ("CHAR", "VARCHAR"):
        length = int(size[0]) if size else 1
        return length, length * per_char, None, None, None
    if kind in ("BINARY", "VARBINARY"):
        length = int(size[0]) if size else 1
        return length, length, None, None, None
    if kind in _BYTES_MAX:
        octets = _BYTES_MAX[kind]
        return (octets // per_char if kind.endswith("TEXT") else octets), octets, None, None, None
    if kind in ("ENUM", "SET"):
        values = members(column)
        length = max((len(v) for v in values), default=0) if kind == "ENUM" else len(",".join(values))
        return length, length * per_char, None, None, None
    if kind in _INT_PRECISION:
        precision = 20 if kind == "BIGINT" and column.type.unsigned else _INT_PRECISION[kind]
        return None, None, precision, 0, None
    if kind == "DECIMAL":
        return None, None, int(size[0]), int(size[1]) if len(size) > 1 else 0, None
    if kind in ("FLOAT", "DOUBLE"):
        return None, None, 12 if kind == "FLOAT" else 22, int(size[1]) if len(size) > 1 else None, None
    if kind == "BIT":
        return None, None, int(size[0]) if size else 1, None, None
    if kind in ("DATETIME", "TIMESTAMP", "TIME"):
        return None, None, None, None, int(size[0]) if size and size[0] else 0
    return None, None, None, None, None


def _columns(s: AuroraSession) -> Table:
    rows = []
    for table in _definitions(s):
        for position, column in enumerate(table.columns, start=1):
            rows.append(("def", table.db, table.name, column.name, position, schema.default_value(column),
                         "YES" if column.nullable else "NO", column.type.name.lower(), *_sizes(column),
                         column.charset(table), column.collation(table), schema.column_type(column, s.engine),
                         table.key_of(column), table.extra(column), "select,insert,update,references",
                         column.comment, "", None))
    return _COLUMNS_COLUMNS, rows


def _statistics(s: AuroraSession) -> Table:
    columns = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "NON_UNIQUE", "INDEX_SCHEMA", "INDEX_NAME",
               "SEQ_IN_INDEX", "COLUMN_NAME", "COLLATION", "CARDINALITY", "SUB_PART", "PACKED", "NULLABLE",
               "INDEX_TYPE", "COMMENT", "INDEX_COMMENT", "IS_VISIBLE", "EXPRESSION"]
    rows = []
    for table in _definitions(s):
        for row in schema.index_rows(table, {}):
            (_, non_unique, name, seq, column, collation, _card, sub_part, packed, nullable, kind, comment,
             index_comment, visible, expression) = row
            rows.append(("def", table.db, table.name, non_unique, table.db, name, seq, column, collation, None,
                         sub_part, packed, nullable, kind, comment, index_comment, visible, expression))
    return columns, rows


def _key_column_usage(s: AuroraSession) -> Table:
    columns = ["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_CATALOG", "TABLE_SCHEMA",
               "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "POSITION_IN_UNIQUE_CONSTRAINT",
               "REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME"]
    rows = []
    for table in _definitions(s):
        for index in table.ordered_indexes():
            if index.unique:
                rows += [("def", table.db, index.name, "def", table.db, table.name, column, position, None, None, None,
                          None) for position, column in enumerate(index.columns, start=1)]
        for fk in table.foreign_keys:
            rows += [("def", table.db, fk.name, "def", table.db, table.name, column, position, position, fk.ref_db,
                      fk.ref_table, fk.ref_columns[position - 1] if position <= len(fk.ref_columns) else None)
                     for position, column in enumerate(fk.columns, start=1)]
    return columns, rows


def _table_constraints(s: AuroraSession) -> Table:
    columns = ["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_SCHEMA", "TABLE_NAME",
               "CONSTRAINT_TYPE", "ENFORCED"]
    rows = []
    for table in _definitions(s):
        rows += [("def", table.db, index.name, table.db, table.name,
                  "PRIMARY KEY" if index.kind == "PRIMARY" else "UNIQUE", "YES")
                 for index in table.ordered_indexes() if index.unique]
        rows += [("def", table.db, fk.name, table.db, table.name, "FOREIGN KEY", "YES") for fk in table.foreign_keys]
    return columns, rows


def _referential_constraints(s: AuroraSession) -> Table:
    columns = ["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "UNIQUE_CONSTRAINT_CATALOG",
               "UNIQUE_CONSTRAINT_SCHEMA", "UNIQUE_CONSTRAINT_NAME", "MATCH_OPTION", "UPDATE_RULE", "DELETE_RULE",
               "TABLE_NAME", "REFERENCED_TABLE_NAME"]
    rows = []
    catalogue = s.cluster.tables.schema
    for table in _definitions(s):
        for fk in table.foreign_keys:
            target = catalogue.get(fk.ref_db, fk.ref_table)
            wanted = [c.lower() for c in fk.ref_columns]
            unique = next((i.name for i in (target.ordered_indexes() if target else [])
                           if i.unique and [c.lower() for c in i.columns] == wanted), None)
            rows.append(("def", table.db, fk.name, "def", fk.ref_db, unique, "NONE", fk.on_update or "NO ACTION",
                         fk.on_delete or "NO ACTION", table.name, fk.ref_table))
    return columns, rows


def _partitions(s: AuroraSession) -> Table:
    columns = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "PARTITION_NAME", "SUBPARTITION_NAME",
               "PARTITION_ORDINAL_POSITION", "SUBPARTITION_ORDINAL_POSITION", "PARTITION_METHOD",
               "SUBPARTITION_METHOD", "PARTITION_EXPRESSION", "SUBPARTITION_EXPRESSION", "PARTITION_DESCRIPTION",
               "TABLE_ROWS", "AVG_ROW_LENGTH", "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE",
               "CREATE_TIME", "UPDATE_TIME", "CHECK_TIME", "CHECKSUM", "PARTITION_COMMENT", "NODEGROUP",
               "TABLESPACE_NAME"]
    tables = s.cluster.tables
    # No table is partitioned: one row each, its partition columns NULL (as MySQL shows such a table).
    rows = [("def", t.db, t.name, None, None, None, None, None, None, None, None, None, tables.row_count(t.db, t.name),
             0, 16384, 0, 0, 0, None, None, None, None, "", None, None) for t in _definitions(s)]
    return columns, rows


def _files(s: AuroraSession) -> Table:
    columns = ["FILE_ID", "FILE_NAME", "FILE_TYPE", "TABLESPACE_NAME", "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME",
               "LOGFILE_GROUP_NAME", "LOGFILE_GROUP_NUMBER", "ENGINE", "FULLTEXT_KEYS", "DELETED_ROWS",
               "UPDATE_COUNT", "FREE_EXTENTS", "TOTAL_EXTENTS", "EXTENT_SIZE", "INITIAL_SIZE", "MAXIMUM_SIZE",
               "AUTOEXTEND_SIZE", "CREATION_TIME", "LAST_UPDATE_TIME", "LAST_ACCESS_TIME", "RECOVER_TIME",
               "TRANSACTION_COUNTER", "VERSION", "ROW_FORMAT", "TABLE_ROWS", "AVG_ROW_LENGTH", "DATA_LENGTH",
               "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE", "CREATE_TIME", "UPDATE_TIME", "CHECK_TIME", "CHECKSUM",
               "STATUS", "EXTRA"]
    return columns, []  # the sandbox keeps no tablespace files


def trigger_rows(s: AuroraSession) -> list[tuple[str, str, str, str, str]]:
    """(database, trigger, event, table, timing) of the cluster's triggers, as created."""
    triggers = s.cluster.tables.schema.triggers
    return [(db, name, *triggers[(db, name)]) for db, name in sorted(triggers)]


def _triggers(s: AuroraSession) -> Table:
    columns = ["TRIGGER_CATALOG", "TRIGGER_SCHEMA", "TRIGGER_NAME", "EVENT_MANIPULATION", "EVENT_OBJECT_CATALOG",
               "EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE", "ACTION_ORDER", "ACTION_CONDITION", "ACTION_STATEMENT",
               "ACTION_ORIENTATION", "ACTION_TIMING"]
    rows = [("def", db, name, event, "def", db, table, 1, None, None, "ROW", timing)
            for db, name, event, table, timing in trigger_rows(s)]
    return columns, rows


def _column_statistics(s: AuroraSession) -> Table:
    return ["SCHEMA_NAME", "TABLE_NAME", "COLUMN_NAME", "HISTOGRAM"], []  # no ANALYZE TABLE ... UPDATE HISTOGRAM


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
