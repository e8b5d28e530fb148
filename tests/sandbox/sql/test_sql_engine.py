"""What the endpoint says it is, who is logged in, and who may log in."""

from __future__ import annotations

import pytest
from sandbox_support import PASSWORD, V2, V3, V3_BEDROCK
from sql_support import login_error


@pytest.mark.parametrize(
    ("version", "aurora", "mysql"),
    [(V2, "2.11.2", "5.7.12"), (V3, "3.06.0", "8.0.34"), (V3_BEDROCK, "3.10.1", "8.0.42")],
)
def test_versions_are_the_clusters(endpoint_for, client_for, version, aurora, mysql):
    sql = client_for(endpoint_for("c", version))
    assert sql.one("SELECT AURORA_VERSION(), @@aurora_version, VERSION(), @@version") == (aurora, aurora, mysql, mysql)
    assert sql.value("SELECT @@version_comment") == "Source distribution"
    assert sql.connection.get_server_info() == mysql  # the handshake says it too
    assert sql.columns("SELECT AURORA_VERSION(), @@aurora_version") == ["AURORA_VERSION()", "@@aurora_version"]


def test_the_master_user_and_the_writer(endpoint_for, client_for):
    sql = client_for(endpoint_for("writer", instances=2))
    assert sql.one("SELECT CURRENT_USER(), USER(), @@aurora_server_id") == ("admin@%", "admin@127.0.0.1", "writer-1")
    assert sql.value("SELECT CURRENT_ROLE()") == "NONE"


def test_master_password_is_the_one_rds_holds(endpoint_for, client_for, rds):
    endpoint = endpoint_for("rotating")
    assert client_for(endpoint, password=PASSWORD).value("SELECT 1") == 1
    rds.modify_db_cluster(DBClusterIdentifier="rotating", MasterUserPassword="rotated-pw", ApplyImmediately=True)
    assert client_for(endpoint, password="rotated-pw").value("SELECT 1") == 1
    assert login_error(endpoint, "admin", PASSWORD)[0] == 1045


def test_managed_master_password_comes_from_secrets_manager(rds, client):
    import json

    from sql_support import Client

    from auroraml_cli.sandbox.sql import start_endpoint

    cluster = rds.create_db_cluster(
        DBClusterIdentifier="managed", Engine="aurora-mysql", EngineVersion=V3, MasterUsername="admin",
        ManageMasterUserPassword=True,
    )["DBCluster"]
    secret = client("secretsmanager").get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])
    password = json.loads(secret["SecretString"])["password"]
    with start_endpoint(cluster_id="managed", engine_version=V3) as endpoint:
        sql = Client(endpoint, "admin", password)
        assert sql.value("SELECT CURRENT_USER()") == "admin@%"
        sql.close()


def test_login_refusals_read_like_mysql(v3, admin):
    admin.run("CREATE USER 'ana'@'%' IDENTIFIED BY 'right-pw'")
    denied = "Access denied for user 'ana'@'127.0.0.1' (using password: YES)"
    assert login_error(v3, "ana", "wrong-pw") == (1045, denied)
    assert login_error(v3, "nobody", "") == (1045, "Access denied for user 'nobody'@'127.0.0.1' (using password: NO)")
    code, message = login_error(v3, "AWS_COMPREHEND_ACCESS", "")
    assert code == 1045 and message.endswith("Account is locked.")


def test_accounts_match_by_host_most_specific_first(v3, admin, client_for):
    admin.run("CREATE USER 'ana'@'%' IDENTIFIED BY 'any-host', 'ana'@'127.0.0.1' IDENTIFIED BY 'this-host'")
    assert client_for(v3, "ana", "this-host").value("SELECT CURRENT_USER()") == "ana@127.0.0.1"
    assert login_error(v3, "ana", "any-host")[0] == 1045
    admin.run("CREATE USER 'bo'@'localhost' IDENTIFIED WITH mysql_native_password BY 'pw'")
    assert client_for(v3, "bo", "pw").value("SELECT CURRENT_USER()") == "bo@localhost"


def test_identified_with_a_stored_hash_or_iam(v3, admin, client_for):
    admin.run("CREATE USER hashed IDENTIFIED WITH mysql_native_password AS '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'")
    assert client_for(v3, "hashed", "123456").value("SELECT 1") == 1  # MySQL's hash of '123456'
    admin.run("CREATE USER iam_user IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    assert login_error(v3, "iam_user", "")[0] == 1045


def test_unknown_variable_and_statement_errors(admin):
    assert admin.error("SELECT @@no_such_variable") == (1193, "Unknown system variable 'no_such_variable'")
    code, message = admin.error("SELEC 1")
    assert code == 1064 and message.startswith("You have an error in your SQL syntax") and message.endswith("at line 1")
    assert admin.error("   ")[0] == 1065
    assert admin.error("LOCK TABLES t READ")[0] == 1046  # accepted statement (test_sql_metadata), no database
    assert admin.error("RENAME TABLE a TO b")[0] == 1046  # RENAME TABLE runs (test_sql_client_gaps), no database
    assert admin.run("FLUSH PRIVILEGES") == 0


def test_session_variables_and_their_refusals(admin):
    admin.run("SET SESSION aurora_ml_inference_timeout = 5000")
    assert admin.value("SELECT @@aurora_ml_inference_timeout") == 5000
    assert admin.value("SELECT @@global.aurora_ml_inference_timeout") == 30000
    assert admin.error("SET GLOBAL aws_default_s3_role = 'x'")[0] == 1227
    assert admin.error("SET aws_default_s3_role = 'x'")[0] == 1229
    assert admin.error("SET version = '1'") == (1238, "Variable 'version' is a read only variable")


def test_several_endpoints_in_one_process(endpoint_for, client_for):
    first, second = endpoint_for("one", V2), endpoint_for("two", V3)
    assert first.port != second.port
    assert client_for(first).value("SELECT @@aurora_version") == "2.11.2"
    assert client_for(second).value("SELECT @@aurora_version") == "3.06.0"


def test_start_refusals():
    from auroraml_cli.sandbox.sql import start_endpoint

    with pytest.raises(ValueError, match="loopback"):
        start_endpoint(cluster_id="x", engine_version=V3, host="0.0.0.0")
    with pytest.raises(ValueError, match="no Aurora MySQL engine version"):
        start_endpoint(cluster_id="x", engine_version="8.0.36")


def test_stop_closes_the_port(endpoint_for):
    import socket

    endpoint = endpoint_for("gone")
    endpoint.stop()
    with pytest.raises(OSError), socket.create_connection((endpoint.host, endpoint.port), timeout=1):
        pass


def test_package_import_is_light():
    import subprocess
    import sys

    code = ("import sys, auroraml_cli.sandbox.sql; "
            "print(any(m.split('.')[0] in ('mysql_mimic', 'moto', 'sqlglot') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
