"""System variables: mysql-mimic's, made Aurora's. Every parameter of the cluster's parameter
group family is a global variable whose value is what the writer instance runs with (the group
as of its last reboot, from the AWS half), read each time it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mysql_mimic.variables import DEFAULT, SYSTEM_VARIABLES, GlobalVariables, SessionVariables, VariableSchema

from .. import catalog
from .engine import Engine
from .errors import SqlError, not_supported

# Engine defaults of the parameters whose catalogue entry has no value (AWS shows none until set).
_ENGINE_DEFAULTS_80: dict[str, Any] = {
    "auto_increment_increment": 1, "auto_increment_offset": 1, "binlog_checksum": "CRC32",
    "binlog_row_image": "full", "completion_type": 0, "lower_case_table_names": 0,
    "tls_version": "TLSv1.2,TLSv1.3", "collation_connection": "utf8mb4_0900_ai_ci",
    "collation_server": "utf8mb4_0900_ai_ci",
    # Undocumented by AWS; the sandbox's pick (30 s).
    "aurora_ml_inference_timeout": 30000,
}
_ENGINE_DEFAULTS_57: dict[str, Any] = {
    **_ENGINE_DEFAULTS_80, "tls_version": "TLSv1,TLSv1.1,TLSv1.2", "character_set_server": "latin1",
    "character_set_database": "latin1", "collation_connection": "latin1_swedish_ci",
    "collation_server": "latin1_swedish_ci",
}
_SQL_MODE_80 = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
                "NO_ENGINE_SUBSTITUTION")
_SQL_MODE_57 = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
                "NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION")

# Set with SET GLOBAL only (which Aurora refuses: no SUPER), or not at all.
_GLOBAL_ONLY = frozenset(
    {"activate_all_roles_on_login", "log_bin_trust_function_creators", "require_secure_transport",
     "server_audit_events", "server_audit_logging", "innodb_file_per_table", "binlog_checksum"}
)
# Session values only an account with SUPER (or, on 8.0, SYSTEM_VARIABLES_ADMIN or
# SESSION_VARIABLES_ADMIN) may set, and the values each takes.
RESTRICTED_SESSION = {"binlog_format": ("ROW", "STATEMENT", "MIXED")}
_READ_ONLY = frozenset(
    {"version", "version_comment", "aurora_version", "aurora_server_id", "log_bin", "license", "system_time_zone",
     "lower_case_table_names", "core_file", "tls_version", "performance_schema", "external_user"}
)


class ClusterVariables(GlobalVariables):
    """The global variables of one cluster's writer.

    `parameters()` gives the writer's effective cluster parameters; `server_id()` its instance id."""

    def __init__(self, engine: Engine, parameters: Callable[[], dict[str, str]], server_id: Callable[[], str]):
        self._parameters = parameters
        self._server_id = server_id
        self._kinds = {p.name: p.data_type for p in catalog.parameters(engine.family)}
        super().__init__(_schema(engine, self._kinds))

    def get_schema(self, name: str) -> VariableSchema:
        schema = self.schema.get(name.lower())
        if schema is None:
            raise SqlError(1193, f"Unknown system variable '{name}'")
        return schema

    def get_variable(self, name: str) -> Any:
        name = name.lower()
        if name == "aurora_server_id":
            return self._server_id()
        if name in ("log_bin", "binlog_format"):
            # binlog_format=OFF in the parameter group is how Aurora turns binary logging off.
            configured = self._parameter("binlog_format")
            if name == "log_bin":
                return configured != "OFF"
            return "ROW" if configured == "OFF" else configured
        if name in self._kinds:
            return self._parameter(name)
        return super().get_variable(name)

    def _parameter(self, name: str) -> Any:
        type_, default, _ = self.get_schema(name)
        raw = self._parameters().get(name)
        if raw is None:
            return default
        try:
            return type_(raw)
        except ValueError:  # a value the catalogue allows but the type cannot read: show it as set
            return raw

    def is_boolean(self, name: str) -> bool:
        return self.schema[name][0] is bool or self._kinds.get(name) == "boolean" or name == "log_bin"

    def check_session_set(self, name: str) -> None:
        """Refuse SET SESSION of a read-only or global-only variable, as MySQL does."""
        if name in _READ_ONLY:
            raise SqlError(1238, f"Variable '{name}' is a read only variable")
        if name in _GLOBAL_ONLY or (name in self._kinds and name.endswith("_role")):
            raise SqlError(1229, f"Variable '{name}' is a GLOBAL variable and should be set with SET GLOBAL")


