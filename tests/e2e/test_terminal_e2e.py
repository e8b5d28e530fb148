"""At a terminal (issue 16): the installed auroraml with stdin and stderr on a pseudo-terminal, as a
person at a shell has them, and stdout a pipe (the payload, kept apart).

- a destructive command shows its plan and asks; `n` changes nothing, `y` makes the changes;
- a long wait draws a live line per instance (state, time waited, what for) instead of log lines.

The sandbox's reboots here last an hour of its clock: the test moves the clock on (layer.advance)
once it has seen the live line, so nothing depends on how fast this machine is.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading

import pytest

from .conftest import AURORAML, auroraml

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
ROLE = "auroraml-comprehend-ml-demo"


class Terminal:
    """A command on a pseudo-terminal of 120 columns: what it draws, and a keyboard."""

    def __init__(self, *args: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([AURORAML, *args], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                                     env=env, close_fds=True)
        os.close(slave)
        self.raw = b""
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the command closed its end
                chunk = b""
            with self.changed:
                if not chunk:
                    self.closed = True
                    self.changed.notify_all()
                    return
                self.raw += chunk
                self.changed.notify_all()

    @property
    def screen(self) -> str:
        """What was drawn, without the escape sequences that drew it."""
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def expect(self, text: str, timeout: float = 60) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: text in self.screen or getattr(self, "closed", False), timeout):
                pytest.fail(f"{text!r} not shown within {timeout}s:\n{self.screen}")
        assert text in self.screen, f"{text!r} not shown before the command ended:\n{self.screen}"

    def expect_match(self, pattern: str, timeout: float = 60) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: re.search(pattern, self.screen) or getattr(self, "closed", False),
                                         timeout) or not re.search(pattern, self.screen):
                pytest.fail(f"/{pattern}/ not shown within {timeout}s:\n{self.screen}")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        stdout = self.proc.stdout.read()  # the command's end of the pipe closes when it exits
        code = self.proc.wait(timeout)
        self.reader.join(10)
        os.close(self.master)
        return code, stdout.decode()


def _roles(sandbox) -> set[str]:
    return {r["RoleName"] for r in sandbox.client("iam").list_roles()["Roles"]}


def test_teardown_at_a_terminal_shows_the_plan_and_asks(sandbox):
    auroraml("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")

    no = Terminal("teardown", "comprehend", "--cluster", "ml-demo")
    no.expect("Make these 4 changes? [y/N]:")
    assert "The plan:" in no.screen and f"planned   delete-role {ROLE}" in no.screen
    no.type("n\r")
    code, stdout = no.finish()
    assert code == 2 and stdout == ""
    assert "error: teardown declined: nothing was changed" in no.screen
    assert ROLE in _roles(sandbox)

    yes = Terminal("teardown", "comprehend", "--cluster", "ml-demo", "--keep-iam")
    yes.expect("[y/N]:")
    yes.type("y\r")
    code, stdout = yes.finish()
    assert code == 7, yes.screen  # done; the reset parameter waits for a reboot (no --reboot)
    assert {s["status"] for s in json.loads(stdout)["steps"] if s["action"] == "remove-role"} == {"done"}


def test_a_reboot_at_a_terminal_draws_a_live_line_per_instance(sandbox):
    from auroraml_cli.sandbox import layer

    layer.configure(reboot_duration=3600.0)
    term = Terminal("setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    for instance in ("ml-demo-1", "ml-demo-2"):
        term.expect(f"{instance}: rebooting, parameters pending-reboot")
        term.expect(f"(waiting for {instance} to reboot and reach in-sync)")
        # rich redraws the line while nothing changes: the time waited moves on
        term.expect_match(rf"{instance}: rebooting, parameters pending-reboot\s+0:0[1-9]")
        layer.advance(3601)
        term.expect(f"done      reboot-instance {instance}")
    code, stdout = term.finish()
    assert code == 0, term.screen
    assert json.loads(stdout)["changed"] is True  # stdout: the document only; the live line was on stderr
    assert "  waiting: " not in term.screen  # the log lines are for logs, not for a terminal


def test_setup_at_a_terminal_still_asks_only_for_the_reboot(sandbox):
    term = Terminal("setup", "comprehend", "--cluster", "ml-demo", "--reboot")
    term.expect("Reboot ml-demo-1, ml-demo-2 (a short outage for each)? [y/N]:")
    term.type("\r")  # Enter: the default, no
    code, stdout = term.finish()
    assert (code, stdout) == (2, "") and "reboot declined: nothing was changed" in term.screen
    assert ROLE not in _roles(sandbox)


def test_status_reset_asks_on_stderr_and_leaves_stdout_to_the_payload(sandbox, monkeypatch):
    # click's confirm wrote its prompt's last space onto stdout; the question is now all on stderr.
    monkeypatch.setenv("AURORAML_SSL_CA", sandbox.ssl_ca)
    no = Terminal("-o", "json", "status", "--cluster", "ml-demo", "--reset")
    no.expect("FLUSH STATUS on ml-demo-1, ml-demo-2? [y/N]:")
    no.type("n\r")
    code, stdout = no.finish()
    assert (code, stdout) == (2, ""), no.screen
    assert "error: reset declined: nothing was changed" in no.screen


def test_quiet_hides_progress_never_the_plan_it_asks_about(sandbox):
    auroraml("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    no = Terminal("-q", "teardown", "comprehend", "--cluster", "ml-demo")
    no.expect("[y/N]:")
    assert "The plan:" in no.screen and f"planned   delete-role {ROLE}" in no.screen
    no.type("n\r")
    assert no.finish()[0] == 2
