"""Secrets never show (issue 7, part 2).

A database password — from an option file, a Secrets Manager secret (`--secret-arn`), the
cluster's RDS-managed master secret, or the prompt — and an RDS IAM auth token never appear in:
an option of the tool (none takes one), the argv or environment of a child (`sandbox run`), log
lines at -v and -vv, error lines, -vv tracebacks, `-o json` output, or any file left under HOME,
$TMPDIR or the system temporary directory (the cluster-id cache, the change journal when it
exists). Each on the success path and on the failure path (a wrong password: the server's
"Access denied" does not echo it), and when a bug or a driver puts the password into an
exception (errors.redact scrubs every remembered secret).

In-process: AWS is the sandbox (moto), the database the real test MariaDB. Connecting to MariaDB
is the success path here: the credentials work, then the tool refuses MariaDB as not Aurora
(exit 2) or, for `status`, reads its (absent) counters. The installed script against the
sandbox's Aurora SQL endpoints, where grant really changes things, is tests/e2e/test_secrets_e2e.py.

The canaries and the scans are tests/support/leaks.py. `sandbox run` (the one command that starts
children) is proved in the e2e file: its child's argv and environment hold no password.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import stat
import tempfile
from pathlib import Path

import pytest
from support.leaks import (
    MASTER_PASSWORD,
    PASSWORD,
    SECRET_PASSWORD,
    WRONG_PASSWORD,
    Files,
    assert_clean,
    leaks,
)

from auroraml_cli.core import db

OPS_USER = "canary_ops"
# Option names that would take a secret on the command line (argv is visible to every user of the
# machine through ps and /proc). --secret-arn names a secret; it does not carry one.
SECRET_OPTION = re.compile(r"pass|pwd|secret(?!-arn$)|token|credential|private", re.I)
# -vv logs all that -v does and more: quiet and -vv cover every log line.
VERBOSITIES = ([], ["-vv"])
JOURNAL_PENDING = "the change journal (auroraml_cli/core/journal.py) is not in this tree yet: nothing to scan"


@pytest.fixture
def files(tmp_path, isolated, monkeypatch, mariadb):
    tmpdir = tmp_path / "tmpdir"
    # Another engineer's change journal: wherever it lives, it is scanned (see journals()).
    monkeypatch.setenv("AURORAML_JOURNAL", str(tmp_path / "home" / "auroraml-journal.jsonl"))
    scan = Files(tmp_path / "home", tmpdir, skip_dirs=(mariadb.base_dir,))
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    return scan


# --- credentials, four ways -----------------------------------------------------------------------

@pytest.fixture
def server(mariadb, fresh_accounts):
    """The MariaDB accounts the credentials belong to; `args` point a command at the server."""
    fresh_accounts.user(OPS_USER, password=PASSWORD)
    fresh_accounts.user("admin", password=MASTER_PASSWORD)  # the sandbox cluster's master user
    fresh_accounts.user("sm_user", password=SECRET_PASSWORD)
    fresh_accounts.user("analyst")
    return ["--host", mariadb.host, "--port", str(mariadb.port)]


def _secret(boto, name: str, doc, region: str = "us-east-1") -> str:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return boto("secretsmanager", region).create_secret(Name=name, SecretString=text)["ARN"]


def _master_secret(boto, password: str) -> None:
    """The sandbox's ml-demo has an RDS-managed master secret: its value becomes `password`."""
    cluster = boto("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    arn = cluster["MasterUserSecret"]["SecretArn"]
    boto("secretsmanager").put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "admin", "password": password}))


def credentials(source: str, right: bool, files: Files, boto, monkeypatch) -> tuple[list[str], str]:
    """(connection options, the password they lead to) for each way the tool finds a password."""
    if source == "option-file":
        password = PASSWORD if right else WRONG_PASSWORD
        from auroraml_cli.core.client import quote  # escaped as mysql(1) reads it back (\\s is a space there)

        cnf = files.written(files.home.parent / "ops.cnf", f"[client]\nuser = {OPS_USER}\npassword = {quote(password)}\n")
        return ["--defaults-file", str(cnf)], password
    if source == "secret-arn":
        password = SECRET_PASSWORD if right else WRONG_PASSWORD
        arn = _secret(boto, "db/canary-ops", {"username": "sm_user", "password": password, "engine": "mysql"})
        return ["--secret-arn", arn], password
    if source == "managed-master-secret":
        password = MASTER_PASSWORD if right else WRONG_PASSWORD
        _master_secret(boto, password)
        return ["--cluster", "ml-demo"], password
    assert source == "prompt"
    password = PASSWORD if right else WRONG_PASSWORD
    monkeypatch.setattr(db, "_tty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": password)
    return ["--user", OPS_USER], password


