"""Aurora's CREATE FUNCTION ... ALIAS grammar, its refusals, and the functions' life afterwards."""

from __future__ import annotations

import pymysql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_support import V2, V3, after_delay

SAGEMAKER = ("CREATE FUNCTION churn (trips DOUBLE, tenure INT) RETURNS VARCHAR(16) CHARSET utf8mb4 "
             "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'churn-predictor' MAX_BATCH_SIZE 100")
BEDROCK = ("CREATE FUNCTION ask_claude (request_body TEXT) RETURNS TEXT SQL SECURITY INVOKER "
           "ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'anthropic.claude-3-haiku-20240307-v1:0' "
           "CONTENT_TYPE 'application/json' ACCEPT 'application/json' TIMEOUT_MS 5000")


@pytest.fixture
def ml(admin):
    admin.run("CREATE DATABASE ml")
    admin.run("USE ml")
    return admin


def create_statement(sql, name):
    return sql.one(f"SHOW CREATE FUNCTION {name}")[2]


def test_sagemaker_and_bedrock_functions(ml):
    assert ml.run(SAGEMAKER) == 0
    assert ml.run(BEDROCK) == 0
    assert create_statement(ml, "ml.churn") == (
        "CREATE DEFINER=`admin`@`%` FUNCTION `churn`(trips DOUBLE, tenure INT) RETURNS varchar(16) CHARSET utf8mb4\n"
        "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'churn-predictor' MAX_BATCH_SIZE 100"
    )
    assert create_statement(ml, "ask_claude") == (
        "CREATE DEFINER=`admin`@`%` FUNCTION `ask_claude`(request_body TEXT) RETURNS text CHARSET utf8mb4\n"
        "    SQL SECURITY INVOKER\n"
        "ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'anthropic.claude-3-haiku-20240307-v1:0' "
        "CONTENT_TYPE 'application/json' ACCEPT 'application/json' TIMEOUT_MS 5000"
    )
    assert ml.columns("SHOW CREATE FUNCTION churn")[:3] == ["Function", "sql_mode", "Create Function"]
    assert ml.rows("SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DATA_TYPE, DTD_IDENTIFIER, SECURITY_TYPE "
                   "FROM information_schema.ROUTINES ORDER BY ROUTINE_NAME") == [
        ("ml", "ask_claude", "FUNCTION", "text", "text", "INVOKER"),
        ("ml", "churn", "FUNCTION", "varchar", "varchar(16)", "DEFINER"),
    ]


@pytest.mark.parametrize(
    ("clause", "near"),
    [("CONTAINS SQL", "CONTAINS SQL ALIAS"), ("NO SQL", "NO SQL"), ("READS SQL DATA", "READS SQL DATA"),
     ("MODIFIES SQL DATA", "MODIFIES"), ("DETERMINISTIC", "DETERMINISTIC ALIAS")],
)
def test_characteristics_are_refused(ml, clause, near):
    code, message = ml.error(f"CREATE FUNCTION f (x INT) RETURNS DOUBLE {clause} "
                             "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")
    assert code == 1064 and f"near '{near}" in message


def test_aurora_refusals(ml):
    assert ml.error("CREATE FUNCTION f (p TEXT) RETURNS JSON ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'")[0] == 1235
    assert ml.error("CREATE FUNCTION f (x INT) RETURNS BIT "
                    "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")[0] == 1235
    assert ml.error("CREATE FUNCTION f (x INT) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e' "
                    "MAX_BATCH_SIZE 0") == (1210, "Incorrect arguments to MAX_BATCH_SIZE")
    assert ml.error("CREATE FUNCTION f (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm' "
                    "TIMEOUT_MS 0") == (1210, "Incorrect arguments to TIMEOUT_MS")
    assert ml.error("CREATE FUNCTION f (x INT) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT")[0] == 1064
    ml.run(SAGEMAKER)
    assert ml.error(SAGEMAKER) == (1304, "FUNCTION churn already exists")
    assert ml.run(SAGEMAKER.replace("CREATE FUNCTION", "CREATE FUNCTION IF NOT EXISTS")) == 0
    assert ml.rows("SELECT ROUTINE_NAME FROM information_schema.ROUTINES") == [("churn",)]


