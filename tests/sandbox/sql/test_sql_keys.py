"""Keys as MySQL 8 keeps them: AUTO_INCREMENT, LAST_INSERT_ID(), 1062 naming the value and
`table.key` (MySQL 8.0.19+; MariaDB writes the key alone, so only the codes are checked there),
foreign keys with 1452 / 1451 and ON DELETE CASCADE / SET NULL."""

from __future__ import annotations

import pymysql
import pytest

SCHEMA = [
    "CREATE TABLE p (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(20) UNIQUE, PRIMARY KEY (id)) AUTO_INCREMENT=100",
    "CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE)",
    "CREATE TABLE c2 (id INT PRIMARY KEY, pid INT, CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p(id))",
    "CREATE TABLE c3 (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p(id) ON DELETE SET NULL)",
    "CREATE TABLE u (a VARCHAR(5), b INT, UNIQUE KEY ab (a, b))",
]
FK_C = "(`d`.`c`, CONSTRAINT `c_ibfk_1` FOREIGN KEY (`pid`) REFERENCES `p` (`id`) ON DELETE CASCADE)"
FK_C2 = "(`d`.`c2`, CONSTRAINT `fk` FOREIGN KEY (`pid`) REFERENCES `p` (`id`))"
# (statement, None or (code, MySQL 8 message)); run in order on an empty database `d`.
SCRIPT = [
    ("INSERT INTO p (name) VALUES ('a'), ('b')", None),
    ("INSERT INTO p VALUES (100, 'z')", (1062, "Duplicate entry '100' for key 'p.PRIMARY'")),
    ("INSERT INTO p (name) VALUES ('q'), ('b')", (1062, "Duplicate entry 'b' for key 'p.name'")),
    ("UPDATE p SET name = 'a' WHERE id = 101", (1062, "Duplicate entry 'a' for key 'p.name'")),
    ("INSERT INTO c VALUES (1, 999)", (1452, "Cannot add or update a child row: a foreign key constraint fails "
                                             + FK_C)),
    ("INSERT INTO c VALUES (1, 100)", None),
    ("INSERT INTO c2 VALUES (1, 101)", None),
    ("INSERT INTO c3 VALUES (1, 100)", None),
    ("DELETE FROM p WHERE id = 101", (1451, "Cannot delete or update a parent row: a foreign key constraint fails "
                                            + FK_C2)),
    ("DELETE FROM p WHERE id = 100", None),
    ("INSERT INTO u VALUES ('x', 1), ('x', 1)", (1062, "Duplicate entry 'x-1' for key 'u.ab'")),
]
AFTER = [("SELECT COUNT(*) FROM c", 0), ("SELECT pid FROM c3", None), ("SELECT COUNT(*) FROM p", 1)]


def _run(cursor, sql):
    try:
        cursor.execute(sql)
    except pymysql.MySQLError as error:
        return error.args[0], error.args[1]
    return None


def test_keys_script_in_the_sandbox(admin):
    admin.run("CREATE DATABASE d")
    admin.run("USE d")
    with admin.connection.cursor() as cursor:
        for sql in SCHEMA:
            cursor.execute(sql)
        for sql, expected in SCRIPT:
            assert _run(cursor, sql) == expected, sql
    for sql, value in AFTER:
        assert admin.value(sql) == value


def test_keys_script_codes_against_mariadb(mariadb):
    connection = mariadb.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE d")
            try:
                cursor.execute("USE d")
                for sql in SCHEMA:
                    cursor.execute(sql)
                for sql, expected in SCRIPT:
                    outcome = _run(cursor, sql)
                    assert (outcome and outcome[0]) == (expected and expected[0]), sql
                    if expected and expected[0] in (1451, 1452):
                        assert outcome == expected  # the same words as MySQL 8
                for sql, value in AFTER:
                    cursor.execute(sql)
                    assert cursor.fetchone()[0] == value
            finally:
                cursor.execute("DROP DATABASE d")
    finally:
        connection.close()


