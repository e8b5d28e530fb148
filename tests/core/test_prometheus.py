"""The Prometheus text format of `status`: mysqld_exporter's names, counters typed as counters,
auroraml's derived gauges, and the textfile written by atomic rename."""

from __future__ import annotations

import os
import re
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from auroraml_cli.core import prometheus as pm
from auroraml_cli.core import status as st
from auroraml_cli.core.errors import UsageError

SAMPLE = re.compile(r'\A([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\} (\S+)\Z', re.DOTALL)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse(text: str) -> dict:
    """The exposition as {name: {"type", "help", "samples": [(labels, value)]}}; anything that is
    not valid text format 0.0.4 (for what this exporter writes) fails the test."""
    assert text.endswith("\n")
    families: dict = {}
    for line in text[:-1].split("\n"):  # the format splits on \n only
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = line.split(" ", 3)
            families.setdefault(name, {"samples": []})[kind.lower()] = rest
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.groups()
        assert name in families and "type" in families[name], f"{name} sampled before its TYPE"
        float(value)
        families[name]["samples"].append((dict(LABEL.findall(labels)), float(value)))
    return families


def record(instance: str, uptime=7, reachable=True, **counters) -> dict:
    values = {k: None for k in st.SHORT} | counters
    return {"instance": instance, "reachable": reachable, "uptime": uptime if reachable else None,
            "counters": values if reachable else None, "derived": st.derived(values) if reachable else None}


def test_counters_have_mysqld_exporters_names_and_are_typed_counter():
    fams = parse(pm.exposition([record("ml-demo-1", logical_requests=50, actual_requests=5, cache_hits=10)], "ml-demo"))
    for variable in st.COUNTERS:
        name = "mysql_global_status_" + variable.lower()  # mysqld_exporter: lowercased, prefixed
        assert fams[name]["type"] == "counter"
    assert fams["mysql_global_status_aurora_ml_logical_request_cnt"]["samples"] == [
        ({"cluster": "ml-demo", "instance": "ml-demo-1"}, 50.0)]
    assert fams["mysql_global_status_uptime"]["samples"] == [({"cluster": "ml-demo", "instance": "ml-demo-1"}, 7.0)]
    assert fams["auroraml_batching_factor"]["type"] == "gauge"
    assert fams["auroraml_batching_factor"]["samples"][0][1] == 10.0
    assert fams["auroraml_cache_hit_ratio"]["samples"][0][1] == 0.2
    assert fams["auroraml_instance_up"]["samples"] == [({"cluster": "ml-demo", "instance": "ml-demo-1"}, 1.0)]
    assert set(fams) == set(pm.metric_names())


def test_an_absent_counter_and_an_unreachable_instance_have_no_sample_but_up_0():
    text = pm.exposition([record("a", actual_requests=3), record("b", reachable=False)], None)
    fams = parse(text)
    assert fams["mysql_global_status_aurora_ml_logical_request_cnt"]["samples"] == []  # absent, not 0
    assert fams["mysql_global_status_aurora_ml_actual_request_cnt"]["samples"] == [({"instance": "a"}, 3.0)]
    assert sorted(fams["auroraml_instance_up"]["samples"], key=lambda s: s[0]["instance"]) == [
        ({"instance": "a"}, 1.0), ({"instance": "b"}, 0.0)]
    assert 'instance="b"' not in text.replace('auroraml_instance_up{instance="b"} 0', "")


@given(hs.text(min_size=1, max_size=30))
def test_any_instance_name_is_escaped_into_one_valid_label(name):
    fams = parse(pm.exposition([record(name, logical_requests=1)], 'c"l\\n'))
    ((labels, _),) = fams["mysql_global_status_aurora_ml_logical_request_cnt"]["samples"]
    unescape = lambda v: re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)  # noqa: E731
    assert unescape(labels["instance"]) == name and unescape(labels["cluster"]) == 'c"l\\n'


def test_the_textfile_is_replaced_by_rename_never_rewritten_in_place(tmp_path):
    """Atomic by design: the new content goes to a temporary file in the same directory, and a
    rename puts it in place, so the inode a reader holds is the old file, whole."""
    (tmp_path / "textfile").mkdir()
    target = pm.check_textfile(str(tmp_path / "textfile" / "aurora_ml.prom"))
    pm.write_textfile(target, "old 1\n")
    with open(target) as reader:  # a scrape that opened the file before the rewrite
        before = os.stat(target).st_ino
        pm.write_textfile(target, "new 2\n")
        assert reader.read() == "old 1\n"
    assert os.stat(target).st_ino != before and target.read_text() == "new 2\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["aurora_ml.prom"]  # no temporary file left


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    (tmp_path / "textfile").mkdir()
    target = pm.check_textfile(str(tmp_path / "textfile" / "aurora_ml.prom"))
    pm.write_textfile(target, "old 1\n")

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pm.os, "fsync", full)
    with pytest.raises(OSError):
        pm.write_textfile(target, "new 2\n")
    assert target.read_text() == "old 1\n" and sorted(p.name for p in target.parent.iterdir()) == ["aurora_ml.prom"]


def test_the_textfile_path_is_checked_before_anything(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        pm.check_textfile(str(tmp_path / "missing" / "aurora_ml.prom"))
    with pytest.raises(UsageError, match="is a directory"):
        pm.check_textfile(str(tmp_path))
