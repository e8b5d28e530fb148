"""core/grants.py without a connection: the statements `grant`/`revoke --aurora-version` print."""

from __future__ import annotations

import pytest

from auroraml_cli.core import grants
from auroraml_cli.core.catalogue import SERVICES, get_service
from auroraml_cli.core.errors import UsageError
from auroraml_cli.core.plan import PLANNED
from auroraml_cli.core.sql import Account, FunctionRef
from auroraml_cli.core.versions import AuroraVersion

V3 = AuroraVersion.parse("3.06.0")
V2 = AuroraVersion.parse("2.11.2")
V84 = AuroraVersion.parse("8.4.7")
ACCT = Account("analyst", "10.0.%")


def req(service: str, account: Account = ACCT, functions=(), default_role: bool = True, revoke: bool = False):
    return grants.GrantRequest(get_service(service), account, [FunctionRef.parse(f) for f in functions],
                               default_role, revoke)


def sqls(plan) -> list[str]:
    return [s.detail for s in plan.steps]


@pytest.mark.parametrize("service, roles", [
    ("bedrock", ["AWS_BEDROCK_ACCESS"]),
    ("comprehend", ["AWS_COMPREHEND_ACCESS"]),
    ("sagemaker", ["AWS_SAGEMAKER_ACCESS"]),
    ("s3", ["AWS_SELECT_S3_ACCESS", "AWS_LOAD_S3_ACCESS"]),
])
def test_v3_grants_the_catalogue_roles_then_the_default_role(service, roles):
    assert list(SERVICES[service].db_roles) == roles
    plan = grants.plan(req(service), V3)
    role_steps = [s for s in plan.steps if s.action == "grant-role"]
    assert [s.target for s in role_steps] == roles
    assert [s.detail for s in role_steps] == [f"GRANT `{r}` TO `analyst`@`10.0.%`" for r in roles]
    default = [s for s in plan.steps if s.action == "set-default-role"]
    assert len(default) == 1
    assert default[0].detail == "SET DEFAULT ROLE " + ", ".join(f"`{r}`" for r in sorted(roles)) + " TO `analyst`@`10.0.%`"
    assert plan.steps[-1] is default[0]  # the role exists before it is made default


def test_v84_uses_roles_like_v3():
    plan = grants.plan(req("bedrock"), V84)
    assert sqls(plan) == ["GRANT `AWS_BEDROCK_ACCESS` TO `analyst`@`10.0.%`",
                          "SET DEFAULT ROLE `AWS_BEDROCK_ACCESS` TO `analyst`@`10.0.%`"]


@pytest.mark.parametrize("service, privileges", [
    ("sagemaker", ["INVOKE SAGEMAKER"]),
    ("comprehend", ["INVOKE COMPREHEND"]),
    ("s3", ["SELECT INTO S3", "LOAD FROM S3"]),
])
def test_v2_grants_privileges_on_star_star_and_no_default_role(service, privileges):
    plan = grants.plan(req(service), V2)
    assert [s.action for s in plan.steps] == ["grant-privilege"] * len(privileges)
    assert sqls(plan) == [f"GRANT {p} ON *.* TO `analyst`@`10.0.%`" for p in privileges]
    assert not any("ROLE" in s for s in sqls(plan))


def test_v2_sagemaker_statement_is_the_documented_one():
    plan = grants.plan(req("sagemaker", Account("user", "host")), V2)
    assert sqls(plan) == ["GRANT INVOKE SAGEMAKER ON *.* TO `user`@`host`"]


@pytest.mark.parametrize("version", ["2.11.2", "2.12.1", "3.05.2", "3.01.0"])
def test_bedrock_is_refused_on_v2_and_below_3_06(version):
    with pytest.raises(UsageError) as info:
        grants.plan(req("bedrock"), AuroraVersion.parse(version))
    assert "Bedrock" in info.value.message
    assert "3.06" in (info.value.message + (info.value.hint or ""))


def test_bedrock_on_v2_says_it_is_version_2_and_what_it_needs():
    with pytest.raises(UsageError) as info:
        grants.plan(req("bedrock"), V2)
    assert "2.11.2" in info.value.message
    assert info.value.hint and "3.06" in info.value.hint


