"""`auroraml status` on a real server (MariaDB: no Aurora_ml_* counters, a real Uptime).

The counters moving under real ML calls are exercised in tests/e2e against the sandbox.
"""

from __future__ import annotations

import json


def _host(mariadb):
    return ("--host", mariadb.host, "--port", str(mariadb.port), "--user", "root")


def test_one_shot_shows_missing_counters_as_absent(cli, mariadb):
    r = cli("-o", "json", "status", *_host(mariadb))
    doc = r.json()
    (inst,) = doc["instances"]
    assert inst["reachable"] and inst["uptime"] >= 0
    assert set(inst["counters"].values()) == {None}
    assert doc["total"]["derived"]["batching_factor"] is None
    table = cli("-o", "table", "status", *_host(mariadb))
    assert "absent" in table.stdout


def test_watch_prints_one_json_object_per_sample(cli, mariadb):
    r = cli("-o", "json", "status", *_host(mariadb), "--watch", "--interval", "0.1", "--count", "3")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 3
    assert all({"time", "instances"} <= set(doc) for doc in lines)
    assert lines[0]["instances"][0]["delta"] is None and lines[1]["instances"][0]["rates"] is not None
    assert "watched 3 sample(s)" in r.stderr


def test_watch_plain_lines_off_a_terminal(cli, mariadb):
    r = cli("-o", "table", "status", *_host(mariadb), "--watch", "--interval", "0.1", "--count", "2")
    assert len(r.stdout.splitlines()) == 2 and "uptime=" in r.stdout


def test_prometheus_output_and_its_refusals(cli, mariadb):
    r = cli("-o", "prometheus", "status", *_host(mariadb))
    assert "aurora_uptime_seconds{instance=" in r.stdout
    assert "status" in cli("-o", "prometheus", "setup", "comprehend", "--cluster", "x", code=2).stderr
    assert "cron" in cli("-o", "prometheus", "status", *_host(mariadb), "--watch", code=2).stderr


def test_an_unreachable_server_is_a_database_error(cli, mariadb):
    import socket

    # Bound and not listening: a connect is refused, and no other process can take the port
    # meanwhile (a port found free and closed again could be a test MariaDB's by the time of use).
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        r = cli("-o", "json", "status", "--host", "127.0.0.1", "--port", str(port), "--user", "root", code=5)
    assert r.json()["instances"][0]["reachable"] is False


def test_reset_needs_consent_off_a_terminal(cli, mariadb):
    r = cli("status", *_host(mariadb), "--reset", code=2)
    assert "--yes" in r.stderr
    ok = cli("-o", "json", "status", *_host(mariadb), "--reset", "--yes")
    assert "FLUSH STATUS" in ok.stderr


def test_ctrl_c_ends_an_endless_watch_with_the_samples_it_took(cli, mariadb, monkeypatch):
    """Without --count a watch runs until Ctrl-C: exit 0, and the summary counts what was shown."""
    from auroraml_cli.core.watch import Watcher

    tick, ticks = Watcher.tick, []

    def interrupted_third(self):
        ticks.append(1)
        if len(ticks) == 3:
            raise KeyboardInterrupt
        return tick(self)

    monkeypatch.setattr(Watcher, "tick", interrupted_third)
    r = cli("-o", "json", "status", *_host(mariadb), "--watch", "--interval", "0.05")
    assert len(r.stdout.splitlines()) == 2
    assert "watched 2 sample(s)" in r.stderr
