"""`auroraml ddl sagemaker|bedrock` without --apply: SQL on stdout, refusals on stderr, no network at all."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SAGEMAKER = ("ddl", "sagemaker", "mldb.anomaly_score", "--endpoint", "rcf-taxi", "--arg", "distance:DOUBLE",
             "--arg", "fare:DOUBLE", "--returns", "DOUBLE", "--aurora-version", "3.06.0")
BEDROCK_WRAPPED = ("ddl", "bedrock", "mldb.ask_claude", "--model-id", HAIKU, "--wrapper", "auto", "--aurora-version", "3.06.0")


def statements(stdout: str) -> list[str]:
    """Split what `ddl` prints (each statement ends with ';' and a blank line) back into statements."""
    assert stdout.endswith(";\n\n"), stdout
    return [s.strip() for s in stdout.split(";\n\n") if s.strip()]


def test_sagemaker_prints_one_statement_ending_in_a_semicolon(cli):
    r = cli("-o", "table", *SAGEMAKER, "--max-batch-size", "100")
    assert r.stdout == (
        "CREATE FUNCTION `mldb`.`anomaly_score` (`distance` DOUBLE, `fare` DOUBLE) RETURNS DOUBLE\n"
        "  ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi' MAX_BATCH_SIZE 100;\n\n")
    assert r.stderr == ""
    assert r.calls == []


def test_sql_is_the_payload_whatever_the_default_output(cli):
    # Off a terminal the default output is json; -o table (or no -o at a terminal) prints plain SQL.
    r = cli("-o", "table", "ddl", "sagemaker", "score", "--endpoint", "xgb", "--arg", "accept:INT",
            "--arg", "timeout_ms:INT", "--returns", "VARCHAR(8)")
    assert statements(r.stdout) == [
        "CREATE FUNCTION `score` (`accept` INT, `timeout_ms` INT) RETURNS VARCHAR(8) CHARSET utf8mb4\n"
        "  ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'xgb'"]


def test_sagemaker_json_document(cli):
    r = cli("-o", "json", *SAGEMAKER)
    doc = r.json()
    assert doc == {"schema_version": 1, "command": "ddl", "statements": [
        "CREATE FUNCTION `mldb`.`anomaly_score` (`distance` DOUBLE, `fare` DOUBLE) RETURNS DOUBLE\n"
        "  ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi'"]}
    assert r.calls == []


def test_bedrock_with_the_wrapper_prints_raw_then_wrapper(cli):
    r = cli("-o", "table", *BEDROCK_WRAPPED)
    raw, wrapper = statements(r.stdout)
    assert raw.startswith("CREATE FUNCTION `mldb`.`ask_claude_raw` (`request_body` TEXT CHARSET utf8mb4) "
                          "RETURNS LONGTEXT CHARSET utf8mb4\n  ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID "
                          f"'{HAIKU}' CONTENT_TYPE 'application/json' ACCEPT 'application/json'")
    assert wrapper.startswith("CREATE FUNCTION `mldb`.`ask_claude` (`prompt` TEXT CHARSET utf8mb4) RETURNS TEXT CHARSET utf8mb4")
    assert "`mldb`.`ask_claude_raw`(JSON_OBJECT('anthropic_version'" in wrapper
    assert "'$.content[0].text'" in wrapper
    assert r.calls == []


def test_bedrock_wrapper_json_document(cli):
    r = cli("-o", "json", *BEDROCK_WRAPPED)
    doc = r.json()
    assert doc["command"] == "ddl"
    assert len(doc["statements"]) == 2
    assert "ALIAS AWS_BEDROCK_INVOKE_MODEL" in doc["statements"][0]
    assert "RETURN JSON_UNQUOTE(JSON_EXTRACT(" in doc["statements"][1]
    assert not any(s.rstrip().endswith(";") for s in doc["statements"])


def test_bedrock_wrapper_auto_follows_inference_profiles(cli):
    r = cli("-o", "json", "ddl", "bedrock", "embed", "--model-id", "eu.amazon.titan-embed-text-v2:0", "--wrapper", "auto")
    raw, wrapper = r.json()["statements"]
    assert "MODEL ID 'eu.amazon.titan-embed-text-v2:0'" in raw
    assert "'$.embedding'" in wrapper and "RETURNS LONGTEXT CHARSET utf8mb4" in wrapper


def test_bedrock_plain_with_clauses(cli):
    r = cli("-o", "table", "ddl", "bedrock", "ask", "--model-id", "amazon.titan-text-express-v1", "--returns", "LONGTEXT",
            "--content-type", "application/json", "--accept", "application/json", "--timeout-ms", "15000",
            "--aurora-version", "8.4.7")
    assert statements(r.stdout) == [
        "CREATE FUNCTION `ask` (`request_body` TEXT CHARSET utf8mb4) RETURNS LONGTEXT CHARSET utf8mb4\n"
        "  ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'amazon.titan-text-express-v1' CONTENT_TYPE 'application/json' "
        "ACCEPT 'application/json' TIMEOUT_MS 15000"]


REFUSALS = {
    "bedrock returns JSON": ("ddl", "bedrock", "ask", "--model-id", HAIKU, "--returns", "JSON"),
    "bedrock on 3.05": ("ddl", "bedrock", "ask", "--model-id", HAIKU, "--aurora-version", "3.05.2"),
    "bedrock on v2": ("ddl", "bedrock", "ask", "--model-id", HAIKU, "--aurora-version", "2.11.2"),
    "bedrock timeout 0": ("ddl", "bedrock", "ask", "--model-id", HAIKU, "--timeout-ms", "0"),
    "wrapper auto, unknown family": ("ddl", "bedrock", "ask", "--model-id", "meta.llama3-8b-instruct-v1:0", "--wrapper", "auto"),
    "wrapper family unknown": ("ddl", "bedrock", "ask", "--model-id", HAIKU, "--wrapper", "llama"),
    "bad model id": ("ddl", "bedrock", "ask", "--model-id", "x' OR 1=1"),
    "sagemaker returns TEXT": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "TEXT"),
    "sagemaker returns BIT": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "BIT"),
    "sagemaker batch 0": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "INT", "--max-batch-size", "0"),
    "sagemaker unknown type": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "GEOMETRY"),
    "sagemaker bad arg": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "nocolon", "--returns", "INT"),
    "sagemaker bad endpoint": ("ddl", "sagemaker", "f", "--endpoint", "bad endpoint!", "--arg", "a:INT", "--returns", "INT"),
    "sagemaker bad name": ("ddl", "sagemaker", "x" * 65, "--endpoint", "e", "--arg", "a:INT", "--returns", "INT"),
    "sql security": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "INT", "--sql-security", "root"),
    "bad version": ("ddl", "sagemaker", "f", "--endpoint", "e", "--arg", "a:INT", "--returns", "INT", "--aurora-version", "9.9"),
}


@pytest.mark.parametrize("args", list(REFUSALS.values()), ids=list(REFUSALS))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_each_refusal_exits_2_with_an_error_line_and_prints_no_sql(cli, args, fmt):
    r = cli("-o", fmt, *args, code=2)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), r.stderr
    assert "CREATE FUNCTION" not in r.stderr
    assert r.calls == []


@pytest.mark.parametrize("args", list(REFUSALS.values()), ids=list(REFUSALS))
def test_each_refusal_says_what_to_do_next(cli, args):
    cli(*args, code=2).assert_refused()


def test_the_json_refusal_suggests_text_and_cast(cli):
    r = cli("ddl", "bedrock", "ask", "--model-id", HAIKU, "--returns", "JSON", code=2)
    assert "CAST" in r.stderr and "TEXT" in r.stderr


def test_offline_ddl_imports_neither_pymysql_nor_boto3(isolated):
    commands = [
        ["-o", "table", *SAGEMAKER],
        ["-o", "json", *BEDROCK_WRAPPED],
        ["-o", "json", "ddl", "bedrock", "ask", "--model-id", HAIKU, "--returns", "JSON"],  # a refusal
    ]
    code = ("import json, sys\nfrom auroraml_cli.cli import run\n"
            f"for argv in {commands!r}:\n"
            "    rc = run(argv)\n"
            "    print('RESULT ' + json.dumps([rc, [m for m in ('pymysql', 'boto3', 'botocore') if m in sys.modules]]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line[len("RESULT "):]) for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results == [[0, []], [0, []], [2, []]]
