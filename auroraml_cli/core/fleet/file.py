"""The fleet file (`auroraml plan -f` / `apply -f`): TOML listing clusters and what each should have.

Read and checked before anything is asked of AWS: an unknown key, a value of the wrong type or a
name auroraml would refuse on the command line is refused with the file name, the line and the key
(exit 2). tomli gives values, not where they were written, so `key_lines` finds each key's line
with a small scan of the text (tables, arrays of tables, dotted keys); a key it cannot place is
reported at the line of the nearest enclosing table it can.

The services a cluster table may hold, and the keys each takes, come from the service specs
(core/services/): a spec's setup options (`--model-id` ...) are the file's keys (`models` ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AuroraMLError, UsageError

# Each setup option (services.base.SETUP_OPTIONS) as a key of a service table, and whether it is a list.
OPTION_KEYS: dict[str, tuple[str, bool]] = {
    "--model-id": ("models", True),
    "--endpoint": ("endpoints", True),
    "--bucket": ("bucket", False),
    "--prefix": ("prefix", False),
    "--kms-key": ("kms_key", False),
    "--function": ("functions", True),
}
TOP_KEYS = ("defaults", "cluster")
DEFAULT_KEYS = ("region", "profile")
# A cluster table's own keys; every service name is a key too (its table).
CLUSTER_KEYS = ("id", "region", "profile", "parameter_group", "allow_shared_parameter_group", "grants", "functions")
GRANT_KEYS = ("service", "user")
FUNCTION_KEYS = ("name", "replace")  # and one service key naming what the function calls

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_PROFILE = re.compile(r"^[A-Za-z0-9_.@+-]{1,128}$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]*?)\s*(\]\]?)\s*(#.*)?$")
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY_PART = rf"(?:{_BARE}|{_QUOTED})"
_KEY_LINE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


class FleetFileError(UsageError):
    """A fleet file refused: where (file:line), which key, why."""


@dataclass
class ServiceWant:
    name: str
    options: dict[str, Any]  # TOML key -> value (models, endpoints, bucket, ...)
    line: int


@dataclass
class GrantWant:
    service: str
    user: str
    line: int


@dataclass
class FunctionWant:
    name: str
    service: str
    target: dict[str, Any]
    line: int
    built: Any = None  # core.ddl.Function
    replace: bool = False  # re-create it when the cluster's differs (ddl --apply --replace)


@dataclass
class ClusterWant:
    id: str
    region: str | None
    profile: str | None
    line: int
    index: int
    services: list[ServiceWant] = field(default_factory=list)
    grants: list[GrantWant] = field(default_factory=list)
    functions: list[FunctionWant] = field(default_factory=list)
    parameter_group: str | None = None
    allow_shared: bool = False


@dataclass
class FleetFile:
    path: str
    clusters: list[ClusterWant]
    lines: dict[tuple, int]

    def where(self, key_path: tuple) -> str:
        return f"{self.path}:{line_of(self.lines, key_path)}"


# --- where each key is written -----------------------------------------------------------------

def _split_key(text: str) -> list[str]:
    parts = re.findall(_KEY_PART, text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[tuple, int]:
    """The 1-based line of each key and table, by its path: ("cluster", 0, "bedrock", "models")
    (arrays of tables are indexed as tomli returns them). Lines inside multi-line strings and
    arrays are skipped as well as a short scan can: what it cannot place, `line_of` places at
    the enclosing table."""
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}  # array-of-tables path -> how many seen
    current: tuple = ()
    in_string: str | None = None
    depth = 0  # open [ of a multi-line array value
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header and header.group(1) == header.group(3).replace("]", "[") and "=" not in header.group(2):
            parts = _split_key(header.group(2))
            if header.group(1) == "[[" and parts:
                base = (*_resolve(parts[:-1], counts), parts[-1])
                n = counts.get(base, 0)
                counts[base] = n + 1
                path = (*base, n)
            else:
                path = _resolve(parts, counts)
            current = tuple(path)
            lines.setdefault(current, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            path = (*current, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_string = quote
            if in_string is None and rest.lstrip().startswith("["):
                depth = max(0, rest.count("[") - rest.count("]"))
    return lines


def _resolve(parts: list[str], counts: dict[tuple, int]) -> list:
    """A header's path with the index of the latest element of each array of tables in it."""
    path: list = []
    for part in parts:
        path.append(part)
        n = counts.get(tuple(path))
        if n:
            path.append(n - 1)
    return path


def line_of(lines: dict[tuple, int], key_path: tuple) -> int:
    """The line of `key_path`, else of its nearest enclosing key or table found; 1 when none is."""
    path = tuple(key_path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


# --- reading and checking ----------------------------------------------------------------------

def load(path: str | Path) -> FleetFile:
    """Read and check a fleet file; FleetFileError (exit 2) naming file, line and key otherwise."""
    import tomli

    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}", "check the path given to -f/--file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FleetFileError(f"{name}: not UTF-8 text", "save the file as UTF-8 (TOML is UTF-8)") from None
    try:
        doc = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise FleetFileError(f"{name}: not valid TOML: {exc}", "fix the file at that line") from None
    except RecursionError:
        raise FleetFileError(f"{name}: not valid TOML: nested too deeply", "flatten the file") from None
    return check(doc, name, key_lines(text))


