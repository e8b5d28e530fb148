"""Secrets never show, end to end (issue 7, part 2): the installed `auroraml` against the sandbox's
Aurora SQL endpoints, where grant and revoke really change accounts.

The cluster's master password is a canary (quotes and non-latin-1 text: it goes over the wire as
UTF-8), reached three ways — the RDS-managed master secret, `--secret-arn`, an option file — and
none of it, nor a wrong password, nor an IAM token, shows in stdout, stderr at -v/-vv, the change
journal, or any file left under HOME, $TMPDIR or /tmp. `sandbox run`, the one command that starts
children, gives its child neither a password in argv nor one in the environment (the caller's
MYSQL_PWD is withheld), and a whole grant run inside it stays clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pymysql
import pytest
from support.leaks import MASTER_PASSWORD, PASSWORD, RUN, WRONG_PASSWORD, Files, assert_clean, leaks

from .conftest import AURORAML, auroraml


@pytest.fixture
def files(sandbox, tmp_path, monkeypatch):
    scan = Files(Path(os.environ["HOME"]), tmp_path / "tmpdir")
    monkeypatch.setenv("TMPDIR", str(scan.tmpdir))
    monkeypatch.setenv("AURORAML_JOURNAL", str(tmp_path / "journal" / "journal.jsonl"))
    return scan


def _cluster(sandbox, name="ml-demo") -> dict:
    return sandbox.client("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]


def _set_master_password(sandbox, password: str) -> None:
    """ml-demo's master password lives in its RDS-managed secret; the SQL endpoint reads it at login."""
    arn = _cluster(sandbox)["MasterUserSecret"]["SecretArn"]
    sandbox.client("secretsmanager").put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": "admin", "password": password}))


