"""The database side end to end: the installed auroraml against the sandbox's Aurora SQL endpoints,
found through RDS (`--cluster`), with the master password from the cluster's managed secret."""

from __future__ import annotations

import json

import pymysql
import pytest

from .conftest import auroraml

ANALYST_PASSWORD = "analyst-Pw-1"


def _master(sandbox, cluster="ml-demo"):
    c = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    if c.get("MasterUserSecret"):
        secret = sandbox.client("secretsmanager").get_secret_value(SecretId=c["MasterUserSecret"]["SecretArn"])
        password = json.loads(secret["SecretString"])["password"]
    else:
        password = "sandbox-password"
    return pymysql.connect(host=c["Endpoint"], port=c["Port"], user=c["MasterUsername"], password=password,
                           connect_timeout=5, read_timeout=10, autocommit=True)


@pytest.fixture
def analyst(sandbox):
    with _master(sandbox).cursor() as cur:
        cur.execute(f"CREATE USER 'analyst'@'%' IDENTIFIED BY '{ANALYST_PASSWORD}'")
        cur.execute("CREATE DATABASE mldb")
    return sandbox


def _as_analyst(sandbox, sql):
    c = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    conn = pymysql.connect(host=c["Endpoint"], port=c["Port"], user="analyst", password=ANALYST_PASSWORD,
                           connect_timeout=5, read_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def test_grant_makes_the_role_active_in_a_fresh_session_and_is_idempotent(analyst):
    r = auroraml("-o", "json", "grant", "comprehend", "analyst", "--cluster", "ml-demo")
    assert [(s["action"], s["status"]) for s in r.json()["steps"]] == [("grant-role", "done"), ("set-default-role", "done")]
    assert r.json()["aurora_version"] == "3.08.0"
    assert _as_analyst(analyst, "SELECT CURRENT_ROLE()")[0][0] == "`AWS_COMPREHEND_ACCESS`@`%`"
    again = auroraml("-o", "json", "grant", "comprehend", "analyst", "--cluster", "ml-demo")
    assert {s["status"] for s in again.json()["steps"]} == {"unchanged"}
    gone = auroraml("-o", "json", "revoke", "comprehend", "analyst", "--cluster", "ml-demo", "--yes")
    assert {s["status"] for s in gone.json()["steps"]} == {"done"}
    assert _as_analyst(analyst, "SELECT CURRENT_ROLE()")[0][0] == "NONE"


def test_grant_keeps_the_accounts_other_default_roles(analyst):
    auroraml("grant", "sagemaker", "analyst", "--cluster", "ml-demo")
    auroraml("grant", "comprehend", "analyst", "--cluster", "ml-demo")
    active = _as_analyst(analyst, "SELECT CURRENT_ROLE()")[0][0]
    assert "AWS_SAGEMAKER_ACCESS" in active and "AWS_COMPREHEND_ACCESS" in active


def test_ddl_apply_then_grant_execute(analyst):
    base = ("ddl", "sagemaker", "mldb.churn_score", "--endpoint", "churn-predictor", "--arg", "tenure:INT",
            "--arg", "spend:DOUBLE", "--returns", "DOUBLE", "--apply", "--cluster", "ml-demo")
    created = auroraml("-o", "json", *base)
    assert [s["status"] for s in created.json()["steps"]] == ["done"]
    assert [s["status"] for s in auroraml("-o", "json", *base).json()["steps"]] == ["unchanged"]
    different = auroraml(*base[:-2], "--max-batch-size", "100", "--cluster", "ml-demo", code=2)
    assert "--replace" in different.stderr
    dry = auroraml("-o", "json", *base, "--max-batch-size", "100", "--replace", "--dry-run")
    assert [(s["action"], s["status"]) for s in dry.json()["steps"]] == [("probe-function", "planned"),
                                                                         ("replace-function", "planned")]
    unasked = auroraml("-o", "json", *base, "--max-batch-size", "100", "--replace", code=2)  # no terminal, no --yes
    assert unasked.stdout == "" and "add --yes" in unasked.stderr
    assert [s["status"] for s in auroraml("-o", "json", *base, "--max-batch-size", "100", "--replace", "--dry-run",
                                          "--detailed-exitcode", code=2).json()["steps"]] == ["planned", "planned"]
    replaced = auroraml("-o", "json", *base, "--max-batch-size", "100", "--replace", "--yes")
    assert [(s["action"], s["status"]) for s in replaced.json()["steps"]] == [("probe-function", "done"),
                                                                              ("replace-function", "done")]
    with _master(analyst).cursor() as cur:  # the probe was dropped; the function has its new definition
        cur.execute("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb'")
        assert [row[0] for row in cur.fetchall()] == ["churn_score"]
        cur.execute("SHOW CREATE FUNCTION mldb.churn_score")
        assert "MAX_BATCH_SIZE 100" in cur.fetchone()[2]
    r = auroraml("-o", "json", "grant", "sagemaker", "analyst", "--function", "mldb.churn_score", "--cluster", "ml-demo")
    assert ("grant-execute", "done") in [(s["action"], s["status"]) for s in r.json()["steps"]]
    shown = " ".join(row[0] for row in _as_analyst(analyst, "SHOW GRANTS"))
    assert "EXECUTE ON FUNCTION `mldb`.`churn_score`" in shown


def test_ddl_replace_without_create_routine_drops_nothing(analyst, isolated):
    """An account that may drop the function (ALTER ROUTINE) but not create one: the probe is
    refused, exit 5, the old function is still there and the journal has no change."""
    base = ("ddl", "sagemaker", "mldb.churn_score", "--endpoint", "churn-predictor", "--arg", "tenure:INT",
            "--returns", "DOUBLE", "--apply", "--cluster", "ml-demo")
    auroraml(*base)
    with _master(analyst).cursor() as cur:
        cur.execute("GRANT ALTER ROUTINE, EXECUTE ON mldb.* TO 'analyst'@'%'")
    cnf = isolated / "analyst.cnf"
    cnf.write_text(f"[client]\nuser = analyst\npassword = {ANALYST_PASSWORD}\n")
    cnf.chmod(0o600)
    r = auroraml(*base, "--max-batch-size", "100", "--replace", "--yes", "--defaults-file", str(cnf), code=5)
    assert "nothing was dropped: `mldb`.`churn_score` is unchanged" in r.stderr
    with _master(analyst).cursor() as cur:
        cur.execute("SHOW CREATE FUNCTION mldb.churn_score")
        assert "MAX_BATCH_SIZE" not in cur.fetchone()[2]
        cur.execute("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb'")
        assert [row[0] for row in cur.fetchall()] == ["churn_score"]


@pytest.fixture
def v2_cnf(isolated):
    """legacy-v2's master password lives in no secret: a DBA's option file supplies it."""
    path = isolated / "legacy-v2.cnf"
    path.write_text("[client]\nuser = admin\npassword = sandbox-password\n")
    path.chmod(0o600)
    return str(path)


def test_bedrock_wrapper_is_created_on_306_and_refused_on_v2(analyst, v2_cnf):
    r = auroraml("-o", "json", "ddl", "bedrock", "mldb.ask_claude", "--model-id", "anthropic.claude-3-haiku-20240307-v1:0",
                 "--wrapper", "auto", "--apply", "--cluster", "ml-demo")
    assert [s["target"] for s in r.json()["steps"]] == ["`mldb`.`ask_claude_raw`", "`mldb`.`ask_claude`"]
    again = auroraml("-o", "json", "ddl", "bedrock", "mldb.ask_claude", "--model-id", "anthropic.claude-3-haiku-20240307-v1:0",
                     "--wrapper", "auto", "--apply", "--cluster", "ml-demo")
    assert [s["status"] for s in again.json()["steps"]] == ["unchanged", "unchanged"]
    v2 = auroraml("ddl", "bedrock", "x", "--model-id", "amazon.titan-text-express-v1", "--apply", "--cluster", "legacy-v2",
                  "--defaults-file", v2_cnf, code=2)
    assert "3.06" in v2.stderr
    assert "Bedrock" in auroraml("grant", "bedrock", "bob", "--cluster", "legacy-v2", "--defaults-file", v2_cnf, code=2).stderr


def test_v2_grants_privileges(sandbox, v2_cnf):
    with _master(sandbox, "legacy-v2").cursor() as cur:
        cur.execute("CREATE USER 'app'@'%' IDENTIFIED BY 'app-Pw-1'")
    args = ("-o", "json", "grant", "sagemaker", "app", "--cluster", "legacy-v2", "--defaults-file", v2_cnf)
    r = auroraml(*args)
    assert [(s["action"], s["target"], s["status"]) for s in r.json()["steps"]] == [("grant-privilege", "INVOKE SAGEMAKER", "done")]
    assert {s["status"] for s in auroraml(*args).json()["steps"]} == {"unchanged"}


def test_export_to_s3_after_setup_s3(analyst):
    auroraml("setup", "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--reboot", "--yes")
    with _master(analyst).cursor() as cur:
        cur.execute("CREATE TABLE mldb.support (id INT PRIMARY KEY, comment VARCHAR(200))")
        cur.execute("INSERT INTO mldb.support VALUES (1, 'great service'), (2, 'slow and rude')")
    r = auroraml("-o", "json", "export", "--table", "mldb.support", "--to", "s3://ml-demo-exports/e2e/support",
                 "--header", "--overwrite", "--cluster", "ml-demo")
    assert r.json()["rows"] == 2
    keys = [o["Key"] for o in analyst.client("s3").list_objects_v2(Bucket="ml-demo-exports", Prefix="e2e/")["Contents"]]
    assert keys == ["e2e/support.part_00000"]


def test_export_resolves_the_kms_key_and_refuses_a_customer_key_below_3_05(analyst, v2_cnf):
    """--kms-key was passed through as typed ('*' included) and a v2 cluster was asked to use a
    customer managed key, which Aurora MySQL supports for SELECT INTO OUTFILE S3 only from 3.05."""
    alias = "alias/ml-demo-exports"
    arn = analyst.client("kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    export = ("export", "--sql", "SELECT 1 AS x", "--encryption", "sse_kms", "--kms-key", alias, "--overwrite")
    auroraml("setup", "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--prefix", "e2e",
             "--kms-key", alias, "--reboot", "--yes")
    r = auroraml("-o", "json", *export, "--to", "s3://ml-demo-exports/e2e/k", "--cluster", "ml-demo")
    assert f"ENCRYPTION SSE_KMS '{arn}'" in r.json()["statement"] and r.json()["rows"] == 1
    s3 = analyst.client("s3")
    assert s3.head_object(Bucket="ml-demo-exports", Key="e2e/k.part_00000")["SSEKMSKeyId"] == arn

    auroraml("setup", "s3", "--cluster", "legacy-v2", "--bucket", "ml-demo-exports", "--reboot", "--yes")
    v2 = auroraml(*export, "--to", "s3://ml-demo-exports/e2e/v2", "--cluster", "legacy-v2", "--defaults-file", v2_cnf, code=2)
    assert "3.05" in v2.stderr and "2.11.2" in v2.stderr
    assert "Contents" not in s3.list_objects_v2(Bucket="ml-demo-exports", Prefix="e2e/v2")


def test_export_without_setup_s3_is_a_database_error(analyst):
    r = auroraml("export", "--sql", "SELECT 1", "--to", "s3://ml-demo-exports/e2e/x", "--cluster", "ml-demo", code=5)
    assert "1871" in r.stderr or "Credentials" in r.stderr


def test_explain_reports_batching_per_call(analyst):
    auroraml("ddl", "sagemaker", "mldb.churn_score", "--endpoint", "churn-predictor", "--arg", "x:DOUBLE",
             "--returns", "DOUBLE", "--apply", "--cluster", "ml-demo")
    auroraml("ddl", "bedrock", "mldb.ask_raw", "--model-id", "amazon.titan-text-express-v1", "--apply", "--cluster", "ml-demo")
    with _master(analyst).cursor() as cur:
        cur.execute("CREATE TABLE mldb.t (x DOUBLE, c VARCHAR(100))")
    r = auroraml("-o", "json", "explain", "SELECT churn_score(x), aws_comprehend_detect_sentiment(c, 'en'), ask_raw(c) FROM t",
                 "--cluster", "ml-demo", "--database", "mldb")
    calls = {c["function"]: c for c in r.json()["calls"]}
    assert calls["churn_score"]["batched"] is True and calls["churn_score"]["service"] == "sagemaker"
    assert calls["aws_comprehend_detect_sentiment"]["batched"] is True
    assert calls["ask_raw"]["batched"] is False and "Bedrock" in calls["ask_raw"]["reason"]
    qualified = auroraml("-o", "json", "explain", "SELECT `mldb`.`Churn_Score`(x) FROM mldb.t WHERE mldb.churn_score (x) > 0",
                         "--cluster", "ml-demo")  # no default database: the schema names it
    assert [(c["function"], c["service"], c["batched"]) for c in qualified.json()["calls"]] == [
        ("mldb.churn_score", "sagemaker", True)]


def test_credentials_from_a_secrets_manager_secret(sandbox):
    with _master(sandbox, "legacy-v2").cursor() as cur:
        cur.execute("CREATE USER 'reporter'@'%' IDENTIFIED BY 'rep-Pw-1'")
    arn = sandbox.client("secretsmanager").create_secret(
        Name="legacy-v2-admin", SecretString=json.dumps({"username": "admin", "password": "sandbox-password"}))["ARN"]
    r = auroraml("-v", "-o", "json", "grant", "comprehend", "reporter", "--cluster", "legacy-v2", "--secret-arn", arn)
    assert r.json()["steps"][0]["status"] == "done"
    assert "credentials: secrets manager" in r.stderr and "sandbox-password" not in r.stderr + r.stdout


def test_activate_all_roles_on_login_is_reported_instead_of_a_default_role(sandbox):
    rds = sandbox.client("rds")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="bedrock-ready-params", Parameters=[
        {"ParameterName": "activate_all_roles_on_login", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    c = rds.describe_db_clusters(DBClusterIdentifier="bedrock-ready")["DBClusters"][0]
    with _master(sandbox, "bedrock-ready").cursor() as cur:
        cur.execute("CREATE USER 'llm'@'%' IDENTIFIED BY 'llm-Pw-1'")
    r = auroraml("-o", "json", "grant", "bedrock", "llm", "--cluster", "bedrock-ready", "--defaults-file", _cnf(sandbox))
    steps = {s["action"]: s for s in r.json()["steps"]}
    assert steps["grant-role"]["status"] == "done"
    assert steps["set-default-role"]["status"] == "unchanged"
    assert "activate_all_roles_on_login" in steps["set-default-role"]["detail"]
    conn = pymysql.connect(host=c["Endpoint"], port=c["Port"], user="llm", password="llm-Pw-1", connect_timeout=5)
    with conn.cursor() as cur:
        cur.execute("SELECT CURRENT_ROLE()")
        assert "AWS_BEDROCK_ACCESS" in cur.fetchone()[0]
    conn.close()


def _cnf(sandbox):
    import os
    from pathlib import Path

    path = Path(os.environ["HOME"]) / "admin.cnf"
    path.write_text("[client]\nuser = admin\npassword = sandbox-password\n")
    return str(path)
