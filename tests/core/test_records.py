"""core/records.py: the typed records that replaced dataclasses on the start-up paths keep what a
dataclass gave the code that uses them (equality, hashing, repr, immutability, copies)."""

from __future__ import annotations

import copy
import pickle

import pytest

from auroraml_cli.core.ddl import Arg, SqlType
from auroraml_cli.core.plan import Plan, Step
from auroraml_cli.core.settings import Flags, Settings
from auroraml_cli.core.sql import Account, FunctionRef
from auroraml_cli.core.versions import AuroraVersion


def test_a_frozen_record_is_equal_and_hashed_by_its_fields_and_refuses_changes():
    a, b = Account("analyst", "10.0.%"), Account("analyst", "10.0.%")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Account("analyst") and Account("analyst").host == "%"
    assert a != FunctionRef("analyst", "10.0.%")  # another class with the same values is not equal
    with pytest.raises(AttributeError):
        a.user = "root"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.host
    with pytest.raises(AttributeError):
        a.extra = 1  # type: ignore[attr-defined]
    assert repr(a) == "Account(user='analyst', host='10.0.%')"


def test_a_frozen_record_copies_and_pickles():
    arg = Arg("age", SqlType.parse("INT"))
    assert copy.copy(arg) == arg == copy.deepcopy(arg) == pickle.loads(pickle.dumps(arg))


def test_a_version_compares_by_its_numbers_whichever_form_it_was_written_in():
    rds, sql = AuroraVersion.parse("8.0.mysql_aurora.3.06.0"), AuroraVersion.parse("3.06.0")
    assert rds == sql and hash(rds) == hash(sql) and rds.raw != sql.raw
    assert AuroraVersion.parse("2.11.2") < sql <= rds < AuroraVersion.parse("3.10.0")
    assert sorted([AuroraVersion.parse("3.10.0"), sql, AuroraVersion.parse("2.12.1")])[0].numbers == (2, 12, 1)
    with pytest.raises(TypeError):
        _ = sql < (3, 6, 0)  # type: ignore[operator]


def test_a_mutable_record_compares_by_its_fields_and_is_not_hashable():
    assert Settings() == Settings() and Settings(region="eu-west-1") != Settings()
    s = Settings()
    s.color = False
    assert s != Settings() and s == Settings(color=False)
    with pytest.raises(TypeError):
        hash(s)
    with pytest.raises(AttributeError):
        s.colour = False  # type: ignore[attr-defined] - a misspelt setting is refused, not kept


def test_callables_stay_out_of_a_plan_s_repr():
    plan = Plan("grant", {"service": "comprehend"}, who=lambda: "admin@%")
    plan.add(Step("grant-role", "AWS_COMPREHEND_ACCESS", "GRANT ...", run=lambda step: None))
    shown = repr(plan)
    assert "lambda" not in shown and "who=" not in shown and "run=" not in shown
    assert "Step(action='grant-role', target='AWS_COMPREHEND_ACCESS'" in shown


def test_flags_take_only_the_global_options_by_name():
    assert Flags(region="eu-west-1").region == "eu-west-1" and Flags().target is None
    with pytest.raises(TypeError):
        Flags(cluster="x")  # type: ignore[call-arg] - not a global option: the command's --cluster is
