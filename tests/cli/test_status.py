"""`auroraml status` in-process: against the sandbox's Aurora SQL endpoint (real Aurora_ml_*
counters and Uptime over the MySQL protocol), a real MariaDB (not Aurora: refused, exit 5), a
closed port, and a listener that accepts and never answers.

The counters moving under real ML calls are exercised in tests/e2e against the sandbox.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

PASSWORD = "status-v2-Pa55word"  # the v2 endpoint below; aurora_server / aurora (v3): tests/cli/conftest.py


def _mariadb(mariadb):
    return ("--host", mariadb.host, "--port", str(mariadb.port), "--user", "root")


_HELD: list = []


def _closed():
    """A port bound and never listening, held for the whole module: a connect is refused, and no
    other server (another worker's MariaDB) can take it meanwhile, as it could a port found free."""
    if not _HELD:
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        _HELD.append(held)
    return ("--host", "127.0.0.1", "--port", str(_HELD[0].getsockname()[1]), "--user", "root")


class Silent:
    """A TCP listener on 127.0.0.1 that accepts every connection and never writes a byte: a server
    that hangs after accepting (a stuck proxy, a frozen engine). Connections stay open until close()."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            with self._changed:
                self.accepted.append(conn)
                self._changed.notify_all()

    def wait_accepted(self, n: int) -> bool:
        """True once n connections were accepted (they are by the time the client's connect returns;
        this thread may record them a moment later)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.accepted) >= n, timeout=10)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()
        self._thread.join(timeout=5)


@pytest.fixture
def silent():
    server = Silent()
    yield server
    server.close()


# --- reading the counters ------------------------------------------------------------------------

def test_one_shot_reads_every_counter_of_an_aurora_server(cli, aurora):
    doc = cli("-o", "json", "status", *aurora).json()
    (inst,) = doc["instances"]
    assert inst["reachable"] and inst["uptime"] >= 0 and inst["note"] == ""
    assert set(inst["counters"].values()) == {0}
    assert doc["total"]["counters"]["logical_requests"] == 0
    assert "Aurora ML counters" in cli("-o", "table", "status", *aurora).stdout


def test_an_older_engine_shows_two_counters_as_absent(cli, isolated):
    from auroraml_cli.sandbox.sql import start_endpoint

    cnf = isolated / "v2.cnf"
    cnf.write_text(f"[client]\nuser = admin\npassword = {PASSWORD}\n")
    with start_endpoint(cluster_id="status-v2", engine_version="5.7.mysql_aurora.2.11.2", master_password=PASSWORD) as v2:
        args = ("--host", v2.host, "--port", str(v2.port), "--defaults-file", str(cnf))
        counters = cli("-o", "json", "status", *args).json()["instances"][0]["counters"]
        assert counters["logical_requests"] is None and counters["retries"] is None and counters["actual_requests"] == 0
        assert "absent" in cli("-o", "table", "status", *args).stdout


def test_watch_prints_one_json_object_per_sample(cli, aurora):
    r = cli("-o", "json", "status", *aurora, "--watch", "--interval", "0.1", "--count", "3")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 3
    assert all({"time", "instances"} <= set(doc) for doc in lines)
    assert lines[0]["instances"][0]["delta"] is None and lines[1]["instances"][0]["rates"] is not None
    assert "watched 3 sample(s)" in r.stderr


def test_watch_plain_lines_off_a_terminal(cli, aurora):
    r = cli("-o", "table", "status", *aurora, "--watch", "--interval", "0.1", "--count", "2")
    assert len(r.stdout.splitlines()) == 2 and "uptime=" in r.stdout


def test_prometheus_output_and_its_refusals(cli, aurora):
    r = cli("-o", "prometheus", "status", *aurora)
    assert "mysql_global_status_uptime{instance=" in r.stdout and "mysql_global_status_aurora_ml_actual_request_cnt{" in r.stdout
    assert "status" in cli("-o", "prometheus", "setup", "comprehend", "--cluster", "x", code=2).stderr
    assert "cron" in cli("-o", "prometheus", "status", *aurora, "--watch", code=2).stderr


def test_reset_needs_consent_off_a_terminal(cli, aurora):
    r = cli("status", *aurora, "--reset", code=2)
    assert "--yes" in r.stderr
    ok = cli("-o", "json", "status", *aurora, "--reset", "--yes")
    assert "FLUSH STATUS" in ok.stderr


# --- a server that is not Aurora MySQL ------------------------------------------------------------

