"""Aurora ML functions run by the SQL endpoint: answers from the sandbox's AWS half, Aurora's
batching, and the Aurora_ml_* counters, read over TCP as `SHOW GLOBAL STATUS` (PyMySQL)."""

from __future__ import annotations

import json

import pytest
from sandbox_support import RDS_TRUST, V2, V3_BEDROCK, after_delay, allow_all, deploy
from sql_support import ENGINES, Address, engine_fixture

from auroraml_cli.core import ddl
from auroraml_cli.sandbox import layer, ml_answers
from auroraml_cli.sandbox.sql import demo_data

# The Aurora layer (ML calls, batching, counters, export, roles) on both SQL engines.
sql_engine = pytest.fixture(params=ENGINES)(engine_fixture)

SERVICES = ("comprehend", "sagemaker", "bedrock")
GUIDE_QUERY = ("SELECT feedback AS 'Customer feedback', aws_comprehend_detect_sentiment(feedback, 'en') AS Sentiment, "
               "ROUND(aws_comprehend_detect_sentiment_confidence(feedback, 'en'), 6) AS Confidence "
               "FROM support ORDER BY Confidence DESC")
AVERAGE_QUERY = ("SELECT AVG(CASE aws_comprehend_detect_sentiment(support.feedback, 'en') WHEN 'POSITIVE' THEN 1.0 "
                 "WHEN 'NEGATIVE' THEN -1.0 ELSE 0.0 END) AS avg_sentiment, COUNT(*) AS total FROM support "
                 "WHERE aws_comprehend_detect_sentiment_confidence(support.feedback, 'en') >= 0.80")
ANOMALY_SCORE = "CREATE FUNCTION anomaly_score(value real) RETURNS real ALIAS aws_sagemaker_invoke_endpoint " \
                "ENDPOINT NAME 'rcf-taxi'"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def wire(rds, iam, cluster, services=SERVICES, associate=True):
    """What `auroraml setup` does: roles RDS may assume, associated, named in the group, writer rebooted."""
    parameters = []
    for service in services:
        role = iam.create_role(RoleName=f"{cluster}-{service}", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))
        allow_all(iam, f"{cluster}-{service}", service)
        if associate:
            rds.add_role_to_db_cluster(DBClusterIdentifier=cluster, RoleArn=role["Role"]["Arn"])
        parameters.append({"ParameterName": f"aws_default_{service}_role", "ParameterValue": role["Role"]["Arn"],
                           "ApplyMethod": "pending-reboot"})
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=f"{cluster}-params", Parameters=parameters)
    rds.reboot_db_instance(DBInstanceIdentifier=f"{cluster}-1")
    after_delay()


def counters(sql):
    """Aurora_ml_*_cnt by short name (actual_request, ...)."""
    return {name[len("Aurora_ml_"):-len("_cnt")]: int(value)
            for name, value in sql.rows("SHOW GLOBAL STATUS LIKE 'Aurora_ml%'")}


def moved(before, after):
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def sizes(service):
    return [call["size"] for call in ml_answers.received(service)]


@pytest.fixture
def answers():
    ml_answers.reset()
    yield ml_answers
    ml_answers.reset()


@pytest.fixture
def ml(endpoint_for, client_for, make_group, rds, iam, client, answers, knobs):
    """A cluster wired for Comprehend, SageMaker and Bedrock, the guide's tables in `demo`, and
    the SageMaker endpoint rcf-taxi; the master user's client, in database demo."""

    def make(version=V3_BEDROCK, name="ml", services=SERVICES, wired=True, instances=1):
        group = make_group(f"{name}-params", "aurora-mysql5.7" if version == V2 else "aurora-mysql8.0")
        endpoint = endpoint_for(name, version, instances=instances, DBClusterParameterGroupName=group)
        if wired:
            wire(rds, iam, name, services)
        deploy(client, "rcf-taxi")
        endpoint.load_demo_data()
        sql = client_for(endpoint)
        sql.run("USE demo")
        sql.endpoint = endpoint
        return sql

    return make


