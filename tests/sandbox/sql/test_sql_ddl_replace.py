"""`ddl --apply --replace` against the sandbox's Aurora SQL endpoint, where the functions are
Aurora's CREATE FUNCTION ... ALIAS: the probe under a temporary name, and the old definition put
back (from its SHOW CREATE FUNCTION text, named with its schema) when the new CREATE fails."""

from __future__ import annotations

import pytest

from auroraml_cli.core import db, ddl
from auroraml_cli.core.errors import DatabaseError

OLD = ("CREATE FUNCTION `ml`.`churn` (`trips` DOUBLE) RETURNS DOUBLE "
       "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'churn-predictor'")
NEW = ddl.sagemaker("ml.churn", endpoint="churn-predictor", args=["trips:DOUBLE"], returns="DOUBLE",
                    max_batch_size=100).statement()


@pytest.fixture
def ml(admin):
    admin.run("CREATE DATABASE ml")
    admin.run("CREATE DATABASE other")
    admin.run(OLD)
    admin.run("USE other")  # the restore must not depend on the current database
    return admin


def _functions(sql) -> list[tuple]:
    return sql.rows("SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES ORDER BY 1, 2")


def test_replace_probes_then_replaces(ml):
    plan = ddl.plan_apply(ml.connection, [("`ml`.`churn`", NEW)], replace=True, where="sandbox")
    assert [s.action for s in plan.steps] == ["probe-function", "replace-function"]
    plan.apply()
    assert _functions(ml) == [("ml", "churn")]
    assert "MAX_BATCH_SIZE 100" in ml.one("SHOW CREATE FUNCTION ml.churn")[2]


def test_a_failed_create_puts_the_alias_function_back_in_its_schema(ml, monkeypatch):
    before = ml.one("SHOW CREATE FUNCTION ml.churn")[2]
    real, sent = db.execute, []

    def refuse_the_create(conn, sql):  # the 4th statement (1-2 the probe, 3 the DROP) reaches the server garbled
        sent.append(sql)
        return real(conn, sql + " garbled" if len(sent) == 4 else sql)

    monkeypatch.setattr(db, "execute", refuse_the_create)
    plan = ddl.plan_apply(ml.connection, [("`ml`.`churn`", NEW)], replace=True, where="sandbox")
    with pytest.raises(DatabaseError) as failed:
        plan.apply()
    assert failed.value.message.endswith("the old definition of `ml`.`churn` was put back")
    assert sent[4].startswith("CREATE DEFINER=`admin`@`%` FUNCTION `ml`.`churn`(`trips` DOUBLE)")
    assert ml.one("SHOW CREATE FUNCTION ml.churn")[2] == before
    assert _functions(ml) == [("ml", "churn")]


def test_an_unqualified_name_is_planned_in_the_current_database(ml):
    ml.run("USE ml")
    statement = NEW.replace("`ml`.`churn`", "`churn`")
    plan = ddl.plan_apply(ml.connection, [("`churn`", statement)], replace=True, where="sandbox")
    assert [s.target for s in plan.steps] == ["`ml`.`churn`", "`ml`.`churn`"]
    plan.apply()
    assert plan.steps[1].undo.startswith("DROP FUNCTION `ml`.`churn`; CREATE DEFINER=`admin`@`%` FUNCTION `ml`.`churn`(")
