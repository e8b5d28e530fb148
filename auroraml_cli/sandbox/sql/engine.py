"""What a cluster's engine version means for SQL: version strings, the ML vocabulary (roles on v3,
privileges on v2), privilege names in SHOW GRANTS order, reserved words, account quoting.

The version facts come from the sandbox catalogue (catalog.ENGINE_VERSIONS), so the SQL half
reports the MySQL version RDS's DescribeDBEngineVersions describes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import catalog

# Aurora MySQL 3.06 made these reserved words [AuroraMySQL.Updates.3060].
AURORA_306_RESERVED = frozenset(
    {"accept", "aws_bedrock_invoke_model", "aws_sagemaker_invoke_endpoint", "content_type", "timeout_ms"}
)
# A subset of MySQL's reserved words: the ones a name in these statements plausibly collides with.
_MYSQL_RESERVED = frozenset(
    """add all alter and as asc between by call case check column condition constraint create cross
    current_user database default delete desc describe distinct drop else exists explain false for
    foreign from grant group having if in index insert into is join key left like limit not null on
    or order outer primary procedure references return revoke right select set show table then to
    true union unique update usage using values when where with""".split()
)

# v3: the built-in roles and the version that brought each [ML-doc; the Aurora ML reference in the auroraml repository, docs/reference/ §1].
ML_ROLES = {
    "AWS_BEDROCK_ACCESS": (3, 6),
    "AWS_COMPREHEND_ACCESS": (3, 1),
    "AWS_LAMBDA_ACCESS": (3, 1),
    "AWS_LOAD_S3_ACCESS": (3, 1),
    "AWS_SAGEMAKER_ACCESS": (3, 1),
    "AWS_SELECT_S3_ACCESS": (3, 1),
}
SUPERUSER_ROLE = "rds_superuser_role"

# Static privileges in the order SHOW GRANTS lists them.
_STATIC_57 = (
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE",
    "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES", "LOCK TABLES",
    "EXECUTE", "REPLICATION SLAVE", "REPLICATION CLIENT", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE",
    "ALTER ROUTINE", "CREATE USER", "EVENT", "TRIGGER", "CREATE TABLESPACE",
)
# v2: Aurora's own global privileges, after MySQL's.
ML_PRIVILEGES_V2 = ("LOAD FROM S3", "SELECT INTO S3", "INVOKE LAMBDA", "INVOKE SAGEMAKER", "INVOKE COMPREHEND")
_STATIC_80 = _STATIC_57 + ("CREATE ROLE", "DROP ROLE")
_DYNAMIC_80 = (
    "APPLICATION_PASSWORD_ADMIN", "AUDIT_ADMIN", "BACKUP_ADMIN", "BINLOG_ADMIN", "BINLOG_ENCRYPTION_ADMIN",
    "CONNECTION_ADMIN", "ENCRYPTION_KEY_ADMIN", "FLUSH_OPTIMIZER_COSTS", "FLUSH_STATUS", "FLUSH_TABLES",
    "FLUSH_USER_RESOURCES", "INNODB_REDO_LOG_ARCHIVE", "PASSWORDLESS_USER_ADMIN", "PERSIST_RO_VARIABLES_ADMIN",
    "REPLICATION_APPLIER", "REPLICATION_SLAVE_ADMIN", "RESOURCE_GROUP_ADMIN", "RESOURCE_GROUP_USER",
    "ROLE_ADMIN", "SERVICE_CONNECTION_ADMIN", "SESSION_VARIABLES_ADMIN", "SET_USER_ID", "SHOW_ROUTINE",
    "SYSTEM_USER", "SYSTEM_VARIABLES_ADMIN", "TABLE_ENCRYPTION_ADMIN", "XA_RECOVER_ADMIN",
)
# Which privileges each grant level takes (MySQL's "permissible privileges" table).
DATABASE_PRIVILEGES = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REFERENCES", "INDEX", "ALTER",
     "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE",
     "ALTER ROUTINE", "EVENT", "TRIGGER"}
)
TABLE_PRIVILEGES = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REFERENCES", "INDEX", "ALTER", "CREATE VIEW",
     "SHOW VIEW", "TRIGGER"}
)
ROUTINE_PRIVILEGES = frozenset({"EXECUTE", "ALTER ROUTINE"})

# What the master user holds on Aurora (SHOW GRANTS FOR admin on a new cluster).
_MASTER_STATIC = (
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "PROCESS", "REFERENCES", "INDEX",
    "ALTER", "SHOW DATABASES", "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "REPLICATION SLAVE",
    "REPLICATION CLIENT", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER",
    "EVENT", "TRIGGER",
)
_MASTER_DYNAMIC_80 = (
    "APPLICATION_PASSWORD_ADMIN", "BACKUP_ADMIN", "CONNECTION_ADMIN", "FLUSH_OPTIMIZER_COSTS", "FLUSH_STATUS",
    "FLUSH_TABLES", "FLUSH_USER_RESOURCES", "INNODB_REDO_LOG_ARCHIVE", "PASSWORDLESS_USER_ADMIN",
    "REPLICATION_APPLIER", "ROLE_ADMIN", "SERVICE_CONNECTION_ADMIN", "SESSION_VARIABLES_ADMIN", "SET_USER_ID",
    "SHOW_ROUTINE", "XA_RECOVER_ADMIN",
)


@dataclass(frozen=True)
class Engine:
    rds_version: str  # 8.0.mysql_aurora.3.08.0
    aurora_version: str  # 3.08.0: AURORA_VERSION()
    mysql_version: str  # 8.0.39: VERSION()
    family: str  # aurora-mysql8.0: whose cluster parameters become variables

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.aurora_version.split("."))

    def at_least(self, *version: int) -> bool:
        return self.numbers >= version

    @property
    def uses_roles(self) -> bool:
        """MySQL 8 (Aurora 3): roles, CURRENT_ROLE(), backtick-quoted accounts in SHOW GRANTS."""
        return self.numbers[0] >= 3

    @property
    def bedrock(self) -> bool:
        return self.uses_roles and self.at_least(3, 6)

    @property
    def reserved(self) -> frozenset[str]:
        return _MYSQL_RESERVED | (AURORA_306_RESERVED if self.bedrock else frozenset())

    @property
    def ml_roles(self) -> tuple[str, ...]:
        if not self.uses_roles:
            return ()
        return tuple(role for role, since in ML_ROLES.items() if self.at_least(*since))

    @property
    def static_privileges(self) -> tuple[str, ...]:
        return _STATIC_80 if self.uses_roles else _STATIC_57 + ML_PRIVILEGES_V2

    @property
    def dynamic_privileges(self) -> tuple[str, ...]:
        return _DYNAMIC_80 if self.uses_roles else ()

    @property
    def master_privileges(self) -> tuple[str, ...]:
        if self.uses_roles:
            return _MASTER_STATIC + ("CREATE ROLE", "DROP ROLE") + _MASTER_DYNAMIC_80
        return _MASTER_STATIC + ML_PRIVILEGES_V2

    def quote_account(self, user: str, host: str) -> str:
        """How SHOW GRANTS and error messages write an account: `u`@`h` (8.0) or 'u'@'h' (5.7)."""
        if self.uses_roles:
            return "`{}`@`{}`".format(user.replace("`", "``"), host.replace("`", "``"))
        return "'{}'@'{}'".format(user.replace("'", "''"), host.replace("'", "''"))


def engine_for(engine_version: str) -> Engine:
    """The engine of an aurora-mysql EngineVersion (`8.0.mysql_aurora.3.08.0`, or just `3.08.0`)."""
    for version in catalog.ENGINE_VERSIONS:
        if version.engine == "aurora-mysql" and engine_version in (version.version, version.aurora_version):
            return Engine(version.version, version.aurora_version or "", version.mysql_version, version.family)
    known = ", ".join(v.version for v in catalog.ENGINE_VERSIONS if v.engine == "aurora-mysql")
    raise ValueError(f"no Aurora MySQL engine version {engine_version!r} in the sandbox catalogue; known: {known}")