def test_the_guides_sentiment_query_over_support(ml):
    sql = ml()
    rows = sql.rows(GUIDE_QUERY)
    # the three tie at 0.955: ORDER BY leaves their order to the engine (SQLite and a server differ)
    assert {row[0] for row in rows[:3]} == {
        "Thank you for the excellent customer support!", "Your support team is just awesome! I am blown away.",
        "My problem was never resolved!"}
    assert {row[0]: row[1] for row in rows} == {
        demo_data.FEEDBACK[0]: "POSITIVE", demo_data.FEEDBACK[1]: "NEGATIVE", demo_data.FEEDBACK[2]: "POSITIVE",
        demo_data.FEEDBACK[3]: "MIXED", demo_data.FEEDBACK[4]: "POSITIVE", demo_data.FEEDBACK[5]: "NEGATIVE",
        demo_data.FEEDBACK[6]: "NEUTRAL", demo_data.FEEDBACK[7]: "NEGATIVE", demo_data.FEEDBACK[8]: "NEGATIVE",
        demo_data.FEEDBACK[9]: "NEGATIVE"}
    assert [row[2] for row in rows] == sorted((row[2] for row in rows), reverse=True)
    assert rows[-1] == (demo_data.FEEDBACK[9], "NEGATIVE", 0.726139)  # a weak cue: the one below 0.80
    # Ten texts in one BatchDetectSentiment; the confidence calls are answered by the same results.
    assert sizes("comprehend") == [10]
    assert counters(sql) == {"actual_request": 1, "actual_response": 1, "cache_hit": 10, "logical_request": 20,
                             "logical_response": 20, "retry_request": 0, "single_request": 0}


def test_average_sentiment_over_confident_rows(ml):
    sql = ml()
    avg_sentiment, total = sql.one(AVERAGE_QUERY)
    # AVG of DECIMAL is a DECIMAL on a server (-0.11111), a float on SQLite: the same to 4 places
    assert (round(float(avg_sentiment), 4), total) == (-0.1111, 9)  # 3 positive, 4 negative of 9 at >= 0.80
    # WHERE: 10 calls in one batch; the SELECT list: 9 calls answered from that batch.
    assert counters(sql) == {"actual_request": 1, "actual_response": 1, "cache_hit": 9, "logical_request": 19,
                             "logical_response": 19, "retry_request": 0, "single_request": 0}


def test_batches_of_max_batch_size(ml):
    sql = ml()
    sql.run("CREATE TABLE notes (id INT PRIMARY KEY, note TEXT)")
    sql.run("INSERT INTO notes VALUES " + ", ".join(f"({i}, 'note {i} was great')" for i in range(60)))
    before = counters(sql)
    assert sql.rows("SELECT DISTINCT aws_comprehend_detect_sentiment(note, 'en', 25) FROM notes") == [("POSITIVE",)]
    assert sizes("comprehend") == [25, 25, 10]
    assert moved(before, counters(sql)) == {"actual_request": 3, "actual_response": 3, "logical_request": 60,
                                            "logical_response": 60}
    assert sql.value("SELECT COUNT(*) FROM notes WHERE aws_comprehend_detect_sentiment(note, 'en') = 'POSITIVE'") == 60
    assert sizes("comprehend")[3:] == [25, 25, 10]  # 25 is the default, and the most one request takes
    assert sql.value("SELECT COUNT(aws_comprehend_detect_sentiment(note, 'en', 100)) FROM notes") == 60
    assert sizes("comprehend")[6:] == [25, 25, 10]
    assert sql.error("SELECT aws_comprehend_detect_sentiment(note, 'en', 0) FROM notes")[0] == 1210


def test_repeated_arguments_are_cache_hits(ml):
    sql = ml()
    sql.run("CREATE TABLE votes (id INT, note TEXT)")
    sql.run("INSERT INTO votes VALUES " + ", ".join(f"({i}, '{['great', 'awful', 'fine'][i % 3]}')" for i in range(30)))
    before = counters(sql)
    rows = sql.rows("SELECT aws_comprehend_detect_sentiment(note, 'en') s, COUNT(*) FROM votes GROUP BY s ORDER BY s")
    assert rows == [("NEGATIVE", 10), ("NEUTRAL", 10), ("POSITIVE", 10)]
    assert sizes("comprehend") == [3]  # three distinct texts, one request
    change = moved(before, counters(sql))
    assert change["actual_request"] == 1 and change["cache_hit"] == change["logical_request"] - 3


