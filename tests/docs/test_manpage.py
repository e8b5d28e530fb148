"""man/auroraml.1: the shipped page is what tools/manpage.py renders today, groff and man render it
without a warning, and the rendered text (so escaping mistakes show) names every command, option,
exit code and environment variable the code honours.

groff comes from Debian's groff-base, man from man-db; each test skips when its tool is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auroraml_cli.core import errors, settings
from tools import manpage, tree

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "man" / "auroraml.1"
TOOLS = {
    "groff": ["groff", "-man", "-Tutf8", "-ww", str(PAGE)],
    "man": ["man", "--warnings=all", "-E", "UTF-8", "-l", str(PAGE)],
}
ENV = {"MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MAN_KEEP_FORMATTING": "", "MANPAGER": "cat", "PAGER": "cat",
       "MAN_DISABLE_SECCOMP": "1"}


def _run(tool: str) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian: {'groff-base' if tool == 'groff' else 'man-db'})")
    return subprocess.run(TOOLS[tool], capture_output=True, text=True, env={**os.environ, **ENV}, timeout=60)


def test_committed_page_is_up_to_date():
    assert PAGE.read_text() == manpage.render(), "man/auroraml.1 is out of date: run `python tools/gen_docs.py`"


@pytest.mark.parametrize("tool", TOOLS)
def test_renders_without_warnings(tool):
    result = _run(tool)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert "AURORAML(1)" in result.stdout


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """The page as groff (else man) renders it, plain: {"SECTION" or "SECTION/sub-heading": text}."""
    result = _run("groff" if shutil.which("groff") else "man")
    text = re.sub(r".\x08|\x1b\[[0-9;]*m", "", result.stdout)
    text = text.translate(str.maketrans({"\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'"}))
    found: dict[str, list[str]] = {}
    section = sub = ""
    for line in text.splitlines():
        if re.match(r"[A-Z]", line):
            section, sub = line.strip(), ""
        elif re.match(r" {3}\S", line):
            sub = line.strip()
        for key in (section, f"{section}/{sub}"):
            found.setdefault(key, []).append(line)
    return {key: " ".join(" ".join(lines).split()) for key, lines in found.items()}


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


COMMANDS = list(tree.walk(tree.build()))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_and_option_is_documented(sections, command):
    key = "GLOBAL OPTIONS" if len(command.path) == 1 else f"COMMANDS/{command.name}"
    assert key in sections, f"no {key} in the rendered page"
    assert _has(sections["SYNOPSIS"], command.name)
    missing = [name for opt in command.options for name in opt.names if not _has(sections[key], name)]
    assert not missing, f"{key} lacks {missing}"


def test_every_exit_code_is_documented(sections):
    for code, meaning in errors.EXIT_CODES:
        assert f"{code} {meaning}".lower() in sections["EXIT STATUS"].lower(), code


def _environment_read_by_the_code() -> set[str]:
    names = {settings.ENV_PREFIX + key.upper() for key in settings.ENV_KEYS}
    for path in (ROOT / "auroraml_cli").rglob("*.py"):
        source = path.read_text()
        names.update(re.findall(r"\bAURORAML_[A-Z][A-Z0-9_]*", source))
        names.update(re.findall(r"(?:os\.environ|\benv)(?:\.get\(|\[)\"([A-Z][A-Z0-9_]*)\"", source))
    return names


def test_every_environment_variable_is_documented(sections):
    names = _environment_read_by_the_code()
    assert {"AURORAML_CONFIG", "AURORAML_POLL_INTERVAL", "AWS_RETRY_MODE", "NO_COLOR"} <= names
    missing = sorted(n for n in names if not _has(sections["ENVIRONMENT"], n))
    assert not missing, f"ENVIRONMENT lacks {missing}"


def test_files_names_the_settings_locations(sections):
    for word in ("./auroraml.toml", "~/.config/auroraml/config.toml", "~/.my.cnf", "default_target",
                 *settings._TARGET_KEYS):
        assert _has(sections["FILES"], word), word