def test_reserved_words_since_306(ml, endpoint_for, client_for):
    code, message = ml.error("CREATE FUNCTION accept (x INT) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT "
                             "ENDPOINT NAME 'e'")
    assert code == 1064 and "near 'accept (x INT)" in message
    assert ml.error("CREATE TABLE t (content_type TEXT)")[0] == 1064
    assert ml.run("CREATE TABLE t (`content_type` TEXT, `timeout_ms` INT)") == 0
    old = client_for(endpoint_for("old", "8.0.mysql_aurora.3.05.2"))
    old.run("CREATE DATABASE ml")
    assert old.run("CREATE TABLE ml.t (content_type TEXT, accept INT)") == 0
    code, message = old.error("CREATE FUNCTION ml.f (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'")
    assert code == 1064 and "near 'AWS_BEDROCK_INVOKE_MODEL" in message


def test_bedrock_is_unknown_on_v2(endpoint_for, client_for):
    v2 = client_for(endpoint_for("legacy", V2))
    v2.run("CREATE DATABASE ml")
    assert v2.error("CREATE FUNCTION ml.f (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'")[0] == 1064
    v2.run("CREATE FUNCTION ml.score (x INT) RETURNS INT ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")
    expected = "CREATE DEFINER=`admin`@`%` FUNCTION `score`(x INT) RETURNS int(11)\n"  # 5.7's display width
    assert create_statement(v2, "ml.score").startswith(expected)
    v2.run("CREATE FUNCTION ml.u (x INT) RETURNS INT UNSIGNED ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")
    assert create_statement(v2, "ml.u").startswith("CREATE DEFINER=`admin`@`%` FUNCTION `u`(x INT) RETURNS int(10) unsigned\n")


def test_where_a_function_goes(admin):
    assert admin.error(SAGEMAKER) == (1046, "No database selected")
    assert admin.error(SAGEMAKER.replace("churn", "nodb.churn", 1)) == (1049, "Unknown database 'nodb'")


def test_plain_sql_functions_are_kept(ml):
    ml.run("CREATE FUNCTION `ask` (`prompt` TEXT CHARSET utf8mb4) RETURNS TEXT CHARSET utf8mb4\n"
           "  NOT DETERMINISTIC READS SQL DATA\n  RETURN JSON_UNQUOTE(JSON_EXTRACT(ask_claude(prompt), '$.a'))")
    assert create_statement(ml, "ask") == (
        "CREATE DEFINER=`admin`@`%` FUNCTION `ask`(`prompt` TEXT CHARSET utf8mb4) RETURNS text CHARSET utf8mb4\n"
        "    READS SQL DATA\nRETURN JSON_UNQUOTE(JSON_EXTRACT(ask_claude(prompt), '$.a'))"
    )
    # Evaluated: its body runs, and ask_claude was never created.
    assert ml.error("SELECT ask('hi')") == (1305, "FUNCTION ml.ask_claude does not exist")


@pytest.mark.parametrize("body", ["RETURN", "RETURN 1 +", "RETURN 1, 2", "RETURN x FROM t", "RETURN 1 AS one"])
def test_a_body_the_sandbox_cannot_read_is_refused_at_create(ml, body):
    code, message = ml.error(f"CREATE FUNCTION f (x INT) RETURNS INT {body}")
    assert code == 1235 and "not one expression the sandbox can read" in message
    assert ml.rows("SELECT ROUTINE_NAME FROM information_schema.ROUTINES") == []


