"""core/db.py resolve() and read_option_file(), with no server and no AWS: where to connect, as whom."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from auroraml_cli.core import db
from auroraml_cli.core.db import ConnectionRequest, Credentials, read_option_file, resolve
from auroraml_cli.core.errors import EXIT_CONFIG, EXIT_USAGE, ConfigError, UsageError

CANARY = "Canary-pw-7f3a9c;$x'y"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def no_prompt(monkeypatch):
    """Any prompt is a failure unless a test allows it."""
    asked: list[str] = []

    def fake(prompt: str = "") -> str:
        asked.append(prompt)
        raise AssertionError(f"unexpected password prompt: {prompt!r}")

    monkeypatch.setattr(getpass, "getpass", fake)
    return asked


class NoAws:
    """Records any use; resolve must not touch AWS unless the request needs it."""

    def __init__(self) -> None:
        self.used: list[str] = []

    def client(self, name: str):
        self.used.append(name)
        raise AssertionError(f"unexpected AWS client {name}")


# --- read_option_file ---------------------------------------------------------------------------

def test_option_file_client_group(tmp_path):
    path = write(tmp_path / "my.cnf", "[client]\nuser = admin\npassword = s3cret\nhost = db.example.com\nport = 3307\n")
    assert read_option_file(path) == {"user": "admin", "password": "s3cret", "host": "db.example.com", "port": "3307"}


def test_option_file_mysql_group_fills_in_what_client_lacks(tmp_path):
    path = write(tmp_path / "my.cnf", "[mysql]\nuser = frommysql\nhost = h2\n[client]\nuser = fromclient\n")
    values = read_option_file(path)
    assert values["user"] == "fromclient"
    assert values["host"] == "h2"


def test_option_file_only_mysql_group(tmp_path):
    path = write(tmp_path / "my.cnf", "[mysql]\nuser = u\npassword = p\n")
    assert read_option_file(path) == {"user": "u", "password": "p"}


def test_option_file_ignores_include_lines_other_groups_and_flags(tmp_path):
    path = write(tmp_path / "my.cnf", "!include /etc/mysql/other.cnf\n!includedir /etc/mysql/conf.d/\n"
                 "[mysqld]\nuser = server-side\n[client]\nuser = u\nskip-ssl\nssl-ca = /ca.pem\n")
    values = read_option_file(path)
    assert values["user"] == "u"
    assert values["ssl_ca"] == "/ca.pem"  # dashes and underscores are the same in option names
    assert "skip_ssl" in values
    assert not any("include" in k for k in values)


def test_option_file_strips_quotes_and_keeps_special_characters(tmp_path):
    path = write(tmp_path / "my.cnf", '[client]\npassword = "p a#ss;w\'d"\nuser = \'u\'\n')
    values = read_option_file(path)
    assert values["password"] == "p a#ss;w'd"
    assert values["user"] == "u"


def test_option_file_hash_starts_a_comment_outside_quotes(tmp_path):
    # mysql(1): "A # comment can start in the middle of a line too"; quote a value that contains #.
    path = write(tmp_path / "my.cnf", '[client]\npassword = abc  # the staging password\nuser = "u#1"\n')
    values = read_option_file(path)
    assert values["password"] == "abc"
    assert values["user"] == "u#1"


def test_option_file_unreadable_or_invalid_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        read_option_file(tmp_path / "missing.cnf")
    bad = write(tmp_path / "bad.cnf", f"password = {CANARY}\n[client\n")
    with pytest.raises(ConfigError) as info:
        read_option_file(bad)
    assert CANARY not in str(info.value) and CANARY not in (info.value.hint or "")


# --- resolve: where ----------------------------------------------------------------------------

def test_defaults_file_gives_host_port_user_password(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", f"[client]\nuser = admin\npassword = {CANARY}\nhost = db.example.com\nport = 3307\n")
    target, creds = resolve(ConnectionRequest(defaults_file=str(path)), interactive=False)
    assert target == {"host": "db.example.com", "port": 3307, "database": None, "ssl_ca": None, "ssl_mode": "PREFERRED"}
    assert (creds.user, creds.password) == ("admin", CANARY)
    assert str(path) in creds.source


def test_missing_defaults_file_is_a_config_error_exit_3(tmp_path):
    with pytest.raises(ConfigError) as info:
        resolve(ConnectionRequest(host="h", user="u", defaults_file=str(tmp_path / "nope.cnf")), interactive=False)
    assert info.value.exit_code == EXIT_CONFIG == 3
    assert "nope.cnf" in info.value.message


def test_home_my_cnf_is_read_by_default(isolated, no_prompt):
    home = Path(os.environ["HOME"])
    write(home / ".my.cnf", f"[client]\nuser = homeuser\npassword = {CANARY}\nhost = home-host\n")
    target, creds = resolve(ConnectionRequest(), interactive=False)
    assert target["host"] == "home-host" and target["port"] == 3306
    assert (creds.user, creds.password) == ("homeuser", CANARY)
    assert ".my.cnf" in creds.source


def test_defaults_file_replaces_home_my_cnf(tmp_path, no_prompt):
    write(Path(os.environ["HOME"]) / ".my.cnf", "[client]\nuser = homeuser\nhost = home-host\n")
    path = write(tmp_path / "other.cnf", "[client]\nuser = other\npassword = p\n")
    target, creds = resolve(ConnectionRequest(host="h", defaults_file=str(path)), interactive=False)
    assert creds.user == "other"


def test_flags_beat_the_option_file(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", "[client]\nuser = fileuser\npassword = p\nhost = filehost\nport = 3307\n"
                 "database = filedb\nssl-ca = /file-ca.pem\n")
    target, creds = resolve(ConnectionRequest(host="flaghost", port=3310, user="flaguser", database="flagdb",
                                              ssl_ca="/flag-ca.pem", defaults_file=str(path)), interactive=False)
    assert target == {"host": "flaghost", "port": 3310, "database": "flagdb", "ssl_ca": "/flag-ca.pem",
                      "ssl_mode": "VERIFY_IDENTITY"}
    assert creds.user == "flaguser"
    assert creds.password == "p"  # the password can only come from the file (or a prompt, or AWS)


def test_option_file_database_and_ssl_ca_are_used(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", "[client]\nuser = u\npassword = p\nhost = h\ndatabase = mldb\nssl_ca = /ca.pem\n")
    target, _ = resolve(ConnectionRequest(defaults_file=str(path)), interactive=False)
    assert target["database"] == "mldb" and target["ssl_ca"] == "/ca.pem"


def test_no_host_and_no_cluster_is_a_usage_error(no_prompt):
    aws = NoAws()
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(user="u"), aws, interactive=False)
    assert info.value.exit_code == EXIT_USAGE
    assert "--host" in info.value.hint
    assert aws.used == []


def test_no_user_is_a_usage_error(no_prompt):
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(host="h"), NoAws(), interactive=False)
    assert "user" in info.value.message


def test_no_user_is_refused_before_prompting_for_a_password(no_prompt):
    # A prompt "Password for None@h:" helps nobody: the missing user is known before asking.
    with pytest.raises(UsageError):
        resolve(ConnectionRequest(host="h"), NoAws(), interactive=True)
    assert no_prompt == []


def test_iam_auth_without_ssl_ca_is_refused_before_any_aws_use():
    aws = NoAws()
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(host="h", user="iam_user", iam_auth=True), aws, interactive=False)
    assert "--ssl-ca" in info.value.message
    assert aws.used == []


def test_iam_auth_without_user_is_a_usage_error():
    aws = NoAws()
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(host="h", iam_auth=True, ssl_ca="/ca.pem"), aws, interactive=False)
    assert "--user" in info.value.message
    assert aws.used == []


def test_iam_auth_with_ssl_ca_uses_a_token_made_for_that_host_and_user():
    class Rds:
        def generate_db_auth_token(self, **kwargs):
            self.kwargs = kwargs
            return "token-for-" + kwargs["DBUsername"]

    rds = Rds()

    class Aws:
        def client(self, name):
            assert name == "rds"
            return rds

    target, creds = resolve(ConnectionRequest(host="h", port=3307, user="iam_user", iam_auth=True, ssl_ca="/ca.pem"),
                            Aws(), interactive=False)
    assert rds.kwargs == {"DBHostname": "h", "Port": 3307, "DBUsername": "iam_user"}
    assert (creds.user, creds.password, creds.source) == ("iam_user", "token-for-iam_user", "iam")
    assert target["ssl_ca"] == "/ca.pem"


# --- resolve: prompting -------------------------------------------------------------------------

def test_interactive_prompts_for_the_password(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or CANARY)
    target, creds = resolve(ConnectionRequest(host="h", user="analyst"), NoAws(), interactive=True)
    assert len(asked) == 1 and "analyst@h" in asked[0]
    assert CANARY not in asked[0]
    assert (creds.password, creds.source) == (CANARY, "prompt")


def test_not_interactive_does_not_prompt(no_prompt):
    _, creds = resolve(ConnectionRequest(host="h", user="analyst"), NoAws(), interactive=False)
    assert no_prompt == []
    assert creds.password is None and creds.source == "none"


def test_a_password_in_the_option_file_means_no_prompt(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", f"[client]\npassword = {CANARY}\n")
    _, creds = resolve(ConnectionRequest(host="h", user="u", defaults_file=str(path)), NoAws(), interactive=True)
    assert no_prompt == [] and creds.password == CANARY


def test_interactive_none_asks_the_terminal(monkeypatch, no_prompt):
    monkeypatch.setattr(db, "_tty", lambda: False)
    _, creds = resolve(ConnectionRequest(host="h", user="u"), NoAws())
    assert creds.source == "none" and no_prompt == []


# --- the password never shows -------------------------------------------------------------------

def test_credentials_repr_never_shows_the_password():
    creds = Credentials("admin", CANARY, "option file x")
    assert CANARY not in repr(creds)
    assert CANARY not in str(creds)
    assert CANARY not in f"{creds!r} {creds}"
    assert "admin" in repr(creds)


def test_resolved_credentials_and_target_hide_the_password(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", f"[client]\nuser = admin\npassword = {CANARY}\nhost = h\n")
    target, creds = resolve(ConnectionRequest(defaults_file=str(path)), interactive=False)
    assert CANARY not in repr(creds)
    assert CANARY not in repr(target)


@pytest.mark.parametrize("request_kwargs", [
    {},                                            # no host
    {"host": "h", "iam_auth": True},               # --iam-auth without --user
])
def test_errors_never_contain_the_password(tmp_path, request_kwargs, no_prompt):
    path = write(tmp_path / "my.cnf", f"[client]\npassword = {CANARY}\n")
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(defaults_file=str(path), **request_kwargs), NoAws(), interactive=False)
    err = info.value
    assert CANARY not in str(err) and CANARY not in (err.hint or "") and CANARY not in repr(err)


def test_no_user_error_does_not_contain_the_password(tmp_path, no_prompt):
    path = write(tmp_path / "my.cnf", f"[client]\npassword = {CANARY}\nhost = h\n")
    with pytest.raises(UsageError) as info:
        resolve(ConnectionRequest(defaults_file=str(path)), NoAws(), interactive=False)
    assert "user" in info.value.message
    assert CANARY not in str(info.value) and CANARY not in (info.value.hint or "")
