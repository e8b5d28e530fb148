"""Shared fixtures: every test runs isolated from the developer's HOME, AWS config and settings."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from auroraml_cli.core.aws import is_write

try:
    from support.mariadb import Accounts, MariaDB, MariaDBError, MariaDBNotFound
except ImportError:  # pytest's importmode=importlib does not put tests/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from support.mariadb import Accounts, MariaDB, MariaDBError, MariaDBNotFound


@pytest.fixture(scope="session")
def mariadb():
    """A running MariaDB: .host, .port, .version, .connect(user="root", password="", **kw).

    Missing binaries FAIL the tests that use it (never skip): run `.ci/run`, which installs
    Debian's mariadb-server where it is missing.
    """
    server = MariaDB()
    problem = None
    try:
        server.start()
    except MariaDBNotFound as exc:
        problem = str(exc)
    except MariaDBError as exc:
        problem = f"could not start the test MariaDB server:\n{exc}"
    if problem:  # failed outside the except block, so the message is shown once
        pytest.fail(problem, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_accounts(mariadb):
    """An `Accounts` helper (root connection at .root); users, roles and databases the test
    created (through it or not) are dropped afterwards, and the global sql_mode restored."""
    with Accounts(mariadb) as accounts:
        yield accounts



@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test reads ~/.aws, ~/.my.cnf, ./auroraml.toml or the caller's AWS_*/AURORAML_* variables,
    or writes the caller's change journal (it goes to the temporary HOME's ~/.local/state)."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "AURORAML_")) or key in ("NO_COLOR", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AURORAML_POLL_INTERVAL", "0.01")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[str]

    def json(self):
        return json.loads(self.stdout)

    @property
    def writes(self) -> list[str]:
        return [c for c in self.calls if is_write(c.split(".", 1)[1])]

    def assert_refused(self) -> None:
        """How every refusal looks: nothing on stdout, no AWS call, `error:` then `  next:`."""
        lines = self.stderr.splitlines()
        assert self.stdout == "" and self.calls == [], (self.stdout, self.calls)
        assert len(lines) == 2 and lines[0].startswith("error: "), lines
        assert lines[1].startswith("  next: ") and len(lines[1]) > len("  next: "), lines

    def steps(self, **match) -> list[dict]:
        return [s for s in self.json()["steps"] if all(s.get(k) == v for k, v in match.items())]


@pytest.fixture
def cli(capsys, caplog):
    """Run auroraml in-process; assert the exit code; return output and the AWS calls it made."""

    def run(*args: str, code: int | None = 0) -> Result:
        """code=None: any exit code (the caller reads only the output or the calls)."""
        from auroraml_cli.cli import run as run_cli

        capsys.readouterr()
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="auroraml.aws"):
            got = run_cli(list(args))
        out, err = capsys.readouterr()
        calls = [r.getMessage().removeprefix("aws call ") for r in caplog.records if r.name == "auroraml.aws"]
        assert code is None or got == code, f"exit {got}, expected {code}\nstdout:\n{out}\nstderr:\n{err}"
        return Result(got, out, err, calls)

    return run


def pytest_terminal_summary(terminalreporter):
    """After a run that included the reliability tests (issue 7): what they cover, as the README's
    Reliability section quotes it, and how they fared in this run."""
    from support import reliability

    paths = {str(p.relative_to(reliability.TESTS.parent)) for p in reliability.module_paths()}
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") in ("call", "setup") and report.nodeid.split("::")[0] in paths:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if not outcomes:
        return
    terminalreporter.section("reliability")
    for line in reliability.summary():
        terminalreporter.write_line(line)
    terminalreporter.write_line("this run: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