@pytest.mark.parametrize("how", [("-o", "json"), ("-o", "table"), ("-o", "prometheus")], ids=lambda h: h[1])
def test_mariadb_is_not_aurora_exit_5_naming_its_version(cli, mariadb, how):
    """Was: exit 0 and every counter null, as if Aurora ML had simply not run yet."""
    r = cli(*how, "status", *_mariadb(mariadb), code=5)
    lines = r.stderr.splitlines()
    assert r.stdout == ""
    assert lines[0] == f"error: {mariadb.host}:{mariadb.port} is {mariadb.version}, not Aurora MySQL: it has no " \
                       "Aurora_ml_* counters", lines
    assert lines[1].startswith("  next: ") and len(lines) == 2, lines
    assert "MariaDB" in mariadb.version  # VERSION() as the server gave it


def test_mariadb_is_refused_by_watch_and_reset_before_anything_runs(cli, mariadb, isolated):
    from auroraml_cli.core import journal

    watch = cli("-o", "json", "status", *_mariadb(mariadb), "--watch", "--interval", "0.05", "--count", "3", code=5)
    assert watch.stdout == "" and f"is {mariadb.version}, not Aurora MySQL" in watch.stderr
    reset = cli("-o", "json", "status", *_mariadb(mariadb), "--reset", "--yes", code=5)
    assert "not Aurora MySQL" in reset.stderr and "FLUSH STATUS" not in reset.stderr
    path = journal.default_path(__import__("os").environ)
    assert not path.exists() or "flush-status" not in path.read_text()  # nothing flushed, nothing recorded


# --- failures: unreachable, access denied, a server that never answers ------------------------------

def test_an_unreachable_server_is_a_database_error(cli):
    import socket

    # Bound and not listening: a connect is refused, and no other process can take the port
    # meanwhile (a port found free and closed again could be a test MariaDB's by the time of use).
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        r = cli("-o", "json", "status", "--host", "127.0.0.1", "--port", str(port), "--user", "root", code=5)
    assert r.json()["instances"][0]["reachable"] is False
    assert r.json()["instances"][0]["note"].startswith("unreachable: ")


def test_a_wrong_password_is_access_denied_for_the_user_not_unreachable(cli, mariadb, fresh_accounts, isolated):
    fresh_accounts.user("statususer", password="right-Pa55word")
    cnf = isolated / "wrong.cnf"
    cnf.write_text("[client]\nuser = statususer\npassword = wrong-Pa55word\n")
    args = ("--host", mariadb.host, "--port", str(mariadb.port), "--defaults-file", str(cnf))
    r = cli("-o", "json", "status", *args, code=5)
    (inst,) = r.json()["instances"]
    assert inst["note"].startswith("access denied for statususer at "), inst["note"]
    assert "unreachable" not in r.stdout + r.stderr and "wrong-Pa55word" not in r.stdout + r.stderr
    table = cli("-o", "table", "status", *args, code=5)
    assert "access denied for statususer" in table.stderr and "unreachable" not in table.stdout + table.stderr
    watch = cli("-o", "json", "status", *args, "--watch", "--interval", "0.05", "--count", "2", code=5)
    assert all(json.loads(line)["instances"][0]["note"].startswith("access denied for statususer")
               for line in watch.stdout.splitlines())
    assert "error: no instance could be read in 2 sample(s)" in watch.stderr


def test_a_server_that_accepts_and_never_answers_is_given_up_after_timeout(cli, silent):
    """Was: the 60 s read timeout, whatever was asked. Now --timeout bounds the handshake and each read."""
    args = ("--host", "127.0.0.1", "--port", str(silent.port), "--user", "root", "--timeout", "0.3")
    started = time.monotonic()
    r = cli("-o", "json", "status", *args, code=5)
    took = time.monotonic() - started
    (inst,) = r.json()["instances"]
    assert inst["reachable"] is False and inst["note"] == (
        f"unreachable: cannot connect to 127.0.0.1:{silent.port}: no answer within 0.3 s (the connection was accepted)")
    assert silent.wait_accepted(1) and len(silent.accepted) == 1  # it did connect: the wait was for an answer
    assert 0.3 <= took < 30, took  # the old wait was 60 s; the bound is generous for a loaded machine
    watch = cli("-o", "json", "status", *args, "--watch", "--interval", "0.05", "--count", "2", code=5)
    docs = [json.loads(line) for line in watch.stdout.splitlines()]
    assert [d["instances"][0]["reachable"] for d in docs] == [False, False]
    assert silent.wait_accepted(3) and len(silent.accepted) == 3  # one connection per sample


