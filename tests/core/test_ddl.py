"""core/ddl.py: Aurora's CREATE FUNCTION ... ALIAS, built from typed options and refused like Aurora would."""

from __future__ import annotations

import re

import pytest

from auroraml_cli.core import ddl
from auroraml_cli.core.ddl import SqlType
from auroraml_cli.core.errors import DatabaseError, UsageError
from auroraml_cli.core.versions import AuroraVersion

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def refused(fn, *args, **kwargs) -> UsageError:
    with pytest.raises(UsageError) as info:
        fn(*args, **kwargs)
    return info.value


# --- SqlType ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, sql", [
    ("DOUBLE", "DOUBLE"),
    ("double", "DOUBLE"),
    ("int unsigned", "INT UNSIGNED"),
    ("BIGINT(20) UNSIGNED", "BIGINT(20) UNSIGNED"),
    ("VARCHAR( 64 )", "VARCHAR(64)"),
    ("DECIMAL(10, 2)", "DECIMAL(10,2)"),
    ("varchar(10) character set utf8mb4", "VARCHAR(10) CHARSET utf8mb4"),
    ("TEXT CHARSET UTF8MB4", "TEXT CHARSET utf8mb4"),
    ("  LONGTEXT  ", "LONGTEXT"),
])
def test_sql_type_parse_normalises(text, sql):
    assert SqlType.parse(text).sql() == sql


def test_sql_type_parse_fields():
    t = SqlType.parse("varchar(10) CHARSET latin1")
    assert (t.base, t.size, t.unsigned, t.charset) == ("VARCHAR", "(10)", False, "latin1")
    assert SqlType.parse("INT UNSIGNED").unsigned is True
    assert SqlType.parse("TEXT").is_string and not SqlType.parse("DOUBLE").is_string


@pytest.mark.parametrize("text", ["GEOMETRY", "", "VARCHAR(x)", "INT; DROP TABLE t", "VARCHAR(10", "DOUBLE PRECISION PLEASE", "`INT`"])
def test_sql_type_parse_refuses_unknown_or_malformed(text):
    refused(SqlType.parse, text)


@pytest.mark.parametrize("text", ["INT CHARSET utf8mb4", "DOUBLE CHARSET latin1", "VARCHAR(10) UNSIGNED"])
def test_sql_type_parse_refuses_clauses_that_do_not_apply_to_the_type(text):
    # MySQL rejects a character set on a number and UNSIGNED on a string: auroraml should not print them.
    refused(SqlType.parse, text)


def test_with_utf8mb4():
    assert SqlType.parse("TEXT").with_utf8mb4().sql() == "TEXT CHARSET utf8mb4"
    assert SqlType.parse("VARCHAR(64) CHARSET utf8mb4").with_utf8mb4().sql() == "VARCHAR(64) CHARSET utf8mb4"
    assert SqlType.parse("DOUBLE").with_utf8mb4() == SqlType.parse("DOUBLE")  # numbers have no charset
    err = refused(SqlType.parse("VARCHAR(64) CHARSET latin1").with_utf8mb4)
    assert "utf8mb4" in err.message and err.hint


# --- sagemaker ----------------------------------------------------------------------------------

def test_sagemaker_statement():
    fn = ddl.sagemaker("mldb.anomaly_score", endpoint="rcf-taxi", args=["distance:DOUBLE", "fare:DOUBLE"],
                       returns="DOUBLE", max_batch_size=500)
    assert fn.statement() == (
        "CREATE FUNCTION `mldb`.`anomaly_score` (`distance` DOUBLE, `fare` DOUBLE) RETURNS DOUBLE\n"
        "  ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi' MAX_BATCH_SIZE 500")
    assert fn.qualified() == "`mldb`.`anomaly_score`"


def test_sagemaker_without_batch_size_leaves_aurora_default():
    fn = ddl.sagemaker("score", endpoint="xgb", args=["a:INT"], returns="INT")
    assert "MAX_BATCH_SIZE" not in fn.statement()
    assert fn.statement().startswith("CREATE FUNCTION `score` (`a` INT) RETURNS INT\n")


def test_sagemaker_backticks_reserved_words():
    fn = ddl.sagemaker("mldb.select", endpoint="e", args=["accept:DOUBLE", "timeout_ms:INT", "content_type:INT"],
                       returns="INT")
    head = fn.statement().splitlines()[0]
    assert "`mldb`.`select` (`accept` DOUBLE, `timeout_ms` INT, `content_type` INT)" in head