def test_drop_function(ml):
    ml.run(SAGEMAKER)
    ml.run("CREATE USER u")
    ml.run("GRANT EXECUTE ON FUNCTION ml.churn TO u")
    ml.run("DROP FUNCTION churn")
    assert ml.error("DROP FUNCTION churn") == (1305, "FUNCTION ml.churn does not exist")
    assert ml.run("DROP FUNCTION IF EXISTS churn") == 0
    assert ml.error("SHOW CREATE FUNCTION churn") == (1305, "FUNCTION churn does not exist")
    ml.run(SAGEMAKER)
    assert ml.rows("SHOW GRANTS FOR u") == [("GRANT USAGE ON *.* TO `u`@`%`",)]  # privileges went with it


def test_execute_on_function(ml, v3, client_for):
    ml.run(SAGEMAKER)
    ml.run("CREATE USER 'u'@'%' IDENTIFIED BY 'pw'")
    assert ml.error("GRANT EXECUTE ON FUNCTION ml.nope TO u") == (1305, "FUNCTION ml.nope does not exist")
    ml.run("GRANT EXECUTE ON FUNCTION `ml`.`churn` TO 'u'@'%'")
    assert ml.rows("SHOW GRANTS FOR u") == [
        ("GRANT USAGE ON *.* TO `u`@`%`",), ("GRANT EXECUTE ON FUNCTION `ml`.`churn` TO `u`@`%`",),
    ]
    assert client_for(v3, "u", "pw").error("GRANT EXECUTE ON FUNCTION ml.churn TO admin") == (
        1370, "grant command denied to user 'u'@'%' for routine 'ml.churn'")
    assert client_for(v3, "u", "pw").error("DROP FUNCTION ml.churn")[0] == 1370
    ml.run("REVOKE EXECUTE ON FUNCTION ml.churn FROM u")
    assert ml.error("REVOKE EXECUTE ON FUNCTION ml.churn FROM u") == (
        1403, "There is no such grant defined for user 'u' on host '%' on routine 'churn'")
    assert ml.error("GRANT SELECT ON FUNCTION ml.churn TO u")[0] == 1144


def test_create_routine_privilege_is_needed(ml, v3, client_for):
    ml.run("CREATE USER 'u'@'%' IDENTIFIED BY 'pw'")
    user = client_for(v3, "u", "pw")
    denied = (1044, "Access denied for user 'u'@'%' to database 'ml'")
    assert user.error(SAGEMAKER.replace("churn", "ml.churn", 1)) == denied
    ml.run("GRANT CREATE ROUTINE ON ml.* TO u")
    assert user.run(SAGEMAKER.replace("churn", "ml.churn", 1)) == 0
    assert create_statement(ml, "churn").startswith("CREATE DEFINER=`u`@`%` FUNCTION")


def test_binary_logging_needs_log_bin_trust_function_creators(endpoint_for, client_for, rds, make_group, knobs):
    group = make_group("binlog-params")
    endpoint = endpoint_for("logged", V3, DBClusterParameterGroupName=group)
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "binlog_format", "ParameterValue": "ROW", "ApplyMethod": "pending-reboot"}],
    )
    rds.reboot_db_instance(DBInstanceIdentifier="logged-1")
    after_delay()
    sql = client_for(endpoint)
    sql.run("CREATE DATABASE ml")
    assert sql.one("SELECT @@log_bin, @@binlog_format") == (1, "ROW")
    assert sql.error(SAGEMAKER.replace("churn", "ml.churn", 1))[0] == 1419
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "log_bin_trust_function_creators", "ParameterValue": "1",
                     "ApplyMethod": "immediate"}],
    )
    assert sql.run(SAGEMAKER.replace("churn", "ml.churn", 1)) == 0


# -- MySQL 8.0's type rules and Aurora's return types (Create_field::init in mysql-server; MySQL
# names no column for a routine's parameters and return value, hence `for ''`) --------------------

def _sagemaker(returns, args="x INT"):
    return f"CREATE FUNCTION f ({args}) RETURNS {returns} ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'"


