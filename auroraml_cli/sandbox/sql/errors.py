"""MySQL errors as the endpoint sends them: number, SQLSTATE and MySQL's own message wording.

mysql-mimic looks an error's SQLSTATE up in a table that knows only its own few codes (anything
else goes out as HY000), so the codes used here are added to that table: a client that checks
SQLSTATE sees what MySQL sends.
"""

from __future__ import annotations

from mysql_mimic.errors import SQLSTATES, MysqlError

# number → SQLSTATE, for the errors this endpoint raises (MySQL 8.0 server error reference).
_STATES = {
    1007: b"HY000", 1008: b"HY000", 1044: b"42000", 1045: b"28000", 1046: b"3D000", 1048: b"23000",
    1049: b"42000", 1050: b"42S01", 1051: b"42S02", 1054: b"42S22", 1062: b"23000", 1064: b"42000",
    1065: b"42000", 1086: b"HY000", 1105: b"HY000", 1115: b"42000", 1133: b"42000", 1136: b"21S01",
    1141: b"42000", 1142: b"42000", 1144: b"42000", 1146: b"42S02", 1147: b"42000", 1193: b"HY000",
    1210: b"HY000", 1221: b"HY000", 1231: b"42000", 1227: b"42000", 1229: b"HY000", 1235: b"42000", 1238: b"HY000",
    1304: b"42000", 1305: b"42000", 1370: b"42000", 1396: b"HY000", 1403: b"42000", 1410: b"42000",
    1419: b"HY000", 1871: b"HY000", 3523: b"HY000", 3530: b"HY000",
    # CREATE FUNCTION's names and data types (column_types)
    1059: b"42000", 1063: b"42000", 1074: b"42000", 1253: b"42000", 1273: b"HY000", 1330: b"42000",
    1425: b"42000", 1426: b"42000", 1427: b"42000", 1439: b"42000", 1458: b"42000", 3013: b"HY000",
    # values written in a strict sql_mode (strict.py), and DROP INDEX
    1091: b"42000", 1264: b"22003", 1265: b"01000", 1292: b"22007", 1364: b"HY000", 1366: b"HY000",
    1406: b"22001", 3140: b"22032",
}
SQLSTATES.update(_STATES)


class SqlError(MysqlError):
    """One MySQL error; mysql-mimic turns it into an ERR packet."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg, code)  # type: ignore[arg-type]  # mimic's enum is only a hint


def syntax_error(sql: str, position: int) -> SqlError:
    """1064 as MySQL words it: the statement from the offending token on, and its line."""
    near = sql[position:][:80]
    line = sql.count("\n", 0, position) + 1
    return SqlError(
        1064,
        "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
        f"version for the right syntax to use near '{near}' at line {line}",
    )


def not_supported(what: str) -> SqlError:
    return SqlError(1235, f"This version of MySQL doesn't yet support '{what}'")


def need_privilege(*privileges: str) -> SqlError:
    return SqlError(1227, f"Access denied; you need (at least one of) the {', '.join(privileges)} privilege(s) "
                          "for this operation")


def database_denied(account: str, database: str) -> SqlError:
    return SqlError(1044, f"Access denied for user {account} to database '{database}'")


def no_database() -> SqlError:
    return SqlError(1046, "No database selected")


def unknown_database(name: str) -> SqlError:
    return SqlError(1049, f"Unknown database '{name}'")


def unknown_function(qualified: str) -> SqlError:
    return SqlError(1305, f"FUNCTION {qualified} does not exist")


def unknown_authorization_id(account: str) -> SqlError:
    return SqlError(3523, f"Unknown authorization ID {account}")


def s3_error(detail: str) -> SqlError:
    return SqlError(1871, f"S3 API returned error: {detail}")
