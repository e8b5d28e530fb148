"""EXPLAIN: MySQL's plan columns, and `Batched machine learning` where Aurora batches ML calls."""

from __future__ import annotations

import pytest

COLUMNS = ["id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows",
           "filtered", "Extra"]


@pytest.fixture
def ml(admin):
    admin.run("CREATE DATABASE ml")
    admin.run("USE ml")
    admin.run("CREATE TABLE trips (id INT, distance DOUBLE, note TEXT)")
    admin.run("INSERT INTO trips VALUES (1, 2.5, 'ok'), (2, 7.0, 'late')")
    admin.run("CREATE FUNCTION fare (d DOUBLE) RETURNS DOUBLE "
              "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'fare-model'")
    admin.run("CREATE FUNCTION ask (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'")
    return admin


def extra(sql, statement):
    return [row[-1] for row in sql.rows(f"EXPLAIN {statement}")]


def test_plan_shape(ml):
    assert ml.columns("EXPLAIN SELECT * FROM trips") == COLUMNS
    assert ml.rows("EXPLAIN SELECT * FROM trips") == [(1, "SIMPLE", "trips", None, "ALL", None, None, None, None, 2,
                                                       100.0, None)]
    assert extra(ml, "SELECT 1") == ["No tables used"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT fare(distance) FROM trips", "Batched machine learning"),
        ("SELECT ml.fare(distance) FROM trips", "Batched machine learning"),
        ("SELECT id FROM trips WHERE fare(distance) > 10", "Using where; Batched machine learning"),
        ("SELECT aws_comprehend_detect_sentiment(note, 'en') FROM trips", "Batched machine learning"),
        ("SELECT AVG(aws_comprehend_detect_sentiment_confidence(note, 'en')) FROM trips", "Batched machine learning"),
        ("SELECT ask(note) FROM trips", None),  # Bedrock: one request per row
        ("SELECT id FROM trips ORDER BY fare(distance)", None),  # not in the SELECT list or WHERE
        ("INSERT INTO trips (distance) VALUES (fare(3.0))", "Batched machine learning"),
        ("UPDATE trips SET distance = fare(distance)", "Batched machine learning"),
        ("UPDATE trips SET note = aws_comprehend_detect_sentiment(note, 'en')", None),
    ],
)
def test_batched_machine_learning(ml, statement, expected):
    assert extra(ml, statement)[0] == expected


def test_explain_refusals(ml):
    assert ml.error("EXPLAIN SELECT * FROM nope") == (1146, "Table 'ml.nope' doesn't exist")
    assert ml.error("EXPLAIN FORMAT=JSON SELECT * FROM trips")[0] == 1235
    assert ml.rows("DESCRIBE trips")[0] == ("id", "int", "YES", "", None, "")  # a table's columns (test_sql_metadata)


# auroraml explain's part: which ML functions a statement calls, looked up on this endpoint.
@pytest.fixture
def two_schemas(ml):
    """`fare` is SageMaker in ml (the default database) and Bedrock in other."""
    ml.run("CREATE DATABASE other")
    ml.run("CREATE FUNCTION other.fare (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'm'")
    return ml


@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ("SELECT fare(distance) FROM trips", [("fare", "sagemaker")]),
        ("SELECT ml.fare(distance) FROM trips", [("ml.fare", "sagemaker")]),
        ("SELECT `ml`.`fare`(distance) FROM trips", [("ml.fare", "sagemaker")]),
        ("SELECT ml.FARE(distance) FROM trips", [("ml.fare", "sagemaker")]),
        ("SELECT `ml` . `Fare` (distance) FROM trips", [("ml.fare", "sagemaker")]),
        ("SELECT other.fare(note) FROM trips", [("other.fare", "bedrock")]),  # that schema's function only
        ("SELECT ml.fare(distance), other.fare(note) FROM trips", [("ml.fare", "sagemaker"), ("other.fare", "bedrock")]),
        ("SELECT 'fare(distance)', \"other.fare(x)\" FROM trips", []),  # strings call nothing
        ("SELECT distance /* fare(distance) */ FROM trips -- other.fare(x)", []),
        ("SELECT 'it''s fare(1)', distance # other.fare(x)\nFROM trips", []),
        ("SELECT `fare(distance)`.x FROM (SELECT 1 AS x) AS `fare(distance)`", []),
    ],
)
def test_explain_finds_the_ml_functions_called(two_schemas, statement, found):
    from auroraml_cli.core.explain import explain

    _, calls = explain(two_schemas.connection, statement)
    assert [(c.function, c.service) for c in calls] == found


def test_explain_reports_a_lost_connection_instead_of_no_ml_calls(two_schemas):
    """A failure to look a function up is a failure, never 'not an ML function'."""
    import pymysql

    from auroraml_cli.core.explain import ml_functions

    first = two_schemas.connection
    conn = pymysql.connect(host=first.host, port=first.port, user=first.user, password=first.password, database="ml")
    assert ml_functions(conn, "SELECT nosuch.fare(1), count(1) FROM trips", "ml") == {}  # no such schema, a built-in
    conn.close()
    with pytest.raises(pymysql.err.Error):
        ml_functions(conn, "SELECT ml.fare(distance) FROM trips", "ml")
