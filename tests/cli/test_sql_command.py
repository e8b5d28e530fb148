"""`auroraml sql`: one statement (-e) against the sandbox's SQL endpoint, and the user's client
opened with the password in a private option file (a fake `mysql` on PATH shows what it got)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

PASSWORD = "sql-Pa55 w#rd\"'\\x"  # quotes, a backslash, a space and # must survive the option file
CLUSTER = "ml-demo"


@pytest.fixture
def endpoint(sandbox_aws, isolated):
    """ml-demo's SQL endpoint (TLS with its own CA), its master password in an option file."""
    import pymysql

    from auroraml_cli.sandbox.seed import V3
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id=CLUSTER, engine_version=V3, master_password=PASSWORD) as ep:
        admin = pymysql.connect(host=ep.host, port=ep.port, user="admin", password=PASSWORD, autocommit=True)
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE mldb")
            cursor.execute("CREATE TABLE mldb.t (id INT, name VARCHAR(20))")
            cursor.execute("INSERT INTO mldb.t VALUES (1, 'one'), (2, 'two')")
        admin.close()
        escaped = PASSWORD.replace("\\", "\\\\").replace('"', '\\"')
        (isolated / "admin.cnf").write_text(f'[client]\nuser = admin\npassword = "{escaped}"\n')
        yield ep


def _conn(endpoint, isolated):
    return ("--host", endpoint.host, "--port", str(endpoint.port), "--defaults-file", str(isolated / "admin.cnf"),
            "--ssl-ca", str(endpoint.ssl_ca))


def test_execute_prints_a_table(cli, endpoint, isolated):
    r = cli("-o", "table", "sql", *_conn(endpoint, isolated), "--database", "mldb", "-e", "SELECT id, name FROM t ORDER BY id")
    assert "id" in r.stdout and "name" in r.stdout and "one" in r.stdout and "two" in r.stdout
    assert "2 rows" in r.stderr
    assert PASSWORD not in r.stdout + r.stderr


def test_execute_prints_json(cli, endpoint, isolated):
    r = cli("-o", "json", "sql", *_conn(endpoint, isolated), "-e", "SELECT id, name FROM mldb.t ORDER BY id")
    doc = r.json()
    assert doc["command"] == "sql" and doc["columns"] == ["id", "name"]
    assert doc["rows"] == [[1, "one"], [2, "two"]] and doc["rows_affected"] is None


def test_execute_a_change_reports_the_rows_affected(cli, endpoint, isolated):
    r = cli("-o", "json", "sql", *_conn(endpoint, isolated), "-e", "UPDATE mldb.t SET name = 'uno' WHERE id = 1")
    assert r.json()["rows_affected"] == 1 and r.json()["rows"] == []
    assert "1 row affected" in r.stderr


def test_execute_through_the_cluster_with_its_managed_secret(cli, endpoint, boto, monkeypatch):
    """--cluster alone: the writer endpoint from RDS, the master password from its secret, TLS
    verified with the sandbox's CA (AURORAML_SSL_CA, as `sandbox start` exports it)."""
    arn = boto("rds").describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["MasterUserSecret"]["SecretArn"]
    boto("secretsmanager").put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "admin", "password": PASSWORD}))
    monkeypatch.setenv("AURORAML_SSL_CA", str(endpoint.ssl_ca))
    r = cli("-o", "json", "sql", "--cluster", CLUSTER, "-e", "SELECT CURRENT_USER()", code=None)
    assert r.code == 0, r.stderr
    assert r.json()["rows"][0][0].startswith("admin@")


def test_a_refused_statement_is_a_database_error(cli, endpoint, isolated):
    r = cli("sql", *_conn(endpoint, isolated), "-e", "SELECT * FROM mldb.no_such_table", code=5)
    assert r.stdout == "" and "refused the statement" in r.stderr and "1146" in r.stderr


def test_an_empty_statement_is_a_usage_error(cli, isolated):
    r = cli("sql", "--host", "127.0.0.1", "-e", " ", code=2)
    r.assert_refused()