def test_sagemaker_return_types(ml):
    assert ml.error(_sagemaker("DECIMAL(70,2)")) == (1426, "Too-big precision 70 specified for ''. Maximum is 65.")
    for refused in ("CHAR(5)", "CHAR", "TEXT", "JSON", "DATE", "BLOB", "BIT(1)", "ENUM('a')"):
        code, message = ml.error(_sagemaker(refused))
        assert code == 1235 and "AWS_SAGEMAKER_INVOKE_ENDPOINT" in message, refused
    for accepted in ("VARCHAR(5) CHARSET utf8mb4", "DECIMAL(65,30)", "BIGINT UNSIGNED", "FLOAT", "REAL", "BOOL"):
        assert ml.run(_sagemaker(accepted)) == 0, accepted
        ml.run("DROP FUNCTION f")


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("DECIMAL(66,2)", (1426, "Too-big precision 66 specified for ''. Maximum is 65.")),
        ("DECIMAL(66,31)", (1425, "Too big scale 31 specified for column ''. Maximum is 30.")),
        ("NUMERIC(5,6)", (1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '').")),
        ("DECIMAL(4294967296)", (1439, "Display width out of range for column '' (max = 4294967295)")),
        ("DOUBLE(256,2)", (1439, "Display width out of range for column '' (max = 255)")),
        ("FLOAT(54)", (1063, "Incorrect column specifier for column ''")),
        ("INT(256)", (1439, "Display width out of range for column '' (max = 255)")),
        ("BIT(65)", (1439, "Display width out of range for column '' (max = 64)")),
        ("BIT(0)", (3013, "Invalid size for column ''.")),
        ("CHAR(256)", (1074, "Column length too big for column '' (max = 255); use BLOB or TEXT instead")),
        ("BINARY(256)", (1074, "Column length too big for column '' (max = 255); use BLOB or TEXT instead")),
        ("VARCHAR(16384)", (1074, "Column length too big for column '' (max = 16383); use BLOB or TEXT instead")),
        ("VARCHAR(21846) CHARSET utf8mb3", (1074, "Column length too big for column '' (max = 21845); "
                                                  "use BLOB or TEXT instead")),
        ("VARBINARY(65536)", (1074, "Column length too big for column '' (max = 65535); use BLOB or TEXT instead")),
        ("DATETIME(7)", (1426, "Too-big precision 7 specified for ''. Maximum is 6.")),
        ("VARCHAR(10) CHARSET klingon", (1115, "Unknown character set: 'klingon'")),
        ("VARCHAR(10) COLLATE klingon", (1273, "Unknown collation: 'klingon'")),
        ("VARCHAR(10) CHARSET latin1 COLLATE utf8mb4_bin",
         (1253, "COLLATION 'utf8mb4_bin' is not valid for CHARACTER SET 'latin1'")),
    ],
)
def test_mysql_type_limits(ml, declared, expected):
    # The same limits for a parameter and a return value, of an ALIAS function or a plain one.
    assert ml.error(f"CREATE FUNCTION f (x {declared}) RETURNS INT RETURN 1") == expected
    assert ml.error(f"CREATE FUNCTION f (x INT) RETURNS {declared} RETURN 1") == expected
    assert ml.error(f"CREATE FUNCTION f (p TEXT) RETURNS {declared} "
                    "ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'") == expected
    assert ml.rows("SELECT ROUTINE_NAME FROM information_schema.ROUTINES") == []


@pytest.mark.parametrize(
    "declared",
    ["DECIMAL(65,30)", "DECIMAL(0)", "DECIMAL", "DOUBLE(255,30)", "FLOAT(53)", "INT(255) ZEROFILL", "BIT(64)",
     "CHAR(255)", "VARCHAR(16383)", "VARCHAR(65535) CHARSET latin1", "VARBINARY(65535)", "DATETIME(6)",
     "ENUM('a','b') CHARSET utf8mb4", "YEAR", "TEXT(70000)", "CHARACTER VARYING(10) COLLATE utf8mb4_bin"],
)
def test_mysql_type_limits_accepted(ml, declared):
    assert ml.run(f"CREATE FUNCTION f (x {declared}) RETURNS {declared} RETURN x") == 0
    assert ml.rows("SELECT ROUTINE_NAME FROM information_schema.ROUTINES") == [("f",)]


