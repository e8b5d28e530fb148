"""Long waits show progress on stderr (issue 16): a reboot's wait, as a runbook's log records it.

The sandbox's reboots take as long as its clock says; the waiter's clock here is a fake one whose
sleep moves the sandbox's clock on by as much, so a 100-second reboot is waited out, heartbeats
and all, in no time and the same way on every machine.
"""

from __future__ import annotations

import pytest


class SandboxTime:
    """core/waiting's `time`: sleeping moves both this clock and the sandbox's on."""

    def __init__(self, layer) -> None:
        self.layer, self.now = layer, 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.layer.advance(seconds)


@pytest.fixture
def slow_reboots(sandbox_aws, monkeypatch):
    from auroraml_cli.core import waiting

    sandbox_aws.configure(reboot_duration=100.0)
    monkeypatch.setenv("AURORAML_POLL_INTERVAL", "5")
    monkeypatch.setattr(waiting, "time", SandboxTime(sandbox_aws))


def waiting_lines(stderr: str, subject: str) -> list[str]:
    return [line.split(": ", 2)[2] for line in stderr.splitlines() if line.startswith(f"  waiting: {subject}: ")]


def test_a_reboot_off_a_terminal_says_each_state_and_beats_every_30_seconds(cli, slow_reboots):
    r = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert r.json()["command"] == "setup"  # stdout: the one JSON document, nothing else
    what = "(waiting for ml-demo-1 to reboot and reach in-sync)"
    lines = waiting_lines(r.stderr, "ml-demo-1")
    assert lines[:2] == [f"available, parameters pending-reboot (0:00 elapsed; {what[1:]}",  # AWS has not begun it
                         f"rebooting, parameters pending-reboot (0:05 elapsed; {what[1:]}"]
    assert lines[2:] == [f"still rebooting, parameters pending-reboot after {t} {what}" for t in ("0:35", "1:05", "1:35")]
    # each line comes before the step's own "done" line, the last member's too
    err = r.stderr.splitlines()
    assert err.index(f"  waiting: ml-demo-1: {lines[-1]}") < next(
        i for i, line in enumerate(err) if line.startswith("  done      reboot-instance ml-demo-1"))
    assert len(waiting_lines(r.stderr, "ml-demo-2")) == 5


def test_quiet_shows_no_wait(cli, slow_reboots):
    r = cli("-q", "-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    assert r.stderr == "" and r.json()["changed"] is True


def test_apply_f_shows_its_waits_as_plain_lines_per_cluster(cli, slow_reboots, tmp_path):
    # apply -f runs clusters on threads: their waits are plain lines even at a terminal (one rich
    # live line at a time), through the same journaled apply as setup's.
    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[[cluster]]\nid = "ml-demo"\nregion = "us-east-1"\n\n[cluster.comprehend]\n')
    r = cli("-o", "json", "apply", "-f", str(fleet), "--yes", "--parallel", "1")
    assert r.json()["command"] == "apply"
    lines = waiting_lines(r.stderr, "ml-demo-1")
    assert lines and lines[-1].startswith("still rebooting, parameters pending-reboot after"), r.stderr
