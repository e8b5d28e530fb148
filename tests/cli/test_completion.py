"""`auroraml completion`: clusters from a one-minute cache filled by one DescribeDBClusters call,
and `install` writing each shell's script where that shell looks for it."""

from __future__ import annotations

import json
import stat

import pytest

from tools import completions

US_EAST_1_AURORA = {"ml-demo", "legacy-v2", "bedrock-ready", "shared-a", "shared-b", "ml-global-use1"}


NOW = 1_800_000_000.0


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The cache directory, on a clock that stands still: fresh or stale is decided by the ages
    the tests write, never by how long a loaded machine took between two runs."""
    from types import SimpleNamespace

    from auroraml_cli.core import cluster_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cluster_cache, "time", SimpleNamespace(time=lambda: NOW))
    return tmp_path / "cache" / "auroraml"


def test_a_cache_miss_asks_rds_once_then_the_cache_answers(cli, sandbox_aws, cache):
    first = cli("completion", "clusters")
    assert set(first.stdout.split()) == US_EAST_1_AURORA  # Aurora MySQL only: not plain-mysql
    assert first.calls == ["rds.DescribeDBClusters"]
    path = cache / "clusters-default-us-east-1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temporary file left behind
    again = cli("completion", "clusters")
    assert (again.stdout, again.calls) == (first.stdout, [])


def test_profile_and_region_each_have_their_cache(cli, sandbox_aws, cache):
    west = cli("--region", "us-west-2", "completion", "clusters")
    assert west.stdout.split() == ["ml-global-usw2"]
    assert (cache / "clusters-default-us-west-2.json").exists()
    assert set(cli("completion", "clusters").stdout.split()) == US_EAST_1_AURORA


@pytest.mark.parametrize("doc", [
    {"time": NOW - 3600, "endpoint": "", "clusters": ["gone"]},  # stale
    {"time": NOW, "endpoint": "http://127.0.0.1:5000", "clusters": ["sandbox-only"]},  # another endpoint
    "not json",
])
def test_a_stale_foreign_or_broken_cache_is_refreshed(cli, sandbox_aws, cache, doc):
    cache.mkdir(parents=True)
    (cache / "clusters-default-us-east-1.json").write_text(doc if isinstance(doc, str) else json.dumps(doc))
    r = cli("completion", "clusters")
    assert set(r.stdout.split()) == US_EAST_1_AURORA and r.calls == ["rds.DescribeDBClusters"]


def test_no_credentials_means_no_ids_and_no_error(cli, sandbox_aws, cache, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    r = cli("completion", "clusters")
    assert (r.stdout, r.stderr) == ("", "")
    doc = json.loads((cache / "clusters-no-such-profile-us-east-1.json").read_text())
    assert (doc["clusters"], doc["failed"]) == ([], True)  # remembered briefly, no ids


def test_a_failed_refresh_is_remembered_briefly_so_offline_tabs_do_not_each_wait(cli, sandbox_aws, cache, monkeypatch):
    from auroraml_cli.core import cluster_cache

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: refused at once
    first = cli("completion", "clusters")
    assert (first.stdout, first.stderr, first.calls) == ("", "", ["rds.DescribeDBClusters"])
    again = cli("completion", "clusters")
    assert (again.stdout, again.calls) == ("", [])  # the failure answered from the cache
    path = cache / "clusters-default-us-east-1.json"
    doc = json.loads(path.read_text())
    doc["time"] -= cluster_cache.FAILED_MAX_AGE + 1  # older than a failure is kept, though not than MAX_AGE
    path.write_text(json.dumps(doc))
    assert cli("completion", "clusters").calls == ["rds.DescribeDBClusters"]  # asked again


@pytest.mark.parametrize("shell, where", [
    ("bash", ".local/share/bash-completion/completions/auroraml"),
    ("zsh", ".zfunc/_auroraml"),
    ("fish", ".config/fish/completions/auroraml.fish"),
])
def test_install_writes_the_script_where_the_shell_looks(cli, isolated, monkeypatch, shell, where):
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "BASH_COMPLETION_USER_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SHELL", f"/usr/bin/{shell}")
    r = cli("completion", "install")
    path = isolated.parent / "home" / where
    assert path.read_text() == getattr(completions, shell)()
    assert f"wrote {path}" in r.stderr and r.stdout == ""
    if shell == "zsh":
        assert "fpath=(~/.zfunc $fpath)" in r.stderr


def test_install_follows_xdg_data_home(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("BASH_COMPLETION_USER_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    cli("completion", "install", "bash")
    assert (tmp_path / "data" / "bash-completion" / "completions" / "auroraml").is_file()


def test_install_refuses_a_shell_it_cannot_tell(cli, monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    r = cli("completion", "install", code=2)
    assert "bash|zsh|fish" in r.stderr
    assert "is not one of" in cli("completion", "install", "tcsh", code=2).stderr


def test_man_prints_the_committed_page_and_installs_it_for_the_user(cli, isolated, monkeypatch):
    from pathlib import Path

    committed = (Path(__file__).resolve().parents[2] / "man" / "auroraml.1").read_text()
    assert cli("man").stdout == committed
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated / "data"))
    r = cli("man", "--install")
    assert (isolated / "data" / "man" / "man1" / "auroraml.1").read_text() == committed
    assert r.stdout == "" and "wrote " in r.stderr