def _as_master(sandbox, sql: str) -> None:
    c = _cluster(sandbox)
    conn = pymysql.connect(host=c["Endpoint"], port=c["Port"], user="admin", password=MASTER_PASSWORD.encode(),
                           connect_timeout=5, read_timeout=10, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def test_grant_revoke_and_status_with_a_canary_master_password_show_it_nowhere(sandbox, files):
    _set_master_password(sandbox, MASTER_PASSWORD)
    _as_master(sandbox, "CREATE USER 'analyst'@'%' IDENTIFIED BY 'analyst-Pw-1'")
    arn = sandbox.client("secretsmanager").create_secret(
        Name="ml-demo/admin", SecretString=json.dumps({"username": "admin", "password": MASTER_PASSWORD}))["ARN"]
    cnf = files.written(files.home / "admin.cnf", f"[client]\nuser = admin\npassword = {MASTER_PASSWORD}\n")
    sources = {"managed master secret": [], "--secret-arn": ["--secret-arn", arn], "option file": ["--defaults-file", str(cnf)]}
    shown = []
    for (source, extra), (verb, status) in zip(sources.items(), (("grant", "done"), ("revoke", "done"), ("grant", "done"))):
        consent = ["--yes"] if verb == "revoke" else []
        r = auroraml("-vv", "-o", "json", verb, "comprehend", "analyst", "--cluster", "ml-demo", *extra, *consent)
        assert {s["status"] for s in r.json()["steps"]} == {status}, source
        assert "connecting to" in r.stderr and "aws call" in r.stderr  # -vv logged, and logged no secret
        shown += [r.stdout, r.stderr]
        if not extra:  # status reads every instance (one connection each): once is enough
            s = auroraml("-vv", "-o", "json", "status", "--cluster", "ml-demo")
            assert all(i["reachable"] for i in s.json()["instances"]), source
            shown += [s.stdout, s.stderr]
    assert_clean(*shown, extra=(MASTER_PASSWORD,))

    wrong = sandbox.client("secretsmanager").create_secret(
        Name="ml-demo/wrong", SecretString=json.dumps({"username": "admin", "password": WRONG_PASSWORD}))["ARN"]
    denied = auroraml("-vv", "-o", "json", "grant", "comprehend", "analyst", "--cluster", "ml-demo", "--secret-arn", wrong, code=5)
    assert "Access denied" in denied.stderr
    import certifi

    token = auroraml("-vv", "grant", "comprehend", "analyst", "--cluster", "ml-demo", "--iam-auth", "--user", "admin",
                     "--ssl-ca", certifi.where(), code=5)  # a token was made; the endpoint offers no TLS
    assert "cannot connect" in token.stderr
    assert_clean(denied.stdout, denied.stderr, token.stdout, token.stderr, extra=("X-Amz-", "Action=connect", "DBUser="))

    journals = files.journals()
    assert journals and '"grant-role"' in journals[0].read_text()  # the journal recorded the grants ...
    assert not leaks(journals[0].read_text(), (MASTER_PASSWORD, WRONG_PASSWORD))  # ... and no password
    files.assert_clean(extra=(MASTER_PASSWORD,))


CHILD = r'''
import json, os, subprocess, sys
import boto3, pymysql

out, auroraml, password = sys.argv[1], sys.argv[2], os.environ.pop("CANARY_FOR_CHILD")
report = {"argv": sys.argv, "env": dict(os.environ)}
rds = boto3.client("rds")
sm = boto3.client("secretsmanager")
c = rds.describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
sm.put_secret_value(SecretId=c["MasterUserSecret"]["SecretArn"],
                    SecretString=json.dumps({"username": "admin", "password": password}))
conn = pymysql.connect(host=c["Endpoint"], port=c["Port"], user="admin", password=password.encode(), autocommit=True)
conn.cursor().execute("CREATE USER 'analyst'@'%'")
conn.close()
arn = sm.create_secret(Name="admin", SecretString=json.dumps({"username": "admin", "password": password}))["ARN"]
done = subprocess.run([auroraml, "-vv", "-o", "json", "grant", "comprehend", "analyst", "--cluster", "ml-demo",
                       "--secret-arn", arn], capture_output=True, text=True)
report.update(code=done.returncode, stdout=done.stdout, stderr=done.stderr)
json.dump(report, open(out, "w"))
'''


def test_sandbox_run_gives_its_command_no_password_and_a_grant_inside_it_shows_none(isolated, tmp_path, monkeypatch):
    """The caller has MYSQL_PWD and a ~/.my.cnf with a password: `sandbox run`'s child gets neither
    (the variable is withheld; the file is never read into argv or the environment). The child then
    sets a canary master password, and a grant through --secret-arn shows it nowhere."""
    files = Files(Path(os.environ["HOME"]), tmp_path / "tmpdir")
    cnf = files.written(files.home / ".my.cnf", f"[client]\nuser = admin\npassword = {PASSWORD}\n")
    out = tmp_path / "child.json"
    script = files.written(tmp_path / "child.py", CHILD)
    env = {**os.environ, "MYSQL_PWD": PASSWORD, "AURORAML_DEFAULTS_FILE": str(cnf), "TMPDIR": str(files.tmpdir),
           "AURORAML_JOURNAL": str(tmp_path / "journal.jsonl"),
           # the canary the child is to use, handed over by a variable it removes before reporting
           "CANARY_FOR_CHILD": MASTER_PASSWORD}
    done = subprocess.run([AURORAML, "-vv", "sandbox", "run", "--", sys.executable, str(script), str(out), AURORAML],
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr
    child = json.loads(out.read_text())
    files.skip.add(out)  # the child's report: checked below
    assert "MYSQL_PWD" not in child["env"]
    assert child["env"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert child["code"] == 0, child["stderr"]
    assert {s["status"] for s in json.loads(child["stdout"])["steps"]} == {"done"}
    # The child's own argv and environment, the grant's output, sandbox run's own output.
    assert_clean(json.dumps(child["argv"]), json.dumps(child["env"]), child["stdout"], child["stderr"],
                 done.stdout, done.stderr, extra=(MASTER_PASSWORD,))
    journal = tmp_path / "journal.jsonl"
    assert RUN not in (journal.read_text() if journal.exists() else "")
    files.assert_clean(extra=(MASTER_PASSWORD,))
