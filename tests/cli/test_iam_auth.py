"""TLS (--ssl-ca, --ssl-mode) and RDS IAM database authentication (--iam-auth) end to end, in-process:
the seeded sandbox in moto, the cluster's SQL endpoint with its own CA, tokens made by the CLI
with the caller's AWS credentials and checked by the endpoint as Aurora checks them."""

from __future__ import annotations

import json

import pymysql
import pytest

PASSWORD = "iam-Pa55word"
CLUSTER = "ml-demo"
IAM_USER = "iamuser"
ALL_BUT_CONNECT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "rds-db:connect", "Resource": "*"}]}
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture
def aurora(sandbox_aws, boto, isolated):
    """ml-demo's SQL endpoint, IAM authentication enabled unless a test turns it off, `iamuser`
    created WITH AWSAuthenticationPlugin and holding rds_superuser_role; `app` a password account."""
    from auroraml_cli.sandbox.seed import V3
    from auroraml_cli.sandbox.sql import start_endpoint

    boto("rds").modify_db_cluster(DBClusterIdentifier=CLUSTER, EnableIAMDatabaseAuthentication=True, ApplyImmediately=True)
    with start_endpoint(cluster_id=CLUSTER, engine_version=V3, master_password=PASSWORD) as endpoint:
        admin = pymysql.connect(host=endpoint.host, port=endpoint.port, user="admin", password=PASSWORD, autocommit=True)
        with admin.cursor() as cursor:
            for sql in (f"CREATE USER {IAM_USER} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'",
                        f"GRANT rds_superuser_role TO {IAM_USER}", f"SET DEFAULT ROLE rds_superuser_role TO {IAM_USER}",
                        "CREATE USER app IDENTIFIED BY 'app-Pa55word'", "CREATE DATABASE mldb"):
                cursor.execute(sql)
        (isolated / "admin.cnf").write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\n")
        yield endpoint
        admin.close()


def _iam(aurora):
    return ("--iam-auth", "--ssl-ca", str(aurora.ssl_ca))


def _as_iam_user(boto, monkeypatch, name: str, policy: dict) -> None:
    """Run the CLI with the access key of a new IAM user holding `policy`."""
    iam = boto("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])


def _findings(result, prefix: str = "iam-auth") -> dict[str, str]:
    return {f["check"]: f["status"] for f in result.json()["checks"] if f["check"].startswith(prefix)}


# -- --iam-auth on the commands that connect ------------------------------------------------------


def test_status_logs_in_to_every_instance_with_a_token(cli, aurora):
    r = cli("-o", "json", "status", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora))
    instances = r.json()["instances"]
    assert len(instances) == 2 and all(i["reachable"] for i in instances)


def test_grant_and_ddl_apply_with_a_token(cli, aurora):
    cli("grant", "comprehend", "app", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora))
    conn = pymysql.connect(host=aurora.host, port=aurora.port, user="admin", password=PASSWORD)
    with conn.cursor() as cursor:
        cursor.execute("SHOW GRANTS FOR app")
        assert any("AWS_COMPREHEND_ACCESS" in row[0] for row in cursor.fetchall())
    cli("ddl", "sagemaker", "mldb.score", "--endpoint", "rcf-taxi", "--arg", "x:DOUBLE", "--returns", "DOUBLE",
        "--apply", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora))
    with conn.cursor() as cursor:
        cursor.execute("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb'")
        assert cursor.fetchall() == (("score",),)
    conn.close()


def test_a_refused_token_is_exit_5_with_the_iam_hint_and_no_token_shown(cli, aurora, boto):
    boto("rds").modify_db_cluster(DBClusterIdentifier=CLUSTER, EnableIAMDatabaseAuthentication=False, ApplyImmediately=True)
    r = cli("status", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora), code=5)
    assert r.stderr.count("Access denied for user 'iamuser'@'127.0.0.1' (using password: YES)") == 2  # each instance
    r = cli("grant", "comprehend", "app", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora), code=5)
    assert "Access denied for user 'iamuser'" in r.stderr and "AWSAuthenticationPlugin" in r.stderr
    assert "X-Amz-Signature" not in r.stderr + r.stdout