def test_calls_that_cannot_be_batched_go_one_by_one(ml):
    sql = ml()
    sql.run("CREATE TABLE few (id INT, note TEXT)")
    sql.run("INSERT INTO few VALUES (1, 'great'), (2, 'awful'), (3, 'great')")
    before = counters(sql)
    assert sql.rows("EXPLAIN SELECT id FROM few ORDER BY aws_comprehend_detect_sentiment(note, 'en')")[0][-1] is None
    assert [r[0] for r in sql.rows("SELECT id FROM few ORDER BY aws_comprehend_detect_sentiment(note, 'en'), id")] == \
        [2, 1, 3]
    assert [c["operation"] for c in ml_answers.received("comprehend")] == ["DetectSentiment"] * 3
    assert moved(before, counters(sql)) == {"actual_request": 3, "actual_response": 3, "logical_request": 3,
                                            "logical_response": 3, "single_request": 3}
    # UPDATE ... SET batches SageMaker calls only; Comprehend goes row by row there.
    sql.run("ALTER TABLE few ADD COLUMN label TEXT")
    before = counters(sql)
    assert sql.run("UPDATE few SET label = aws_comprehend_detect_sentiment(note, 'en')") == 3
    assert sql.rows("SELECT label FROM few ORDER BY id") == [("POSITIVE",), ("NEGATIVE",), ("POSITIVE",)]
    assert moved(before, counters(sql))["single_request"] == 3
    # Inside a stored function's body, calls are evaluated row by row too.
    sql.run("CREATE FUNCTION mood (t TEXT) RETURNS TEXT RETURN aws_comprehend_detect_sentiment(t, 'en')")
    before = counters(sql)
    assert sql.rows("SELECT mood(note) FROM few ORDER BY id") == [("POSITIVE",), ("NEGATIVE",), ("POSITIVE",)]
    assert moved(before, counters(sql)) == {"actual_request": 3, "actual_response": 3, "logical_request": 3,
                                            "logical_response": 3, "single_request": 3}


def test_anomaly_score_over_nyc_taxi_the_guides_way(ml):
    sql = ml()
    sql.run(ANOMALY_SCORE)
    assert sql.rows("EXPLAIN SELECT timestamp, value, anomaly_score(value) FROM nyc_taxi")[0][-1] == \
        "Batched machine learning"
    sql.run("SET @score_cutoff = (SELECT AVG(anomaly_score(value)) + 3 * STD(anomaly_score(value)) FROM nyc_taxi)")
    assert round(sql.value("SELECT @score_cutoff"), 3) == 13.463
    rows = sql.rows("SELECT *, anomaly_score(value) score FROM nyc_taxi WHERE anomaly_score(value) > @score_cutoff")
    assert [(str(stamp), value, score) for stamp, value, score in rows] == [
        ("2014-11-02 10:00:00", 39197, 24.197), ("2014-11-02 20:30:00", 1200, 13.8)]
    # 48 distinct values: one CSV body of 48 rows per statement.
    assert sizes("sagemaker") == [48, 48]
    assert counters(sql) == {"actual_request": 2, "actual_response": 2, "cache_hit": 48 + 2, "logical_request": 96 + 50,
                             "logical_response": 146, "retry_request": 0, "single_request": 0}


