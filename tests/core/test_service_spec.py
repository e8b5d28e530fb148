"""A service is one row: nothing outside its spec (core/services/) compares a service's name.

Commands, plans and checks read what a service means from its spec, so adding a service is a spec
module, never a new `if service == "..."` somewhere. This walks the code and fails on any
comparison (==, !=, in, not in) with a service name as a string literal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from auroraml_cli.core.catalogue import SERVICES, get_service
from auroraml_cli.core.services import SPECS, base
from auroraml_cli.core.services.bedrock import INFERENCE_PROFILE_PREFIXES, base_model
from auroraml_cli.core.versions import AuroraVersion

PACKAGE = Path(__file__).resolve().parents[2] / "auroraml_cli"
NAMES = {"bedrock", "comprehend", "sagemaker", "s3", "lambda"}
SPEC_DIR = PACKAGE / "core" / "services"


def _sources() -> list[Path]:
    files = sorted((PACKAGE / "commands").glob("*.py")) + sorted((PACKAGE / "core").rglob("*.py"))
    return [f for f in files if SPEC_DIR not in f.parents]


def _literals(node: ast.AST) -> list[str]:
    """The service names a comparison operand spells out: a string, or a tuple/list/set of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value.lower() in NAMES else []
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [v for elt in node.elts for v in _literals(elt)]
    return []


def name_comparisons(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops):
            for operand in (node.left, *node.comparators):
                found += [(node.lineno, name) for name in _literals(operand)]
        elif isinstance(node, ast.Match):  # `case "bedrock":` is a comparison too
            for case in node.cases:
                for sub in ast.walk(case.pattern):
                    if isinstance(sub, ast.MatchValue):
                        found += [(sub.lineno, name) for name in _literals(sub.value)]
    return found


def test_no_command_plan_or_check_compares_a_service_name():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: {name!r}"
                 for path in _sources() for line, name in name_comparisons(path.read_text(encoding="utf-8"))]
    assert not offenders, "branch on the service's spec, not its name:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source, hits", [
    ('if service.name == "bedrock": pass', 1),
    ('x = name != "S3"', 1),
    ('ok = svc in ("sagemaker", "comprehend")', 2),
    ('ok = "lambda" not in names', 1),
    ('match name:\n    case "bedrock":\n        pass', 1),
    ('x = {"bedrock": 1}["bedrock"]', 0),  # a look-up is not a branch
    ('x = name == "bedrock-runtime"', 0),
])
def test_the_walker_finds_comparisons(source, hits):
    assert len(name_comparisons(source)) == hits


def test_every_spec_is_in_the_catalogue_once():
    assert [s.name for s in SPECS] == list(SERVICES)
    for spec in SPECS:
        assert get_service(spec.name) is spec
        assert set(spec.options) <= set(base.SETUP_OPTIONS)
        assert spec.required is None or spec.required in spec.options
        assert spec.vpc_endpoint and spec.vpc_endpoint_type in ("Interface", "Gateway")
        assert set(spec.checked_actions) <= set(spec.iam_actions)
        assert set(spec.minimum) == set(spec.parameters)


def test_the_checks_a_spec_names_exist():
    from auroraml_cli.core.checks.aws_side import TARGET_CHECKS

    for spec in SPECS:
        assert set(spec.checks) <= set(TARGET_CHECKS), spec.name


def test_one_list_of_inference_profile_geographies():
    from auroraml_cli.core import ddl

    for prefix in INFERENCE_PROFILE_PREFIXES:
        model = f"{prefix}anthropic.claude-3-haiku-20240307-v1:0"
        assert base_model(model) == "anthropic.claude-3-haiku-20240307-v1:0"
        assert ddl.family_for(model) == "anthropic"


@pytest.mark.parametrize("region, version, expected", [
    ("us-east-1", "2.11.2", ()),
    ("ap-northeast-3", "2.11.2", (2, 7, 3)),
    ("ap-southeast-5", "2.11.2", None),
    ("ap-southeast-5", "3.06.0", (3, 4)),
])
def test_regional_minimum(region, version, expected):
    assert base.regional_minimum(region, AuroraVersion.parse(version)) == expected