def test_iam_auth_needs_tls(cli, aurora):
    r = cli("status", "--cluster", CLUSTER, "--user", IAM_USER, "--iam-auth", code=2)
    assert "--iam-auth needs TLS" in r.stderr
    r = cli("status", "--cluster", CLUSTER, "--user", IAM_USER, *_iam(aurora), "--ssl-mode", "DISABLED", code=2)
    assert "--ssl-mode DISABLED" in r.stderr


# -- check ---------------------------------------------------------------------------------------


def test_check_passes_the_iam_login_checks_when_all_hold(cli, aurora, boto, monkeypatch):
    _as_iam_user(boto, monkeypatch, "operator", EVERYTHING)
    r = cli("-o", "json", "check", "--cluster", CLUSTER, "--db-user", IAM_USER, *_iam(aurora), code=None)
    assert _findings(r) == {"iam-auth-cluster": "pass", "iam-auth-caller": "pass", "iam-auth-user": "pass"}


def test_check_reports_a_cluster_without_iam_authentication(cli, aurora, boto, monkeypatch):
    boto("rds").modify_db_cluster(DBClusterIdentifier=CLUSTER, EnableIAMDatabaseAuthentication=False, ApplyImmediately=True)
    _as_iam_user(boto, monkeypatch, "operator", EVERYTHING)
    r = cli("-o", "json", "check", "--cluster", CLUSTER, "--db-user", IAM_USER, *_iam(aurora), code=1)
    assert _findings(r) == {"iam-auth-cluster": "fail", "iam-auth-caller": "pass", "iam-auth-user": "skip"}
    fix = next(f["fix"] for f in r.json()["checks"] if f["check"] == "iam-auth-cluster")
    assert "--enable-iam-database-authentication" in fix


def test_check_reports_a_caller_without_rds_db_connect(cli, aurora, boto, monkeypatch):
    _as_iam_user(boto, monkeypatch, "operator", ALL_BUT_CONNECT)
    r = cli("-o", "json", "check", "--cluster", CLUSTER, "--db-user", IAM_USER, *_iam(aurora), code=1)
    assert _findings(r) == {"iam-auth-cluster": "pass", "iam-auth-caller": "fail", "iam-auth-user": "skip"}
    resource_id = boto("rds").describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["DbClusterResourceId"]
    caller = next(f for f in r.json()["checks"] if f["check"] == "iam-auth-caller")
    assert f"dbuser:{resource_id}/{IAM_USER}" in caller["detail"] and "iam-policy --iam-auth" in caller["fix"]


def test_check_reports_a_user_without_the_plugin(cli, aurora, boto, monkeypatch):
    _as_iam_user(boto, monkeypatch, "operator", EVERYTHING)
    r = cli("-o", "json", "check", "--cluster", CLUSTER, "--db-user", "app", *_iam(aurora), code=1)
    assert _findings(r) == {"iam-auth-cluster": "pass", "iam-auth-caller": "pass", "iam-auth-user": "fail"}
    user = next(f for f in r.json()["checks"] if f["check"] == "iam-auth-user")
    assert "AWSAuthenticationPlugin" in user["detail"] and "CREATE USER 'app' IDENTIFIED WITH" in user["fix"]


# -- --ssl-mode ----------------------------------------------------------------------------------


def _password(aurora, isolated, *extra: str):
    return ("--host", aurora.host, "--port", str(aurora.port), "--defaults-file", str(isolated / "admin.cnf"), *extra)


@pytest.mark.parametrize("mode", ["VERIFY_IDENTITY", "verify_ca", "REQUIRED", "PREFERRED", "DISABLED"])
def test_every_ssl_mode_connects_to_the_sandbox_with_its_ca(cli, aurora, isolated, mode):
    cli("status", *_password(aurora, isolated, "--ssl-ca", str(aurora.ssl_ca), "--ssl-mode", mode))