def check(doc: dict[str, Any], name: str, lines: dict[tuple, int]) -> FleetFile:
    fleet = FleetFile(name, [], lines)

    def refuse(key_path: tuple, why: str, hint: str) -> FleetFileError:
        return FleetFileError(f"{fleet.where(key_path)}: {_dotted(key_path)}: {why}", hint)

    _unknown(doc, (), TOP_KEYS, refuse, "a fleet file holds [defaults] and [[cluster]] tables")
    defaults = _table(doc, ("defaults",), refuse)
    _unknown(defaults, ("defaults",), DEFAULT_KEYS, refuse, "[defaults] takes region and profile")
    default_region = _region(defaults, ("defaults",), refuse)
    default_profile = _profile(defaults, ("defaults",), refuse)
    clusters = doc.get("cluster", [])
    if not isinstance(clusters, list) or not all(isinstance(c, dict) for c in clusters):
        raise refuse(("cluster",), "must be an array of tables", "write each cluster as [[cluster]] with id = \"...\"")
    if not clusters:
        raise refuse(("cluster",), "no [[cluster]] table", "add [[cluster]] with id = \"CLUSTER-ID\"")
    seen: dict[tuple, int] = {}
    for i, table in enumerate(clusters):
        want = _cluster(table, ("cluster", i), i, default_region, default_profile, refuse, lines)
        key = (want.profile, want.region, want.id)
        if key in seen:
            raise refuse(("cluster", i, "id"), f"cluster {want.id} is listed twice",
                         f"merge it with the [[cluster]] at line {seen[key]}")
        seen[key] = want.line
        fleet.clusters.append(want)
    return fleet


def _cluster(table, at, index, default_region, default_profile, refuse, lines) -> ClusterWant:
    from .. import names
    from ..catalogue import SERVICES
    from ..sql import MYSQL_USER_MAX, Account

    allowed = (*CLUSTER_KEYS, *SERVICES)
    _unknown(table, at, allowed, refuse, "a [[cluster]] takes " + ", ".join(allowed))
    ident = table.get("id")
    if not isinstance(ident, str):
        raise refuse((*at, "id"), "missing or not a string", "give each [[cluster]] an id = \"CLUSTER-ID\"")
    _named(lambda: names.cluster_id(ident), (*at, "id"), refuse)
    want = ClusterWant(ident, _region(table, at, refuse) or default_region, _profile(table, at, refuse) or default_profile,
                       line_of(lines, at), index)
    group = table.get("parameter_group")
    if group is not None:
        _typed(group, str, (*at, "parameter_group"), refuse)
        want.parameter_group = _named(lambda: names.parameter_group_name(group), (*at, "parameter_group"), refuse)
    shared = table.get("allow_shared_parameter_group", False)
    want.allow_shared = _typed(shared, bool, (*at, "allow_shared_parameter_group"), refuse)
    for service_name, service in SERVICES.items():
        if service_name in table:
            want.services.append(_service(service, table[service_name], (*at, service_name), refuse, lines))
    for j, grant in enumerate(_array(table, (*at, "grants"), refuse)):
        gat = (*at, "grants", j)
        _unknown(grant, gat, GRANT_KEYS, refuse, "a [[cluster.grants]] takes service and user")
        svc = _service_name(grant.get("service"), (*gat, "service"), refuse)
        user = grant.get("user")
        if not isinstance(user, str) or not user:
            raise refuse((*gat, "user"), "missing or not a string", "user = \"NAME@HOST\"")
        _named(lambda: Account.parse(user, MYSQL_USER_MAX).checked(), (*gat, "user"), refuse)
        want.grants.append(GrantWant(svc, user, line_of(lines, gat)))
    for j, function in enumerate(_array(table, (*at, "functions"), refuse)):
        want.functions.append(_function(function, (*at, "functions", j), refuse, lines))
    return want


def _builders() -> dict:
    """Each service that has ML functions (a spec's ddl_alias) → core/ddl.py's builder of the same name."""
    from .. import ddl
    from ..catalogue import SERVICES

    return {name: getattr(ddl, name) for name, service in SERVICES.items() if service.ddl_alias}


