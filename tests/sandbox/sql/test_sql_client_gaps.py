"""What the client matrix and SQLAlchemy's compliance suite found missing, one statement each:
table-qualified columns in UPDATE/DELETE, server-side prepared statements with parameters,
CLIENT_FOUND_ROWS, typed result columns, comments in SHOW CREATE TABLE
(docs/reference/sql-compat.md)."""

from __future__ import annotations



def _table(admin) -> None:
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.t (id INT PRIMARY KEY, c INT, note VARCHAR(40))")
    admin.run("INSERT INTO d.t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')")


def test_update_and_delete_with_table_qualified_columns(v3, admin):
    _table(admin)
    admin.run("USE d")
    assert admin.run("UPDATE t SET c = (t.c + 1) WHERE t.id = 1") == 1
    assert admin.run("UPDATE d.t SET t.c = d.t.c + 5 WHERE d.t.id = 2") == 1
    assert admin.run("DELETE FROM t WHERE t.id = 3") == 1
    assert admin.run("DELETE FROM d.t WHERE d.t.id = 4") == 0
    assert admin.rows("SELECT d.t.id, t.c FROM d.t ORDER BY t.id") == [(1, 11), (2, 25)]


def test_show_create_table_escapes_comments_as_mysql(v3, admin):
    admin.run("CREATE DATABASE d")
    admin.run("CREATE TABLE d.t (id INT COMMENT 'it''s\\r\\nnew\\\\line') COMMENT 'a\\rb'")
    text = admin.one("SHOW CREATE TABLE d.t")[1]
    assert "`id` int DEFAULT NULL COMMENT 'it''s\\r\\nnew\\\\line'" in text
    assert text.endswith("COMMENT='a\\rb'")
    assert "\r" not in text
