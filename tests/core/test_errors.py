"""The one table from exceptions to exit codes (docs/reference/cli-surface.md, "Output and exit codes")."""

from __future__ import annotations

import os

import botocore.exceptions as bx
import pymysql
import pytest

from auroraml_cli.core import errors
from auroraml_cli.core.errors import (
    EXIT_CODES,
    AuroraMLError,
    AwsError,
    ConfigError,
    DatabaseError,
    UsageError,
    VerificationFailed,
    WaitTimeout,
    describe,
    exit_code_for,
)


def client_error(code: str, message: str = "", op: str = "DescribeDBClusters") -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message}}, op)


def test_exit_code_table_matches_the_contract():
    """docs/reference/cli-surface.md: 0 success; 1 check failed; 2 usage; 3 config/credentials; 4 AWS; 5 database;
    6 timed out; 7 reboot pending; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM: 128 + 15)."""
    table = dict(EXIT_CODES)
    assert list(table) == [0, 1, 2, 3, 4, 5, 6, 7, 70, 130, 143]
    words = {0: "success", 1: "check", 2: "usage", 3: "credentials", 4: "AWS", 5: "database",
             6: "timed out", 7: "reboot", 130: "Ctrl-C", 143: "SIGTERM"}
    for code, word in words.items():
        assert word in table[code], (code, table[code])
    assert (errors.EXIT_OK, errors.EXIT_CHECK_FAILED, errors.EXIT_USAGE, errors.EXIT_CONFIG, errors.EXIT_AWS,
            errors.EXIT_DATABASE, errors.EXIT_TIMEOUT, errors.EXIT_REBOOT_PENDING,
            errors.EXIT_INTERRUPTED, errors.EXIT_TERMINATED) == (0, 1, 2, 3, 4, 5, 6, 7, 130, 143)
    assert "configuration" in table[3]


@pytest.mark.parametrize("cls, code", [
    (AuroraMLError, 1), (VerificationFailed, 1), (UsageError, 2), (ConfigError, 3), (AwsError, 4),
    (DatabaseError, 5), (WaitTimeout, 6),
])
def test_own_errors_map_to_their_code(cls, code):
    exc = cls("the cause", "the next step")
    assert describe(exc) == (code, "the cause", "the next step")
    assert exit_code_for(exc) == code
    assert issubclass(cls, AuroraMLError)


def test_own_error_without_hint():
    assert describe(UsageError("bad")) == (2, "bad", None)


def test_keyboard_interrupt():
    code, message, hint = describe(KeyboardInterrupt())
    assert code == 130
    assert "interrupted" in message
    assert "again" in hint


def test_sigterm_is_143_as_a_shell_reports_it():
    """SIGTERM (cli.main raises Terminated for it) takes Ctrl-C's path with its own code, 128 + 15."""
    assert describe(errors.Terminated()) == (143, "terminated (SIGTERM)", "run the same command again: it resumes where it stopped")
    assert isinstance(errors.Terminated(), KeyboardInterrupt)


def test_client_error_cluster_not_found():
    code, message, hint = describe(client_error("DBClusterNotFoundFault", "DBCluster orders not found."))
    assert code == 4
    assert "DescribeDBClusters" in message
    assert "DBClusterNotFoundFault" in message
    assert "DBCluster orders not found." in message
    assert hint


def test_client_error_without_message_has_no_dangling_colon():
    code, message, _ = describe(client_error("Throttling", "", "AddRoleToDBCluster"))
    assert code == 4
    assert message == "AWS refused AddRoleToDBCluster: Throttling"


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                                  "UnrecognizedClientException", "SignatureDoesNotMatch"])
def test_client_error_credentials_are_config(code):
    got, message, hint = describe(client_error(code, "The security token included in the request is expired"))
    assert got == 3
    assert code in message
    assert "credentials" in hint


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException"])
def test_client_error_access_denied_is_aws(code):
    got, _, hint = describe(client_error(code, "not authorized", "CreateRole"))
    assert got == 4
    assert "permission" in hint


@pytest.mark.parametrize("exc", [
    bx.NoRegionError(),
    bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
])
def test_botocore_configuration_errors_are_config(exc):
    code, message, hint = describe(exc)
    assert code == 3
    assert "AWS configuration" in message
    assert "--profile" in hint or "--region" in hint


def test_no_credentials_says_where_boto3_looked_and_offers_the_sandbox_when_no_aws_is_set_up(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    code, message, hint = describe(bx.NoCredentialsError())
    assert code == 3
    for place in ("AWS_ACCESS_KEY_ID", "shared credentials file", "config file", "container", "instance metadata"):
        assert place in message
    assert "auroraml sandbox run -- auroraml" in hint
    monkeypatch.setenv("AWS_PROFILE", "dba")  # AWS is set up here: the sandbox is not the answer
    code, message, hint = describe(bx.NoCredentialsError())
    assert code == 3 and "profile 'dba'" in message and "sandbox" not in hint and "aws sso login" in hint


def test_a_profile_not_found_suggests_the_closest_profiles(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile dba]\nregion = eu-west-1\n[profile dba-prod]\nregion = eu-west-1\n[default]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    code, message, hint = describe(bx.ProfileNotFound(profile="dbaa"))
    assert code == 3 and message == f"AWS profile 'dbaa' not found in {config} or {os.environ['AWS_SHARED_CREDENTIALS_FILE']}"
    assert hint == "did you mean --profile dba?"
    code, _, hint = describe(bx.ProfileNotFound(profile="zzz"))
    assert code == 3 and hint == "pass --profile with one of: dba, dba-prod, default"


def test_endpoint_connection_error_is_aws():
    code, message, _ = describe(bx.EndpointConnectionError(endpoint_url="https://rds.us-east-1.amazonaws.com/"))
    assert code == 4
    assert "rds.us-east-1.amazonaws.com" in message


def test_database_error():
    code, message, _ = describe(pymysql.err.OperationalError(2003, "Can't connect to MySQL server"))
    assert code == 5
    assert "Can't connect" in message


@pytest.mark.parametrize("exc", [ValueError("boom"), RuntimeError("boom"), KeyError("boom")])
def test_unexpected_error(exc):
    code, message, hint = describe(exc)
    assert code == 70  # not 1: a runbook must not read a bug as "a check failed"
    assert "unexpected" in message
    assert type(exc).__name__ in message
    assert "-vv" in hint
    assert exit_code_for(exc) == 70