SOURCES = ["option-file", "secret-arn", "managed-master-secret", "prompt"]
# Where each test looks (the README quotes these): every source x right/wrong password, and the IAM token.
PLACES = ("option names (hidden ones too)", "settings keys and AURORAML_* variables", "stdout (-o json)",
          "stderr (quiet and -vv)", "error lines", "-vv tracebacks", "log lines", "status and check JSON",
          "files under HOME, $TMPDIR, the working directory and /tmp", "the cluster-id cache (0600)",
          "the change journal", "sandbox run's child argv and environment (e2e)")


def _for_check(args: list[str]) -> list[str]:
    """check's --user is the account it checks; the connecting user is --db-user."""
    out = ["--cluster", "ml-demo"]
    for i, a in enumerate(args):
        if a == "--cluster" or (i and args[i - 1] == "--cluster"):
            continue
        out.append("--db-user" if a == "--user" else a)
    return out


# --- the scrubber ----------------------------------------------------------------------------------

def test_redact_hides_a_secret_in_every_form_and_forgets_it_at_the_next_run():
    from auroraml_cli.core import errors

    errors.forget_secrets()
    db.Credentials("u", PASSWORD, "test")  # remembered as it is made
    for shown in (PASSWORD, repr(PASSWORD), json.dumps(PASSWORD), json.dumps(PASSWORD, ensure_ascii=False),
                  f"(1045, {PASSWORD!r})", str(RuntimeError("x", PASSWORD))):
        assert not leaks(errors.redact(f"before {shown} after")), shown
    assert errors.redact("nothing secret here") == "nothing secret here"
    db.Credentials("u", "abc", "test")  # too short to scrub without blanking ordinary words
    assert errors.redact("abc") == "abc"
    errors.forget_secrets()
    assert errors.redact(PASSWORD) == PASSWORD


# --- no way to type a secret ----------------------------------------------------------------------

def _click_options(command, path=("auroraml",)):
    """Every option of every command, hidden ones included (tools/tree.py leaves those out)."""
    for param in command.params:
        if param.param_type_name == "option":
            yield " ".join(path), [*param.opts, *param.secondary_opts]
    if hasattr(command, "commands"):  # get_command: the root loads its commands when asked
        for name in command.list_commands(None):
            yield from _click_options(command.get_command(None, name), (*path, name))


def test_no_option_environment_variable_or_settings_key_takes_a_secret():
    from auroraml_cli.cli import root_command
    from auroraml_cli.core import settings
    from tools import tree

    every = list(_click_options(root_command()))
    assert len(every) > 100  # the whole tree was walked
    bad = [(cmd, names) for cmd, names in every if any(SECRET_OPTION.search(n) for n in names)]
    assert bad == []
    documented = [o.names for node in tree.walk(tree.build()) for o in node.options]
    assert not [n for names in documented for n in names if SECRET_OPTION.search(n)]
    assert ["--secret-arn"] in documented and ["--iam-auth"] in documented  # what there is instead
    # Nor the layered settings: a [targets.NAME] table or AURORAML_* variable cannot hold one.
    assert not [k for k in (*settings.ENV_KEYS, *settings._TARGET_KEYS) if SECRET_OPTION.search(k)]


def test_a_password_in_the_settings_file_is_refused_and_not_echoed(cli, isolated):
    (isolated / "auroraml.toml").write_text(f'default_target = "t"\n[targets.t]\nuser = "u"\npassword = {json.dumps(PASSWORD)}\n')
    r = cli("iam-policy", code=3)
    r.assert_refused()
    assert "unknown keys: password" in r.stderr
    assert_clean(r.stdout, r.stderr)


# --- every source, right and wrong, at every verbosity --------------------------------------------