def test_services_below_their_v2_minimum_are_refused():
    with pytest.raises(UsageError):
        grants.plan(req("comprehend"), AuroraVersion.parse("2.06.0"))


@pytest.mark.parametrize("version", [V3, V2])
def test_function_adds_execute_on_function(version):
    plan = grants.plan(req("sagemaker", functions=["mldb.churn_score", "ml`db.a b"]), version)
    execute = [s for s in plan.steps if s.action == "grant-execute"]
    assert [s.target for s in execute] == ["mldb.churn_score", "ml`db.a b"]
    assert [s.detail for s in execute] == [
        "GRANT EXECUTE ON FUNCTION `mldb`.`churn_score` TO `analyst`@`10.0.%`",
        "GRANT EXECUTE ON FUNCTION `ml``db`.`a b` TO `analyst`@`10.0.%`",
    ]


def test_no_default_role_drops_only_the_default_role_step():
    with_default = grants.plan(req("comprehend"), V3)
    without = grants.plan(req("comprehend", default_role=False), V3)
    assert [s.action for s in without.steps] == ["grant-role"]
    assert sqls(without) == sqls(with_default)[:1]
    assert not any("DEFAULT ROLE" in s for s in sqls(without))


def test_revoke_mirrors_grant_on_v3():
    plan = grants.plan(req("s3", functions=["mldb.f"], revoke=True), V3)
    assert plan.command == "revoke"
    assert [s.action for s in plan.steps] == ["revoke-role", "revoke-role", "revoke-execute", "set-default-role"]
    assert sqls(plan) == [
        "REVOKE `AWS_SELECT_S3_ACCESS` FROM `analyst`@`10.0.%`",
        "REVOKE `AWS_LOAD_S3_ACCESS` FROM `analyst`@`10.0.%`",
        "REVOKE EXECUTE ON FUNCTION `mldb`.`f` FROM `analyst`@`10.0.%`",
        "SET DEFAULT ROLE NONE TO `analyst`@`10.0.%`",
    ]


def test_revoke_mirrors_grant_on_v2():
    plan = grants.plan(req("comprehend", revoke=True), V2)
    assert [s.action for s in plan.steps] == ["revoke-privilege"]
    assert sqls(plan) == ["REVOKE INVOKE COMPREHEND ON *.* FROM `analyst`@`10.0.%`"]


@pytest.mark.parametrize("service, version", [(s, v) for s in ("comprehend", "s3", "sagemaker") for v in (V2, V3)]
                         + [("bedrock", V3), ("bedrock", V84)])
@pytest.mark.parametrize("revoke", [False, True])
def test_offline_every_step_is_planned_and_the_plan_says_offline(service, version, revoke):
    plan = grants.plan(req(service, functions=["db.fn"], revoke=revoke), version)
    assert plan.steps
    assert all(s.status == PLANNED for s in plan.steps)
    assert all(s.run is None for s in plan.steps)  # nothing could execute without a connection
    assert plan.subject["offline"] is True
    assert plan.subject["service"] == service
    assert plan.subject["account"] == "analyst@10.0.%"
    assert plan.subject["aurora_version"] == str(version)
    assert len(plan.changes) == len(plan.steps)


def test_mariadb_dialect_sets_the_default_role_with_for():
    plan = grants.plan(req("comprehend", Account("u", "%")), V3, dialect=grants.MARIADB)
    assert sqls(plan)[-1] == "SET DEFAULT ROLE `AWS_COMPREHEND_ACCESS` FOR `u`@`%`"
    revoke = grants.plan(req("comprehend", Account("u", "%"), revoke=True), V3, dialect=grants.MARIADB)
    assert sqls(revoke)[-1] == "SET DEFAULT ROLE NONE FOR `u`@`%`"


def test_hostile_account_is_quoted_in_every_statement():
    acct = Account("o'b`r;--", "10.0.%_`")
    plan = grants.plan(req("sagemaker", acct, functions=["db.fn"]), V3)
    quoted = "`o'b``r;--`@`10.0.%_```"
    assert acct.sql() == quoted
    assert all(s.endswith(" " + quoted) for s in sqls(plan))
