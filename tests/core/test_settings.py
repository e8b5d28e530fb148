"""Layered settings: flag > AURORAML_* environment > TOML target > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from auroraml_cli.core.errors import EXIT_CONFIG, ConfigError
from auroraml_cli.core.settings import Flags, Settings, resolve

FILE = """
default_target = "prod"

[targets.prod]
cluster = "orders-prod"
region = "eu-west-1"
profile = "dba"
host = "orders-prod.cluster-abc.eu-west-1.rds.amazonaws.com"
port = 3307
user = "admin"
poll_interval = 0.5

[targets.staging]
cluster = "orders-staging"
region = "eu-central-1"
"""


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """A clean working directory, so the repository's ./auroraml.toml is never read."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    home = tmp_path / "settings-home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def config_error(flags, env) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        resolve(flags, env)
    assert info.value.exit_code == EXIT_CONFIG == 3
    return info.value


def test_defaults_without_any_file(here, env):
    s = resolve(Flags(), env)
    assert s == Settings()
    assert s.poll_interval == 5.0
    assert s.color is True and s.quiet is False and s.verbose == 0
    assert s.config_path is None and s.target is None


def test_default_target_from_the_file(here, env):
    write(here / "auroraml.toml", FILE)
    s = resolve(Flags(), env)
    assert s.cluster == "orders-prod"
    assert s.region == "eu-west-1"
    assert s.profile == "dba"
    assert s.port == 3307
    assert s.user == "admin"
    assert s.poll_interval == 0.5
    assert s.config_path == "auroraml.toml"
    assert s.database is None  # not set anywhere: stays None


def test_target_flag_beats_default_target(here, env):
    write(here / "auroraml.toml", FILE)
    s = resolve(Flags(target="staging"), env)
    assert (s.cluster, s.region, s.profile, s.port) == ("orders-staging", "eu-central-1", None, None)
    assert s.target == "staging"


def test_target_from_environment_and_flag_beats_it(here, env):
    write(here / "auroraml.toml", FILE)
    assert resolve(Flags(), {**env, "AURORAML_TARGET": "staging"}).cluster == "orders-staging"
    assert resolve(Flags(target="prod"), {**env, "AURORAML_TARGET": "staging"}).cluster == "orders-prod"


def test_layering_flag_over_env_over_file_over_default(here, env):
    write(here / "auroraml.toml", FILE)
    full_env = {**env, "AURORAML_REGION": "us-east-2", "AURORAML_CLUSTER": "from-env", "AURORAML_PORT": "3308"}
    s = resolve(Flags(region="us-west-2"), full_env)
    assert s.region == "us-west-2"  # flag
    assert s.cluster == "from-env"  # env over file
    assert s.port == 3308  # env, coerced to int
    assert s.profile == "dba"  # file
    assert s.database is None  # default
    assert s.poll_interval == 0.5  # file over default

    assert resolve(Flags(), full_env).region == "us-east-2"
    assert resolve(Flags(), env).region == "eu-west-1"
    assert resolve(Flags(region=None), env).region == "eu-west-1"  # None means "not given"


def test_env_without_file(here, env):
    s = resolve(Flags(), {**env, "AURORAML_POLL_INTERVAL": "0.01", "AURORAML_OUTPUT": "json"})
    assert s.poll_interval == 0.01
    assert s.output == "json"


def test_empty_env_value_is_not_set(here, env):
    write(here / "auroraml.toml", FILE)
    assert resolve(Flags(), {**env, "AURORAML_REGION": ""}).region == "eu-west-1"


def test_unknown_target_names_the_known_ones(here, env):
    write(here / "auroraml.toml", FILE)
    err = config_error(Flags(target="qa"), env)
    assert "'qa'" in err.message
    assert "prod, staging" in err.message


def test_unknown_default_target(here, env):
    write(here / "auroraml.toml", 'default_target = "nope"\n')
    err = config_error(Flags(), env)
    assert "'nope'" in err.message


def test_unknown_key_in_target(here, env):
    write(here / "auroraml.toml", '[targets.prod]\ncluster = "c"\npassword = "hunter2"\n')
    err = config_error(Flags(target="prod"), env)
    assert "password" in err.message
    assert "hunter2" not in err.message


def test_malformed_toml(here, env):
    write(here / "auroraml.toml", "[targets.prod\ncluster = \n")
    err = config_error(Flags(), env)
    assert "auroraml.toml" in err.message
    assert "TOML" in err.message


@pytest.mark.parametrize("line", ['port = "abc"', "port = true", "cluster = 5", 'poll_interval = "fast"',
                                  "region = [\"eu-west-1\"]", "user = { name = \"x\" }"])
def test_wrong_types_in_file(here, env, line):
    write(here / "auroraml.toml", f"[targets.prod]\n{line}\n")
    err = config_error(Flags(target="prod"), env)
    assert line.split(" ")[0] in err.message


@pytest.mark.parametrize("var, value", [("AURORAML_PORT", "abc"), ("AURORAML_POLL_INTERVAL", "soon")])
def test_wrong_types_in_env(here, env, var, value):
    err = config_error(Flags(), {**env, var: value})
    assert var in err.message


def test_targets_must_be_a_table(here, env):
    write(here / "auroraml.toml", 'targets = "prod"\n')
    config_error(Flags(target="prod"), env)


def test_explicit_config_missing(here, env, tmp_path):
    err = config_error(Flags(config_path=str(tmp_path / "missing.toml")), env)
    assert "missing.toml" in err.message


def test_env_config_missing(here, env, tmp_path):
    err = config_error(Flags(), {**env, "AURORAML_CONFIG": str(tmp_path / "gone.toml")})
    assert "gone.toml" in err.message


