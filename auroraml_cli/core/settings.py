"""Settings, layered: command-line flag > AURORAML_* environment > TOML target > defaults.

The TOML file (`--config`, AURORAML_CONFIG, ./auroraml.toml, then $XDG_CONFIG_HOME/auroraml/
config.toml) holds named targets:

    default_target = "prod"
    [targets.prod]
    cluster = "orders-prod"
    region = "eu-west-1"
    profile = "dba"
    host = "orders-prod.cluster-abc.eu-west-1.rds.amazonaws.com"
    user = "admin"

AWS credentials stay boto3's business: a target may name a profile and region, never keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .patterns import lazy
from .records import Frozen, Record

ENV_PREFIX = "AURORAML_"


_SETTINGS = ("profile", "region", "output", "cluster", "host", "port", "user", "database", "defaults_file", "ssl_ca",
             "defaults_extra_file", "defaults_group_suffix", "login_path", "poll_interval", "connect_timeout",
             "read_timeout", "endpoint_url", "verbose", "quiet", "color", "config_path", "target")


class Settings(Record):
    """Every layered setting. None means "not set by anyone": boto3 or the command decides."""

    __slots__ = _SETTINGS
    profile: str | None
    region: str | None
    output: str | None  # table | json; None: table on a terminal, json otherwise
    cluster: str | None
    host: str | None
    port: int | None
    user: str | None
    database: str | None
    defaults_file: str | None
    ssl_ca: str | None
    defaults_extra_file: str | None
    defaults_group_suffix: str | None
    login_path: str | None
    # Seconds between polls while waiting on AWS. Real AWS changes state in tens of seconds; the
    # sandbox in a fraction of one, so it sets this low for the commands it runs.
    poll_interval: float
    # Seconds each AWS call may wait to connect, and for an answer once connected, per attempt.
    # None: the AWS seam's defaults (core/aws.py), which bound a call to under a minute.
    connect_timeout: float | None
    read_timeout: float | None
    # --endpoint-url: every AWS call goes there. None: botocore's AWS_ENDPOINT_URL(_SERVICE), else AWS.
    endpoint_url: str | None
    verbose: int
    quiet: bool
    color: bool
    config_path: str | None
    target: str | None

    def __init__(self, *, profile: str | None = None, region: str | None = None, output: str | None = None,
                 cluster: str | None = None, host: str | None = None, port: int | None = None, user: str | None = None,
                 database: str | None = None, defaults_file: str | None = None, ssl_ca: str | None = None,
                 defaults_extra_file: str | None = None, defaults_group_suffix: str | None = None,
                 login_path: str | None = None, poll_interval: float = 5.0, connect_timeout: float | None = None,
                 read_timeout: float | None = None, endpoint_url: str | None = None, verbose: int = 0,
                 quiet: bool = False, color: bool = True,
                 config_path: str | None = None, target: str | None = None) -> None:
        self.profile, self.region, self.output, self.cluster = profile, region, output, cluster
        self.host, self.port, self.user, self.database = host, port, user, database
        self.defaults_file, self.ssl_ca, self.defaults_extra_file = defaults_file, ssl_ca, defaults_extra_file
        self.defaults_group_suffix, self.login_path, self.poll_interval = defaults_group_suffix, login_path, poll_interval
        self.connect_timeout, self.read_timeout, self.endpoint_url = connect_timeout, read_timeout, endpoint_url
        self.verbose, self.quiet, self.color = verbose, quiet, color
        self.config_path, self.target = config_path, target


class Flags(Frozen):
    """The global options as given on the command line (`auroraml --region ... COMMAND`); None:
    not given, so the environment, the settings file or the default decides."""

    __slots__ = ("profile", "region", "output", "config_path", "target", "connect_timeout", "read_timeout",
                 "verbose", "quiet", "color")
    profile: str | None
    region: str | None
    output: str | None
    config_path: str | None
    target: str | None
    connect_timeout: float | None
    read_timeout: float | None
    verbose: int | None
    quiet: bool | None
    color: bool | None

    def __init__(self, *, profile: str | None = None, region: str | None = None, output: str | None = None,
                 config_path: str | None = None, target: str | None = None, connect_timeout: float | None = None,
                 read_timeout: float | None = None, verbose: int | None = None, quiet: bool | None = None,
                 color: bool | None = None) -> None:
        self._init(profile, region, output, config_path, target, connect_timeout, read_timeout, verbose, quiet, color)


# Keys a [targets.NAME] table may hold, with their types.
_TARGET_KEYS: dict[str, type] = {
    "cluster": str,
    "region": str,
    "profile": str,
    "output": str,
    "host": str,
    "port": int,
    "user": str,
    "database": str,
    "defaults_file": str,
    "ssl_ca": str,
    "defaults_extra_file": str,
    "defaults_group_suffix": str,
    "login_path": str,
    "poll_interval": float,
    "connect_timeout": float,
    "read_timeout": float,
}
# Settings that may come from the environment, as AURORAML_<NAME>.
ENV_KEYS = ("cluster", "region", "profile", "output", "host", "port", "user", "database",
            "defaults_file", "ssl_ca", "defaults_extra_file", "defaults_group_suffix", "login_path", "poll_interval", "connect_timeout", "read_timeout", "target", "config")


# Numbers that must be in range: a port past 65535 fails late, a poll interval of 0, below
# 0 or NaN would poll AWS in a tight loop, and a timeout of 0 or infinity would never end a call
# (the AWS CLI reads 0 as "no timeout": auroraml has no unbounded wait).
_RANGES: dict[str, tuple[float, float, str]] = {
    "port": (1, 65535, "1-65535"),
    "poll_interval": (0.01, 3600, "0.01-3600 seconds"),
    "connect_timeout": (0.1, 3600, "0.1-3600 seconds"),
    "read_timeout": (0.1, 3600, "0.1-3600 seconds"),
}
_SECONDS = ("poll_interval", "connect_timeout", "read_timeout")
# A number written as text (an environment variable, an option): ASCII digits only. Python's
# int() and float() also take "nan", "inf", "1_000" and other scripts' digits ("١٠").
_NUMBER = lazy(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def _coerce(name: str, value: Any, kind: type, where: str) -> Any:
    coerced = None
    if kind is str and isinstance(value, str):
        return value
    try:
        if isinstance(value, str) and not _NUMBER.fullmatch(value):
            pass
        elif kind is int and not isinstance(value, (bool, float)):
            coerced = int(value)
        elif kind is float and not isinstance(value, bool):
            coerced = float(value)
    except (TypeError, ValueError):
        pass
    if coerced is None:
        if kind is str:
            raise ConfigError(f"{where}: {name} must be text, got {value!r}", f"give {name} a quoted string value")
        kind_text = "a whole number" if kind is int else "a number of seconds" if name in _SECONDS else "a number"
        raise ConfigError(f"{where}: {name} must be {kind_text}, got {value!r}",
                          f"give {name} {kind_text}, in ASCII digits")
    low, high, text = _RANGES.get(name, (float("-inf"), float("inf"), ""))
    if not low <= coerced <= high:  # NaN is in no range
        raise ConfigError(f"{where}: {name} must be {text}, got {value!r}", f"give {name} a value in {text}")
    return coerced


def number(name: str, value: str, where: str) -> float:
    """A float setting given as text (an option's value), checked as the environment's are."""
    return _coerce(name, value, _TARGET_KEYS[name], where)


def candidate_paths(explicit: str | None, env: Mapping[str, str]) -> list[Path]:
    if explicit:
        return [Path(explicit).expanduser()]
    if env.get(ENV_PREFIX + "CONFIG"):
        return [Path(env[ENV_PREFIX + "CONFIG"]).expanduser()]
    base = Path(env.get("XDG_CONFIG_HOME") or Path(env.get("HOME", "~")).expanduser() / ".config")
    return [Path("auroraml.toml"), base / "auroraml" / "config.toml"]


def read_file(path: Path) -> dict[str, Any]:
    import tomli

    try:
        with path.open("rb") as fh:
            return tomli.load(fh)
    except tomli.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the file or point --config elsewhere") from None
    except RecursionError:  # tomli's answer to arrays or tables nested past 400 levels
        raise ConfigError(f"{path}: not valid TOML: nested too deeply", "fix the file or point --config elsewhere") from None
    except UnicodeDecodeError:  # TOML is UTF-8
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text", "fix the file or point --config elsewhere") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}", "check --config / AURORAML_CONFIG") from None


def _target_table(doc: dict[str, Any], name: str | None, path: Path) -> dict[str, Any]:
    unknown_top = sorted(set(doc) - {"default_target", "targets"})
    if unknown_top:
        raise ConfigError(f"{path}: unknown top-level keys: {', '.join(unknown_top)}",
                          "the file holds default_target and [targets.NAME] tables")
    targets = doc.get("targets", {})
    if not isinstance(targets, dict):
        raise ConfigError(f"{path}: [targets] must be a table of named targets", "write each target as [targets.NAME]")
    name = name or doc.get("default_target")
    if name is None:
        return {}
    if not isinstance(name, str):
        raise ConfigError(f"{path}: default_target must be a target's name, got {name!r}", "write default_target = \"NAME\"")
    if name not in targets:
        known = ", ".join(sorted(targets)) or "none"
        raise ConfigError(f"{path}: no target named {name!r} (known: {known})", "use -t with one of those names")
    table = targets[name]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: target {name!r} is not a table", f"write it as [targets.{name}] with keys such as cluster = ...")
    unknown = sorted(set(table) - set(_TARGET_KEYS))
    if unknown:
        raise ConfigError(f"{path}: target {name!r} has unknown keys: {', '.join(unknown)}",
                          f"allowed: {', '.join(_TARGET_KEYS)}")
    return {k: _coerce(k, v, _TARGET_KEYS[k], f"{path} [targets.{name}]") for k, v in table.items()}


def resolve(flags: Flags, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the flags given (None = not given), the environment and the file."""
    env = os.environ if env is None else env
    for key in ENV_KEYS:  # bytes that were not UTF-8 arrive as lone surrogates (os.environ decodes so)
        value = env.get(ENV_PREFIX + key.upper()) or ""
        if any("\udc80" <= c <= "\udcff" for c in value):
            raise ConfigError(f"${ENV_PREFIX}{key.upper()} is not valid UTF-8: {value!r}", "set it to UTF-8 text, or unset it")
    explicit_config = flags.config_path or None
    target = flags.target or env.get(ENV_PREFIX + "TARGET") or None
    file_values: dict[str, Any] = {}
    used_path = None
    for path in candidate_paths(explicit_config, env):
        try:
            found = path.is_file()
        except OSError as exc:  # is_file() says False for a missing file, but raises ENAMETOOLONG, EACCES
            raise ConfigError(f"cannot use the settings file {path}: {exc.strerror}", "check --config / AURORAML_CONFIG") from None
        if found:
            used_path = path
            file_values = _target_table(read_file(path), target, path)
            break
        if explicit_config or env.get(ENV_PREFIX + "CONFIG"):
            raise ConfigError(f"settings file not found: {path}", "check --config / AURORAML_CONFIG")
    if target and used_path is None:
        raise ConfigError(f"target {target!r} asked for, but no settings file was found",
                          "create ./auroraml.toml or pass --config")

    settings = Settings(config_path=str(used_path) if used_path else None, target=target)
    for name in _TARGET_KEYS:
        value = getattr(flags, name, None)  # a setting with no command-line flag is never given one
        if value is None and env.get(ENV_PREFIX + name.upper()):
            value = _coerce(name, env[ENV_PREFIX + name.upper()], _TARGET_KEYS[name], f"${ENV_PREFIX}{name.upper()}")
        if value is None:
            value = file_values.get(name)
        if value is not None:
            setattr(settings, name, value)
    for name in ("verbose", "quiet", "color"):
        if getattr(flags, name) is not None:
            setattr(settings, name, getattr(flags, name))
    if env.get("NO_COLOR"):
        settings.color = False
    if settings.output not in (None, "table", "json", "prometheus"):
        raise ConfigError(f"output must be table, json or prometheus, got {settings.output!r}",
                          "set output (the target's, or AURORAML_OUTPUT) to table, json or prometheus")
    return settings