def _function(function, at, refuse, lines) -> FunctionWant:
    """A [[cluster.functions]]: `name` and one service table whose keys are `auroraml ddl SERVICE`'s
    options (the builder's keyword arguments: endpoint, args, returns, model_id, ...)."""
    import inspect

    builders = _builders()
    _unknown(function, at, (*FUNCTION_KEYS, *builders), refuse, "a [[cluster.functions]] takes name, replace and one of: "
             + ", ".join(builders))
    replace = _typed(function.get("replace", False), bool, (*at, "replace"), refuse)
    fname = function.get("name")
    if not isinstance(fname, str) or not fname:
        raise refuse((*at, "name"), "missing or not a string", "name = \"DATABASE.FUNCTION\"")
    targets = [s for s in builders if s in function]
    if len(targets) != 1:
        raise refuse(at, "needs exactly one service key", "e.g. sagemaker = { endpoint = \"...\", args = [...], returns = \"...\" }")
    service = targets[0]
    target = function[service]
    if not isinstance(target, dict):
        raise refuse((*at, service), "must be a table", "e.g. { endpoint = \"...\", returns = \"...\" }")
    params = {n: str(p.annotation) for n, p in inspect.signature(builders[service]).parameters.items()
              if p.kind is inspect.Parameter.KEYWORD_ONLY}
    _unknown(target, (*at, service), tuple(params), refuse, "takes " + ", ".join(params))
    for key, value in target.items():
        kind = params[key]
        ok = (isinstance(value, list) and all(isinstance(v, str) for v in value) if "list" in kind
              else isinstance(value, int) and not isinstance(value, bool) if "int" in kind else isinstance(value, str))
        if not ok:
            raise refuse((*at, service, key), "wrong type", "a list of strings" if "list" in kind
                         else "a whole number" if "int" in kind else "a string")
    built = _named(lambda: builders[service](fname, **target), (*at, service), refuse)
    return FunctionWant(fname, service, target, line_of(lines, at), built, replace)


def _service(service, table, at, refuse, lines) -> ServiceWant:
    from .. import names

    if not isinstance(table, dict):
        raise refuse(at, "must be a table", f"write [cluster.{service.name}]")
    keys = {OPTION_KEYS[o][0]: (o, OPTION_KEYS[o][1]) for o in service.options}
    _unknown(table, at, tuple(keys), refuse,
             f"[cluster.{service.name}] takes " + (", ".join(keys) if keys else "no keys"))
    check_name = {"--model-id": names.model_id, "--endpoint": names.endpoint_name, "--bucket": names.bucket,
                  "--prefix": names.s3_prefix, "--kms-key": names.kms_key, "--function": names.lambda_function}
    options: dict[str, Any] = {}
    for key, (flag, is_list) in keys.items():
        if key not in table:
            continue
        value = table[key]
        if is_list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise refuse((*at, key), "must be a list of strings", f"{key} = [\"...\"]")
            options[key] = [_named(lambda v=v: check_name[flag](v), (*at, key), refuse) for v in value]
        else:
            _typed(value, str, (*at, key), refuse)
            options[key] = _named(lambda: check_name[flag](value), (*at, key), refuse)
    if service.required:
        key = OPTION_KEYS[service.required][0]
        if not options.get(key):
            raise refuse((*at, key), "missing", f"[cluster.{service.name}] needs {key}: {service.required_hint}")
    return ServiceWant(service.name, options, line_of(lines, at))


def _service_name(value, at, refuse) -> str:
    from ..catalogue import SERVICE_NAMES

    if not isinstance(value, str) or value.lower() not in SERVICE_NAMES:
        raise refuse(at, f"not a service: {value!r}", "one of: " + ", ".join(SERVICE_NAMES))
    return value.lower()


def _named(check, at, refuse):
    """A names.* check, its refusal placed in the file."""
    try:
        return check()
    except AuroraMLError as exc:
        raise refuse(at, exc.message, exc.hint or "fix the value") from None


def _unknown(table: dict, at: tuple, allowed: tuple, refuse, hint: str) -> None:
    for key in table:
        if key not in allowed:
            raise refuse((*at, key), "unknown key", hint)


def _table(doc, at, refuse) -> dict:
    value = doc.get(at[-1], {})
    if not isinstance(value, dict):
        raise refuse(at, "must be a table", f"write [{at[-1]}]")
    return value


def _array(table, at, refuse) -> list:
    value = table.get(at[-1], [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise refuse(at, "must be an array of tables", f"write [[cluster.{at[-1]}]]")
    return value


def _typed(value, kind, at, refuse):
    if not isinstance(value, kind):
        raise refuse(at, f"must be {'true or false' if kind is bool else 'a string'}", "fix the value")
    return value


def _region(table, at, refuse) -> str | None:
    value = table.get("region")
    if value is None:
        return None
    if not isinstance(value, str) or not _REGION.match(value):
        raise refuse((*at, "region"), f"not an AWS region: {value!r}", "e.g. region = \"eu-west-1\"")
    return value


def _profile(table, at, refuse) -> str | None:
    value = table.get("profile")
    if value is None:
        return None
    if not isinstance(value, str) or not _PROFILE.match(value):
        raise refuse((*at, "profile"), f"not a profile name: {value!r}", "the name of a profile in ~/.aws/config")
    return value


def _dotted(key_path: tuple) -> str:
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
