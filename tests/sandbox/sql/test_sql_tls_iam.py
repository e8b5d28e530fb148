"""TLS and RDS IAM database authentication on the SQL endpoint, as a client meets them on Aurora.

TLS: the endpoint's certificate verifies against its CA (`endpoint.ssl_ca`) and names the host
the client connects to; another CA, or a name the certificate lacks, fails the handshake.
REQUIRE SSL refuses plain TCP with MySQL's 1045. IAM: an account IDENTIFIED WITH
AWSAuthenticationPlugin logs in over TLS with a token from generate_db_auth_token; a token that
is expired, made for another user or endpoint, signed with a wrong secret, or whose caller may not
rds-db:connect, or a cluster without IAM authentication enabled, gets the same 1045.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
from typing import Any

import boto3
import pymysql
import pytest
from sandbox_support import ACCOUNT, PASSWORD
from sql_support import connect

IAM_USER = "iamuser"
DENIED = "Access denied for user 'iamuser'@'127.0.0.1' (using password: YES)"


def _verified(ca: Any, check_hostname: bool = True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    context.check_hostname = check_hostname
    return context


@pytest.fixture
def iam_cluster(endpoint_for: Any, client_for: Any) -> Any:
    """A cluster with IAM database authentication enabled and the IAM account `iamuser`."""
    endpoint = endpoint_for("iamdb", EnableIAMDatabaseAuthentication=True)
    client_for(endpoint).run(f"CREATE USER {IAM_USER} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    return endpoint


def _token(client: Any, endpoint: Any, user: str = IAM_USER, host: str | None = None, port: int | None = None,
           **keys: str) -> str:
    rds = client("rds") if not keys else boto3.client("rds", region_name="us-east-1", **keys)
    return rds.generate_db_auth_token(DBHostname=host or endpoint.host, Port=port or endpoint.port, DBUsername=user)


def _login(endpoint: Any, token: str, user: str = IAM_USER, **options: Any) -> pymysql.Connection:
    options.setdefault("ssl", _verified(endpoint.ssl_ca))
    return connect(endpoint, user, token, **options)


def _refused(endpoint: Any, token: str, user: str = IAM_USER, **options: Any) -> tuple[int, str]:
    with pytest.raises(pymysql.MySQLError) as caught:
        _login(endpoint, token, user, **options)
    return caught.value.args[0], caught.value.args[1]


def _iam_user(client: Any, name: str, policy: dict | None) -> dict[str, str]:
    iam = client("iam")
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="db", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def _connect_policy(resource: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": resource}]}


def _resource_id(client: Any, cluster: str = "iamdb") -> str:
    return client("rds").describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DbClusterResourceId"]


# -- TLS ---------------------------------------------------------------------------------------


def test_tls_verifies_with_the_endpoint_ca_and_names_the_loopback_hosts(endpoint_for: Any) -> None:
    endpoint = endpoint_for()
    for host in ("127.0.0.1", "localhost"):
        conn = pymysql.connect(host=host, port=endpoint.port, user="admin", password=PASSWORD,
                               ssl=_verified(endpoint.ssl_ca), connect_timeout=5)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert conn._sock.version() in ("TLSv1.2", "TLSv1.3")  # noqa: SLF001 - the socket is TLS
        conn.close()


def test_another_ca_fails_the_handshake(endpoint_for: Any, tmp_path: Any) -> None:
    from auroraml_cli.sandbox import tls

    endpoint = endpoint_for()
    other = tmp_path / "other-ca.pem"
    other.write_bytes(tls._generate(("127.0.0.1",))[0])  # a CA of its own, for the same names
    with pytest.raises(pymysql.err.OperationalError) as caught:
        connect(endpoint, ssl=_verified(other))
    assert caught.value.args[0] == 2003 and "CERTIFICATE_VERIFY_FAILED" in caught.value.args[1]


def test_a_name_the_certificate_lacks_fails_only_when_the_name_is_verified(make_cluster: Any, tmp_path: Any) -> None:
    from auroraml_cli.sandbox import tls
    from auroraml_cli.sandbox.sql import start_endpoint

    make_cluster("named")
    material = tls.write(tmp_path / "named", ("db.example.com",), loopback=False)
    with start_endpoint(cluster_id="named", engine_version="8.0.mysql_aurora.3.06.0", tls=material) as endpoint:
        with pytest.raises(pymysql.err.OperationalError) as caught:
            connect(endpoint, ssl=_verified(endpoint.ssl_ca))
        assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in caught.value.args[1]
        connect(endpoint, ssl=_verified(endpoint.ssl_ca, check_hostname=False)).close()  # VERIFY_CA


def test_require_ssl_refuses_plain_tcp_with_1045_and_takes_tls(endpoint_for: Any, client_for: Any) -> None:
    endpoint = endpoint_for()
    client_for(endpoint).run("CREATE USER tlsonly IDENTIFIED BY 'tls-Pa55' REQUIRE SSL")
    with pytest.raises(pymysql.MySQLError) as caught:
        connect(endpoint, "tlsonly", "tls-Pa55", ssl_disabled=True)
    assert caught.value.args == (1045, "Access denied for user 'tlsonly'@'127.0.0.1' (using password: YES)")
    connect(endpoint, "tlsonly", "tls-Pa55", ssl=_verified(endpoint.ssl_ca)).close()
    connect(endpoint, "admin", PASSWORD, ssl_disabled=True).close()  # plain TCP still connects without REQUIRE SSL


def test_require_x509_is_refused_by_name(endpoint_for: Any, client_for: Any) -> None:
    code, message = client_for(endpoint_for()).error("CREATE USER cert IDENTIFIED BY 'x' REQUIRE X509")
    assert code == 1235 and "REQUIRE X509" in message


# -- IAM database authentication ------------------------------------------------------------------


def test_a_valid_token_logs_in_over_tls(iam_cluster: Any, client: Any) -> None:
    conn = _login(iam_cluster, _token(client, iam_cluster))
    with conn.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        assert cursor.fetchone() == ("iamuser@%",)
    conn.close()


def test_an_expired_token_is_refused(iam_cluster: Any, client: Any) -> None:
    from auroraml_cli.sandbox import layer

    token = _token(client, iam_cluster)
    _login(iam_cluster, token).close()
    layer.advance(890)
    _login(iam_cluster, token).close()  # still inside its 15 minutes
    layer.advance(11)
    assert _refused(iam_cluster, token) == (1045, DENIED)


def test_a_token_made_for_another_user_is_refused(iam_cluster: Any, client: Any, client_for: Any) -> None:
    client_for(iam_cluster).run("CREATE USER other IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    assert _refused(iam_cluster, _token(client, iam_cluster, user="other")) == (1045, DENIED)


def test_a_token_made_for_another_endpoint_is_refused(iam_cluster: Any, client: Any) -> None:
    assert _refused(iam_cluster, _token(client, iam_cluster, host="localhost")) == (1045, DENIED)
    assert _refused(iam_cluster, _token(client, iam_cluster, port=iam_cluster.port + 1)) == (1045, DENIED)


def test_a_token_with_a_wrong_signature_or_unknown_key_is_refused(iam_cluster: Any, client: Any) -> None:
    forged = _token(client, iam_cluster, aws_access_key_id="testing", aws_secret_access_key="not-the-secret")
    assert _refused(iam_cluster, forged) == (1045, DENIED)
    unknown = _token(client, iam_cluster, aws_access_key_id="AKIANOBODY", aws_secret_access_key="x")
    assert _refused(iam_cluster, unknown) == (1045, DENIED)
    assert _refused(iam_cluster, "not a token") == (1045, DENIED)


def test_a_token_over_plain_tcp_is_refused(iam_cluster: Any, client: Any) -> None:
    assert _refused(iam_cluster, _token(client, iam_cluster), ssl_disabled=True) == (1045, DENIED)


def test_an_iam_user_needs_rds_db_connect_on_the_dbuser_arn(iam_cluster: Any, client: Any) -> None:
    arn = f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:{_resource_id(client)}/{IAM_USER}"
    allowed = _iam_user(client, "dev-allowed", _connect_policy(arn))
    _login(iam_cluster, _token(client, iam_cluster, **allowed)).close()
    other_user = _iam_user(client, "dev-other-user", _connect_policy(arn.replace(f"/{IAM_USER}", "/someone")))
    assert _refused(iam_cluster, _token(client, iam_cluster, **other_user)) == (1045, DENIED)
    nothing = _iam_user(client, "dev-nothing", None)
    assert _refused(iam_cluster, _token(client, iam_cluster, **nothing)) == (1045, DENIED)
    wildcard = _iam_user(client, "dev-wildcard", _connect_policy(f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:*/*"))
    _login(iam_cluster, _token(client, iam_cluster, **wildcard)).close()


def test_a_cluster_without_iam_authentication_refuses_tokens_until_it_is_enabled(endpoint_for: Any, client_for: Any,
                                                                                   client: Any) -> None:
    endpoint = endpoint_for("noiam")
    client_for(endpoint).run(f"CREATE USER {IAM_USER} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    assert _refused(endpoint, _token(client, endpoint)) == (1045, DENIED)
    rds = client("rds")
    rds.modify_db_cluster(DBClusterIdentifier="noiam", EnableIAMDatabaseAuthentication=True, ApplyImmediately=True)
    assert rds.describe_db_clusters(DBClusterIdentifier="noiam")["DBClusters"][0]["IAMDatabaseAuthenticationEnabled"]
    _login(endpoint, _token(client, endpoint)).close()


def test_a_password_account_does_not_take_a_token_nor_an_iam_account_a_password(iam_cluster: Any, client: Any) -> None:
    assert _refused(iam_cluster, "password123") == (1045, DENIED)
    with pytest.raises(pymysql.MySQLError) as caught:
        connect(iam_cluster, "admin", _token(client, iam_cluster, user="admin"), ssl=_verified(iam_cluster.ssl_ca))
    assert caught.value.args[0] == 1045


def test_the_instance_endpoint_takes_a_token_for_itself(endpoint_for: Any, client_for: Any, client: Any) -> None:
    endpoint = endpoint_for("inst", EnableIAMDatabaseAuthentication=True)
    client_for(endpoint).run(f"CREATE USER {IAM_USER} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    (instance_port,) = endpoint.instances.values()
    token = _token(client, endpoint, port=instance_port)
    conn = pymysql.connect(host=endpoint.host, port=instance_port, user=IAM_USER, password=token,
                           ssl=_verified(endpoint.ssl_ca), connect_timeout=5)
    conn.close()


@pytest.mark.skipif(shutil.which("mariadb") is None, reason="the mariadb client is not installed")
def test_the_mariadb_client_verifies_the_server_and_logs_in_with_a_token(iam_cluster: Any, client: Any) -> None:
    base = ["mariadb", "--no-defaults", "-h", iam_cluster.host, "-P", str(iam_cluster.port), "--ssl-ca",
            str(iam_cluster.ssl_ca), "--ssl-verify-server-cert", "-N", "-B", "-e", "SELECT CURRENT_USER()"]
    env = {**os.environ, "MYSQL_PWD": PASSWORD}
    done = subprocess.run([*base, "-u", "admin"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "admin@%", done.stderr
    env["MYSQL_PWD"] = _token(client, iam_cluster)
    done = subprocess.run([*base, "-u", IAM_USER, "--enable-cleartext-plugin"], env=env, capture_output=True,
                          text=True, timeout=30)
    # (MariaDB 10.x's client warns that --enable-cleartext-plugin is obsolete: it always offers the plugin)
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == "iamuser@%", done.stderr