def test_auto_increment_ids_are_never_reused(admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.t (id BIGINT AUTO_INCREMENT, v INT, PRIMARY KEY (id))")
    admin.run("INSERT INTO d.t (v) VALUES (1), (2), (3)")
    admin.run("DELETE FROM d.t WHERE id = 3")
    admin.run("INSERT INTO d.t (v) VALUES (4)")
    assert admin.value("SELECT MAX(id) FROM d.t") == 4
    admin.run("DELETE FROM d.t")
    admin.run("INSERT INTO d.t (v) VALUES (5)")
    assert admin.value("SELECT id FROM d.t") == 5
    admin.run("INSERT INTO d.t (id, v) VALUES (50, 6)")  # an explicit value moves the counter
    admin.run("INSERT INTO d.t (v) VALUES (7)")
    assert admin.value("SELECT id FROM d.t WHERE v = 7") == 51


def test_last_insert_id_is_the_first_of_a_multi_row_insert(admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) AUTO_INCREMENT = 10")
    with admin.connection.cursor() as cursor:
        cursor.execute("INSERT INTO d.t (v) VALUES (1), (2), (3)")
        assert cursor.lastrowid == 10
    assert admin.value("SELECT LAST_INSERT_ID()") == 10
    admin.run("INSERT INTO d.t (v) VALUES (4)")
    assert admin.value("SELECT LAST_INSERT_ID()") == 13


def test_last_insert_id_is_per_session(v3, client_for):
    a, b = client_for(v3), client_for(v3)
    a.run("CREATE DATABASE d")
    a.run("CREATE TABLE d.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
    a.run("INSERT INTO d.t (v) VALUES (1)")
    b.run("INSERT INTO d.t (v) VALUES (2)")
    assert (a.value("SELECT LAST_INSERT_ID()"), b.value("SELECT LAST_INSERT_ID()")) == (1, 2)


@pytest.mark.parametrize("definition", ["id INT AUTO_INCREMENT PRIMARY KEY", "id INT PRIMARY KEY AUTO_INCREMENT",
                                        "id INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (id)"])
def test_auto_increment_spellings(admin, definition):
    admin.run("CREATE DATABASE d")
    admin.run(f"CREATE TABLE d.t ({definition}, v INT)")
    admin.run("INSERT INTO d.t (v) VALUES (1), (2)")
    admin.run("DELETE FROM d.t WHERE id = 2")
    admin.run("INSERT INTO d.t (v) VALUES (3)")
    assert admin.rows("SELECT id FROM d.t ORDER BY id") == [(1,), (3,)]


def test_a_referenced_table_cannot_be_dropped(admin):
    # MySQL 8 refuses with 3730 rows or not (MariaDB answers 1451: sandbox only).
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.p (id INT PRIMARY KEY)")
    admin.run("CREATE TABLE d.c (pid INT, FOREIGN KEY (pid) REFERENCES p(id))")
    assert admin.error("DROP TABLE d.p") == (
        3730, "Cannot drop table 'p' referenced by a foreign key constraint 'c_ibfk_1' on table 'c'.")
    admin.run("INSERT INTO d.p VALUES (1)")
    admin.run("INSERT INTO d.c VALUES (1)")
    admin.run("DROP TABLE d.c")
    admin.run("DROP TABLE d.p")
    admin.run("CREATE TABLE d.a (id INT PRIMARY KEY)")
    admin.run("CREATE TABLE d.b (pid INT, FOREIGN KEY (pid) REFERENCES a(id))")
    admin.run("INSERT INTO d.a VALUES (1)")
    admin.run("INSERT INTO d.b VALUES (1)")
    assert admin.run("DROP DATABASE d") == 2


def test_truncate_starts_the_counter_again(admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.plain (v INT)")
    admin.run("TRUNCATE TABLE d.plain")  # no counter anywhere yet
    admin.run("CREATE TABLE d.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
    admin.run("INSERT INTO d.t (v) VALUES (1), (2)")
    admin.run("TRUNCATE TABLE d.t")
    admin.run("INSERT INTO d.t (v) VALUES (3)")
    assert admin.rows("SELECT id, v FROM d.t") == [(1, 3)]


def test_foreign_key_checks_off_lets_a_restore_create_children_first(admin):
    """What a dump does (SET FOREIGN_KEY_CHECKS=0, tables in name order): a child's rows go in
    before its parent exists, and a referenced table may be dropped; with the checks back on, an
    orphan row is refused again."""
    admin.run("CREATE DATABASE d")
    admin.run("SET foreign_key_checks = 0")
    admin.run("CREATE TABLE d.child (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES parent (id))")
    admin.run("INSERT INTO d.child VALUES (1, 7)")
    admin.run("CREATE TABLE d.parent (id INT PRIMARY KEY)")
    admin.run("INSERT INTO d.parent VALUES (7)")
    admin.run("SET foreign_key_checks = 1")
    code, _ = admin.error("INSERT INTO d.child VALUES (2, 8)")
    assert code == 1452
    assert admin.error("DROP TABLE d.parent")[0] == 3730
    admin.run("SET foreign_key_checks = 0")
    admin.run("DROP TABLE d.parent")
    assert admin.run("DROP DATABASE d") == 1
