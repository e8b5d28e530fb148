"""Every JSON document auroraml prints carries "schema_version" and validates against its JSON Schema
in docs/schemas/ (draft 2020-12): each command is run here, in-process, on the sandbox or offline,
and its output checked against the file. A command added to cli.COMMANDS must be listed below with
its schemas (or in cli.NO_JSON), and a schema file must have a case that produces it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auroraml_cli.cli import COMMANDS, NO_JSON
from auroraml_cli.core.output import SCHEMA_VERSION

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
PASSWORD = "schema-Pa55word"
# The IAM policy documents `iam-policy` prints are IAM's format, pasted into `aws iam`: no key of ours.
UNVERSIONED = {"iam-policy"}

# Each command of cli.COMMANDS: the schemas of the JSON it prints.
COMMAND_SCHEMAS = {
    "setup": ["setup"], "teardown": ["teardown"], "grant": ["grant"], "revoke": ["revoke"], "ddl": ["ddl"],
    "export": ["export"], "explain": ["explain"], "sql": ["sql"], "status": ["status", "status-watch"],
    "check": ["check"], "history": ["history"], "iam-policy": ["iam-policy", "iam-policy-bootstrap"],
    "plan": ["plan"], "apply": ["apply"], "state": ["state"],
}


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


def validate(name: str, doc) -> None:
    from jsonschema import Draft202012Validator

    if os.environ.get("SCHEMA_DOCS_DUMP"):  # a file to append real output to, to write a schema from
        with open(os.environ["SCHEMA_DOCS_DUMP"], "a") as dump:
            dump.write(f"--- {name}\n{json.dumps(doc, indent=2)}\n")
    Draft202012Validator(schema(name)).validate(doc)
    if name not in UNVERSIONED:
        assert doc["schema_version"] == SCHEMA_VERSION and next(iter(doc)) == "schema_version"
    assert not undocumented(doc, schema(name)), f"{name}: keys the schema does not describe: {undocumented(doc, schema(name))}"


def undocumented(doc: dict, node: dict) -> list[str]:
    """Top-level keys of `doc` no `properties` of the schema (or of its oneOf branches) names: the
    schemas accept new keys (a key added keeps the version), but this repository documents each."""
    known = set(node.get("properties", {}))
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        known |= set(branch.get("properties", {}))
    return sorted(set(doc) - known) if isinstance(doc, dict) else []


# --- the schema files themselves -----------------------------------------------------------------

def test_every_command_is_accounted_for():
    """A new command either names its schemas here or is listed in cli.NO_JSON (refuses --query)."""
    names = [name for name, *_ in COMMANDS]
    assert sorted(set(names) - set(NO_JSON)) == sorted(COMMAND_SCHEMAS)
    assert not set(NO_JSON) & set(COMMAND_SCHEMAS)


def test_every_schema_file_is_a_2020_12_schema_with_the_version():
    from jsonschema import Draft202012Validator

    files = sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json"))
    assert files == sorted(n for names in COMMAND_SCHEMAS.values() for n in names)
    assert files == sorted(CASES)
    for name in files:
        doc = schema(name)
        Draft202012Validator.check_schema(doc)
        assert doc["$schema"] == DRAFT and doc["$id"].endswith(f"/{name}.schema.json") and doc["title"]
        if name not in UNVERSIONED:
            for shape in doc.get("oneOf", [doc]):  # each shape the document may take
                assert shape["properties"]["schema_version"]["const"] == SCHEMA_VERSION
                assert "schema_version" in shape["required"] and "command" in shape["required"]


def test_the_schemas_refuse_what_they_do_not_describe():
    from jsonschema import Draft202012Validator

    step = {"action": "create-role", "target": "r", "status": "done", "detail": "", "cluster": "ml-demo"}
    doc = {"schema_version": SCHEMA_VERSION, "command": "setup", "service": "comprehend", "cluster": "ml-demo",
           "region": "us-east-1", "account": "123456789012", "partition": "aws", "clusters": ["ml-demo"],
           "dry_run": False, "changed": True, "steps": [step], "notes": [], "a_key_added_later": 1}
    setup = Draft202012Validator(schema("setup"))
    assert setup.is_valid(doc)  # a key added keeps the version: consumers' validation still passes
    assert not setup.is_valid({**doc, "schema_version": SCHEMA_VERSION + 1})
    assert not setup.is_valid({k: v for k, v in doc.items() if k != "schema_version"})
    assert not setup.is_valid({**doc, "steps": [{**step, "status": "half-done"}]})
    assert not setup.is_valid({**doc, "command": "teardown"})
    iam = Draft202012Validator(schema("iam-policy"))
    assert not iam.is_valid({"schema_version": 1, "Version": "2012-10-17", "Statement": []})  # IAM would refuse it


# --- the documents, produced --------------------------------------------------------------------

@pytest.fixture
def endpoint(sandbox_aws, isolated):
    """ml-demo's Aurora SQL endpoint (3.x), a table and a SageMaker function, and the options to reach it."""
    import pymysql

    from auroraml_cli.sandbox.seed import V3
    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="ml-demo", engine_version=V3, master_password=PASSWORD) as ep:
        admin = pymysql.connect(host=ep.host, port=ep.port, user="admin", password=PASSWORD, autocommit=True)
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE mldb")
            cursor.execute("CREATE TABLE mldb.t (id INT, x DOUBLE)")
            cursor.execute("INSERT INTO mldb.t VALUES (1, 0.5), (2, 1.5)")
            cursor.execute("CREATE USER analyst IDENTIFIED BY 'analyst-pw-1'")
        admin.close()
        (isolated / "admin.cnf").write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\n")
        yield ("--host", ep.host, "--port", str(ep.port), "--defaults-file", str(isolated / "admin.cnf"),
               "--ssl-ca", str(ep.ssl_ca))