FAKE_MYSQL = """#!{python}
import json, os, re, stat, sys
path = next(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--defaults-file="))
text = open(path).read()
report = {{"argv": sys.argv[1:], "path": path, "mode": oct(stat.S_IMODE(os.stat(path).st_mode)),
          "options": re.sub(r"(?m)^password = .*$", "password = <hidden>", text),
          "has_password": "\\npassword = " in text,
          "login_file": os.environ.get("MYSQL_TEST_LOGIN_FILE"), "mysql_pwd": "MYSQL_PWD" in os.environ}}
open(os.environ["FAKE_REPORT"], "w").write(json.dumps(report))
sys.exit(int(os.environ.get("FAKE_STATUS", "0")))
"""


@pytest.fixture
def fake_client(tmp_path, monkeypatch):
    """A PATH holding only a fake `mysql` (no real client), and where it writes what it saw."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "mysql"
    script.write_text(FAKE_MYSQL.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    report = tmp_path / "report.json"
    monkeypatch.setenv("FAKE_REPORT", str(report))
    monkeypatch.setenv("MYSQL_PWD", "not-for-the-child")
    return report


def test_the_client_gets_the_password_in_a_private_file_never_in_argv(cli, endpoint, isolated, fake_client):
    r = cli("sql", *_conn(endpoint, isolated), "--database", "mldb")
    seen = json.loads(fake_client.read_text())
    assert not any(PASSWORD in a for a in seen["argv"]), seen["argv"]
    assert seen["argv"] == [f"--defaults-file={seen['path']}"]
    assert seen["mode"] == "0o600" and seen["has_password"]
    assert not Path(seen["path"]).exists()  # deleted once the client exited
    options = seen["options"]
    assert f"!include {isolated / 'admin.cnf'}" in options  # the user's own settings, read first
    assert f'host = "{endpoint.host}"' in options and f"port = {endpoint.port}" in options
    assert 'user = "admin"' in options and 'database = "mldb"' in options
    assert "loose-ssl-mode = VERIFY_IDENTITY" in options and "loose-ssl-verify-server-cert" in options
    assert seen["login_file"] and not Path(seen["login_file"]).exists() and not seen["mysql_pwd"]
    assert "opening mysql" in r.stderr and PASSWORD not in r.stderr


def test_the_option_file_reads_back_the_password_as_written(endpoint, isolated):
    """What the client will read: the file auroraml writes, through the option-file reader."""
    from auroraml_cli.core import client, optionfile
    from auroraml_cli.core.db import Credentials

    text = client.option_text({"host": "h", "port": 3306, "ssl_mode": "PREFERRED"}, Credentials("u", PASSWORD, "test"), "mysql")
    sink = optionfile.Options()
    optionfile.parse(text, "x", optionfile.groups(), sink)
    assert sink.values["password"] == PASSWORD and sink.values["user"] == "u"


def test_the_client_exit_status_is_a_database_error_and_the_file_still_goes(cli, endpoint, isolated, fake_client, monkeypatch):
    monkeypatch.setenv("FAKE_STATUS", "1")
    r = cli("sql", *_conn(endpoint, isolated), code=5)
    assert "mysql exited with status 1" in r.stderr
    assert not Path(json.loads(fake_client.read_text())["path"]).exists()


def test_no_client_on_path(cli, isolated, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    r = cli("sql", "--host", "127.0.0.1", "--user", "u", code=3)
    r.assert_refused()
    assert "no SQL client found" in r.stderr and "mysql, mariadb, mycli" in r.stderr and "-e" in r.stderr


def test_mycli_gets_plain_options_and_no_include(tmp_path):
    from auroraml_cli.core import client
    from auroraml_cli.core.db import Credentials

    text = client.option_text({"host": "h", "port": 3306, "ssl_mode": "VERIFY_IDENTITY", "ssl_ca": str(tmp_path / "ca.pem")},
                              Credentials("u", "p4ssword", "test"), "mycli", [str(tmp_path / "my.cnf")])
    assert "!include" not in text and "loose-" not in text and "ssl-verify-server-cert" in text
