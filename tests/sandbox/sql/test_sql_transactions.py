"""Transactions as MySQL's, seen from two client sessions (two PyMySQL connections): ROLLBACK
undoes, others never see uncommitted rows, SAVEPOINTs, autocommit=0, implicit commits, and a
second writer refused with 1205 at once (the endpoint never waits on a lock: it is one thread)."""

from __future__ import annotations

import pymysql
import pytest
from sql_support import connect

LOCKED = (1205, "Lock wait timeout exceeded; try restarting transaction")


@pytest.fixture
def two(v3, client_for):
    a, b = client_for(v3), client_for(v3)
    a.run("CREATE DATABASE d")
    a.run("CREATE TABLE d.t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20))")
    return a, b


def names(client):
    return [r[0] for r in client.rows("SELECT name FROM d.t ORDER BY id")]


def test_rollback_undoes_the_insert(two):
    a, _ = two
    a.run("BEGIN")
    a.run("INSERT INTO d.t (name) VALUES ('x')")
    assert names(a) == ["x"]
    a.run("ROLLBACK")
    assert names(a) == []


@pytest.mark.parametrize("begin", ["BEGIN", "BEGIN WORK", "START TRANSACTION", "START TRANSACTION READ WRITE"])
def test_others_see_rows_only_once_committed(two, begin):
    a, b = two
    a.run(begin)
    a.run("INSERT INTO d.t (name) VALUES ('x')")
    assert names(b) == []
    a.run("COMMIT")
    assert names(b) == ["x"]


def test_a_second_writer_is_refused_at_once_and_can_retry(two):
    a, b = two
    a.run("START TRANSACTION")
    a.run("INSERT INTO d.t (name) VALUES ('a')")
    assert b.error("INSERT INTO d.t (name) VALUES ('b')") == LOCKED
    assert names(b) == []  # reading is never refused: the last committed rows
    a.run("COMMIT")
    b.run("INSERT INTO d.t (name) VALUES ('b')")
    assert names(a) == ["a", "b"]


def test_savepoints(two):
    a, b = two
    a.run("BEGIN")
    a.run("INSERT INTO d.t (name) VALUES ('one')")
    a.run("SAVEPOINT s1")
    a.run("INSERT INTO d.t (name) VALUES ('two')")
    a.run("SAVEPOINT `s 2`")
    a.run("INSERT INTO d.t (name) VALUES ('three')")
    a.run("ROLLBACK TO SAVEPOINT `s 2`")
    assert names(a) == ["one", "two"]
    a.run("ROLLBACK WORK TO s1")
    assert names(a) == ["one"]
    a.run("RELEASE SAVEPOINT s1")
    assert a.error("ROLLBACK TO SAVEPOINT s1") == (1305, "SAVEPOINT s1 does not exist")
    a.run("COMMIT")
    assert names(b) == ["one"]


def test_savepoint_outside_a_transaction_lasts_one_statement(two):
    a, _ = two
    a.run("SAVEPOINT s")
    assert a.error("ROLLBACK TO s") == (1305, "SAVEPOINT s does not exist")
    assert a.error("RELEASE SAVEPOINT s") == (1305, "SAVEPOINT s does not exist")


def test_autocommit_off_keeps_a_transaction_open_until_commit(two):
    a, b = two
    a.run("SET autocommit = 0")
    a.run("INSERT INTO d.t (name) VALUES ('x')")
    assert names(b) == []
    a.run("COMMIT")
    assert names(b) == ["x"]
    a.run("INSERT INTO d.t (name) VALUES ('y')")
    a.run("ROLLBACK")
    assert names(b) == ["x"]
    a.run("INSERT INTO d.t (name) VALUES ('z')")
    a.run("SET autocommit = 1")  # commits what is open
    assert names(b) == ["x", "z"]


def test_ddl_commits_implicitly(two):
    a, b = two
    a.run("BEGIN")
    a.run("INSERT INTO d.t (name) VALUES ('kept')")
    a.run("CREATE TABLE d.other (id INT)")
    a.run("ROLLBACK")
    assert names(b) == ["kept"]


def test_a_closed_session_rolls_back(v3, two):
    a, b = two
    c = connect(v3)
    with c.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("INSERT INTO d.t (name) VALUES ('lost')")
    c.close()  # COM_QUIT; the endpoint ends that session when its loop reads it, not before b's next turn
    for _ in range(100):  # bounded by round trips, not by time
        try:
            b.run("INSERT INTO d.t (name) VALUES ('b')")  # the lock went with it
            break
        except pymysql.MySQLError as error:
            assert error.args == LOCKED
    assert names(a) == ["b"]


def test_a_reading_transaction_writes_after_another_commit(two):
    """InnoDB writes on the latest rows: a transaction that has only read is not refused."""
    a, b = two
    a.run("SET autocommit = 0")
    assert names(a) == []
    b.run("INSERT INTO d.t (name) VALUES ('b')")
    a.run("INSERT INTO d.t (name) VALUES ('a')")
    a.run("COMMIT")
    assert names(b) == ["b", "a"]


def test_pymysql_transaction_api(v3, client_for):
    a, b = client_for(v3), client_for(v3)
    a.connection.autocommit(False)
    b.run("CREATE DATABASE d")
    b.run("CREATE TABLE d.t (id INT PRIMARY KEY)")
    a.connection.begin()
    a.run("INSERT INTO d.t VALUES (1)")
    a.connection.rollback()
    a.run("INSERT INTO d.t VALUES (2)")
    a.connection.commit()
    assert b.rows("SELECT id FROM d.t") == [(2,)]


def test_failed_statement_keeps_the_transaction(two):
    a, b = two
    a.run("BEGIN")
    a.run("INSERT INTO d.t (id, name) VALUES (1, 'one')")
    assert a.error("INSERT INTO d.t (id, name) VALUES (1, 'again')")[0] == 1062
    a.run("INSERT INTO d.t (id, name) VALUES (2, 'two')")
    a.run("COMMIT")
    assert names(b) == ["one", "two"]


def test_system_tables_inside_a_transaction(two):
    a, b = two
    a.run("BEGIN")
    a.run("INSERT INTO d.t (name) VALUES ('x')")
    assert b.value("SELECT TABLE_ROWS FROM information_schema.tables WHERE TABLE_NAME = 't'") == 0
    assert a.value("SELECT TABLE_ROWS FROM information_schema.tables WHERE TABLE_NAME = 't'") == 1
    a.run("COMMIT")
