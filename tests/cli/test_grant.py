"""`auroraml grant` / `revoke` connected to a server: a plain MariaDB is named and refused.

The Aurora behaviour end to end is in tests/e2e (the sandbox's Aurora SQL endpoint); the SQL's
semantics on a real engine are in tests/db.
"""

from __future__ import annotations


def _snapshot(mariadb):
    return sorted(mariadb.query("SELECT User, Host, is_role FROM mysql.user"))


def test_grant_against_mariadb_is_refused_with_nothing_executed(cli, mariadb, fresh_accounts):
    fresh_accounts.role("AWS_COMPREHEND_ACCESS")
    fresh_accounts.user("analyst")
    before = fresh_accounts.grants("analyst")
    r = cli("grant", "comprehend", "analyst", "--host", mariadb.host, "--port", str(mariadb.port), "--user", "root", code=2)
    assert "MariaDB" in r.stderr and "not Aurora MySQL" in r.stderr and "nothing was executed" in r.stderr
    assert fresh_accounts.grants("analyst") == before


def test_ddl_apply_against_mariadb_is_refused(cli, mariadb, fresh_accounts):
    fresh_accounts.database("mldb")
    r = cli("ddl", "sagemaker", "mldb.score", "--endpoint", "e", "--arg", "x:DOUBLE", "--returns", "DOUBLE", "--apply",
            "--host", mariadb.host, "--port", str(mariadb.port), "--user", "root", code=2)
    assert "not Aurora MySQL" in r.stderr
    assert fresh_accounts.execute("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mldb'")[0][0] == 0


def test_password_from_an_option_file_and_wrong_password_exit_5(cli, mariadb, fresh_accounts, isolated):
    fresh_accounts.user("opsuser", password="canary-Pa55word")
    fresh_accounts.execute("GRANT SELECT ON *.* TO `opsuser`@`%`")
    cnf = isolated / "ops.cnf"
    cnf.write_text("[client]\nuser = opsuser\npassword = wrong-password\n")
    r = cli("grant", "comprehend", "x", "--host", mariadb.host, "--port", str(mariadb.port), "--defaults-file", str(cnf), code=5)
    assert "Access denied" in r.stderr and "wrong-password" not in r.stderr + r.stdout
    cnf.write_text("[client]\nuser = opsuser\npassword = canary-Pa55word\n")
    ok = cli("-v", "grant", "comprehend", "x", "--host", mariadb.host, "--port", str(mariadb.port), "--defaults-file", str(cnf), code=2)
    assert "not Aurora MySQL" in ok.stderr  # connected: the password was right, the server is not Aurora
    assert "canary-Pa55word" not in ok.stderr + ok.stdout
