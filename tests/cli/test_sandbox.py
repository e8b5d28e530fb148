"""`auroraml sandbox`: start and run, as a user would call them (subprocesses: they own servers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

AURORAML = str(Path(sys.executable).parent / "auroraml")


def test_run_points_the_command_at_a_loopback_sandbox_and_returns_its_exit_code(isolated):
    probe = "import os, sys; print(os.environ['AWS_ENDPOINT_URL']); sys.exit(3)"
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("http://127.0.0.1:")


def test_run_drops_the_callers_aws_profile(isolated):
    env = {**os.environ, "AWS_PROFILE": "production"}
    probe = "import os; print(os.environ.get('AWS_PROFILE', 'none'), os.environ['AWS_ACCESS_KEY_ID'])"
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["none", "sandbox"]


def test_run_of_a_missing_command_is_a_configuration_error(isolated):
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "--", "no-such-command-xyz"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "command not found" in done.stderr


def test_start_prints_exports_serves_the_seed_and_stops_on_ctrl_c(isolated):
    import boto3

    proc = subprocess.Popen([AURORAML, "sandbox", "start", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        exports = {}
        from auroraml_cli.commands.sandbox import SANDBOX_ENV

        while len(exports) <= len(SANDBOX_ENV):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            key, _, value = line.removeprefix("export ").strip().partition("=")
            exports[key] = value
        assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=exports["AWS_ENDPOINT_URL"],
                           aws_access_key_id="x", aws_secret_access_key="x")
        ids = {c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]}
        assert {"ml-demo", "legacy-v2", "bedrock-ready"} <= ids
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def _busy_port():
    import socket

    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    return taken


def test_a_port_in_use_is_a_usage_error_with_a_free_port_to_use(cli):
    taken = _busy_port()
    port = taken.getsockname()[1]
    try:
        for command in (("sandbox", "start", "--no-seed", "--port", str(port)),
                        ("sandbox", "run", "--no-seed", "--port", str(port), "--", sys.executable, "-c", "pass")):
            r = cli(*command, code=2)
            lines = r.stderr.splitlines()
            assert lines[-2] == f"error: port {port} on 127.0.0.1 is in use", r.stderr
            free = int(lines[-1].split("--port ")[-1].split()[0])
            assert lines[-1].startswith("  next: ") and "--port 0" in lines[-1] and free != port
            assert "Traceback" not in r.stderr and r.stdout == ""
    finally:
        taken.close()


def test_run_exports_the_ca_bundle_of_its_sql_endpoints_and_removes_it_after(isolated):
    probe = ("import os, stat; ca = os.environ['AURORAML_SSL_CA']; key = os.path.join(os.path.dirname(ca), 'server-key.pem');"
             "print(ca, open(ca).read().startswith('-----BEGIN CERTIFICATE-----'), oct(stat.S_IMODE(os.stat(key).st_mode)))")
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ca, is_pem, mode = done.stdout.split()
    assert is_pem == "True" and mode == "0o600"
    assert not os.path.exists(ca)  # the sandbox's own files go with it


def test_engine_mariadb_without_a_server_installed_is_a_configuration_error(cli, monkeypatch, tmp_path):
    """Nothing starts: the missing binaries are named with how to install them (exit 3)."""
    from auroraml_cli.sandbox import mariadb_server

    monkeypatch.setattr(mariadb_server, "EXTRA_DIRS", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    for command in (("sandbox", "start", "--no-seed", "--port", "0", "--engine", "mariadb"),
                    ("sandbox", "run", "--no-seed", "--engine", "mariadb", "--", sys.executable, "-c", "pass")):
        r = cli(*command, code=3)
        lines = r.stderr.splitlines()
        assert lines[-2].startswith("error: --engine mariadb needs a MariaDB or MySQL server: mariadbd or mysqld and "
                                    "mariadb-install-db or mysql_install_db are not installed"), r.stderr
        assert lines[-1].startswith("  next: install a MariaDB server:") and "mariadb-server" in lines[-1]
        assert "Traceback" not in r.stderr and r.stdout == ""


def test_an_unknown_engine_is_a_usage_error(cli, monkeypatch):
    monkeypatch.setenv("AURORAML_SANDBOX_ENGINE", "postgres")
    r = cli("sandbox", "run", "--no-seed", "--", sys.executable, "-c", "pass", code=2)
    assert "unknown SQL engine 'postgres'" in r.stderr and "--engine sqlite" in r.stderr


def test_run_on_the_mariadb_engine_serves_sql_from_a_real_server(isolated):
    """The seeded ml-demo on --engine mariadb: the layer's Aurora answers over a real server's tables."""
    from auroraml_cli.sandbox.mariadb_server import MariaDBNotFound, find_binaries

    try:
        find_binaries()
    except MariaDBNotFound as missing:  # .ci/run installs it
        import pytest

        pytest.skip(str(missing))
    probe = ("import boto3, json, pymysql\n"
             "rds = boto3.client('rds'); c = rds.describe_db_clusters(DBClusterIdentifier='ml-demo')['DBClusters'][0]\n"
             "s = boto3.client('secretsmanager').get_secret_value(SecretId=c['MasterUserSecret']['SecretArn'])\n"
             "conn = pymysql.connect(host=c['Endpoint'], port=c['Port'], user=c['MasterUsername'],\n"
             "                       password=json.loads(s['SecretString'])['password'])\n"
             "cur = conn.cursor()\n"
             "cur.execute('SELECT AURORA_VERSION(), COUNT(*), SUM(CAST(1.10 AS DECIMAL(4,2))) FROM demo.support')\n"
             "print(*cur.fetchone())\n")
    done = subprocess.run([AURORAML, "sandbox", "run", "--engine", "mariadb", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3.08.0", "10", "11.00"]


def test_run_keeps_the_journal_settings_and_caches_in_the_sandboxs_own_directory(isolated):
    """Nothing a rehearsal does lands in the user's real history: not even with AURORAML_JOURNAL
    pointing at a shared, audited file, or AURORAML_TARGET naming a real target."""
    real_journal = isolated / "real-journal.jsonl"
    real_journal.write_text("")
    (isolated / "auroraml.toml").write_text('[targets.prod]\ncluster = "orders-prod"\n')  # the user's real settings
    env = {**os.environ, "AURORAML_JOURNAL": str(real_journal), "AURORAML_TARGET": "prod"}
    keys = ("AURORAML_JOURNAL", "AURORAML_CONFIG", "XDG_STATE_HOME", "XDG_CACHE_HOME", "AURORAML_SSL_CA")
    probe = f"import os; print(os.environ.get('AURORAML_TARGET')); [print(os.environ[k]) for k in {keys!r}]"
    done = subprocess.run([AURORAML, "sandbox", "run", "--no-seed", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    target, journal, config, state, cache, ca = done.stdout.split()
    own = Path(ca).parent.parent  # the sandbox's state directory: tls/ca.pem is in it
    assert target == "None"
    assert {Path(journal).parent, Path(config).parent, Path(state).parent, Path(cache).parent} == {own}
    assert not own.exists()  # it goes with the sandbox


def test_a_change_rehearsed_in_the_sandbox_is_journalled_there_and_not_in_the_users_history(isolated):
    home_state = Path(os.environ["HOME"]) / ".local" / "state"
    script = "auroraml setup comprehend --cluster ml-demo --reboot --yes -q && auroraml -o json history"
    done = subprocess.run([AURORAML, "sandbox", "run", "--", "bash", "-c", script], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PATH": f"{Path(AURORAML).parent}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert '"cluster": "ml-demo"' in done.stdout  # history inside the sandbox sees the rehearsal
    assert not home_state.exists()  # the user's own journal and locks were never touched
    real = subprocess.run([AURORAML, "-o", "json", "history"], capture_output=True, text=True, timeout=60)
    assert real.returncode == 0 and "ml-demo" not in real.stdout, real.stderr