def test_verify_identity_fails_on_a_name_the_certificate_lacks_and_verify_ca_passes(cli, sandbox_aws, isolated, tmp_path):
    from auroraml_cli.sandbox import tls
    from auroraml_cli.sandbox.seed import V3
    from auroraml_cli.sandbox.sql import start_endpoint

    material = tls.write(tmp_path / "named", ("db.example.com",), loopback=False)
    with start_endpoint(cluster_id=CLUSTER, engine_version=V3, master_password=PASSWORD, tls=material) as endpoint:
        (isolated / "admin.cnf").write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\n")
        base = _password(endpoint, isolated, "--ssl-ca", str(material.ca_path))
        r = cli("status", *base, code=5)  # --ssl-ca alone: VERIFY_IDENTITY
        assert "did not verify" in r.stderr and "IP address mismatch" in r.stderr
        cli("status", *base, "--ssl-mode", "VERIFY_IDENTITY", code=5)
        cli("status", *base, "--ssl-mode", "VERIFY_CA")


def test_another_ca_fails_verification(cli, aurora, isolated, tmp_path):
    from auroraml_cli.sandbox import tls

    other = tmp_path / "other.pem"
    other.write_bytes(tls._generate(("127.0.0.1",))[0])
    r = cli("grant", "comprehend", "app", *_password(aurora, isolated, "--ssl-ca", str(other), "--ssl-mode", "VERIFY_CA"),
            code=5)
    assert "certificate did not verify (self-signed certificate in certificate chain" in r.stderr
    assert "next: check --ssl-ca" in r.stderr


def test_ssl_mode_from_the_option_file_and_its_refusals(cli, aurora, isolated):
    cnf = isolated / "admin.cnf"
    cnf.write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\nssl-ca = {aurora.ssl_ca}\nssl-mode = VERIFY_CA\n")
    cli("status", "--host", aurora.host, "--port", str(aurora.port), "--defaults-file", str(cnf))
    cnf.write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\nssl-mode = VERIFY_SOMETIMES\n")
    r = cli("status", "--host", aurora.host, "--port", str(aurora.port), "--defaults-file", str(cnf), code=3)
    assert "is not an SSL mode" in r.stderr and "VERIFY_IDENTITY" in r.stderr
    r = cli("status", *_password(aurora, isolated, "--ssl-mode", "VERIFY_CA"), code=2)  # nothing to verify with
    assert "needs --ssl-ca" in r.stderr
    cli("status", *_password(aurora, isolated, "--ssl-mode", "bogus"), code=2)


# -- iam-policy ----------------------------------------------------------------------------------


def test_iam_policy_adds_rds_db_connect_for_the_users_on_the_cluster(cli, sandbox_aws, boto):
    resource_id = boto("rds").describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["DbClusterResourceId"]
    r = cli("iam-policy", "--cluster", CLUSTER, "--command", "status", "--iam-auth", "--db-user", IAM_USER,
            "--db-user", "reporter")
    statement = next(s for s in json.loads(r.stdout)["Statement"] if s["Sid"] == "AuroraMLConnectWithIAM")
    assert statement["Action"] == ["rds-db:connect"]
    assert statement["Resource"] == [f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}/{IAM_USER}",
                                     f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}/reporter"]
    plain = cli("iam-policy", "--command", "status")
    assert "rds-db:connect" not in plain.stdout
    setup_only = cli("iam-policy", "--command", "setup", "--iam-auth", "--db-user", IAM_USER)
    assert "rds-db:connect" not in setup_only.stdout  # setup never logs in to the database


def test_iam_policy_refuses_db_user_without_iam_auth_and_wildcards(cli):
    cli("iam-policy", "--db-user", IAM_USER, code=2).assert_refused()
    cli("iam-policy", "--iam-auth", code=2).assert_refused()
    cli("iam-policy", "--iam-auth", "--db-user", "a*", code=2).assert_refused()


def test_check_with_the_sandbox_keys_finds_the_account_root_allowed(cli, aurora):
    r = cli("-o", "json", "check", "--cluster", CLUSTER, "--db-user", IAM_USER, *_iam(aurora), code=None)
    assert _findings(r) == {"iam-auth-cluster": "pass", "iam-auth-caller": "pass", "iam-auth-user": "pass"}
    caller = next(f for f in r.json()["checks"] if f["check"] == "iam-auth-caller")
    assert caller["detail"].startswith("arn:aws:iam::123456789012:root is the account root")