def test_sagemaker_varchar_return_and_string_args_get_utf8mb4():
    fn = ddl.sagemaker("label", endpoint="e", args=["txt:VARCHAR(200)"], returns="VARCHAR(16)")
    assert fn.statement().splitlines()[0] == \
        "CREATE FUNCTION `label` (`txt` VARCHAR(200) CHARSET utf8mb4) RETURNS VARCHAR(16) CHARSET utf8mb4"
    assert ddl.sagemaker("c", endpoint="e", args=["a:CHAR(1)"], returns="INT").statement().splitlines()[0] == \
        "CREATE FUNCTION `c` (`a` CHAR(1) CHARSET utf8mb4) RETURNS INT"


@pytest.mark.parametrize("returns", ["INT", "BIGINT UNSIGNED", "DECIMAL(10,2)", "FLOAT", "DOUBLE", "TINYINT", "BOOLEAN"])
def test_sagemaker_accepts_numeric_returns(returns):
    assert ddl.sagemaker("f", endpoint="e", args=["a:INT"], returns=returns).returns == SqlType.parse(returns)


@pytest.mark.parametrize("returns", ["BIT", "BIT(1)", "CHAR(1)", "CHAR", "TEXT", "LONGTEXT", "JSON", "BLOB", "DATE"])
def test_sagemaker_refuses_other_returns(returns):
    err = refused(ddl.sagemaker, "f", endpoint="e", args=["a:INT"], returns=returns)
    assert "VARCHAR" in err.hint and "BIT" in err.hint


def test_sagemaker_refuses_varchar_without_a_length():
    # MySQL has no VARCHAR without (n): `RETURNS VARCHAR CHARSET utf8mb4` is a syntax error on the server.
    refused(ddl.sagemaker, "f", endpoint="e", args=["a:INT"], returns="VARCHAR")


def test_sagemaker_needs_at_least_one_arg():
    err = refused(ddl.sagemaker, "f", endpoint="e", args=[], returns="INT")
    assert "--arg" in err.message


@pytest.mark.parametrize("batch", [0, -1])
def test_sagemaker_batch_size_must_be_positive(batch):
    refused(ddl.sagemaker, "f", endpoint="e", args=["a:INT"], returns="INT", max_batch_size=batch)
    assert "MAX_BATCH_SIZE 1" in ddl.sagemaker("f", endpoint="e", args=["a:INT"], returns="INT", max_batch_size=1).statement()


@pytest.mark.parametrize("arg", ["a", ":INT", "a:GEOMETRY", "a\x00:INT", "x" * 65 + ":INT"])
def test_sagemaker_refuses_bad_args(arg):
    refused(ddl.sagemaker, "f", endpoint="e", args=[arg], returns="INT")


@pytest.mark.parametrize("name", ["", "db.", ".f", "f\x00", "x" * 65])
def test_function_names_are_checked(name):
    refused(ddl.sagemaker, name, endpoint="e", args=["a:INT"], returns="INT")


def test_endpoint_is_a_safe_literal():
    err = refused(lambda: ddl.sagemaker("f", endpoint="e'; DROP TABLE t; --", args=["a:INT"], returns="INT").statement())
    assert "endpoint" in err.message


def test_sql_security():
    fn = ddl.sagemaker("f", endpoint="e", args=["a:INT"], returns="INT", sql_security="invoker")
    assert "RETURNS INT SQL SECURITY INVOKER\n" in fn.statement()
    refused(ddl.sagemaker, "f", endpoint="e", args=["a:INT"], returns="INT", sql_security="nobody")


@pytest.mark.parametrize("clause", ["CONTAINS SQL", "NO SQL", "READS SQL DATA", "MODIFIES SQL DATA", "DETERMINISTIC", "BEGIN", "RETURN"])
def test_alias_functions_have_no_body_or_characteristics(clause):
    for fn in (ddl.sagemaker("f", endpoint="e", args=["a:INT"], returns="INT", max_batch_size=5),
               ddl.bedrock("g", model_id=HAIKU, timeout_ms=100, content_type="application/json")):
        assert not re.search(rf"\b{clause}\b", fn.statement())


# --- bedrock ------------------------------------------------------------------------------------

def test_bedrock_default_statement():
    fn = ddl.bedrock("mldb.ask", model_id=HAIKU)
    assert fn.statement() == (
        "CREATE FUNCTION `mldb`.`ask` (`request_body` TEXT CHARSET utf8mb4) RETURNS TEXT CHARSET utf8mb4\n"
        f"  ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{HAIKU}'")