def test_watch_with_every_instance_unreachable_all_run_exits_5(cli):
    r = cli("-o", "json", "status", *_closed(), "--watch", "--interval", "0.05", "--count", "2", code=5)
    assert len(r.stdout.splitlines()) == 2
    assert "watched 2 sample(s)" in r.stderr
    lines = r.stderr.splitlines()
    assert lines[-2].startswith("error: no instance could be read in 2 sample(s): 127.0.0.1:"), lines
    assert lines[-1].startswith("  next: ")


# --- Ctrl-C and SIGTERM -------------------------------------------------------------------------

@pytest.mark.parametrize("signal_name, code", [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_interrupted_watch_exits_130_or_143_and_counts_the_samples_taken(cli, aurora, monkeypatch, signal_name, code):
    """The interrupt lands while the 4th sample is being read: three were taken and printed.
    Was: exit 0 and "watched 0 sample(s)"."""
    from auroraml_cli.core import errors, status

    interrupt = KeyboardInterrupt if signal_name == "Ctrl-C" else errors.Terminated
    real, reads = status.read, []

    def read(conn, instance):
        reads.append(instance)
        if len(reads) == 4:
            raise interrupt()
        return real(conn, instance)

    monkeypatch.setattr(status, "read", read)
    r = cli("-o", "json", "status", *aurora, "--watch", "--interval", "0.05", code=code)
    assert len(r.stdout.splitlines()) == 3
    assert "watched 3 sample(s)" in r.stderr
    assert "error:" not in r.stderr  # the summary is the report; the exit code says how it ended


# --- --interval, --timeout, --count --------------------------------------------------------------

HOSTILE_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1", "0", "0.0", "-0", "１", "٣", "1²", "",
                   " ", "1e3", "0x10", "1_000", "9" * 5000, "99999999999999999999", "1.5.2", "+1", "1,5", "--1"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--interval", "--timeout", "--count"]),
       value=st.one_of(st.sampled_from(HOSTILE_NUMBERS),
                       st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not 0 < f < 1e5).map(repr),
                       st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4).filter(
                           lambda s: not s.isascii())))
@example(option="--interval", value="0.01")
@example(option="--count", value="1.5")
@example(option="--timeout", value="1e-9")
@example(option="--count", value="１")  # was: read as 1 (exit 0)
@example(option="--interval", value="nan")  # was: taken, and the watch never slept (exit 0)
def test_hostile_numbers_are_exit_2_with_a_one_line_cause(cli, option, value):
    bounded = ("--count", "2") if option != "--count" else ("--interval", "0.05")  # were the value taken
    r = cli("status", *_closed(), "--watch", *bounded, option, value, code=2)
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and option in errors[0], r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("option, value", [("--interval", "0.05"), ("--interval", "2.5"), ("--timeout", "0.5"),
                                           ("--timeout", "30"), ("--count", "2"), ("--count", "1")])
def test_finite_positive_numbers_are_taken(cli, option, value):
    args = ("--count", "1") if option != "--count" else ("--interval", "0.05")
    r = cli("-o", "json", "status", *_closed(), "--watch", option, value, *args, code=5)  # closed: unreachable
    assert len(r.stdout.splitlines()) == (int(value) if option == "--count" else 1)


def test_with_iam_auth_each_reconnect_makes_a_new_token(cli, monkeypatch):
    """An RDS IAM token opens connections for 15 minutes only: a watch that reconnects after a
    failover must not log in with the token it made at the start (was: one token for the whole run,
    then "access denied" at every tick after the first quarter hour)."""
    import certifi

    from auroraml_cli.core import db

    made = []
    real = db.resolve

    def resolve(request, aws=None, interactive=None):
        target, creds = real(request, aws, interactive)
        made.append(creds.source)
        return target, creds

    monkeypatch.setattr(db, "resolve", resolve)
    host = _closed()[:4]  # refused at each tick: each tick reconnects
    cli("-o", "json", "status", *host, "--user", "iam_user", "--iam-auth", "--ssl-ca", certifi.where(),
        "--watch", "--interval", "0.05", "--count", "3", code=5)
    assert made == ["iam"] * 3


@pytest.mark.parametrize("width", ("80", "200"))
def test_the_counters_table_shows_every_cell_whole_at_80_and_200_columns(cli, aurora, monkeypatch, width):
    from auroraml_cli.commands.status import COLUMNS, _row

    from support.tables import assert_whole

    monkeypatch.setenv("COLUMNS", width)
    doc = cli("-o", "json", "status", *aurora).json()
    rows = [_row(r) for r in doc["instances"]] + [_row({"instance": "total", "uptime": None, **doc["total"]})]
    table = cli("-o", "table", "status", *aurora).stdout
    assert_whole(table, rows, COLUMNS, width, ignore=("uptime",))  # uptime moves between the two runs