def test_sagemaker_max_batch_size_insert_and_update(ml, answers):
    sql = ml()
    sql.run("CREATE FUNCTION churn (tenure INT, spend DOUBLE) RETURNS DOUBLE "
            "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi' MAX_BATCH_SIZE 10")
    answers.set_endpoint("rcf-taxi", lambda fields: float(fields[0]) * 10 + float(fields[1]))
    assert sql.value("SELECT COUNT(*) FROM nyc_taxi WHERE churn(value, 0.5) > 0") == 48
    assert sizes("sagemaker") == [10, 10, 10, 10, 8]
    sql.run("CREATE TABLE scores (id INT, score DOUBLE)")
    before = counters(sql)
    assert sql.run("INSERT INTO scores VALUES (1, churn(1, 0.5)), (2, churn(2, 0.5)), (3, churn(1, 0.5))") == 3
    assert sizes("sagemaker")[5:] == [2]  # one body for the VALUES rows; (1, 0.5) asked once
    assert moved(before, counters(sql)) == {"actual_request": 1, "actual_response": 1, "logical_request": 3,
                                            "logical_response": 3, "cache_hit": 1}
    assert sql.run("UPDATE scores SET score = churn(id, 2.25) WHERE id > 1") == 2
    assert sizes("sagemaker")[6:] == [2]  # UPDATE ... SET batches SageMaker calls
    assert sql.rows("SELECT id, score FROM scores ORDER BY id") == [(1, 10.5), (2, 22.25), (3, 32.25)]
    sql.run("INSERT INTO scores SELECT id + 10, churn(id, 0) FROM scores")
    assert sizes("sagemaker")[7:] == [3] and sql.value("SELECT MAX(score) FROM scores WHERE id > 10") == 30.0


def test_a_limit_reads_ahead_by_whole_batches(ml):
    sql = ml()
    sql.run("CREATE TABLE notes (id INT, note TEXT)")
    sql.run("INSERT INTO notes VALUES " + ", ".join(f"({i}, 'note {i}')" for i in range(60)))
    assert len(sql.rows("SELECT aws_comprehend_detect_sentiment(note, 'en') FROM notes LIMIT 5")) == 5
    assert sizes("comprehend") == [25]  # Aurora sends a whole batch: why max_batch_size helps with LIMIT
    assert len(sql.rows("SELECT aws_comprehend_detect_sentiment(note, 'en', 5) FROM notes LIMIT 5")) == 5
    assert sizes("comprehend")[1:] == [5]


def test_bedrock_is_one_request_per_row_through_the_ddl_wrapper(ml, answers):
    sql = ml()
    raw, wrapper = ddl.wrapper(ddl.bedrock("demo.ask", model_id=HAIKU), "anthropic")
    sql.run(raw.statement())
    sql.run(wrapper)
    assert sql.rows("EXPLAIN SELECT ask(feedback) FROM support")[0][-1] is None
    before = counters(sql)
    answers.set_model(HAIKU, lambda prompt, body: f"{body['max_tokens']}: {prompt.split()[0]}")
    rows = sql.rows("SELECT ask(feedback) FROM support ORDER BY id LIMIT 3")
    assert rows == [("512: Thank",), ("512: The",), ("512: Your",)]
    assert sizes("bedrock") == [1, 1, 1]
    assert moved(before, counters(sql)) == {"actual_request": 3, "actual_response": 3, "logical_request": 3,
                                            "logical_response": 3, "single_request": 3}
    raw_answer = json.loads(sql.value("SELECT ask_raw('{\"anthropic_version\": \"x\", \"max_tokens\": 5, "
                                      "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}')"))
    assert raw_answer["content"] == [{"type": "text", "text": "5: hi"}]
    # The same prompt twice is asked twice: Bedrock calls are never batched or cached.
    assert sql.rows("SELECT ask('same') UNION ALL SELECT ask('same')") == [("512: same",), ("512: same",)]
    assert sizes("bedrock")[4:] == [1, 1]


def test_bedrock_families_through_their_wrappers(ml):
    sql = ml()
    for name, model, family in (("titan", "amazon.titan-text-express-v1", "titan-text"),
                                ("embed", "amazon.titan-embed-text-v2:0", "titan-embed"),
                                ("cohere", "cohere.embed-english-v3", "cohere-embed")):
        raw, wrapper = ddl.wrapper(ddl.bedrock(f"demo.{name}", model_id=model), family)
        sql.run(raw.statement())
        sql.run(wrapper)
    assert sql.value("SELECT titan('Write a haiku about databases')") == \
        "Sandbox reply from amazon.titan-text-express-v1: Write a haiku about databases"
    for function in ("embed", "cohere"):
        vector = json.loads(sql.value(f"SELECT {function}('hello')"))
        assert len(vector) == 1024 and abs(sum(v * v for v in vector) - 1) < 1e-3
    sql.run("CREATE FUNCTION nowhere (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'no.such-model'")
    assert sql.error("SELECT nowhere('{}')") == (
        1871, "Bedrock API returned error: ValidationException: The provided model identifier is invalid.")


