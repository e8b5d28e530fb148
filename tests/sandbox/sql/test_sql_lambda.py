"""lambda_sync / lambda_async on the SQL endpoint, on both engines: the privilege (v3 role
AWS_LAMBDA_ACCESS, v2 INVOKE LAMBDA), the cluster's aws_default_lambda_role evaluated as IAM does
(association, trust, lambda:InvokeFunction on the function's ARN), the function looked up in the
sandbox's Lambda, and the stand-in answer (the function's code is not run). The role, policy,
association and parameter are set with moto's clients, as `auroraml setup lambda` would."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sandbox_support import ACCOUNT, RDS_TRUST, V2, V3, after_delay
from sql_support import ENGINES, engine_fixture

from auroraml_cli.sandbox import ml_answers

sql_engine = pytest.fixture(params=ENGINES)(engine_fixture)

REGION = "us-east-1"
NOTIFY = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify"
OTHER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"
EVENT = '{"order": 7, "status": "shipped"}'


def allow(*resources):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": list(resources)}]}


def missing_credentials():
    return (1871, "Lambda API returned error: Missing Credentials: Cannot instantiate Lambda Client")


def create_function(client, name):
    iam = client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    try:
        role = iam.get_role(RoleName="fn-exec")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="fn-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                            Handler="index.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]


@pytest.fixture
def lam(endpoint_for, client_for, make_group, rds, iam, client):
    """`lam(version)`: cluster `lam` on its own group with functions notify and other; `.wire(document)`
    gives aws_default_lambda_role a role holding the document (associated unless told not to)."""
    ml_answers.reset()
    create_function(client, "notify")
    create_function(client, "other")

    def make(version=V3):
        group = make_group("lam-params", "aurora-mysql5.7" if version.startswith("5.7") else "aurora-mysql8.0")
        endpoint = endpoint_for("lam", version, DBClusterParameterGroupName=group)
        sql = client_for(endpoint)
        sql.endpoint = endpoint

        def wire(document, associate=True):
            try:
                iam.get_role(RoleName="lam-lambda")
            except iam.exceptions.NoSuchEntityException:
                arn = iam.create_role(RoleName="lam-lambda",
                                      AssumeRolePolicyDocument=json.dumps(RDS_TRUST))["Role"]["Arn"]
                if associate:
                    rds.add_role_to_db_cluster(DBClusterIdentifier="lam", RoleArn=arn)
                rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
                    {"ParameterName": "aws_default_lambda_role", "ParameterValue": arn,
                     "ApplyMethod": "pending-reboot"}])
                rds.reboot_db_instance(DBInstanceIdentifier="lam-1")
                after_delay()
            iam.put_role_policy(RoleName="lam-lambda", PolicyName="invoke", PolicyDocument=json.dumps(document))
            return "lam-lambda"

        sql.wire = wire
        return sql

    return make


def test_lambda_sync_answers_the_stand_in_payload_and_async_nothing(lam):
    sql = lam()
    sql.wire(allow(NOTIFY))
    answer = sql.value(f"SELECT lambda_sync('{NOTIFY}', '{EVENT}')")
    assert isinstance(answer, bytes)  # a BLOB, as Aurora returns it
    assert json.loads(answer) == {"statusCode": 200, "function": "notify", "event": {"order": 7, "status": "shipped"}}
    assert sql.value(f"SELECT lambda_async('{NOTIFY}', '{EVENT}')") == b""
    # One Invoke a row, NULL arguments answer NULL without one; no Aurora_ml_* counter moves.
    sql.run("CREATE DATABASE d")
    sql.run("CREATE TABLE d.orders (id INT, status VARCHAR(20))")
    sql.run("INSERT INTO d.orders VALUES (1, 'new'), (2, 'paid'), (3, NULL)")
    ml_answers.reset()
    rows = sql.rows(f"SELECT id, lambda_sync('{NOTIFY}', CONCAT('{{\"status\": \"', status, '\"}}')) "
                    "FROM d.orders ORDER BY id")
    assert [json.loads(r[1])["event"] if r[1] is not None else None for r in rows] == [
        {"status": "new"}, {"status": "paid"}, None]
    assert [(c["operation"], c["target"], c["outcome"]) for c in ml_answers.received("lambda")] == [
        ("Invoke", "notify", "ok")] * 2
    assert {name: value for name, value in sql.rows("SHOW GLOBAL STATUS LIKE 'Aurora_ml%'")} == {
        name: "0" for name, _ in sql.rows("SHOW GLOBAL STATUS LIKE 'Aurora_ml%'")}


def test_an_unassociated_role_or_no_role_is_missing_credentials(lam):
    sql = lam()
    assert sql.error(f"SELECT lambda_sync('{NOTIFY}', '{EVENT}')") == missing_credentials()
    sql.wire(allow(NOTIFY), associate=False)
    assert sql.error(f"SELECT lambda_async('{NOTIFY}', '{EVENT}')") == missing_credentials()


def test_a_policy_for_another_function_is_denied(lam):
    sql = lam()
    role = sql.wire(allow(OTHER))
    assert sql.error(f"SELECT lambda_sync('{NOTIFY}', '{EVENT}')") == (
        1871, f"Lambda API returned error: AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/lam "
              f"is not authorized to perform: lambda:InvokeFunction on resource: {NOTIFY} because no identity-based "
              "policy allows the lambda:InvokeFunction action")
    assert json.loads(sql.value(f"SELECT lambda_sync('{OTHER}', '{EVENT}')"))["function"] == "other"
    # A qualified call needs the qualified ARN: `function:other` alone does not cover `other:$LATEST`.
    assert sql.error(f"SELECT lambda_sync('{OTHER}:$LATEST', '{EVENT}')")[1].startswith(
        "Lambda API returned error: AccessDeniedException")
    sql.wire(allow(OTHER, f"{OTHER}:*"))
    assert json.loads(sql.value(f"SELECT lambda_sync('{OTHER}:$LATEST', '{EVENT}')"))["function"] == "other"


def test_an_unknown_function_or_a_payload_that_is_not_json_is_lambdas_error(lam):
    sql = lam()
    sql.wire(allow(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*"))
    gone = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone"
    assert sql.error(f"SELECT lambda_sync('{gone}', '{EVENT}')") == (
        1871, f"Lambda API returned error: ResourceNotFoundException: Function not found: {gone}")
    assert sql.error(f"SELECT lambda_async('{NOTIFY}', 'not json')") == (
        1871, "Lambda API returned error: InvalidRequestContentException: Could not parse request body into json")
    elsewhere = f"arn:aws:lambda:{REGION}:999999999999:function:notify"  # resource policies: not modelled
    code, message = sql.error(f"SELECT lambda_sync('{elsewhere}', '{EVENT}')")
    assert code == 1235 and "another account" in message
    assert sql.error(f"SELECT lambda_sync('{NOTIFY}')") == (
        1582, "Incorrect parameter count in the call to native function 'lambda_sync'")


def test_v3_needs_the_aws_lambda_access_role_active(lam, client_for):
    sql = lam()
    sql.wire(allow(NOTIFY))
    sql.run("CREATE USER app IDENTIFIED BY 'app-Pw-1'")
    app = client_for(sql.endpoint, "app", "app-Pw-1")
    call = f"SELECT lambda_sync('{NOTIFY}', '{EVENT}')"
    assert app.error(call) == (
        1227, "Access denied; you need (at least one of) the INVOKE LAMBDA privilege(s) for this operation")
    sql.run("GRANT AWS_LAMBDA_ACCESS TO app")
    assert app.error(call)[0] == 1227  # granted, not active
    app.run("SET ROLE AWS_LAMBDA_ACCESS")
    assert json.loads(app.value(call))["function"] == "notify"


def test_v2_needs_invoke_lambda(lam, client_for):
    sql = lam(V2)
    sql.wire(allow(NOTIFY))
    assert json.loads(sql.value(f"SELECT lambda_sync('{NOTIFY}', '{EVENT}')"))["function"] == "notify"
    sql.run("CREATE USER app IDENTIFIED BY 'app-Pw-1'")
    app = client_for(sql.endpoint, "app", "app-Pw-1")
    call = f"SELECT lambda_async('{NOTIFY}', '{EVENT}')"
    assert app.error(call) == (
        1227, "Access denied; you need (at least one of) the INVOKE LAMBDA privilege(s) for this operation")
    sql.run("GRANT INVOKE LAMBDA ON *.* TO app")
    assert app.value(call) == b""


def test_the_deprecated_procedure_and_trigger_bodies_are_refused_naming_why(lam):
    v3 = lam()
    call = f"CALL mysql.lambda_async('{NOTIFY}', '{EVENT}')"
    assert v3.error(call) == (1305, "PROCEDURE mysql.lambda_async does not exist")  # absent in version 3
    v3.run("CREATE DATABASE d")
    v3.run("CREATE TABLE d.t (i INT)")
    v3.run("CREATE TABLE d.log (answer BLOB)")
    code, message = v3.error("CREATE TRIGGER d.tr AFTER INSERT ON d.t FOR EACH ROW "
                             f"INSERT INTO d.log VALUES (lambda_async('{NOTIFY}', '{EVENT}'))")
    assert code == 1235 and "Lambda calls in trigger bodies in the sandbox (lambda_async)" in message


def test_the_deprecated_procedure_is_not_modelled_on_v2(lam):
    v2 = lam(V2)
    code, message = v2.error(f"CALL mysql.lambda_async('{NOTIFY}', '{EVENT}')")
    assert code == 1235 and "mysql.lambda_async" in message and "lambda_async" in message


def test_answers_can_be_stored_and_read_with_json_functions(lam):
    sql = lam()
    sql.wire(allow(NOTIFY))
    sql.run("CREATE DATABASE d")
    sql.run("CREATE TABLE d.sent (id INT, answer BLOB)")
    assert sql.run(f"INSERT INTO d.sent VALUES (1, lambda_sync('{NOTIFY}', '{EVENT}'))") == 1
    assert sql.run(f"UPDATE d.sent SET answer = lambda_sync('{NOTIFY}', '{{\"order\": 8}}') WHERE id = 1") == 1
    assert json.loads(sql.value("SELECT answer FROM d.sent"))["event"] == {"order": 8}
    assert sql.value(f"SELECT JSON_EXTRACT(CONVERT(lambda_sync('{NOTIFY}', '{EVENT}') USING utf8mb4), "
                     "'$.statusCode')") in (200, "200", b"200")
