"""AWS CLI conventions: --endpoint-url checked before any call, and what a missing credential or
profile says (what boto3 looked for; the sandbox when no AWS is set up at all)."""

from __future__ import annotations

from hypothesis import given, strategies as st

SETUP = ("setup", "comprehend", "--cluster", "ml-demo", "--dry-run")


def test_a_bad_endpoint_url_is_a_one_line_usage_error_before_any_call(cli):
    for url in ("ftp://127.0.0.1:5000", "127.0.0.1:5000", "http://", "http://127.0.0.1:99999", "http://user:pw@host",
                "https://ho st", "http://host\x1b[2J"):
        for args in (("--endpoint-url", url, *SETUP), (*SETUP, "--endpoint-url", url)):
            r = cli(*args, code=2)
            assert r.stderr.splitlines()[0].startswith("error: --endpoint-url ") and len(r.stderr.splitlines()) == 2
            assert r.stderr.splitlines()[1].startswith("  next: give it as https://HOST[:PORT]") and r.calls == []
            assert "\x1b" not in r.stderr


@given(st.sampled_from(["http", "https"]), st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z0-9-]{1,10}){0,3}", fullmatch=True),
       st.one_of(st.none(), st.integers(0, 65535)), st.from_regex(r"(/[a-z0-9]{0,8}){0,2}", fullmatch=True))
def test_an_http_url_with_a_host_is_taken_as_written(scheme, host, port, path):
    from auroraml_cli.cli import _endpoint_url

    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    assert _endpoint_url(url) == url


def test_the_endpoint_url_is_where_every_client_sends_its_calls(cli, monkeypatch):
    from auroraml_cli.app import App
    from auroraml_cli.core.settings import Settings

    aws = App(Settings(endpoint_url="http://127.0.0.1:5999")).aws
    assert aws.client("rds", "us-east-1").meta.endpoint_url == "http://127.0.0.1:5999"
    assert aws.client("iam", "us-east-1").meta.endpoint_url == "http://127.0.0.1:5999"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5998")  # the option beats the variable, as flags do
    assert App(Settings(endpoint_url="http://127.0.0.1:5999")).aws.client("sts", "us-east-1").meta.endpoint_url == \
        "http://127.0.0.1:5999"
    assert App(Settings()).aws.client("sts", "us-east-1").meta.endpoint_url == "http://127.0.0.1:5998"


def test_no_credentials_and_no_aws_set_up_says_what_boto3_looked_for_and_offers_the_sandbox(cli, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    r = cli(*SETUP, code=3)
    error, hint = r.stderr.splitlines()[-2:]
    assert error.startswith("error: no AWS credentials found (no --profile or AWS_PROFILE: the default profile); boto3 looked in ")
    for place in ("AWS_ACCESS_KEY_ID", "credential_process", "shared credentials file", "config file",
                  "container credentials", "EC2 instance metadata"):
        assert place in error
    assert hint.endswith("auroraml sandbox run -- auroraml ...") and r.calls == [] and r.stdout == ""


def test_no_credentials_for_a_configured_profile_says_sign_in(cli, monkeypatch, isolated):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    config = isolated / "aws-config"
    config.write_text("[profile dba]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    r = cli(*SETUP, "--profile", "dba", code=3)
    error, hint = r.stderr.splitlines()[-2:]
    assert "for profile 'dba'" in error and f"the config file ({config})" in error
    assert "aws sso login" in hint and "sandbox" not in hint


def test_a_profile_that_does_not_exist_names_the_files_and_the_closest_profile(cli, monkeypatch, isolated):
    config = isolated / "aws-config"
    config.write_text("[profile dba]\nregion = us-east-1\n[profile analytics]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    r = cli(*SETUP, "--profile", "dab", code=3)
    assert r.stderr.splitlines()[-2:] == [f"error: AWS profile 'dab' not found in {config} or {isolated.parent / 'home' / 'no-aws-credentials'}",
                                          "  next: did you mean --profile dba?"]
    assert r.calls == []
