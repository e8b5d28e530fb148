"""The fleet file (core/fleet/file.py): every key placed at its line, every refusal naming the file,
the line and the key (exit 2), and hostile TOML answered with exit 2 or accepted, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auroraml_cli.core.errors import EXIT_USAGE, UsageError, exit_code_for
from auroraml_cli.core.fleet import file as fleet_file
from auroraml_cli.core.fleet.file import FleetFileError, key_lines, line_of

ISSUE_EXAMPLE = """\
[defaults]
region = "us-east-1"          # optional; profile = "..." too

[[cluster]]
id = "ml-demo"

[cluster.bedrock]
models = ["amazon.titan-text-express-v1"]

[cluster.comprehend]

[cluster.sagemaker]
endpoints = ["churn-predictor"]

[cluster.s3]
bucket = "ml-exports"
prefix = "ml/"

[[cluster.grants]]
service = "comprehend"
user = "analyst@%"

[[cluster.functions]]
name = "mldb.churn"
sagemaker = { endpoint = "churn-predictor", args = ["age:INT", "tenure:INT"], returns = "DOUBLE" }

[[cluster]]
id = "ml-eu"
region = "eu-west-1"
profile = "eu-prod"
[cluster.comprehend]
"""


def _load(tmp_path, text: str, name: str = "fleet.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path, fleet_file.load(path)


def _refused(tmp_path, text: str) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(text)
    with pytest.raises(FleetFileError) as caught:
        fleet_file.load(path)
    assert exit_code_for(caught.value) == EXIT_USAGE and caught.value.hint
    return caught.value.message.replace(str(path), "FILE")


def test_the_issue_s_example_is_read_whole(tmp_path):
    _, fleet = _load(tmp_path, ISSUE_EXAMPLE)
    demo, eu = fleet.clusters
    assert (demo.id, demo.region, demo.profile, demo.line) == ("ml-demo", "us-east-1", None, 4)
    assert [(s.name, s.options, s.line) for s in demo.services] == [
        ("bedrock", {"models": ["amazon.titan-text-express-v1"]}, 7), ("comprehend", {}, 10),
        ("sagemaker", {"endpoints": ["churn-predictor"]}, 12), ("s3", {"bucket": "ml-exports", "prefix": "ml"}, 15)]
    assert [(g.service, g.user, g.line) for g in demo.grants] == [("comprehend", "analyst@%", 19)]
    assert [(f.name, f.service, f.target["endpoint"], f.line, f.replace) for f in demo.functions] == [
        ("mldb.churn", "sagemaker", "churn-predictor", 23, False)]
    assert (eu.id, eu.region, eu.profile, eu.line, [s.name for s in eu.services]) == (
        "ml-eu", "eu-west-1", "eu-prod", 27, ["comprehend"])


def test_key_lines_follow_tables_arrays_of_tables_dotted_and_quoted_keys():
    text = ('[[cluster]]\nid = "a"\nbedrock.models = [\n  "x",\n  "y = z",\n]\n"region" = "eu-west-1"\n'
            'note = """\nfake = 1\n"""\n[[cluster]]\nid = "b"\n[cluster . "s3"]\nbucket = "b"\n')
    lines = key_lines(text)
    assert lines[("cluster", 0)] == 1 and lines[("cluster", 0, "id")] == 2
    assert lines[("cluster", 0, "bedrock", "models")] == 3 and lines[("cluster", 0, "region")] == 7
    assert ("cluster", 0, "y") not in lines and ("cluster", 0, "fake") not in lines  # inside an array, a string
    assert lines[("cluster", 1, "id")] == 12 and lines[("cluster", 1, "s3", "bucket")] == 14
    assert line_of(lines, ("cluster", 1, "s3", "nope")) == 13 and line_of(lines, ("elsewhere",)) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ('[[cluster]]\nid = "a"\n[cluster.bedrock]\nmodel = ["m"]\n', "FILE:4: cluster[0].bedrock.model: unknown key"),
    ('[[cluster]]\nid = "a"\n[cluster.bedrock]\n', "FILE:3: cluster[0].bedrock.models: missing"),
    ('[[cluster]]\nid = "a"\n[cluster.comprehend]\nendpoints = ["e"]\n', "FILE:4: cluster[0].comprehend.endpoints: unknown key"),
    ('[[cluster]]\nid = "a"\n\n[[cluster]]\nid = "b"\nserivce = 1\n', "FILE:6: cluster[1].serivce: unknown key"),
    ('[[cluster]]\nid = "a"\nregion = "mars"\n', "FILE:3: cluster[0].region: not an AWS region: 'mars'"),
    ('[[cluster]]\nid = "a--b"\n', "FILE:2: cluster[0].id: not a valid DB cluster identifier"),
    ('[[cluster]]\nid = "a"\n[cluster.s3]\nbucket = "Not_A_Bucket"\n', "FILE:4: cluster[0].s3.bucket:"),
    ('[[cluster]]\nid = "a"\n[cluster.sagemaker]\nendpoints = "e"\n', "FILE:4: cluster[0].sagemaker.endpoints: must be a list"),
    ('[[cluster]]\nid = "a"\n[[cluster.grants]]\nservice = "rekognition"\nuser = "u"\n',
     "FILE:4: cluster[0].grants[0].service: not a service: 'rekognition'"),
    ('[[cluster]]\nid = "a"\n[[cluster]]\nid = "a"\n', "FILE:4: cluster[1].id: cluster a is listed twice"),
    ('[defaults]\nzone = "x"\n[[cluster]]\nid = "a"\n', "FILE:2: defaults.zone: unknown key"),
    ('clusters = []\n', "FILE:1: clusters: unknown key"),
    ('', "FILE:1: cluster: no [[cluster]] table"),
    ('[[cluster]]\nid = \n', "FILE: not valid TOML"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nsagemaker = { endpoint = "e", arg = ["x:INT"] }\n',
     "FILE:5: cluster[0].functions[0].sagemaker.arg: unknown key"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nsagemaker = { endpoint = "e", args = "x:INT", returns = "INT" }\n',
     "FILE:5: cluster[0].functions[0].sagemaker.args: wrong type"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nsagemaker = { endpoint = "e", args = ["x:INT"], returns = "BIT" }\n',
     "FILE:5: cluster[0].functions[0].sagemaker: a SageMaker function cannot return BIT"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\ncomprehend = {}\n',
     "FILE:5: cluster[0].functions[0].comprehend: unknown key"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nbedrock = { model_id = "m1", timeout_ms = true }\n',
     "FILE:5: cluster[0].functions[0].bedrock.timeout_ms: wrong type"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nreplace = "yes"\nbedrock = { model_id = "m1" }\n',
     "FILE:5: cluster[0].functions[0].replace: must be true or false"),
    ('[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nreplace = 1\nbedrock = { model_id = "m1" }\n',
     "FILE:5: cluster[0].functions[0].replace: must be true or false"),
])
def test_refusals_name_the_file_the_line_and_the_key(tmp_path, text, expected):
    assert _refused(tmp_path, text).startswith(expected)


def test_an_unreadable_or_non_utf8_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        fleet_file.load(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[[cluster]]\nid = "caf\xe9"\n')
    with pytest.raises(FleetFileError, match="not UTF-8"):
        fleet_file.load(bad)


# Hostile TOML: fragments a fleet file is made of, shuffled, with hostile names and values.
_KEYS = st.sampled_from(["id", "region", "profile", "models", "endpoints", "bucket", "prefix", "kms_key", "functions",
                         "service", "user", "name", "parameter_group", "allow_shared_parameter_group", "x", "\"q.k\"",
                         "a.b", "bedrock", "s3", "replace"])
_VALUES = st.one_of(
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'),
    st.integers().map(str), st.booleans().map(lambda b: str(b).lower()),
    st.lists(st.text(alphabet="abc-._:/*?", max_size=8), max_size=3).map(lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"),
    st.sampled_from(["{}", "{ endpoint = \"e\" }", "[[]]", "1979-05-27", "nan", "\"\"\"\n\"\"\"", "[\n1,\n]"]),
)
_LINES = st.one_of(
    st.sampled_from(["[[cluster]]", "[defaults]", "[cluster.bedrock]", "[cluster.s3]", "[cluster.comprehend]",
                     "[cluster.sagemaker]", "[cluster.lambda]", "[[cluster.grants]]", "[[cluster.functions]]",
                     "[cluster]", "[[defaults]]", "# a comment", ""]),
    st.tuples(_KEYS, _VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINES, max_size=14))
def test_hostile_toml_is_refused_with_exit_2_or_accepted(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fleet") / "fleet.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        fleet = fleet_file.load(path)
    except UsageError as exc:
        assert exit_code_for(exc) == EXIT_USAGE and exc.hint and "\n" not in exc.message.split(": not valid TOML")[0]
        return
    assert fleet.clusters and all(c.id for c in fleet.clusters)


def test_state_reads_setup_options_back_from_policy_resources():
    from auroraml_cli.core.fleet.state import FROM_RESOURCES, render

    resources = ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
                 "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
                 "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
                 "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
                 "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-predictor",
                 "arn:aws:s3:::ml-exports", "arn:aws:s3:::ml-exports/ml/*",
                 "arn:aws:kms:us-east-1:123456789012:key/abcd",
                 "arn:aws:lambda:us-east-1:123456789012:function:notify"]
    assert FROM_RESOURCES["--model-id"](resources) == ["us.anthropic.claude-3-haiku-20240307-v1:0",
                                                       "amazon.titan-text-express-v1"]
    assert FROM_RESOURCES["--endpoint"](resources) == ["churn-predictor"]
    assert (FROM_RESOURCES["--bucket"](resources), FROM_RESOURCES["--prefix"](resources)) == ("ml-exports", "ml")
    assert FROM_RESOURCES["--prefix"](["arn:aws:s3:::b", "arn:aws:s3:::b/*"]) is None
    assert FROM_RESOURCES["--kms-key"](resources) == "arn:aws:kms:us-east-1:123456789012:key/abcd"
    assert FROM_RESOURCES["--function"](resources) == ["arn:aws:lambda:us-east-1:123456789012:function:notify"]
    text = render([{"id": "ml-demo", "region": "us-east-1", "skipped": [],
                    "services": {"s3": {"bucket": "ml-exports", "prefix": "ml"}, "comprehend": {}}}])
    import tomli

    assert tomli.loads(text) == {"cluster": [{"id": "ml-demo", "region": "us-east-1", "s3": {"bucket": "ml-exports", "prefix": "ml"},
                                              "comprehend": {}}]}


def test_replace_true_on_a_function_is_read():
    import tomllib

    text = '[[cluster]]\nid = "a"\n[[cluster.functions]]\nname = "db.f"\nreplace = true\nbedrock = { model_id = "m1" }\n'
    fleet = fleet_file.check(tomllib.loads(text), "f.toml", key_lines(text))
    assert [(f.name, f.replace) for f in fleet.clusters[0].functions] == [("db.f", True)]