SCORE = ("ddl", "sagemaker", "mldb.score", "--endpoint", "churn-predictor", "--arg", "x:DOUBLE", "--returns", "DOUBLE")


def _setup(cli, request):
    request.getfixturevalue("sandbox_aws")
    return [cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--dry-run").json(),
            cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7).json()]


def _teardown(cli, request):
    request.getfixturevalue("sandbox_aws")
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    return [cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--dry-run").json(),
            cli("-o", "json", "teardown", "comprehend", "--cluster", "ml-demo", "--yes", code=None).json()]


def _grant(cli, request, verb="grant"):
    conn = request.getfixturevalue("endpoint")
    offline = cli("-o", "json", verb, "comprehend", "analyst", "--aurora-version", "3.06.0", "--dry-run").json()
    return [offline, cli("-o", "json", verb, "comprehend", "analyst", *conn).json()]


def _ddl(cli, request):
    conn = request.getfixturevalue("endpoint")
    return [cli("-o", "json", *SCORE, "--aurora-version", "3.06.0").json(),
            cli("-o", "json", *SCORE, "--dry-run", *conn).json(),
            cli("-o", "json", *SCORE, "--apply", *conn).json()]


def _export(cli, request):
    return [cli("-o", "json", "export", "--table", "mldb.t", "--to", "s3://ml-demo-exports/t", "--dry-run").json()]


def _explain(cli, request):
    conn = request.getfixturevalue("endpoint")
    cli("-o", "json", *SCORE, "--apply", *conn)
    return [cli("-o", "json", "explain", "SELECT mldb.score(x) FROM mldb.t", *conn).json()]


def _sql(cli, request):
    conn = request.getfixturevalue("endpoint")
    return [cli("-o", "json", "sql", *conn, "-e", "SELECT id, x FROM mldb.t ORDER BY id").json(),
            cli("-o", "json", "sql", *conn, "-e", "UPDATE mldb.t SET x = 2 WHERE id = 1").json()]


def _status(cli, request):
    conn = request.getfixturevalue("endpoint")
    return [cli("-o", "json", "status", *conn).json()]


def _status_watch(cli, request):
    conn = request.getfixturevalue("endpoint")
    out = cli("-o", "json", "status", *conn, "--watch", "--count", "2", "--interval", "0.05").stdout
    return [json.loads(line) for line in out.splitlines()]


def _check(cli, request):
    request.getfixturevalue("sandbox_aws")
    return [cli("-o", "json", "check", "--cluster", "ml-demo", "--no-database", code=None).json(),
            cli("-o", "json", "check", "--all", code=None).json()]


def _history(cli, request):
    request.getfixturevalue("sandbox_aws")
    cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    return [cli("-o", "json", "history").json(), cli("history", "--json", "--cluster", "no-such").json()]


