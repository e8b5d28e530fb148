"""The README's Reliability section quotes the figures the suite prints (tests/conftest.py's
terminal summary), counted from the scenario lists the reliability tests run."""

from __future__ import annotations

import re
from pathlib import Path

from support import reliability

README = Path(__file__).resolve().parents[2] / "README.md"


def _quoted() -> list[str]:
    section = README.read_text().split("## Reliability", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```text\n(.*?)```", section, re.S)
    assert block, "the README's Reliability section has no ```text block of figures"
    return block.group(1).rstrip("\n").split("\n")


def test_the_readme_quotes_the_figures_the_suite_prints():
    assert _quoted() == reliability.summary(), "paste into the README: cd tests && ../.venv/bin/python -m support.reliability"


def test_the_figures_count_what_the_modules_run():
    f = reliability.figures()
    assert f["fault_scenarios"] == sum(f["faults"].values()) >= 100
    assert all(n > 0 for n in f["faults"].values())
    assert f["hostile_families"] >= 9 and f["properties"] >= 10 and f["examples"] > f["properties"]
    assert f["secret_sources"] >= 4 and f["secret_places"] >= 10