@pytest.mark.parametrize(
    ("declared", "near"),
    [("DOUBLE(10)", ")"), ("INT(5,2)", ",2)"), ("VARCHAR", ")"), ("JSON(5)", "(5)"), ("INT CHARSET utf8mb4", "CHARSET"),
     ("TEXT UNSIGNED", "UNSIGNED"), ("DECIMAL(2147483648,2)", "2147483648")],
)
def test_type_grammar(ml, declared, near):
    code, message = ml.error(f"CREATE FUNCTION f (x {declared}) RETURNS INT RETURN 1")
    assert code == 1064 and f"near '{near}" in message, message


@pytest.mark.parametrize(
    ("declared", "shown"),
    [("DECIMAL", "decimal(10,0)"), ("NUMERIC(5)", "decimal(5,0)"), ("FLOAT(10)", "float"), ("FLOAT(30)", "double"),
     ("CHAR", "char(1)"), ("TEXT(10)", "tinytext"), ("TEXT(70000)", "mediumtext"), ("BLOB(100)", "tinyblob"),
     ("INT(11)", "int"), ("INT UNSIGNED", "int unsigned"), ("INT ZEROFILL", "int(10) unsigned zerofill"),
     ("TINYINT(1)", "tinyint(1)"), ("BOOL", "tinyint(1)"), ("DATETIME(0)", "datetime"), ("DATETIME(3)", "datetime(3)"),
     ("YEAR(4)", "year")],
)
def test_types_are_shown_as_mysql_stores_them(ml, declared, shown):
    ml.run(f"CREATE FUNCTION f (x INT) RETURNS {declared} RETURN 1")
    assert ml.value("SELECT DTD_IDENTIFIER FROM information_schema.ROUTINES") == shown


def test_a_collation_names_its_character_set(ml):
    ml.run("CREATE FUNCTION f (x INT) RETURNS VARCHAR(5) COLLATE latin1_bin RETURN 'a'")
    assert create_statement(ml, "f").startswith(
        "CREATE DEFINER=`admin`@`%` FUNCTION `f`(x INT) RETURNS varchar(5) CHARSET latin1 COLLATE latin1_bin\n")


def test_names_and_parameters(ml):
    long = "f" * 65
    assert ml.error(f"CREATE FUNCTION {long} (x INT) RETURNS INT RETURN 1") == (
        1059, f"Identifier name '{long}' is too long")
    assert ml.error(f"CREATE FUNCTION f ({long} INT) RETURNS INT RETURN 1") == (
        1059, f"Identifier name '{long}' is too long")
    assert ml.error(f"CREATE FUNCTION {'d' * 65}.f (x INT) RETURNS INT RETURN 1")[0] == 1059
    assert ml.error("CREATE FUNCTION `f ` (x INT) RETURNS INT RETURN 1") == (1458, "Incorrect routine name 'f '")
    assert ml.error("CREATE FUNCTION f (x INT, X DOUBLE) RETURNS INT RETURN 1") == (1330, "Duplicate parameter: X")
    # MySQL checks a parameter's name before its type's sizes.
    assert ml.error("CREATE FUNCTION f (x INT, x CHAR(300)) RETURNS INT RETURN 1")[0] == 1330
    assert ml.run(f"CREATE FUNCTION {'g' * 64} ({'x' * 64} INT) RETURNS INT RETURN 1") == 0


def test_ml_functions_take_only_documented_characteristics(ml):
    for clause in ("COMMENT 'c'", "LANGUAGE SQL"):
        code, message = ml.error(f"CREATE FUNCTION f (x INT) RETURNS DOUBLE {clause} "
                                 "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")
        assert code == 1235 and clause.split()[0] in message, message
    assert ml.run("CREATE FUNCTION f (x INT) RETURNS DOUBLE NOT DETERMINISTIC SQL SECURITY INVOKER "
                  "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'") == 0
    code, message = ml.error("CREATE DEFINER = admin FUNCTION g (x INT) DEFINER = admin RETURNS DOUBLE "
                             "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'e'")
    assert code == 1064 and "near 'DEFINER = admin RETURNS" in message


