"""grant/revoke SQL on a real MariaDB: roles, EXECUTE ON FUNCTION, default roles, hostile names,
any sql_mode — and nothing but the intended account changes.

MariaDB has no Aurora roles, so each test creates roles with the same names; the statements are
the ones `auroraml grant` runs on Aurora, in MariaDB's dialect where MariaDB differs (SET DEFAULT
ROLE ... FOR, one default role).
"""

from __future__ import annotations

import pytest

from auroraml_cli.core import grants
from auroraml_cli.core.catalogue import get_service
from auroraml_cli.core.errors import DatabaseError, UsageError
from auroraml_cli.core.sql import Account, FunctionRef
from auroraml_cli.core.versions import AuroraVersion

V3 = AuroraVersion.parse("3.08.0")
HOSTILE = [
    ("o'brien", "%"),
    ("back`tick", "10.0.%"),
    ("100%_user", "local'host"),
    ("semi;colon--", "%"),
    ('dq"uote\\slash', "%"),
    ("사용자", "%"),
    ("u" * 80, "%"),
]


def _all_grants(accounts) -> dict[tuple[str, str], list[str]]:
    """Every account's SHOW GRANTS: the whole server's access, to prove what did not change."""
    found = {}
    for user, host in accounts.execute("SELECT User, Host FROM mysql.user WHERE is_role = 'N'"):
        found[(user, host)] = sorted(accounts.grants(user, host))
    return found


def _apply(accounts, service: str, account: Account, functions=(), revoke=False):
    req = grants.GrantRequest(get_service(service), account, [FunctionRef.parse(f) for f in functions], revoke=revoke)
    plan = grants.plan(req, V3, conn=accounts.root, dialect=grants.MARIADB, where="mariadb")
    plan.apply()
    return plan


@pytest.fixture
def aurora_like(fresh_accounts):
    fresh_accounts.role("AWS_COMPREHEND_ACCESS")
    fresh_accounts.role("AWS_SAGEMAKER_ACCESS")
    fresh_accounts.database("mldb")
    fresh_accounts.execute("CREATE FUNCTION mldb.churn_score(x DOUBLE) RETURNS DOUBLE DETERMINISTIC RETURN x * 2")
    fresh_accounts.user("bystander", roles=("AWS_SAGEMAKER_ACCESS",), default_role="AWS_SAGEMAKER_ACCESS")
    return fresh_accounts


@pytest.mark.parametrize("mode", ["", "NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES"])
@pytest.mark.parametrize("user, host", HOSTILE, ids=[u[:12] for u, _ in HOSTILE])
def test_grant_reaches_exactly_the_hostile_account_in_any_sql_mode(aurora_like, mariadb, user, host, mode):
    accounts = aurora_like
    accounts.execute(f"CREATE USER {Account(user, host).sql()}")
    accounts.execute(f"SET SESSION sql_mode = '{mode}'")
    before = _all_grants(accounts)

    plan = _apply(accounts, "comprehend", Account(user, host), ["mldb.churn_score"])
    assert [s.status for s in plan.steps] == ["done", "done", "done"]

    after = _all_grants(accounts)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {(user, host)}
    shown = " ".join(after[(user, host)]).replace('"', "`")  # ANSI_QUOTES shows "identifiers"
    assert "AWS_COMPREHEND_ACCESS" in shown and "EXECUTE ON FUNCTION `mldb`.`churn_score`" in shown
    assert accounts.scalar("SELECT default_role FROM mysql.user WHERE User = %s AND Host = %s", (user, host)) == "AWS_COMPREHEND_ACCESS"

    again = grants.plan(grants.GrantRequest(get_service("comprehend"), Account(user, host), [FunctionRef("mldb", "churn_score")]),
                        V3, conn=accounts.root, dialect=grants.MARIADB)
    assert [s.status for s in again.steps] == ["unchanged"] * 3


