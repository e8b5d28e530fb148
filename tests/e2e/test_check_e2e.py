"""`auroraml check` end to end: the installed script against the sandbox server and its SQL
endpoints. A cluster freshly set up passes entirely; breaking one thing makes exactly that check
fail, with its fix; the database side reads what each instance really runs with."""

from __future__ import annotations

import pytest

from .conftest import auroraml
from .test_database_e2e import _master


def checks(run) -> dict[tuple, dict]:
    return {(c["check"], c["service"], c["instance"]): c for c in run.json()["checks"]}


def failing(run) -> set[tuple]:
    return {k for k, c in checks(run).items() if c["status"] == "fail"}


def one(run, check, service=None, instance=None) -> dict:
    return checks(run)[(check, service, instance)]


def _sql(sandbox, *statements, cluster="ml-demo"):
    conn = _master(sandbox, cluster)
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def _reboot_all(sandbox, cluster="ml-demo"):
    rds = sandbox.client("rds")
    members = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    for m in members:
        rds.reboot_db_instance(DBInstanceIdentifier=m["DBInstanceIdentifier"])
    from auroraml_cli.sandbox import layer

    layer.advance(layer.settings.reboot_duration + 1)  # the reboots are over


@pytest.fixture
def wired(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    return sandbox


def test_a_freshly_set_up_cluster_passes_every_check_on_both_sides(wired):
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--probe")
    assert failing(r) == set()
    assert {c["status"] for c in r.json()["checks"]} == {"pass"}
    assert one(r, "running-value", "comprehend", "ml-demo-1")["status"] == "pass"
    assert one(r, "running-value", "comprehend", "ml-demo-2")["status"] == "pass"
    assert "answered" in one(r, "probe", "comprehend")["detail"]


def test_a_reboot_not_done_shows_on_the_group_and_on_each_instance(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", code=1)
    assert failing(r) == {("reboot", None, None), ("running-value", "comprehend", "ml-demo-1"),
                          ("running-value", "comprehend", "ml-demo-2")}
    assert "has not been rebooted" in one(r, "running-value", "comprehend", "ml-demo-1")["detail"]
    fix = one(r, "running-value", "comprehend", "ml-demo-1")["fix"]
    auroraml(*fix.split()[1:])  # the fix, as printed, repairs it
    assert failing(auroraml("-o", "json", "check", "--cluster", "ml-demo")) == set()


def test_binlog_format_statement_fails_that_check(wired):
    rds = wired.client("rds")
    group = rds.describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]["DBClusterParameterGroup"]
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
        {"ParameterName": "binlog_format", "ParameterValue": "STATEMENT", "ApplyMethod": "pending-reboot"}])
    _reboot_all(wired)
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", code=1)
    assert failing(r) == {("binlog-format", None, None)}
    assert "binlog_format,ParameterValue=ROW" in one(r, "binlog-format")["fix"]


def test_a_user_with_the_role_but_not_active_at_login_fails_until_grant(wired):
    _sql(wired, "CREATE USER 'ana'@'%' IDENTIFIED BY 'ana-password'", "GRANT AWS_COMPREHEND_ACCESS TO 'ana'@'%'")
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--user", "ana@%", code=1)
    assert failing(r) == {("user-access", "comprehend", None)}
    access = one(r, "user-access", "comprehend")
    assert "not active at login" in access["detail"] and access["fix"] == "auroraml grant comprehend ana@% --cluster ml-demo"
    auroraml(*access["fix"].split()[1:])
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--user", "ana@%")
    assert one(r, "user-access", "comprehend")["status"] == "pass"


def test_an_unknown_user_fails(wired):
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--user", "ghost@%", code=1)
    assert failing(r) == {("user", None, None)}


def test_execute_on_the_ml_functions(sandbox):
    auroraml("setup", "sagemaker", "--cluster", "ml-demo", "--endpoint", "churn-predictor", "--reboot", "--yes")
    auroraml("ddl", "sagemaker", "demo.churn", "--endpoint", "churn-predictor", "--arg", "a:INT", "--returns", "DOUBLE",
             "--cluster", "ml-demo", "--apply")
    _sql(sandbox, "CREATE USER 'ana'@'%' IDENTIFIED BY 'ana-password'")
    auroraml("grant", "sagemaker", "ana@%", "--cluster", "ml-demo")
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--user", "ana@%", code=1)
    assert failing(r) == {("user-execute", "sagemaker", None)}
    fix = one(r, "user-execute", "sagemaker")["fix"]
    assert fix == "auroraml grant sagemaker ana@% --function demo.churn --cluster ml-demo"
    auroraml(*fix.split()[1:])
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--user", "ana@%", "--probe")
    assert failing(r) == set()
    assert "demo" in one(r, "probe", "sagemaker")["detail"]


