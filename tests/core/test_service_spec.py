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