def test_flush_status_and_a_writer_reboot_reset_the_counters(ml, rds):
    sql = ml()
    sql.value("SELECT COUNT(aws_comprehend_detect_sentiment(feedback, 'en')) FROM support")
    assert counters(sql)["logical_request"] == 10
    assert sql.run("FLUSH STATUS") == 0
    assert set(counters(sql).values()) == {0}
    sql.value("SELECT COUNT(aws_comprehend_detect_sentiment(feedback, 'en')) FROM support")
    layer.advance(3600)  # an hour up: no stall of this test makes the rebooted writer's Uptime reach it
    uptime = int(sql.one("SHOW GLOBAL STATUS LIKE 'Uptime'")[1])
    assert uptime >= 3600 and counters(sql)["logical_request"] == 10
    rds.reboot_db_instance(DBInstanceIdentifier="ml-1")
    after_delay()
    assert int(sql.one("SHOW STATUS LIKE 'Uptime'")[1]) < uptime
    assert set(counters(sql).values()) == {0}


def test_flush_status_needs_reload(ml, client_for):
    sql = ml()
    sql.run("CREATE USER watcher IDENTIFIED BY 'watcher-Pw-1'")
    watcher = client_for(_address(sql), "watcher", "watcher-Pw-1")
    assert watcher.error("FLUSH STATUS") == (1227, "Access denied; you need (at least one of) the RELOAD, "
                                                   "FLUSH_STATUS privilege(s) for this operation")
    sql.run("GRANT FLUSH_STATUS ON *.* TO watcher")
    assert watcher.run("FLUSH LOCAL STATUS") == 0


def test_the_status_query_auroraml_status_sends(ml):
    from auroraml_cli.core import status

    sql = ml()
    rows = sql.rows(status.QUERY)
    assert sorted(name for name, _ in rows) == sorted([*status.COUNTERS, "Uptime"])
    assert status.parse(rows, "ml-1").counters == dict.fromkeys(status.SHORT, 0)
    sql.value("SELECT COUNT(aws_comprehend_detect_sentiment(feedback, 'en')) FROM support")
    assert status.parse(sql.rows(status.QUERY), "ml-1").counters["logical_requests"] == 10
    assert sql.rows("SELECT VARIABLE_VALUE FROM performance_schema.global_status "
                    "WHERE VARIABLE_NAME = 'Aurora_ml_logical_request_cnt'") == [("10",)]


def test_v2_shows_five_counters_and_needs_the_invoke_privilege(ml, client_for):
    sql = ml(V2, "old", services=("comprehend", "sagemaker"))
    assert sorted(counters(sql)) == ["actual_request", "actual_response", "cache_hit", "logical_response",
                                     "single_request"]
    assert sql.value("SELECT COUNT(*) FROM support WHERE aws_comprehend_detect_sentiment(feedback, 'en') = "
                     "'POSITIVE'") == 3
    assert counters(sql) == {"actual_request": 1, "actual_response": 1, "cache_hit": 0, "logical_response": 10,
                             "single_request": 0}
    sql.run("CREATE USER app IDENTIFIED BY 'app-Pw-1'")
    sql.run("GRANT SELECT ON demo.* TO app")
    app = client_for(_address(sql), "app", "app-Pw-1", database="demo")
    assert app.error("SELECT aws_comprehend_detect_sentiment(feedback, 'en') FROM support") == (
        1227, "Access denied; you need (at least one of) the INVOKE COMPREHEND privilege(s) for this operation")
    sql.run("GRANT INVOKE COMPREHEND ON *.* TO app")
    assert len(app.rows("SELECT aws_comprehend_detect_sentiment(feedback, 'en') FROM support")) == 10