class SessionValues(SessionVariables):
    """A session's variables: its own SET values, else the cluster's global ones. A session on an
    instance endpoint has that instance as @@aurora_server_id (else the writer)."""

    global_variables: ClusterVariables

    def __init__(self, global_variables: ClusterVariables, instance: str | None = None) -> None:
        super().__init__(global_variables)
        self._instance = instance

    def get_variable(self, name: str) -> Any:
        name = name.lower()
        if name in self._values:
            return self._values[name]
        if name == "aurora_server_id" and self._instance:
            return self._instance
        return self.global_variables.get_variable(name)

    def get_schema(self, name: str) -> VariableSchema:
        return self.global_variables.get_schema(name)

    def set(self, name: str, value: Any, force: bool = False) -> None:
        name = name.lower()
        self.get_schema(name)  # 1193 for an unknown name
        if not force:
            self.global_variables.check_session_set(name)
        if value is DEFAULT:
            self._values.pop(name, None)  # back to the global value
            return
        if name in _CONNECTION_CHARSETS and value is not None:
            value = _connection_charset(str(value))
        if name == "sql_mode" and value is not DEFAULT:
            value = sql_mode_value(value)
        if name in RESTRICTED_SESSION:
            if str(value).upper() not in RESTRICTED_SESSION[name]:
                raise SqlError(1231, f"Variable '{name}' can't be set to the value of '{value}'")
            value = str(value).upper()
        super().set(name, value, force=True)


# MySQL 8.0's sql_mode names in the order @@sql_mode lists them, and the combination modes.
_SQL_MODES = ("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY",
              "NO_UNSIGNED_SUBTRACTION", "NO_DIR_IN_CREATE", "ANSI", "NO_AUTO_VALUE_ON_ZERO", "NO_BACKSLASH_ESCAPES",
              "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE", "ALLOW_INVALID_DATES",
              "ERROR_FOR_DIVISION_BY_ZERO", "TRADITIONAL", "HIGH_NOT_PRECEDENCE", "NO_ENGINE_SUBSTITUTION",
              "PAD_CHAR_TO_FULL_LENGTH", "TIME_TRUNCATE_FRACTIONAL")
_SQL_MODE_COMBINATIONS = {
    "ANSI": ("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY"),
    "TRADITIONAL": ("STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
                    "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"),
}

# Modes that change how a statement reads or a value is stored, which the sandbox does not follow.
_NOT_MODELLED_MODES = frozenset({"ANSI_QUOTES", "PIPES_AS_CONCAT", "NO_BACKSLASH_ESCAPES", "ALLOW_INVALID_DATES",
                                 "PAD_CHAR_TO_FULL_LENGTH"})


def sql_mode_value(value: Any) -> str:
    """A sql_mode as MySQL 8.0 stores it: names upper case, combinations expanded, in MySQL's
    order; an unknown name (or NULL) is 1231."""
    if value is None:
        raise SqlError(1231, "Variable 'sql_mode' can't be set to the value of 'NULL'")
    names = {part.strip().upper() for part in str(value).split(",") if part.strip()}
    for name in list(names):
        if name not in _SQL_MODES:
            raise SqlError(1231, f"Variable 'sql_mode' can't be set to the value of '{name}'")
        names.update(_SQL_MODE_COMBINATIONS.get(name, ()))
    changed = sorted(names & _NOT_MODELLED_MODES)
    if changed:
        raise not_supported(f"sql_mode {','.join(changed)} (it changes how statements read or values are stored) "
                            "in the sandbox")
    return ",".join(mode for mode in _SQL_MODES if mode in names)


