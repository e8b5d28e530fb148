"""Fixtures for tests that need a real MariaDB server (grants, roles, EXECUTE ON FUNCTION, ...).

`mariadb` is one server for the whole session, started by the suite itself in a temp directory on a
free 127.0.0.1 port (never the machine's own server on 3306). `fresh_accounts` gives each test a
helper that creates users, roles and databases and drops whatever the test added afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    from support.mariadb import Accounts, MariaDB, MariaDBError, MariaDBNotFound
except ImportError:  # pytest's importmode=importlib does not put tests/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
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