def test_if_not_exists_is_mysql_8_0_29(client_for):
    from auroraml_cli.sandbox.sql import start_endpoint
    from sandbox_support import PASSWORD

    with start_endpoint(cluster_id="old", engine_version="8.0.mysql_aurora.3.04.0", master_password=PASSWORD) as e:
        old = client_for(e)
        old.run("CREATE DATABASE ml")
        code, message = old.error("CREATE FUNCTION IF NOT EXISTS ml.f (x INT) RETURNS INT RETURN 1")
        assert code == 1064 and "near 'IF NOT EXISTS" in message


def test_non_strict_sql_mode_long_varchar_is_refused_not_kept(ml):
    ml.run("SET SESSION sql_mode = ''")
    code, message = ml.error("CREATE FUNCTION f (x VARCHAR(20000)) RETURNS INT RETURN 1")
    assert code == 1235 and "VARCHAR(20000)" in message


# -- the same rules, on sizes hypothesis picks: MySQL's verdict written out independently here ------

_PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_BYTES = {"utf8mb4": 4, "utf8mb3": 3, "latin1": 1}


def _mysql_decimal(m, d):
    if d > 30:
        return 1425, f"Too big scale {d} specified for column ''. Maximum is 30."
    if m > 65:
        return 1426, f"Too-big precision {m} specified for ''. Maximum is 65."
    precision = 10 if m == 0 and d == 0 else m  # DECIMAL(0,0) is DECIMAL(10,0)
    if precision < d:
        return 1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '')."
    return None


def _mysql_string(kind, n, charset):
    longest = 255 if kind == "CHAR" else 65535 // _BYTES[charset]
    if n > longest:
        return 1074, f"Column length too big for column '' (max = {longest}); use BLOB or TEXT instead"
    return None


def _verdict(sql, statement):
    """None if the function was created (it is dropped again), else the error's code and message."""
    try:
        sql.run(statement)
    except pymysql.MySQLError as refused:
        return refused.args[0], refused.args[1]
    sql.run("DROP FUNCTION f")
    return None


def _where(declared, as_return):
    return (f"CREATE FUNCTION f (x INT) RETURNS {declared} RETURN 1" if as_return
            else f"CREATE FUNCTION f (x {declared}) RETURNS INT RETURN 1")


@_PROPERTY
@given(m=st.integers(0, 90), d=st.integers(0, 45), as_return=st.booleans())
def test_decimal_sizes_get_mysqls_verdict(ml, m, d, as_return):
    assert _verdict(ml, _where(f"DECIMAL({m},{d})", as_return)) == _mysql_decimal(m, d)


@_PROPERTY
@given(kind=st.sampled_from(["CHAR", "VARCHAR"]), n=st.one_of(st.integers(0, 300), st.integers(16000, 70000)),
       charset=st.sampled_from(sorted(_BYTES)), as_return=st.booleans())
def test_string_sizes_get_mysqls_verdict(ml, kind, n, charset, as_return):
    declared = f"{kind}({n}) CHARSET {charset}"
    assert _verdict(ml, _where(declared, as_return)) == _mysql_string(kind, n, charset)


def test_errors_carry_mysqls_sqlstates():
    from mysql_mimic.errors import SQLSTATES

    import auroraml_cli.sandbox.sql.errors  # noqa: F401 - adds the endpoint's codes to the table

    states = {1059: b"42000", 1063: b"42000", 1074: b"42000", 1253: b"42000", 1273: b"HY000", 1330: b"42000",
              1425: b"42000", 1426: b"42000", 1427: b"42000", 1439: b"42000", 1458: b"42000", 3013: b"HY000"}
    assert {code: SQLSTATES.get(code) for code in states} == states