def test_bedrock_clauses():
    fn = ddl.bedrock("ask", model_id="amazon.titan-text-express-v1", args=["body:LONGTEXT"], returns="LONGTEXT",
                     content_type="application/json", accept="application/json", timeout_ms=30000)
    assert fn.statement().splitlines()[1] == (
        "  ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'amazon.titan-text-express-v1' "
        "CONTENT_TYPE 'application/json' ACCEPT 'application/json' TIMEOUT_MS 30000")
    assert "(`body` LONGTEXT CHARSET utf8mb4) RETURNS LONGTEXT CHARSET utf8mb4" in fn.statement()


def test_bedrock_refuses_returns_json_with_the_cast_hint():
    err = refused(ddl.bedrock, "ask", model_id=HAIKU, returns="JSON")
    assert "JSON" in err.message
    assert "CAST" in err.hint and "TEXT" in err.hint


@pytest.mark.parametrize("returns", ["INT", "DOUBLE", "BLOB"])
def test_bedrock_refuses_non_text_returns(returns):
    refused(ddl.bedrock, "ask", model_id=HAIKU, returns=returns)


def test_bedrock_takes_exactly_one_argument():
    refused(ddl.bedrock, "ask", model_id=HAIKU, args=["a:TEXT", "b:TEXT"])
    assert len(ddl.bedrock("ask", model_id=HAIKU, args=["prompt:TEXT"]).args) == 1


@pytest.mark.parametrize("timeout", [0, -5, ddl.TIMEOUT_MS_MAX + 1])
def test_bedrock_timeout_bounds(timeout):
    refused(ddl.bedrock, "ask", model_id=HAIKU, timeout_ms=timeout)


@pytest.mark.parametrize("timeout", [1, ddl.TIMEOUT_MS_MAX])
def test_bedrock_timeout_limits_are_inclusive(timeout):
    assert f"TIMEOUT_MS {timeout}" in ddl.bedrock("ask", model_id=HAIKU, timeout_ms=timeout).statement()


@pytest.mark.parametrize("field", ["model_id", "content_type", "accept"])
def test_bedrock_literals_are_checked(field):
    kwargs = {"model_id": HAIKU, field: "x' OR '1'='1"}
    refused(lambda: ddl.bedrock("ask", **kwargs).statement())


# --- require_version ----------------------------------------------------------------------------

@pytest.mark.parametrize("version, ok", [("2.11.2", False), ("3.05.2", False), ("3.06.0", True), ("3.10.1", True),
                                         ("8.4.0", True), ("8.4.7", True)])
def test_bedrock_needs_3_06_or_any_8_4(version, ok):
    fn = ddl.bedrock("ask", model_id=HAIKU)
    if ok:
        ddl.require_version(fn, AuroraVersion.parse(version))
    else:
        assert "3.06" in refused(ddl.require_version, fn, AuroraVersion.parse(version)).message


@pytest.mark.parametrize("version, ok", [("2.06.0", False), ("2.07.0", True), ("2.11.2", True), ("3.01.0", True), ("8.4.7", True)])
def test_sagemaker_needs_2_07(version, ok):
    fn = ddl.sagemaker("f", endpoint="e", args=["a:INT"], returns="INT")
    if ok:
        ddl.require_version(fn, AuroraVersion.parse(version))
    else:
        refused(ddl.require_version, fn, AuroraVersion.parse(version))


# --- family_for ---------------------------------------------------------------------------------

@pytest.mark.parametrize("model, family", [
    (HAIKU, "anthropic"),
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic"),
    ("amazon.titan-text-express-v1", "titan-text"),
    ("amazon.titan-text-lite-v1", "titan-text"),
    ("amazon.titan-embed-text-v2:0", "titan-embed"),
    ("amazon.titan-embed-text-v1", "titan-embed"),
    ("cohere.embed-english-v3", "cohere-embed"),
    ("cohere.embed-multilingual-v3", "cohere-embed"),
    ("us.anthropic.claude-3-haiku-20240307-v1:0", "anthropic"),
    ("eu.amazon.titan-text-express-v1", "titan-text"),
    ("apac.amazon.titan-embed-text-v2:0", "titan-embed"),
    ("US.Anthropic.Claude-3-Haiku-20240307-v1:0", "anthropic"),
    ("arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-english-v3", "cohere-embed"),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0", "anthropic"),
    ("meta.llama3-8b-instruct-v1:0", None),
    ("amazon.nova-pro-v1:0", None),
    ("us.meta.llama3-2-1b-instruct-v1:0", None),
    ("cohere.command-r-v1:0", None),
    ("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123", None),
])
def test_family_for(model, family):
    assert ddl.family_for(model) == family