def test_v3_needs_the_role_active_and_execute_on_the_function(ml, client_for):
    sql = ml()
    sql.run(ANOMALY_SCORE)
    sql.run("CREATE USER analyst IDENTIFIED BY 'analyst-Pw-1'")
    sql.run("GRANT SELECT ON demo.* TO analyst")
    sql.run("GRANT AWS_COMPREHEND_ACCESS, AWS_SAGEMAKER_ACCESS TO analyst")
    analyst = client_for(_address(sql), "analyst", "analyst-Pw-1", database="demo")
    query = "SELECT aws_comprehend_detect_sentiment(feedback, 'en') FROM support"
    assert analyst.error(query) == (
        1227, "Access denied; you need (at least one of) the INVOKE COMPREHEND privilege(s) for this operation")
    analyst.run("SET ROLE AWS_COMPREHEND_ACCESS")
    assert len(analyst.rows(query)) == 10
    analyst.run("SET ROLE ALL")
    assert analyst.error("SELECT anomaly_score(value) FROM nyc_taxi") == (
        1370, "execute command denied to user 'analyst'@'%' for routine 'demo.anomaly_score'")
    sql.run("GRANT EXECUTE ON FUNCTION demo.anomaly_score TO analyst")
    assert len(analyst.rows("SELECT anomaly_score(value) FROM nyc_taxi")) == 48


def test_without_a_usable_service_role_aurora_has_no_credentials(ml, rds, iam):
    sql = ml(wired=False)
    assert sql.error(GUIDE_QUERY) == (
        1871, "Comprehend API returned error: Missing Credentials: Cannot instantiate Comprehend Client")
    wire(rds, iam, "ml", ("comprehend",), associate=False)  # named in the group, never associated
    assert sql.error(GUIDE_QUERY)[0] == 1871
    sql.run(ANOMALY_SCORE)
    assert sql.error("SELECT anomaly_score(value) FROM nyc_taxi") == (
        1871, "SageMaker API returned error: Missing Credentials: Cannot instantiate SageMaker Client")
    assert ml_answers.received() == [] and set(counters(sql).values()) == {0}


def test_service_errors_and_statement_binlog_format(ml, rds):
    sql = ml()
    sql.run("CREATE FUNCTION gone (x DOUBLE) RETURNS DOUBLE ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'gone'")
    assert sql.error("SELECT gone(value) FROM nyc_taxi") == (
        1871, "SageMaker API returned error: ValidationError: Endpoint gone of account 123456789012 not found.")
    assert counters(sql)["actual_request"] == 1 and counters(sql)["actual_response"] == 0
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="ml-params", Parameters=[
        {"ParameterName": "binlog_format", "ParameterValue": "STATEMENT", "ApplyMethod": "pending-reboot"}])
    rds.reboot_db_instance(DBInstanceIdentifier="ml-1")
    after_delay()
    code, message = sql.error(GUIDE_QUERY)
    assert code == 1592 and "BINLOG_FORMAT = STATEMENT" in message


def test_throttled_requests_are_retried(ml):
    sql = ml()
    layer.configure(ml_throttle=2)
    assert len(sql.rows(GUIDE_QUERY)) == 10
    assert [c["outcome"] for c in ml_answers.received("comprehend")] == ["ThrottlingException"] * 2 + ["ok"]
    assert counters(sql) == {"actual_request": 1, "actual_response": 1, "cache_hit": 10, "logical_request": 20,
                             "logical_response": 20, "retry_request": 2, "single_request": 0}
    sql.run("FLUSH STATUS")
    layer.configure(ml_throttle=10)
    assert sql.error(GUIDE_QUERY) == (1871, "Comprehend API returned error: ThrottlingException: Rate exceeded")
    assert counters(sql) == {"actual_request": 1, "actual_response": 0, "cache_hit": 0, "logical_request": 0,
                             "logical_response": 0, "retry_request": 3, "single_request": 0}


