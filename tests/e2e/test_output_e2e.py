"""What people read, from the installed command against a sandbox: `check` coloured on a terminal
(a pseudo-terminal) and plain otherwise or with NO_COLOR / --no-color; `status --watch` off a
terminal in its documented plain lines; `ddl --apply`'s title and JSON naming the cluster, the
server and the functions."""

from __future__ import annotations

import os
import pty
import re
import select
import struct
import subprocess
import termios
import fcntl

import pytest

from .conftest import AURORAML, auroraml
from .test_database_e2e import analyst  # noqa: F401 - the fixture: a database mldb on ml-demo

ANSI = re.compile(r"\x1b\[[0-9;]*m")
GREEN, RED = "\x1b[32m", "\x1b[1;31m"


def on_a_terminal(*args: str, env: dict | None = None, columns: int = 200) -> tuple[int, str]:
    """Run auroraml with stdout on a pseudo-terminal `columns` wide; (exit code, what it showed)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TERM")}
    environ.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([AURORAML, *args], stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=environ)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            pytest.fail(f"no output for 60 s: {shown!r}")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    proc.stderr.read()
    return proc.wait(timeout=60), shown.decode().replace("\r\n", "\n")


CHECK = ("check", "--cluster", "ml-demo", "--no-database")


def test_check_statuses_are_coloured_on_a_terminal(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)  # passes, and a reboot to fail
    code, shown = on_a_terminal(*CHECK)
    assert code == 1
    assert f"{GREEN}pass" in shown and f"{RED}fail" in shown, shown
    assert "pass" in ANSI.sub("", shown)


@pytest.mark.parametrize("how", ["NO_COLOR=1", "NO_COLOR=yes", "--no-color"])
def test_no_color_and_the_flag_turn_colour_off_on_a_terminal(sandbox, how):
    env, flags = ({how.split("=")[0]: how.split("=")[1]}, ()) if "=" in how else ({}, (how,))
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    code, shown = on_a_terminal(*flags, *CHECK, env=env)
    assert code == 1 and "pass" in shown and "fail" in shown
    assert not ANSI.search(shown), shown


def test_check_off_a_terminal_is_plain(sandbox):
    auroraml("setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    out = auroraml("-o", "table", *CHECK, code=1).stdout
    assert "pass" in out and "fail" in out and "\x1b" not in out


def test_status_watch_off_a_terminal_prints_one_plain_line_per_instance_per_sample(sandbox):
    from auroraml_cli.core import status as st

    r = auroraml("-o", "table", "status", "--cluster", "ml-demo", "--watch", "--interval", "0.05", "--count", "2")
    lines = r.stdout.splitlines()
    assert len(lines) == 4 and "\x1b" not in r.stdout, r.stdout  # ml-demo has two instances, two samples
    keys = (["time", "instance", "reachable", "uptime", *st.SHORT, "batching_factor", "single_share",
             "cache_hit_ratio", "retry_rate", "responses_missing", "logical_requests_per_s", "actual_requests_per_s",
             "retries_per_s", "note"])
    for line in lines:
        pairs = re.findall(r'(\S+?)=("(?:[^"\\]|\\.)*"|\S+)', line)
        assert [k for k, _ in pairs] == keys, line
        assert dict(pairs)["reachable"] == "yes"
    assert [line.split()[1] for line in lines] == ["instance=ml-demo-1", "instance=ml-demo-2"] * 2
    assert "logical_requests_per_s=-" in lines[0] and "logical_requests_per_s=-" not in lines[2]
    assert "watched 2 sample(s)" in r.stderr


def test_ddl_apply_names_the_cluster_server_and_functions(analyst, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COLUMNS", "200")
    args = ("ddl", "sagemaker", "mldb.churn_score", "--endpoint", "churn-predictor", "--arg", "tenure:INT",
            "--returns", "DOUBLE", "--apply", "--cluster", "ml-demo")
    doc = auroraml("-o", "json", *args).json()
    assert doc["cluster"] == "ml-demo" and doc["functions"] == ["`mldb`.`churn_score`"]
    assert re.match(r"\S+:\d+ \(Aurora MySQL", doc["server"]), doc["server"]
    assert {s["cluster"] for s in doc["steps"]} == {"ml-demo"}
    table = auroraml("-o", "table", *args).stdout
    title = table.splitlines()[0].strip()
    assert title == f"ddl `mldb`.`churn_score` on ml-demo at {doc['server']}", title
    host, port = doc["server"].split(" ")[0].rsplit(":", 1)
    c = analyst.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    by_host = auroraml("-o", "json", *args[:-2], "--host", host, "--port", port, "--user", c["MasterUsername"],
                       "--secret-arn", c["MasterUserSecret"]["SecretArn"]).json()
    assert by_host["cluster"] is None and by_host["server"] == doc["server"]
    assert {s["cluster"] for s in by_host["steps"]} == {None}


@pytest.mark.parametrize("columns", (80, 200))
def test_status_watch_on_a_terminal_redraws_a_table_that_fits(sandbox, columns):
    code, shown = on_a_terminal("status", "--cluster", "ml-demo", "--watch", "--interval", "0.05", "--count", "2",
                                columns=columns)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert code == 0 and "Aurora ML counters —" in plain and "ml-demo-1" in plain and "ml-demo-2" in plain, plain
    assert "…" not in plain and max(len(line) for line in plain.splitlines()) <= columns, plain