def _iam_policy(cli, request):
    return [cli("iam-policy").json(), cli("iam-policy", "--account", "123456789012", "--command", "status").json(),
            cli("iam-policy", "--boundary").json()]


def _iam_policy_bootstrap(cli, request):
    return [cli("iam-policy", "--bootstrap", "--account", "123456789012").json()]


# ml-demo with two services and a grant (no database connection resolves: a note), and a cluster
# whose profile is not configured: that one fails (exit 3) with an "error" and no steps.
FLEET = """\
[defaults]
region = "us-east-1"

[[cluster]]
id = "ml-demo"

[cluster.comprehend]

[cluster.sagemaker]
endpoints = ["churn-predictor"]

[[cluster.grants]]
service = "comprehend"
user = "analyst"

[[cluster]]
id = "legacy-v2"
profile = "not-configured"
[cluster.comprehend]
"""


def _fleet(request, *, failing: bool = True) -> str:
    request.getfixturevalue("sandbox_aws")
    path = request.getfixturevalue("tmp_path") / "fleet.toml"
    path.write_text(FLEET if failing else FLEET.split("[[cluster]]\nid = \"legacy-v2\"")[0])
    return str(path)


def _plan(cli, request):
    fleet = _fleet(request)
    return [cli("-o", "json", "plan", "-f", fleet, code=3).json(),
            cli("-o", "json", "plan", "-f", _fleet(request, failing=False), "--detailed-exitcode", code=2).json()]


def _apply(cli, request):
    fleet = _fleet(request)
    done = cli("-o", "json", "apply", "-f", fleet, "--yes", code=3).json()  # ml-demo applied, legacy-v2 failed
    return [done, cli("-o", "json", "apply", "-f", _fleet(request, failing=False), "--no-reboot", code=None).json()]


def _state(cli, request):
    cli("-o", "json", "apply", "-f", _fleet(request, failing=False), "--yes")
    return [cli("-o", "json", "state", "--cluster", "ml-demo", "--cluster", "legacy-v2").json()]


CASES = {
    "setup": _setup, "teardown": _teardown, "grant": _grant, "revoke": lambda cli, r: _grant(cli, r, "revoke"),
    "ddl": _ddl, "export": _export, "explain": _explain, "sql": _sql, "status": _status,
    "status-watch": _status_watch, "check": _check, "history": _history, "iam-policy": _iam_policy,
    "iam-policy-bootstrap": _iam_policy_bootstrap, "plan": _plan, "apply": _apply, "state": _state,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_output_validates_against_its_schema(cli, request, name):
    docs = CASES[name](cli, request)
    assert docs
    for doc in docs:
        validate(name, doc)


def test_the_query_filters_each_watch_line(cli, endpoint):
    out = cli("--query", "[schema_version, instances[0].reachable]", "status", *endpoint, "--watch", "--count", "2",
              "--interval", "0.05").stdout
    assert out == "[1, true]\n[1, true]\n"  # one line per sample


def test_query_on_state_selects_from_its_json_document(cli, sandbox_aws):
    """`state` writes TOML unless JSON is asked for; --query implies -o json, so it filters state's document."""
    assert cli("--query", "[schema_version, clusters[0].id]", "state", "--cluster", "ml-demo").json() == [1, "ml-demo"]
    assert cli("state", "--cluster", "ml-demo").stdout.startswith("# Written by `auroraml state`")


def test_the_fleet_schemas_refuse_a_cluster_planned_without_its_steps():
    from jsonschema import Draft202012Validator

    doc = {"schema_version": SCHEMA_VERSION, "command": "plan", "file": "fleet.toml", "dry_run": True, "changes": 0,
           "failed": [], "clusters": [{"cluster": "ml-demo", "region": "us-east-1", "profile": None, "line": 4,
                                       "status": "ok"}]}
    plan = Draft202012Validator(schema("plan"))
    assert not plan.is_valid(doc)  # "ok" says it was read: its steps must be there
    failed = {**doc["clusters"][0], "status": "failed", "error": {"message": "m", "hint": None, "exit_code": 3}}
    assert plan.is_valid({**doc, "failed": ["ml-demo"], "clusters": [failed]})
    assert not Draft202012Validator(schema("apply")).is_valid({**doc, "command": "apply"})  # apply is no dry run