def test_a_fresh_session_of_the_granted_user_has_the_role_active(aurora_like):
    accounts = aurora_like
    accounts.user("analyst", password="pw-analyst-1")
    _apply(accounts, "comprehend", Account("analyst"))
    conn = accounts.connect("analyst", "pw-analyst-1")
    with conn.cursor() as cur:
        cur.execute("SELECT CURRENT_ROLE()")
        assert cur.fetchone()[0] == "AWS_COMPREHEND_ACCESS"


def test_revoke_removes_only_what_grant_gave(aurora_like):
    accounts = aurora_like
    accounts.user("analyst")
    _apply(accounts, "comprehend", Account("analyst"), ["mldb.churn_score"])
    before = _all_grants(accounts)
    plan = _apply(accounts, "comprehend", Account("analyst"), ["mldb.churn_score"], revoke=True)
    assert [s.status for s in plan.steps] == ["done", "done", "done"]
    after = _all_grants(accounts)
    assert after[("analyst", "%")] == ["GRANT USAGE ON *.* TO `analyst`@`%`"]
    assert {k: v for k, v in after.items() if k != ("analyst", "%")} == {k: v for k, v in before.items() if k != ("analyst", "%")}
    assert accounts.scalar("SELECT default_role FROM mysql.user WHERE User = 'analyst'") in ("", None)
    again = grants.plan(grants.GrantRequest(get_service("comprehend"), Account("analyst"), [FunctionRef("mldb", "churn_score")], revoke=True),
                        V3, conn=accounts.root, dialect=grants.MARIADB)
    assert {s.status for s in again.steps} == {"unchanged"}


def test_an_account_that_does_not_exist_is_refused_before_any_change(aurora_like):
    before = _all_grants(aurora_like)
    with pytest.raises(DatabaseError, match="no account"):
        _apply(aurora_like, "comprehend", Account("ghost", "%"))
    assert _all_grants(aurora_like) == before


def test_two_default_roles_are_refused_on_mariadb_before_any_change(aurora_like):
    accounts = aurora_like
    accounts.role("AWS_SELECT_S3_ACCESS")
    accounts.role("AWS_LOAD_S3_ACCESS")
    accounts.user("exporter")
    before = _all_grants(accounts)
    with pytest.raises(UsageError, match="one default role"):
        _apply(accounts, "s3", Account("exporter"))
    assert _all_grants(accounts) == before


def test_a_connected_account_that_may_not_grant_changes_nothing(aurora_like):
    accounts = aurora_like
    accounts.user("weak", password="pw-weak-1")
    accounts.user("target")
    accounts.execute("GRANT SELECT ON mysql.* TO `weak`@`%`")  # may read grants, may not give them
    before = _all_grants(accounts)
    weak = accounts.connect("weak", "pw-weak-1")
    req = grants.GrantRequest(get_service("comprehend"), Account("target"))
    with pytest.raises(DatabaseError, match="may not grant"):
        grants.plan(req, V3, conn=weak, dialect=grants.MARIADB)
    assert _all_grants(accounts) == before


@pytest.mark.parametrize("second", ["mldb.no_such_function", "nodb.churn_score"])
def test_a_missing_second_function_leaves_no_grant_at_all(aurora_like, second):
    """Every --function is looked up before the first statement: the role is not granted and then
    the GRANT EXECUTE refused (MariaDB, like MySQL, refuses EXECUTE on a function that is not there)."""
    accounts = aurora_like
    accounts.user("analyst")
    before = _all_grants(accounts)
    with pytest.raises(UsageError, match=f"--function {second}: no such function"):
        _apply(accounts, "comprehend", Account("analyst"), ["mldb.churn_score", second])
    assert _all_grants(accounts) == before


def test_revoke_refuses_a_function_that_neither_exists_nor_is_held(aurora_like):
    accounts = aurora_like
    accounts.user("analyst")
    _apply(accounts, "comprehend", Account("analyst"), ["mldb.churn_score"])
    before = _all_grants(accounts)
    with pytest.raises(UsageError, match="no such function"):
        _apply(accounts, "comprehend", Account("analyst"), ["mldb.churn_score", "mldb.typo"], revoke=True)
    assert _all_grants(accounts) == before
