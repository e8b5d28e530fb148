"""Every `auroraml` command the README shows runs, as written and in the README's order, on one
sandbox: the exit code is 0 unless the line's comment says `exit N`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .conftest import AURORAML
from .test_database_e2e import _master

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[tuple[str, int]]:
    """(command line, expected exit code) for each `auroraml ...` line of the ```sh blocks."""
    found, in_sh = [], False
    for line in README.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_sh = stripped == "```sh"
            continue
        if in_sh and stripped.startswith("auroraml "):
            code = re.search(r"#\s*exit (\d+)", stripped)
            found.append((stripped, int(code.group(1)) if code else 0))
    return found


def test_the_readme_shows_commands_of_every_kind():
    words = {line.split()[1] if not line.split()[1].startswith("-") else line.split()[3] for line, _ in readme_commands()}
    assert {"setup", "teardown", "grant", "revoke", "ddl", "export", "explain", "status", "check", "iam-policy",
            "sandbox", "completion", "man"} <= words, words


def test_every_readme_command_runs_as_written(sandbox, isolated):
    # The accounts the examples grant to come with the sandbox (seeded, as on a fresh `sandbox start`).
    conn = _master(sandbox)
    with conn.cursor() as cur:
        # What the README's Connecting section does with the aws and mariadb clients first.
        for sql in ("CREATE USER iamuser IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'",
                    "GRANT rds_superuser_role TO iamuser", "SET DEFAULT ROLE rds_superuser_role TO iamuser"):
            cur.execute(sql)
    conn.close()
    sandbox.client("rds").modify_db_cluster(DBClusterIdentifier="ml-demo", EnableIAMDatabaseAuthentication=True,
                                            ApplyImmediately=True)
    env = {**os.environ, "PATH": f"{Path(AURORAML).parent}{os.pathsep}{os.environ['PATH']}", "SHELL": "/bin/bash",
           "AURORAML_SSL_CA": sandbox.ssl_ca}  # as `auroraml sandbox start` exports it
    failures = []
    for line, code in readme_commands():
        done = subprocess.run(["bash", "-c", line], cwd=isolated, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=180)
        if done.returncode != code:
            failures.append(f"{line}\n  exit {done.returncode}, expected {code}\n  {done.stderr.strip()[-600:]}")
    assert not failures, "\n".join(failures)