def test_reserved_words_warn_before_an_upgrade(sandbox, isolated):
    cnf = isolated / "v2.cnf"
    cnf.write_text("[client]\nuser = admin\npassword = sandbox-password\n")
    auroraml("setup", "comprehend", "--cluster", "legacy-v2", "--reboot", "--yes")
    args = ("-o", "json", "check", "--cluster", "legacy-v2", "--defaults-file", str(cnf))
    assert one(auroraml(*args), "reserved-words")["status"] == "pass"
    _sql(sandbox, "CREATE TABLE demo.`accept` (id INT)", cluster="legacy-v2")
    warned = one(auroraml(*args), "reserved-words")
    assert warned["status"] == "warn" and "demo.accept" in warned["detail"]


def test_the_probe_maps_missing_credentials_to_its_cause(wired):
    role = wired.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]["AssociatedRoles"][0]
    wired.client("rds").remove_role_from_db_cluster(DBClusterIdentifier="ml-demo", RoleArn=role["RoleArn"])
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", "--probe", code=1)
    assert failing(r) == {("role-associated", "comprehend", None), ("probe", "comprehend", None)}
    assert "Missing Credentials" in one(r, "probe", "comprehend")["detail"]
    assert "no usable role" in one(r, "probe", "comprehend")["detail"]


def test_without_credentials_the_database_side_is_skipped_and_with_bad_ones_it_fails(sandbox, isolated):
    auroraml("setup", "comprehend", "--cluster", "legacy-v2", "--reboot", "--yes")
    r = auroraml("-o", "json", "check", "--cluster", "legacy-v2")  # v2 has no managed secret, no prompt off a tty
    assert one(r, "database")["status"] == "skip"
    bad = isolated / "bad.cnf"
    bad.write_text("[client]\nuser = admin\npassword = wrong-password\n")
    r = auroraml("-o", "json", "check", "--cluster", "legacy-v2", "--defaults-file", str(bad), code=1)
    assert one(r, "database")["status"] == "fail"
    assert "wrong-password" not in r.stdout + r.stderr


def test_check_finds_the_function_whose_model_the_role_may_not_invoke_before_sql_runs(sandbox):
    """`setup bedrock --model-id A`, then a function aliasing model B: check fails that function
    with the fix, from the role's policy (the evaluator the sandbox runs on every call); the call
    itself then fails on the sandbox as on Aurora; after the fix both pass."""
    import pymysql

    haiku, sonnet = "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0"
    auroraml("setup", "bedrock", "--cluster", "ml-demo", "--model-id", haiku, "--reboot", "--yes")
    for name, model in (("demo.ask_haiku", haiku), ("demo.ask_sonnet", sonnet)):
        auroraml("ddl", "bedrock", name, "--model-id", model, "--cluster", "ml-demo", "--apply")
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo", code=1)
    assert failing(r) == {("function-policy", "bedrock", None)}
    found = [c for c in r.json()["checks"] if c["check"] == "function-policy"]
    assert [c["status"] for c in found] == ["pass", "fail"]
    assert found[1]["detail"] == (
        f"function demo.ask_sonnet calls model {sonnet}, which role auroraml-bedrock-ml-demo may not invoke "
        f"(bedrock:InvokeModel on arn:aws:bedrock:us-east-1::foundation-model/{sonnet})")
    assert found[1]["fix"] == f"auroraml setup bedrock --cluster ml-demo --model-id {sonnet}"
    body = '{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}'
    with pytest.raises(pymysql.MySQLError) as denied:
        _sql(sandbox, f"SELECT demo.ask_sonnet('{body}')")
    assert denied.value.args[0] == 1871 and "is not authorized to perform: bedrock:InvokeModel" in denied.value.args[1]
    auroraml("setup", "bedrock", "--cluster", "ml-demo", "--model-id", haiku, "--model-id", sonnet, "--reboot", "--yes")
    r = auroraml("-o", "json", "check", "--cluster", "ml-demo")
    assert failing(r) == set()
    _sql(sandbox, f"SELECT demo.ask_sonnet('{body}')")
