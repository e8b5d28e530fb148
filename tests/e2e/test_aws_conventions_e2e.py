"""AWS CLI conventions with the installed command against a sandbox: --endpoint-url (after the
command, beating AWS_ENDPOINT_URL) and did-you-mean on a cluster id from the account's list."""

from __future__ import annotations

from .conftest import auroraml


def test_endpoint_url_after_the_command_beats_aws_endpoint_url(sandbox, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    r = auroraml("setup", "comprehend", "--cluster", "ml-demo", "--dry-run", "-o", "json",
                 "--endpoint-url", sandbox.endpoint_url)
    assert r.json()["cluster"] == "ml-demo" and r.json()["dry_run"] is True
    r = auroraml("setup", "comprehend", "--cluster", "ml-demo", "--dry-run", code=4)
    assert "127.0.0.1:9" in r.stderr


def test_a_cluster_id_not_found_names_the_closest_of_the_account(sandbox):
    r = auroraml("status", "--cluster", "bedrock-redy", code=2)
    assert r.stderr.splitlines()[-2:] == ["error: no DB cluster 'bedrock-redy' in us-east-1",
                                          "  next: did you mean --cluster bedrock-ready? (in us-east-1)"]
    assert r.stdout == ""