def test_a_right_password_never_shows_in_output_logs_or_files(cli, sandbox_aws, boto, server, files, monkeypatch):
    """Connected with each source's password (quotes, a backslash and non-latin-1 text included:
    it goes over the wire as UTF-8, as mysql(1) sends it): grant at every verbosity, status -vv."""
    used = []
    for source in SOURCES:
        conn, password = credentials(source, True, files, boto, monkeypatch)
        used.append(password)
        args = [*conn, *server]
        for verbosity in VERBOSITIES:
            r = cli(*verbosity, "-o", "json", "grant", "comprehend", "analyst", *args, code=2)
            assert "not Aurora MySQL" in r.stderr, source  # connected: the password was right
            if verbosity:
                assert f"as {'admin' if source == 'managed-master-secret' else 'sm_user' if source == 'secret-arn' else OPS_USER}" in r.stderr
            assert_clean(r.stdout, r.stderr, extra=(password,))
        status = cli("-vv", "-o", "json", "status", *args, code=5)
        assert "not Aurora MySQL" in status.stderr, source  # connected (the password was right), then refused
        assert_clean(status.stdout, status.stderr, extra=(password,))
    completion = cli("completion", "clusters")
    assert "ml-demo" in completion.stdout.split()

    left = files.assert_clean(extra=tuple(used))
    cache = files.home / ".cache" / "auroraml" / "clusters-default-us-east-1.json"
    assert cache in left and stat.S_IMODE(cache.stat().st_mode) == 0o600  # the one file the tool wrote