def test_explicit_config_is_used_instead_of_local_file(here, env, tmp_path):
    write(here / "auroraml.toml", FILE)
    other = write(tmp_path / "other.toml", '[targets.x]\ncluster = "elsewhere"\n')
    s = resolve(Flags(config_path=str(other), target="x"), env)
    assert s.cluster == "elsewhere"
    assert s.config_path == str(other)


def test_config_flag_beats_env_config(here, env, tmp_path):
    a = write(tmp_path / "a.toml", '[targets.x]\ncluster = "from-flag-file"\n')
    b = write(tmp_path / "b.toml", '[targets.x]\ncluster = "from-env-file"\n')
    assert resolve(Flags(config_path=str(a), target="x"), {**env, "AURORAML_CONFIG": str(b)}).cluster == "from-flag-file"
    assert resolve(Flags(target="x"), {**env, "AURORAML_CONFIG": str(b)}).cluster == "from-env-file"


def test_local_file_beats_user_config(here, env):
    write(Path(env["XDG_CONFIG_HOME"]) / "auroraml" / "config.toml", '[targets.x]\ncluster = "user"\n')
    assert resolve(Flags(target="x"), env).cluster == "user"
    write(here / "auroraml.toml", '[targets.x]\ncluster = "local"\n')
    assert resolve(Flags(target="x"), env).cluster == "local"


def test_home_config_when_no_xdg(here, env):
    write(Path(env["HOME"]) / ".config" / "auroraml" / "config.toml", '[targets.x]\ncluster = "home"\n')
    assert resolve(Flags(target="x"), {"HOME": env["HOME"]}).cluster == "home"


def test_target_without_any_file(here, env):
    err = config_error(Flags(target="prod"), env)
    assert "'prod'" in err.message


def test_no_color(here, env):
    assert resolve(Flags(), env).color is True
    assert resolve(Flags(), {**env, "NO_COLOR": "1"}).color is False
    assert resolve(Flags(color=True), {**env, "NO_COLOR": "1"}).color is False
    assert resolve(Flags(), {**env, "NO_COLOR": ""}).color is True  # no-color.org: empty means unset
    assert resolve(Flags(color=False), env).color is False


def test_verbose_and_quiet_flags(here, env):
    s = resolve(Flags(verbose=2, quiet=True), env)
    assert (s.verbose, s.quiet) == (2, True)


@pytest.mark.parametrize("value", ["table", "json"])
def test_output_accepted(here, env, value):
    assert resolve(Flags(output=value), env).output == value


def test_output_refused_from_every_layer(here, env):
    assert "yaml" in config_error(Flags(output="yaml"), env).message
    config_error(Flags(), {**env, "AURORAML_OUTPUT": "xml"})
    write(here / "auroraml.toml", '[targets.x]\noutput = "csv"\n')
    config_error(Flags(target="x"), env)


def test_resolve_does_not_read_the_process_environment_when_given_a_mapping(here, env, monkeypatch):
    monkeypatch.setenv("AURORAML_REGION", "ap-south-1")
    monkeypatch.setenv("NO_COLOR", "1")
    s = resolve(Flags(), env)
    assert s.region is None
    assert s.color is True


# The region, most specific first: --region, AURORAML_REGION, the target's region, AWS_REGION,
# AWS_DEFAULT_REGION, the AWS profile's region. Each case removes the layer above it.
REGION_LAYERS = (
    ("flag", "ap-south-1"),
    ("AURORAML_REGION", "ap-northeast-1"),
    ("target", "eu-west-1"),
    ("AWS_REGION", "us-west-2"),
    ("AWS_DEFAULT_REGION", "ca-central-1"),
    ("profile", "sa-east-1"),
)


@pytest.mark.parametrize("top", range(len(REGION_LAYERS)), ids=[name for name, _ in REGION_LAYERS])
def test_region_order(here, env, tmp_path, monkeypatch, top):
    from auroraml_cli.core.aws import Aws

    layers = dict(REGION_LAYERS[top:])
    aws_config = write(tmp_path / "aws-config", f"[default]\nregion = {layers['profile']}\n")
    process_env = {"AWS_CONFIG_FILE": str(aws_config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    process_env.update({k: layers[k] for k in ("AWS_REGION", "AWS_DEFAULT_REGION") if k in layers})
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in process_env.items():
        monkeypatch.setenv(key, value)
    if "target" in layers:
        write(here / "auroraml.toml", f'[targets.t]\nregion = "{layers["target"]}"\n')
    settings_env = {**env, **({"AURORAML_REGION": layers["AURORAML_REGION"]} if "AURORAML_REGION" in layers else {})}
    flags = Flags(region=layers.get("flag"), target="t" if "target" in layers else None)
    settings = resolve(flags, settings_env)
    assert Aws(settings.profile, settings.region).region == REGION_LAYERS[top][1]


@pytest.mark.parametrize("depth", [500, 100_000])
def test_a_deeply_nested_file_is_a_config_error_not_a_crash(here, env, depth):
    """tomli refuses inline arrays and tables nested past 400 levels with RecursionError (exit 70 before)."""
    write(here / "auroraml.toml", "x = " + "[" * depth + "]" * depth + "\n")
    err = config_error(Flags(), env)
    assert "nested too deeply" in err.message and "auroraml.toml" in err.message


@pytest.mark.parametrize("name", ["AURORAML_CLUSTER", "AURORAML_TARGET", "AURORAML_CONFIG", "AURORAML_USER"])
def test_an_environment_setting_that_is_not_utf8_is_a_config_error_naming_it(here, env, name):
    env[name] = b"ml-\xff".decode("utf-8", "surrogateescape")
    err = config_error(Flags(), env)
    assert err.message.startswith(f"${name} is not valid UTF-8")