# --- wrapper ------------------------------------------------------------------------------------

def test_wrapper_renames_the_model_function_raw_and_asks_for_json():
    fn = ddl.bedrock("mldb.ask_claude", model_id=HAIKU, timeout_ms=9000)
    raw, body = ddl.wrapper(fn, "anthropic")
    assert raw.name == "ask_claude_raw"
    assert raw.qualified() == "`mldb`.`ask_claude_raw`"
    assert raw.statement() == (
        "CREATE FUNCTION `mldb`.`ask_claude_raw` (`request_body` TEXT CHARSET utf8mb4) RETURNS LONGTEXT CHARSET utf8mb4\n"
        f"  ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{HAIKU}' CONTENT_TYPE 'application/json' "
        "ACCEPT 'application/json' TIMEOUT_MS 9000")
    assert fn.qualified() == "`mldb`.`ask_claude`"  # the original keeps its name for the wrapper


def test_wrapper_keeps_an_explicit_content_type():
    raw, _ = ddl.wrapper(ddl.bedrock("ask", model_id=HAIKU, content_type="text/plain"), "anthropic")
    assert "CONTENT_TYPE 'text/plain' ACCEPT 'application/json'" in raw.statement()


def test_anthropic_wrapper_body():
    _, body = ddl.wrapper(ddl.bedrock("mldb.ask_claude", model_id=HAIKU), "anthropic")
    lines = body.splitlines()
    assert lines[0] == "CREATE FUNCTION `mldb`.`ask_claude` (`prompt` TEXT CHARSET utf8mb4) RETURNS TEXT CHARSET utf8mb4"
    assert "ALIAS" not in body
    assert "JSON_UNQUOTE(JSON_EXTRACT(`mldb`.`ask_claude_raw`(JSON_OBJECT(" in body
    for part in ("'anthropic_version', 'bedrock-2023-05-31'", "'max_tokens', 512",
                 "'messages', JSON_ARRAY(JSON_OBJECT('role', 'user', 'content', `prompt`))", "'$.content[0].text'"):
        assert part in body
    assert body.count("(") == body.count(")")


def test_titan_text_wrapper_body():
    _, body = ddl.wrapper(ddl.bedrock("ask", model_id="amazon.titan-text-express-v1"), "titan-text")
    assert "`ask_raw`(JSON_OBJECT('inputText', `prompt`, 'textGenerationConfig', JSON_OBJECT(" in body
    assert "'$.results[0].outputText'" in body
    assert body.startswith("CREATE FUNCTION `ask` (`prompt` TEXT CHARSET utf8mb4) RETURNS TEXT CHARSET utf8mb4\n")
    assert "JSON_UNQUOTE(" in body
    assert body.count("(") == body.count(")")


@pytest.mark.parametrize("family, request_part, path", [
    ("titan-embed", "JSON_OBJECT('inputText', `prompt`)", "'$.embedding'"),
    ("cohere-embed", "JSON_OBJECT('texts', JSON_ARRAY(`prompt`), 'input_type', 'search_document')", "'$.embeddings[0]'"),
])
def test_embedding_wrappers_return_the_json_array_as_longtext(family, request_part, path):
    _, body = ddl.wrapper(ddl.bedrock("db.embed", model_id="amazon.titan-embed-text-v2:0"), family)
    assert "RETURNS LONGTEXT CHARSET utf8mb4" in body.splitlines()[0]
    assert f"`db`.`embed_raw`({request_part})" in body
    assert path in body
    assert "JSON_UNQUOTE" not in body  # an array stays JSON text
    assert body.count("(") == body.count(")")


def test_wrapper_for_an_unknown_family_is_refused():
    err = refused(ddl.wrapper, ddl.bedrock("ask", model_id=HAIKU), "llama")
    assert "anthropic" in err.hint


# --- normalise ----------------------------------------------------------------------------------

OURS = ddl.sagemaker("mldb.score", endpoint="rcf-taxi", args=["accept:DOUBLE", "timeout_ms:INT"],
                     returns="VARCHAR(10)", max_batch_size=5).statement()