def test_a_wrong_password_is_not_echoed_by_access_denied_anywhere(cli, sandbox_aws, boto, server, files, monkeypatch):
    """The server's "Access denied" names the account, never the password; through grant's error
    line, status's and check's JSON documents, and the change journal that setup writes."""
    cli("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)  # wired: check reads the database too
    for source in SOURCES:
        conn, password = credentials(source, False, files, boto, monkeypatch)
        args = [*conn, *server]
        for verbosity in VERBOSITIES:
            r = cli(*verbosity, "-o", "json", "grant", "comprehend", "analyst", *args, code=5)
            assert "Access denied" in r.stderr and r.stderr.splitlines()[-1].startswith("  next: "), source
            assert_clean(r.stdout, r.stderr, extra=(password,))
        status = cli("-vv", "-o", "json", "status", *args, code=5)
        assert "Access denied" in status.json()["instances"][0]["note"], source
        assert_clean(status.stdout, status.stderr, extra=(password,))
        if source == "secret-arn":  # check's database finding, once (~1 s a run; resolve is shared)
            checked = cli("-vv", "-o", "json", "check", *_for_check(args), code=1)
            denied = [f["detail"] for f in checked.json()["checks"] if f["check"] == "database"]
            assert denied and "Access denied" in denied[0], source
            assert_clean(checked.stdout, checked.stderr, extra=(password,))
    files.assert_clean(extra=(WRONG_PASSWORD,))
    # The change journal (core/journal.py, another engineer's): setup recorded its steps; scanned
    # here and by files.assert_clean, wherever $AURORAML_JOURNAL or ~/.local/state puts it.
    if importlib.util.find_spec("auroraml_cli.core.journal") is not None:  # else: JOURNAL_PENDING
        assert files.journals(), "setup changed things: the journal should exist"
    for journal in files.journals():
        assert not leaks(journal.read_text(), (WRONG_PASSWORD,)), journal


# --- the IAM token ----------------------------------------------------------------------------------

@pytest.fixture
def tokens(monkeypatch):
    """The password each connection attempt was given (for --iam-auth: the token)."""
    given: list[str] = []
    real = db.connect

    def spy(target, creds):
        given.append(creds.password)
        return real(target, creds)

    monkeypatch.setattr(db, "connect", spy)
    return given


CA_CASES = [
    ("missing", 3, "CA bundle not found"),
    ("not-pem", 3, "cannot use the CA bundle"),
    ("real-ca", 5, "cannot connect"),  # a good bundle; the test server offers no TLS
]


def test_an_iam_token_never_shows(cli, sandbox_aws, server, files, tokens):
    """--iam-auth makes a token (a presigned URL: X-Amz-Signature...) and connects with it; the
    bundle missing, not PEM, or fine with a server without TLS: the token shows nowhere."""
    shown, made = [], []
    for ca, code, says in CA_CASES:
        bundle = files.home.parent / "ca.pem"
        if ca == "not-pem":
            files.written(bundle, "this is not a certificate\n")
        elif ca == "real-ca":
            import certifi

            bundle = Path(certifi.where())
        for verbosity in ([], ["-vv"]):
            r = cli(*verbosity, "-o", "json", "grant", "comprehend", "analyst", "--iam-auth", "--user", "iam_user",
                    "--ssl-ca", str(bundle), *server, code=code)
            assert says in r.stderr and r.stderr.splitlines()[-1].startswith("  next: "), ca
            shown += [r.stdout, r.stderr]
            made.append(tokens[-1])
    for token in made:
        assert "X-Amz-Signature=" in token and "DBUser=iam_user" in token  # each was a real token
    signatures = tuple(re.search(r"X-Amz-Signature=([0-9a-f]+)", t).group(1) for t in made)
    credential = re.search(r"X-Amz-Credential=([^&]+)", made[0]).group(1)
    assert_clean(*shown, extra=(*made, *signatures, credential, "X-Amz-"))
    files.assert_clean(extra=(*made, *signatures))


# --- an exception that carries the password --------------------------------------------------------

REAL_CONNECT = db.connect


def _exploding(kind: str):
    """A db.connect that connects, then fails the way a driver bug might: with the credentials,
    or the password itself, in what it raises and logs."""
    real = REAL_CONNECT

    def connect(target, creds):
        real(target, creds).close()
        logging.getLogger("auroraml.db").info("driver state: %r %s", creds, creds.password)
        if kind == "args":
            raise RuntimeError("driver exploded", creds, creds.password, {"password": creds.password})
        if kind == "chained":
            try:
                raise ValueError(f"could not use {creds.password!r}")
            except ValueError as inner:
                raise RuntimeError("connection setup failed") from inner
        import pymysql

        raise pymysql.err.InternalError(1105, f"unexpected packet after auth with {creds.password}")

    return connect


def test_tracebacks_errors_and_logs_are_scrubbed_of_a_password_an_exception_carries(
        cli, sandbox_aws, boto, server, files, monkeypatch):
    """A bug or a driver that puts the credentials, or the password itself, into an exception (its
    args, a chained cause, a MySQL error's message) or a log line: the error line, the -vv
    traceback and the log show [redacted] instead (errors.redact)."""
    arn = _secret(boto, "db/canary-ops", {"username": "sm_user", "password": SECRET_PASSWORD})
    shown = []
    for kind, code in (("args", 70), ("chained", 70), ("driver", 5)):
        monkeypatch.setattr(db, "connect", _exploding(kind))
        for verbosity in VERBOSITIES:
            r = cli(*verbosity, "grant", "comprehend", "analyst", "--secret-arn", arn, *server, code=code)
            assert len([line for line in r.stderr.splitlines() if line.startswith("error: ")]) == 1
            if verbosity == ["-vv"] or kind != "chained":  # a chained cause shows in the traceback only
                assert "[redacted]" in r.stderr, (kind, verbosity)
            if verbosity == ["-vv"] and code == 70:
                assert "Traceback (most recent call last)" in r.stderr  # the traceback is there, scrubbed
            if verbosity:
                assert "driver state" in r.stderr  # the log line is there, scrubbed
            shown += [r.stdout, r.stderr]
    assert_clean(*shown, extra=(SECRET_PASSWORD,))
    files.assert_clean()


# --- a secret that is not what the tool expects -----------------------------------------------------

MALFORMED_SECRETS = [
    (SECRET_PASSWORD, "not a JSON object"),  # a bare password as the secret string
    (json.dumps(SECRET_PASSWORD), "not a JSON object"),  # a JSON string
    (json.dumps([SECRET_PASSWORD]), "not a JSON object"),
    ("12345", "not a JSON object"),
    (json.dumps({"username": "sm_user", "pass": SECRET_PASSWORD}), "no password field"),
    (json.dumps({"username": "sm_user", "password": {"value": SECRET_PASSWORD}}), "password is not a string"),
]


def test_a_malformed_secret_is_a_config_error_that_does_not_echo_it(cli, sandbox_aws, boto, server, files):
    for i, (value, says) in enumerate(MALFORMED_SECRETS):
        arn = _secret(boto, f"db/odd-{i}", value)
        r = cli("-vv", "grant", "comprehend", "analyst", "--secret-arn", arn, *server, code=3)
        assert says in r.stderr and r.stderr.splitlines()[-1].startswith("  next: "), value
        assert "Traceback" not in r.stderr  # a configuration error, not a bug
        assert_clean(r.stdout, r.stderr, extra=(value,))
    files.assert_clean()


def test_a_secret_in_another_region_is_read_there(cli, sandbox_aws, boto, server, files):
    """--secret-arn names its region: the secret is read there, not in the default region."""
    arn = _secret(boto, "db/west", {"username": "sm_user", "password": SECRET_PASSWORD}, region="us-west-2")
    r = cli("-vv", "grant", "comprehend", "analyst", "--secret-arn", arn, *server, code=2)
    assert "not Aurora MySQL" in r.stderr
    assert_clean(r.stdout, r.stderr)
