"""Every AWS call has a bounded time: an endpoint that accepts the connection and never answers
makes the command fail (exit 4, naming the endpoint and the timeout) once the read timeout has run
out on every attempt, instead of botocore's 60 s per attempt. The timeouts come from
--cli-connect-timeout / --cli-read-timeout, AURORAML_CONNECT_TIMEOUT / AURORAML_READ_TIMEOUT, or
the target's connect_timeout / read_timeout; a bad value is refused before any call.

The endpoint is a socket on 127.0.0.1 that accepts and never writes a byte: no timing luck, since
a call there can only end by its timeout (or a signal)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

AURORAML = str(Path(sys.executable).parent / "auroraml")
SETUP = ("setup", "comprehend", "--cluster", "ml-demo", "--dry-run")
# Generous slack over attempts x timeout: botocore's backoff between attempts after a timeout is
# at most 0.05 s x 2^i, and a loaded machine may start Python slowly; the point is that the bound
# is seconds, where botocore's own defaults would wait minutes.
SLACK = 10.0


class BlackHole:
    """Accepts every TCP connection on 127.0.0.1 and never answers; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def black_hole(monkeypatch):
    hole = BlackHole()
    monkeypatch.setenv("AWS_ENDPOINT_URL", hole.url)
    yield hole
    hole.close()


def test_an_endpoint_that_never_answers_fails_within_the_read_timeout(cli, black_hole, monkeypatch):
    monkeypatch.setenv("AURORAML_READ_TIMEOUT", "0.5")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    start = time.monotonic()
    r = cli(*SETUP, code=4)
    assert time.monotonic() - start < 2 * 0.5 + SLACK
    assert r.stdout == ""
    error, hint = r.stderr.splitlines()[-2:]
    assert error.startswith("error: ") and black_hole.url in error and "read timeout of 0.5 s" in error, error
    assert "2 attempts" in error, error
    assert hint.startswith("  next: ") and "AWS_ENDPOINT_URL" in hint and "--cli-read-timeout" in hint, hint
    assert len(black_hole.connections) == 2  # a new connection for each attempt


def test_the_read_timeout_option_and_the_target_setting_apply(cli, black_hole, monkeypatch, isolated):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    r = cli("--cli-read-timeout", "0.3", *SETUP, code=4)
    assert "read timeout of 0.3 s" in r.stderr and "1 attempt" in r.stderr
    (isolated / "auroraml.toml").write_text('[targets.far]\nread_timeout = 0.4\n')
    assert "read timeout of 0.4 s" in cli("-t", "far", *SETUP, code=4).stderr
    monkeypatch.setenv("AURORAML_READ_TIMEOUT", "0.2")  # the environment before the file
    assert "read timeout of 0.2 s" in cli("-t", "far", *SETUP, code=4).stderr


def test_an_endpoint_that_never_accepts_fails_within_the_connect_timeout(cli, monkeypatch):
    """A listener whose accept queue is full: the kernel drops further SYNs, so connecting can
    only end by the connect timeout (a firewall that drops packets looks the same)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    filler, probe = socket.create_connection(address, timeout=5), socket.socket()
    try:
        probe.settimeout(0.2)
        with pytest.raises(OSError):  # the queue is full: a connection attempt now hangs
            probe.connect(address)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{address[0]}:{address[1]}")
        monkeypatch.setenv("AURORAML_CONNECT_TIMEOUT", "0.3")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
        start = time.monotonic()
        r = cli(*SETUP, code=4)
        assert time.monotonic() - start < 2 * 0.3 + SLACK
    finally:
        for sock in (probe, filler, listener):
            sock.close()
    error, hint = r.stderr.splitlines()[-2:]
    assert f"could not connect to http://{address[0]}:{address[1]}" in error, error
    assert "connect timeout of 0.3 s, 2 attempts" in error, error
    assert "--cli-connect-timeout" in hint and "AURORAML_CONNECT_TIMEOUT" in hint, hint


def _client_config(flags: dict, env: dict | None = None):
    from auroraml_cli.core.aws import Aws
    from auroraml_cli.core.settings import Flags, resolve

    s = resolve(Flags(**flags), env)
    config = Aws(s.profile, s.region, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout).client("sts").meta.config
    return config.connect_timeout, config.read_timeout


def test_the_defaults_bound_a_command_to_under_a_minute():
    """Standard mode's 3 attempts, each waiting at most the read timeout (the connect timeout is
    shorter), with backoff under a second in all: 3 x 15 s = 45 s."""
    from auroraml_cli.core.aws import CONNECT_TIMEOUT, READ_TIMEOUT

    assert _client_config({}) == (CONNECT_TIMEOUT, READ_TIMEOUT) == (10, 15)
    assert 3 * max(CONNECT_TIMEOUT, READ_TIMEOUT) + 1 < 60


def test_each_layer_sets_the_timeouts(isolated, monkeypatch):
    (isolated / "auroraml.toml").write_text('[targets.far]\nconnect_timeout = 4\nread_timeout = 40.5\n')
    assert _client_config({"target": "far"}) == (4, 40.5)
    env = {"AURORAML_CONNECT_TIMEOUT": "3", "AURORAML_READ_TIMEOUT": "30", "HOME": str(isolated)}
    assert _client_config({"target": "far"}, env) == (3, 30)
    assert _client_config({"target": "far", "connect_timeout": 2.0, "read_timeout": 20.0}, env) == (2, 20)


BAD = ("nan", "inf", "-1", "0", "1e9", "\u0661\u0660", "\uff11\uff10", "1_0", "fast", "10s")


@pytest.mark.parametrize("value", BAD)
def test_a_bad_timeout_is_refused_before_any_call(cli, monkeypatch, value):
    for variable in ("AURORAML_CONNECT_TIMEOUT", "AURORAML_READ_TIMEOUT"):
        with monkeypatch.context() as m:
            m.setenv(variable, value)
            r = cli(*SETUP, code=3)
            r.assert_refused()
            assert variable in r.stderr
    for option in ("--cli-connect-timeout", "--cli-read-timeout"):
        r = cli(option, value, *SETUP, code=2)
        assert option in r.stderr and r.calls == []


@pytest.mark.parametrize("line", ["read_timeout = nan", "read_timeout = inf", "read_timeout = -1",
                                  "connect_timeout = 0", 'connect_timeout = "ten"', "connect_timeout = true"])
def test_a_bad_timeout_in_the_file_is_refused(cli, isolated, line):
    (isolated / "auroraml.toml").write_text(f"[targets.t]\n{line}\n")
    r = cli("-t", "t", *SETUP, code=3)
    r.assert_refused()
    assert line.split(" ")[0] in r.stderr


def test_ctrl_c_ends_a_call_that_hangs(black_hole, monkeypatch):
    """The installed command, waiting on an endpoint that never answers, stops on SIGINT (130)."""
    monkeypatch.setenv("AURORAML_READ_TIMEOUT", "120")
    proc = subprocess.Popen([AURORAML, *SETUP], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert black_hole.accepted.wait(60), "the command never reached the endpoint"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "error: interrupted" in err