def test_only_aurora_ml_services_are_blocked_where_aurora_ml_is_not_offered():
    blocked = {s.name for s in SPECS if s.blocked_in("af-south-1")}
    assert blocked == {s.name for s in SPECS if s.aurora_ml}
    assert "s3" not in blocked
    assert not any(s.blocked_in("us-east-1") for s in SPECS)


# --- Lambda, the row added as the proof ---------------------------------------------------------

ACCT = "123456789012"


@pytest.mark.parametrize("version, parameters, supported", [
    ("2.11.2", ("aws_default_lambda_role",), True),
    ("3.01.0", ("aws_default_lambda_role",), True),
    ("3.00.1", ("aws_default_lambda_role",), False),
    ("8.4.7", ("aws_default_lambda_role",), True),
])
def test_lambda_versions_and_parameter(version, parameters, supported):
    spec, v = get_service("lambda"), AuroraVersion.parse(version)
    assert spec.parameters_for(v) == parameters
    assert spec.supported_by(v) is supported


def test_lambda_vocabulary():
    spec = get_service("lambda")
    assert spec.db_roles == ("AWS_LAMBDA_ACCESS",)
    assert spec.v2_privileges == ("INVOKE LAMBDA",)
    assert spec.iam_actions == ("lambda:InvokeFunction",)
    assert (spec.vpc_endpoint, spec.vpc_endpoint_type) == ("lambda", "Interface")
    assert spec.minimum_text() == "any 2.x / 3.01 / any 8.4"
    assert not spec.blocked_in("af-south-1")  # not Aurora ML


def test_lambda_policy_names_exactly_the_functions():
    from auroraml_cli.core.policies import permission_policy

    arn = f"arn:aws:lambda:us-west-2:{ACCT}:function:other:prod"
    doc = permission_policy(get_service("lambda"), partition="aws", account=ACCT, region="us-east-1",
                            functions=["notify", arn, "notify"])
    assert doc["Statement"] == [{"Sid": "AuroraMLInvokeLambda", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                                 "Resource": sorted([f"arn:aws:lambda:us-east-1:{ACCT}:function:notify", arn])}]


def test_lambda_scope_and_fix():
    from auroraml_cli.core.checks.aws_side import Scope

    spec = get_service("lambda")
    assert spec.scope_resources("aws", "eu-west-1", ACCT, Scope()) is None
    assert spec.scope_resources("aws", "eu-west-1", ACCT, Scope(functions=("f",))) == [
        f"arn:aws:lambda:eu-west-1:{ACCT}:function:f"]
    assert spec.setup_flags(Scope()) == " --function FUNCTION"
    assert spec.setup_flags(Scope(functions=("a", "b"))) == " --function a --function b"


@pytest.mark.parametrize("text, ok", [
    ("notify-orders", True), ("a_b-C9", True), (f"arn:aws:lambda:us-east-1:{ACCT}:function:f", True),
    (f"arn:aws:lambda:us-east-1:{ACCT}:function:f:$LATEST", True), (f"arn:aws:lambda:us-east-1:{ACCT}:function:f:prod", True),
    ("", False), ("has space", False), ("x" * 65, False), ("f*", False), (f"arn:aws:lambda:us-east-1:{ACCT}:function:*", False),
    (f"arn:aws:s3:::{ACCT}", False), ("arn:aws:lambda:us-east-1::function:f", False), ("arn:aws:lambda:us-east-1:1:function:f", False),
])
def test_lambda_function_names(text, ok):
    from auroraml_cli.core import names
    from auroraml_cli.core.errors import UsageError

    if ok:
        assert names.lambda_function(text) == text
    else:
        with pytest.raises(UsageError):
            names.lambda_function(text)


def test_explain_reports_lambda_calls_as_never_batched():
    from auroraml_cli.core import explain

    assert explain.ml_functions(None, "SELECT lambda_sync('arn', '{}'), lambda_async('arn', '{}')", None) == {
        "lambda_sync": "lambda", "lambda_async": "lambda"}
