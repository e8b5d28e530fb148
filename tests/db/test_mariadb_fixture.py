"""The `mariadb` fixture is a real MariaDB of the suite's own, and does what auroraml's SQL needs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pymysql
import pytest

from support.mariadb import SYSTEM_PORT, Accounts, MariaDB, MariaDBNotFound, account, find_binaries, q

TESTS = Path(__file__).resolve().parents[1]
ER_WRONG_STRING_LENGTH = 1470
ER_PROCACCESS_DENIED = 1370
ER_BAD_FIELD = 1054


def one(conn, sql: str):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()


# --- it is real, and it is ours -------------------------------------------------------------------


def test_it_is_mariadb(mariadb):
    conn = mariadb.connect()
    try:
        (version,) = one(conn, "SELECT VERSION()")
    finally:
        conn.close()
    assert "MariaDB" in version
    assert mariadb.version == version
    assert mariadb.version_info >= (10, 4)  # roles in global_priv, 80-character user names


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp* spells them) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_listens_on_loopback_only_on_its_own_port(mariadb):
    assert mariadb.host == "127.0.0.1"
    assert mariadb.port != SYSTEM_PORT
    conn = mariadb.connect()
    try:
        port, bind, datadir, sock, pid_file, log_error = one(
            conn, "SELECT @@port, @@bind_address, @@datadir, @@socket, @@pid_file, @@log_error")
    finally:
        conn.close()
    assert (port, bind) == (mariadb.port, "127.0.0.1")
    for path in (datadir, sock, pid_file, log_error):
        assert Path(path).resolve().is_relative_to(mariadb.base_dir.resolve()), path
    if Path("/proc/net/tcp").exists():
        assert _listening(mariadb.port) == {"0100007F"}  # 127.0.0.1 only: not 0.0.0.0, not IPv6


def test_ignores_the_machines_config_files(mariadb):
    cmdline = Path(f"/proc/{mariadb.pid}/cmdline")
    if cmdline.exists():
        assert cmdline.read_bytes().split(b"\0")[1] == b"--no-defaults"
    conn = mariadb.connect()
    try:
        assert one(conn, "SELECT @@innodb_buffer_pool_size")[0] == 16 * 1024 * 1024
    finally:
        conn.close()


def test_root_has_an_empty_password_over_tcp(mariadb):
    conn = mariadb.connect(user="root", password="")
    try:
        user, current = one(conn, "SELECT USER(), CURRENT_USER()")
    finally:
        conn.close()
    assert user.startswith("root@") and current.startswith("root@")
    assert conn.get_host_info().startswith("socket 127.0.0.1:")  # TCP, not the unix socket


# --- what auroraml's database commands rely on --------------------------------------------------


def test_roles_default_role_and_execute_on_function(fresh_accounts):
    acc = fresh_accounts
    acc.role("ml_invoker")
    acc.database("mldb")
    acc.execute("CREATE FUNCTION mldb.churn_score(x INT) RETURNS INT DETERMINISTIC RETURN x * 2")
    acc.execute("GRANT EXECUTE ON FUNCTION mldb.churn_score TO ml_invoker")
    acc.user("analyst", "%", "s3cret", roles=("ml_invoker",), default_role="ml_invoker")

    grants = acc.grants("analyst")
    assert "GRANT `ml_invoker` TO `analyst`@`%`" in grants
    assert "SET DEFAULT ROLE `ml_invoker` FOR `analyst`@`%`" in grants

    conn = acc.connect("analyst", "s3cret")
    assert one(conn, "SELECT CURRENT_ROLE(), CURRENT_USER()") == ("ml_invoker", "analyst@%")
    assert one(conn, "SELECT mldb.churn_score(21)") == (42,)

    acc.execute("REVOKE EXECUTE ON FUNCTION mldb.churn_score FROM ml_invoker")
    acc.execute("SET DEFAULT ROLE NONE FOR analyst@'%'")
    again = acc.connect("analyst", "s3cret")
    assert one(again, "SELECT CURRENT_ROLE()") == (None,)
    with pytest.raises(pymysql.err.OperationalError) as denied:
        one(again, "SELECT mldb.churn_score(21)")
    assert denied.value.args[0] == ER_PROCACCESS_DENIED


def test_sql_mode_can_be_set_per_session(mariadb):
    strict, plain = mariadb.connect(), mariadb.connect()
    try:
        with strict.cursor() as cur:
            cur.execute("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES,ANSI_QUOTES')")
            cur.execute("SELECT @@SESSION.sql_mode")
            modes = cur.fetchone()[0].split(",")
        assert {"NO_BACKSLASH_ESCAPES", "ANSI_QUOTES"} <= set(modes)
        assert one(strict, r"SELECT 'a\nb'") == ("a\\nb",)  # backslash kept as is
        with pytest.raises(pymysql.err.OperationalError) as bad:
            one(strict, 'SELECT "not a string"')  # an identifier under ANSI_QUOTES
        assert bad.value.args[0] == ER_BAD_FIELD

        (other,) = one(plain, "SELECT @@SESSION.sql_mode")
        assert "ANSI_QUOTES" not in other and "NO_BACKSLASH_ESCAPES" not in other
        assert one(plain, r"SELECT 'a\nb'") == ("a\nb",)
        assert one(plain, 'SELECT "a string"') == ("a string",)
    finally:
        strict.close()
        plain.close()


def test_an_80_character_user_name_works(fresh_accounts):
    name = "u" * 79 + "z"  # MariaDB's documented limit; MySQL's is 32
    fresh_accounts.user(name, "%", "pw")
    conn = fresh_accounts.connect(name, "pw")
    assert one(conn, "SELECT CURRENT_USER()") == (f"{name}@%",)


def test_a_user_name_one_past_the_servers_limit_is_refused(fresh_accounts):
    # The limit is the grant table's column width: 80 on 10.4/10.5, 128 from 10.6 on (10.11: 128).
    limit = fresh_accounts.scalar(
        "SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'global_priv' AND COLUMN_NAME = 'User'")
    assert limit >= 80
    fresh_accounts.user("v" * limit)
    with pytest.raises(pymysql.err.OperationalError) as too_long:
        fresh_accounts.execute(f"CREATE USER {account('v' * (limit + 1))}")
    assert too_long.value.args[0] == ER_WRONG_STRING_LENGTH
    assert f"should be no longer than {limit}" in too_long.value.args[1]


NASTY = "o'brien\"`x`%_\\n;--"


@pytest.mark.parametrize("sql_mode", ["", "NO_BACKSLASH_ESCAPES,ANSI_QUOTES"])
def test_a_user_name_with_quotes_backticks_and_percent(fresh_accounts, sql_mode):
    acc = fresh_accounts
    acc.execute(f"SET SESSION sql_mode = '{sql_mode}'")
    acc.role(NASTY + "role")
    acc.user(NASTY, "%", "pw", roles=(NASTY + "role",), default_role=NASTY + "role")
    acc.execute("SET SESSION sql_mode = DEFAULT")

    stored = acc.execute("SELECT User, Host FROM mysql.user WHERE User LIKE 'o%brien%' AND is_role = 'N'")
    assert stored == [(NASTY, "%")]
    conn = acc.connect(NASTY, "pw")
    assert one(conn, "SELECT CURRENT_USER(), CURRENT_ROLE()") == (f"{NASTY}@%", NASTY + "role")
    # Single-quoted literals work too when quotes are doubled and backslashes escaped (default mode).
    literal = NASTY.replace("\\", "\\\\").replace("'", "''")
    assert acc.execute(f"SELECT COUNT(*) FROM mysql.user WHERE User = '{literal}'") == [(1,)]


# --- the helpers themselves -----------------------------------------------------------------------


def test_fresh_accounts_drops_what_a_test_added(mariadb):
    before = set(mariadb.query("SELECT User, Host FROM mysql.user"))
    with Accounts(mariadb) as acc:
        acc.role("tmp_role")
        acc.user("tmp_user", "10.0.%", roles=("tmp_role",))
        acc.database("tmp_db")
        acc.execute("CREATE USER made_elsewhere@localhost")  # not through the helper
        acc.execute("SET GLOBAL sql_mode = 'ANSI_QUOTES'")
    assert set(mariadb.query("SELECT User, Host FROM mysql.user")) == before
    assert ("tmp_db",) not in mariadb.query("SHOW DATABASES")
    assert "ANSI_QUOTES" not in mariadb.query("SELECT @@GLOBAL.sql_mode")[0][0]


def test_a_second_server_starts_beside_and_stops_cleanly(mariadb):
    with MariaDB() as other:
        assert other.port not in (mariadb.port, SYSTEM_PORT)
        other.query("CREATE ROLE only_here")
        assert mariadb.query("SELECT COUNT(*) FROM mysql.user WHERE User = 'only_here'") == [(0,)]
        base, pid = other.base_dir, other.pid
    assert not other.running() and not base.exists()
    assert not Path(f"/proc/{pid}").exists() or b"zombie" in Path(f"/proc/{pid}/status").read_bytes().lower()


def test_a_free_port_taken_by_another_server_before_the_bind_is_not_mistaken_for_ours(mariadb, monkeypatch):
    """Test processes side by side (pytest-xdist) each start a server on a port that was free a
    moment before: one that finds another's root@127.0.0.1 there must not take it for its own."""
    import support.mariadb

    ports = iter([mariadb.port, support.mariadb.free_port()])  # the first is already served
    monkeypatch.setattr(support.mariadb, "free_port", lambda host: next(ports))
    with MariaDB() as other:
        assert other.port != mariadb.port
        assert Path(other.query("SELECT @@datadir")[0][0]).resolve() == other.datadir.resolve()


def test_missing_binaries_are_reported_with_what_to_do(tmp_path):
    with pytest.raises(MariaDBNotFound) as missing:
        find_binaries(search_path=[str(tmp_path)])
    message = str(missing.value)
    assert "mariadbd or mysqld" in message and "mariadb-install-db or mysql_install_db" in message
    assert ".ci/run" in message and "mariadb-server" in message


def test_missing_binaries_fail_the_fixture_rather_than_skip(tmp_path):
    """Run one fixture test in a child pytest where no binary can be found: it must error, not skip."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        import support.mariadb as m
        m.EXTRA_DIRS = ()
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-W", "ignore",
                              {str(Path(__file__))!r} + "::test_it_is_mariadb"]))
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["PATH"] = str(tmp_path)  # nothing in it
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=TESTS.parent, timeout=120, stdin=subprocess.DEVNULL)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "1 error" in output and "skipped" not in output, output
    assert ".ci/run" in output and "mariadb-server" in output, output


def test_quoting_helper():
    assert q("a`b") == "`a``b`"
    assert account("o'x", "%") == "`o'x`@`%`"
    with pytest.raises(ValueError):
        q("nul\x00")
