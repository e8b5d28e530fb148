"""End-to-end: the installed `auroraml` console script, as a subprocess, against a sandbox server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

AURORAML = str(Path(sys.executable).parent / "auroraml")
FAST = {"association_delay": 0.05, "reboot_duration": 0.05, "iam_propagation_delay": 0.0}


@pytest.fixture(scope="session")
def sandbox_server():
    from auroraml_cli.sandbox import server

    with server.start(host="127.0.0.1", port=0, seed=True, **FAST) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(sandbox_server, isolated, monkeypatch):
    """A freshly seeded sandbox, and the environment that aims the CLI at it."""
    from auroraml_cli.sandbox import layer

    layer.configure(**FAST)
    sandbox_server.reset(reseed=True)
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    monkeypatch.setenv("AURORAML_POLL_INTERVAL", "0.05")
    yield sandbox_server
    layer.configure(**FAST)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)

    @property
    def calls(self) -> list[str]:
        return [line.split("aws call ", 1)[1] for line in self.stderr.splitlines() if "aws call " in line]

    @property
    def writes(self) -> list[str]:
        from auroraml_cli.core.aws import is_write

        return [c for c in self.calls if is_write(c.split(".", 1)[1])]


def auroraml(*args: str, code: int = 0, timeout: float = 120, **kwargs) -> Run:
    """Run the installed auroraml and assert its exit code."""
    done = subprocess.run([AURORAML, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ), stdin=subprocess.DEVNULL, **kwargs)
    assert done.returncode == code, f"exit {done.returncode}, expected {code}\n{done.stdout}\n{done.stderr}"
    return Run(done.returncode, done.stdout, done.stderr)
