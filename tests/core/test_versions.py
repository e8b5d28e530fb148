"""AuroraVersion: the three RDS spellings, the SQL form, and what is refused (docs/reference/aurora-ml.md §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auroraml_cli.core.errors import EXIT_USAGE, UsageError
from auroraml_cli.core.versions import AuroraVersion

V = AuroraVersion.parse


@pytest.mark.parametrize(
    "text, numbers, generation, family, uses_roles, shown",
    [
        ("5.7.mysql_aurora.2.11.2", (2, 11, 2), "2", "aurora-mysql5.7", False, "2.11.2"),
        ("8.0.mysql_aurora.3.06.0", (3, 6, 0), "3", "aurora-mysql8.0", True, "3.06.0"),
        ("8.4.mysql_aurora.8.4.7", (8, 4, 7), "8.4", "aurora-mysql8.4", True, "8.4.7"),
        ("8.4.7", (8, 4, 7), "8.4", "aurora-mysql8.4", True, "8.4.7"),
        ("3.06.0", (3, 6, 0), "3", "aurora-mysql8.0", True, "3.06.0"),
        ("2.07.3", (2, 7, 3), "2", "aurora-mysql5.7", False, "2.07.3"),
        ("  3.04.1\n", (3, 4, 1), "3", "aurora-mysql8.0", True, "3.04.1"),
    ],
)
def test_parse_accepted_forms(text, numbers, generation, family, uses_roles, shown):
    v = V(text)
    assert v.numbers == numbers
    assert v.generation == generation
    assert v.family == family
    assert v.uses_roles is uses_roles
    assert str(v) == shown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "mysql_aurora",
        "3",  # a lone number is not a version
        "3.06.0-beta",
        "8.0.mysql_aurora.",
        "aurora-mysql8.0",
        "9.0.mysql_aurora.3.06.0",  # MySQL line does not match Aurora 3
        "5.7.mysql_aurora.3.06.0",
        "8.0.mysql_aurora.2.11.2",
        "8.0.mysql_aurora.8.4.7",
        "8.4.mysql_aurora.3.06.0",
        "4.01.0",  # generation 4 does not exist
        "5.7.12",  # community MySQL version, generation 5
        "1.22.3",  # Aurora MySQL 1 (5.6) is out of scope
        "8.0.36",  # VERSION() of community MySQL 8.0, not Aurora
        "8.0.mysql_aurora.4.01.0",
    ],
)
def test_parse_refuses_with_usage_error(text):
    with pytest.raises(UsageError) as info:
        V(text)
    assert info.value.exit_code == EXIT_USAGE == 2
    assert repr(text) in info.value.message


def test_parse_refuses_none():
    with pytest.raises(UsageError):
        V(None)  # type: ignore[arg-type]


def test_garbage_refusal_hints_at_the_accepted_forms():
    with pytest.raises(UsageError) as info:
        V("garbage")
    assert "8.0.mysql_aurora.3.06.0" in info.value.hint
    assert "3.06.0" in info.value.hint


def test_at_least():
    v = V("8.0.mysql_aurora.3.06.0")
    assert v.at_least((3, 6))
    assert v.at_least((3, 1))
    assert v.at_least((3, 6, 0))
    assert not v.at_least((3, 6, 1))
    assert not v.at_least((3, 7))
    assert V("2.11.2").at_least((2, 7))
    assert not V("2.06.0").at_least((2, 7))
    assert V("8.4.7").at_least((8, 4))


def test_ordering_by_numbers():
    ordered = ["2.07.3", "2.11.2", "3.01.0", "3.05.2", "3.06.0", "3.10.1", "8.4.7"]
    shuffled = [ordered[i] for i in (4, 0, 6, 2, 5, 1, 3)]
    assert [str(v) for v in sorted(V(t) for t in shuffled)] == ordered
    assert V("3.06.0") >= V("3.06")
    assert V("3.05.2") < V("3.06")
    assert V("3.10.0") > V("3.9.0")  # numeric, not lexicographic


def test_same_version_in_rds_and_sql_form_is_equal():
    """The class orders "by its numbers": the spelling it was parsed from must not matter."""
    rds, sql = V("8.0.mysql_aurora.3.06.0"), V("3.06.0")
    assert rds == sql
    assert not rds < sql and not rds > sql
    assert V("3.6.0") == V("3.06.0")
    assert not V("3.6.0") > V("3.06.0")


@given(minor=st.integers(0, 99), patch=st.integers(0, 99), gen=st.sampled_from([2, 3]))
def test_rds_form_round_trips_and_matches_sql_form(gen, minor, patch):
    mysql = {2: "5.7", 3: "8.0"}[gen]
    sql = f"{gen}.{minor:02d}.{patch}"
    v = V(f"{mysql}.mysql_aurora.{sql}")
    assert v.numbers == (gen, minor, patch)
    assert str(v) == sql
    assert V(str(v)).numbers == v.numbers
    assert v.generation == str(gen)


@given(a=st.tuples(st.sampled_from([2, 3]), st.integers(0, 30), st.integers(0, 9)),
       b=st.tuples(st.sampled_from([2, 3]), st.integers(0, 30), st.integers(0, 9)))
def test_order_agrees_with_number_tuples(a, b):
    va, vb = V("{}.{:02d}.{}".format(*a)), V("{}.{:02d}.{}".format(*b))
    assert (va < vb) == (a < b)
    assert va.at_least(b) == (a >= b)