def test_counters_are_per_instance(ml, client_for, rds):
    sql = ml(instances=2)
    writer, reader = (client_for(Address(sql.endpoint.host, sql.endpoint.instances[name])) for name in ("ml-1", "ml-2"))
    count = "SELECT COUNT(aws_comprehend_detect_sentiment(feedback, 'en')) FROM demo.support"
    sql.value(count)  # through the cluster endpoint: the writer
    assert counters(writer)["logical_request"] == 10 and set(counters(reader).values()) == {0}
    reader.value(count)
    reader.value(count)
    assert (counters(writer)["logical_request"], counters(reader)["logical_request"]) == (10, 20)
    assert reader.value("SELECT @@aurora_server_id") == "ml-2"
    reader.run("FLUSH STATUS")
    assert counters(sql)["logical_request"] == 10 and counters(reader)["logical_request"] == 0
    reader.value(count)
    rds.reboot_db_instance(DBInstanceIdentifier="ml-2")  # a reader's restart clears only its own
    after_delay()
    assert counters(sql)["logical_request"] == 10 and counters(reader)["logical_request"] == 0


def _address(sql):
    """Where a client is connected: for logging in as another account."""
    return Address(sql.connection.host, sql.connection.port)


def test_ml_columns_are_labelled_as_written(ml):
    sql = ml()
    labels = sql.columns("SELECT aws_comprehend_detect_sentiment(feedback, 'en'), "
                         "ROUND(aws_comprehend_detect_sentiment_confidence(feedback,'en'), 2) FROM support LIMIT 1")
    assert labels == ["aws_comprehend_detect_sentiment(feedback, 'en')",
                      "ROUND(aws_comprehend_detect_sentiment_confidence(feedback,'en'), 2)"]


def test_session_binlog_format_statement_makes_an_ml_call_fail(ml, client_for):
    sql = ml()
    assert sql.run("SET SESSION binlog_format = 'statement'") == 0
    assert sql.value("SELECT @@session.binlog_format") == "STATEMENT"
    code, message = sql.error("SELECT aws_comprehend_detect_sentiment('great', 'en')")
    assert code == 1592 and "BINLOG_FORMAT = STATEMENT" in message
    assert sql.value("SELECT COUNT(*) FROM support") == 10  # only ML calls are refused
    sql.run("SET binlog_format = MIXED")
    assert sql.value("SELECT aws_comprehend_detect_sentiment('great', 'en')") == "POSITIVE"
    assert sql.error("SET SESSION binlog_format = 'ROWS'") == (
        1231, "Variable 'binlog_format' can't be set to the value of 'ROWS'")
    sql.run("CREATE USER 'app'@'%' IDENTIFIED BY 'pw'")
    assert client_for(sql.endpoint, "app", "pw").error("SET SESSION binlog_format = 'ROW'") == (
        1227, "Access denied; you need (at least one of) the SUPER, SYSTEM_VARIABLES_ADMIN or "
              "SESSION_VARIABLES_ADMIN privilege(s) for this operation")


def test_an_ml_call_in_a_trigger_is_refused(ml):
    sql = ml()
    sql.run("CREATE TABLE scored (feedback TEXT, sentiment VARCHAR(16))")
    sql.run("CREATE FUNCTION mood (t TEXT) RETURNS VARCHAR(16) RETURN aws_comprehend_detect_sentiment(t, 'en')")
    for body in ("SET NEW.sentiment = aws_comprehend_detect_sentiment(NEW.feedback, 'en')",
                 "BEGIN INSERT INTO support (feedback) VALUES (mood(NEW.feedback)); END"):
        assert sql.error(f"CREATE TRIGGER score BEFORE INSERT ON scored FOR EACH ROW {body}")[0] == 1235
    code, message = sql.error("CREATE TRIGGER score AFTER INSERT ON scored FOR EACH ROW "
                              "UPDATE support SET feedback = aws_comprehend_detect_sentiment(feedback, 'en')")
    assert (code, message) == (1235, "This version of MySQL doesn't yet support 'Aurora machine learning calls in "
                                     "triggers (aws_comprehend_detect_sentiment)'")
    sql.run("CREATE FUNCTION tag (t TEXT) RETURNS VARCHAR(16) RETURN CONCAT('t:', LEFT(t, 2))")
    assert sql.run("CREATE TRIGGER plain BEFORE INSERT ON scored FOR EACH ROW SET NEW.sentiment = tag(NEW.feedback)") == 0
    sql.run("INSERT INTO scored (feedback) VALUES ('great')")
    assert sql.one("SELECT * FROM scored") == ("great", "t:gr")