# The session's character sets the endpoint encodes and decodes with (mysql-mimic's codecs).
_CONNECTION_CHARSETS = ("character_set_client", "character_set_results", "character_set_connection")


def _connection_charset(value: str) -> str:
    """A character set as the endpoint can use it: `utf8mb3` is Python's utf8; `binary` (mysqldump
    sets character_set_results to it) passes the stored UTF-8 bytes through, which is what utf8mb4
    sends here, so the session shows utf8mb4 [docs/reference/sql-compat.md]."""
    import codecs

    from mysql_mimic.charset import CharacterSet

    lowered = value.lower()
    if lowered == "utf8mb3":
        return "utf8"
    if lowered not in CharacterSet.__members__:
        raise SqlError(1115, f"Unknown character set: '{value}'")
    try:
        codecs.lookup(CharacterSet[lowered].codec)
    except LookupError:
        return "utf8mb4"
    return lowered


def show_value(variables: ClusterVariables | SessionValues, name: str) -> str:
    """A value as SHOW VARIABLES prints it: booleans ON/OFF, nothing as an empty string."""
    value = variables.get(name)
    cluster = variables if isinstance(variables, ClusterVariables) else variables.global_variables
    if value is None:
        return ""
    if cluster.is_boolean(name):
        return "ON" if str(value) not in ("0", "False", "OFF") else "OFF"
    return str(value)


def _schema(engine: Engine, kinds: dict[str, str]) -> dict[str, VariableSchema]:
    v3 = engine.uses_roles
    schema = dict(SYSTEM_VARIABLES)
    schema.update({
        "version": (str, engine.mysql_version, False),
        "version_comment": (str, "Source distribution", False),
        "aurora_version": (str, engine.aurora_version, False),
        "aurora_server_id": (str, "", False),
        "log_bin": (bool, False, False),
        "license": (str, "GPL", False),
        "default_storage_engine": (str, "InnoDB", True),
        "default_tmp_storage_engine": (str, "InnoDB", True),
        "sql_mode": (str, _SQL_MODE_80 if v3 else _SQL_MODE_57, True),
        "transaction_isolation": (str, "REPEATABLE-READ", True),
        # Session variables dump tools and drivers set or read on connect (MySQL 8.0 defaults).
        "sql_quote_show_create": (bool, True, True), "unique_checks": (bool, True, True),
        "foreign_key_checks": (bool, True, True), "sql_notes": (bool, True, True),
        "sql_warnings": (bool, False, True), "sql_safe_updates": (bool, False, True),
        "big_tables": (bool, False, True), "sql_big_selects": (bool, True, True),
        "explicit_defaults_for_timestamp": (bool, True, True), "net_read_timeout": (int, 30, True),
        "group_concat_max_len": (int, 1024, True), "innodb_lock_wait_timeout": (int, 50, True),
        "information_schema_stats_expiry": (int, 86400, True), "div_precision_increment": (int, 4, True),
        "default_week_format": (int, 0, True), "character_set_system": (str, "utf8mb3", False),
        "version_compile_os": (str, "Linux", False), "version_compile_machine": (str, "x86_64", False),
    })
    defaults = _ENGINE_DEFAULTS_80 if v3 else _ENGINE_DEFAULTS_57
    for parameter in catalog.parameters(engine.family):
        kind = kinds[parameter.name]
        type_: type = int if kind in ("boolean", "integer") else str
        if parameter.default is not None:
            default: Any = type_(parameter.default)
        elif parameter.name in defaults:
            default = defaults[parameter.name]
        elif parameter.name in SYSTEM_VARIABLES:
            default = SYSTEM_VARIABLES[parameter.name][1]
        else:
            default = type_()  # an unset role ARN is an empty string
        schema[parameter.name] = (type_, default, True)
    return schema