SERVER = ("CREATE DEFINER=`admin`@`%` FUNCTION `score`(`accept` double,`timeout_ms` int) "
          "RETURNS varchar(10) CHARSET utf8mb4\n    ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi' MAX_BATCH_SIZE 5")


def test_normalise_equates_the_servers_echo_with_our_statement():
    assert ddl.normalise(SERVER) == ddl.normalise(OURS)
    assert ddl.normalise(OURS + ";") == ddl.normalise(OURS)
    assert ddl.normalise(SERVER.replace("`admin`@`%`", "'admin'@'10.0.%'")) == ddl.normalise(OURS)


@pytest.mark.parametrize("old, new", [
    ("'rcf-taxi'", "'rcf-other'"),
    ("MAX_BATCH_SIZE 5", "MAX_BATCH_SIZE 50"),
    ("MAX_BATCH_SIZE 5", ""),
    ("varchar(10)", "varchar(20)"),
    ("`timeout_ms` int", "`timeout_ms` bigint"),
])
def test_normalise_sees_real_differences(old, new):
    assert ddl.normalise(SERVER.replace(old, new)) != ddl.normalise(OURS)


def test_normalise_for_bedrock():
    ours = ddl.bedrock("mldb.ask", model_id=HAIKU, timeout_ms=1000).statement()
    server = (f"CREATE DEFINER=`admin`@`%` FUNCTION `ask`(`request_body` text CHARSET utf8mb4) RETURNS text CHARSET utf8mb4\n"
              f"    ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{HAIKU}' TIMEOUT_MS 1000")
    assert ddl.normalise(server) == ddl.normalise(ours)
    assert ddl.normalise(server.replace("1000", "2000")) != ddl.normalise(ours)


def test_normalise_ignores_what_servers_echo_differently():
    """MySQL omits NOT DETERMINISTIC (the default) and 5.7 adds display widths to integer types."""
    from auroraml_cli.core import ddl

    ours = "CREATE FUNCTION `f` (`x` INT) RETURNS INT\n  NOT DETERMINISTIC READS SQL DATA\n  RETURN x"
    echoed = "CREATE DEFINER=`admin`@`%` FUNCTION `f`(`x` int(11)) RETURNS int(11)\n    READS SQL DATA\nRETURN x"
    assert ddl.normalise(ours) == ddl.normalise(echoed)
    assert ddl.normalise(ours) != ddl.normalise(echoed.replace("RETURN x", "RETURN x + 1"))


def test_same_function_takes_a_collation_or_charset_the_server_spells_out():
    """MySQL 8 may echo string types with their default COLLATE (and CHARSET): still the same."""
    assert ddl.same_function(SERVER, OURS)
    assert ddl.same_function(SERVER.replace("CHARSET utf8mb4", "CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci"), OURS)
    assert ddl.same_function(SERVER.replace("CHARSET utf8mb4", "CHARACTER SET utf8mb4"), OURS)
    bare = OURS.replace(" CHARSET utf8mb4", "")
    assert bare != OURS and ddl.same_function(SERVER, bare)  # a charset left to the default, spelled out


@pytest.mark.parametrize("old, new", [
    ("CHARSET utf8mb4", "CHARSET latin1"),  # a charset the statement names must match
    ("CHARSET utf8mb4", ""),  # ...and be there
    ("'rcf-taxi'", "'rcf-other'"),
    ("MAX_BATCH_SIZE 5", "MAX_BATCH_SIZE 5 COLLATE x"),
])
def test_same_function_sees_real_differences(old, new):
    assert not ddl.same_function(SERVER.replace(old, new), OURS)


# --- MySQL's own limits, refused before anything is sent -------------------------------------

@pytest.mark.parametrize("text, rule", [
    ("DECIMAL(70,2)", "DECIMAL(70,2): precision 70 exceeds MySQL's maximum 65"),
    ("NUMERIC(66)", "NUMERIC(66): precision 66 exceeds MySQL's maximum 65"),
    ("DECIMAL(40,31)", "DECIMAL(40,31): scale 31 exceeds MySQL's maximum 30"),
    ("DECIMAL(5,6)", "DECIMAL(5,6): scale 6 exceeds the precision 5"),
    ("CHAR(256)", "CHAR(256): length 256 exceeds MySQL's maximum 255 for CHAR"),
    ("VARCHAR(16384)", "VARCHAR(16384): length 16384 exceeds MySQL's maximum 16383 for utf8mb4"),
    ("VARCHAR(65535) CHARSET utf8mb4", "VARCHAR(65535): length 65535 exceeds MySQL's maximum 16383"),
    ("INT(256)", "INT(256): display width 256 exceeds MySQL's maximum 255"),
    ("FLOAT(54)", "FLOAT(54): precision 54 exceeds MySQL's maximum 53"),
    ("DOUBLE(10)", "DOUBLE(10): DOUBLE takes (M,D)"),
    ("DOUBLE(300,2)", "DOUBLE(300,2): (300,2) is outside MySQL's limits"),
    ("INT(10,2)", "INT(10,2): INT takes (M)"),
    ("VARCHAR(10,2)", "VARCHAR(10,2): VARCHAR takes (M)"),
    ("DATE(3)", "DATE(3): DATE takes no size"),
    ("JSON(10)", "JSON(10): JSON takes no size"),
    ("LONGTEXT(10)", "LONGTEXT(10): LONGTEXT takes no size"),
    ("BOOLEAN(1)", "BOOLEAN(1): BOOLEAN takes no size"),
    ("BIT(0)", "BIT(0): BIT takes 1 to 64 bits"),
    ("BIT(65)", "BIT(65): BIT takes 1 to 64 bits"),
    ("DATETIME(7)", "DATETIME(7): fractional seconds precision 7 exceeds MySQL's maximum 6"),
    ("VARCHAR(99999999999999999999999999)", "exceeds MySQL's maximum 16383"),
])
def test_sizes_past_mysqls_limits_are_refused_naming_the_rule(text, rule):
    err = refused(SqlType.parse, text)
    assert rule in err.message and err.hint


@pytest.mark.parametrize("text", ["DECIMAL(65,30)", "DECIMAL(65)", "DECIMAL(30,30)", "NUMERIC(10,0)", "CHAR(255)",
                                  "VARCHAR(16383)", "VARCHAR(0)", "INT(255)", "FLOAT(53)", "FLOAT(7,3)",
                                  "DOUBLE(255,30)", "BIT(64)", "DATETIME(6)", "TEXT(1000)"])
def test_sizes_at_mysqls_limits_are_accepted(text):
    SqlType.parse(text)


@pytest.mark.parametrize("args", [["a:INT", "a:DOUBLE"], ["Tenure:INT", "tenure:INT"]])
def test_duplicate_argument_names_are_refused_in_any_letter_case(args):
    err = refused(ddl.sagemaker, "f", endpoint="e", args=args, returns="INT")
    assert "twice" in err.message and "duplicate parameter" in err.message


@pytest.mark.parametrize("name", ["mldb.f ", "mldb .f", "f ", "mldb.\U0001F600", "\U0001F600db.f"])
def test_names_mysql_refuses_are_refused(name):
    refused(ddl.sagemaker, name, endpoint="e", args=["a:INT"], returns="INT")


@pytest.mark.parametrize("arg", ["\U0001F600:INT", "a\U00010000:INT"])
def test_argument_names_mysql_refuses_are_refused(arg):
    refused(ddl.sagemaker, "f", endpoint="e", args=[arg], returns="INT")


@pytest.mark.parametrize("shown", [
    "CREATE DEFINER=`root`@`localhost` FUNCTION `churn`(x DOUBLE) RETURNS double\n    DETERMINISTIC\nRETURN x * 3",
    "CREATE DEFINER='o''brien'@'10.0.%' FUNCTION churn(x DOUBLE) RETURNS double RETURN x",
    'CREATE DEFINER="root"@"localhost" FUNCTION "churn"(x DOUBLE) RETURNS double RETURN x',  # ANSI_QUOTES
    "CREATE DEFINER=`a b`@`%` FUNCTION `other`.`churn`(x DOUBLE) RETURNS double RETURN x",
    "CREATE FUNCTION `churn`(x DOUBLE) RETURNS double RETURN x",
])
def test_qualify_names_the_schema_in_a_servers_definition(shown):
    """SHOW CREATE FUNCTION names no schema: the journal's undo and the restore add it."""
    qualified = ddl.qualify(shown, "`mldb`.`churn`")
    assert "FUNCTION `mldb`.`churn`(x DOUBLE)" in qualified and qualified.endswith(shown.split("(x DOUBLE)")[1])
    assert "DEFINER" not in ddl.qualify(shown, "`mldb`.`churn`", definer=False)


def test_qualify_refuses_what_it_cannot_read_as_a_database_error():
    with pytest.raises(DatabaseError):
        ddl.qualify("SELECT 1", "`mldb`.`churn`")
