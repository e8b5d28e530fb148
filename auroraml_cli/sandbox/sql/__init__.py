"""The sandbox's Aurora SQL endpoint: a MySQL-protocol server (mysql-mimic) on loopback that
answers like the writer of one Aurora MySQL cluster, in memory, and runs its Aurora ML calls
against the sandbox's AWS half.

    endpoint = start_endpoint(cluster_id="ml-demo", engine_version="8.0.mysql_aurora.3.08.0")
    pymysql.connect(host=endpoint.host, port=endpoint.port, user="admin", password=...)
    endpoint.stop()

`server.start()` starts one per seeded Aurora MySQL cluster (`Sandbox.sql_endpoints`), and RDS
then reports each cluster's Endpoint, ReaderEndpoint and member instances at 127.0.0.1 and that
endpoint's port (rds_address). The master user's password is read from RDS at each login: the
cluster's MasterUserPassword, or the value of its managed secret (ManageMasterUserPassword) in
Secrets Manager; `master_password=` fixes it instead. Accounts log in with mysql_native_password
(a caching_sha2_password account's password works the same way), over TLS when the client asks
(the sandbox's CA: `endpoint.ssl_ca`, sandbox/tls.py) or plain TCP unless created REQUIRE SSL;
IAM accounts (IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS') with an RDS token over TLS on a
cluster with IAM database authentication enabled (auth, iam_token).

Nothing heavy is imported here: mysql-mimic, sqlglot and moto load on the first start_endpoint().

| statement                                      | behaviour                                             |
|------------------------------------------------|-------------------------------------------------------|
| SELECT AURORA_VERSION(), @@aurora_version,     | 3.08.0 / 2.11.2; VERSION() is the MySQL version the   |
|   VERSION(), @@version_comment, USER(),        | RDS catalogue gives (8.0.39, 5.7.12); CURRENT_USER()  |
|   CURRENT_USER(), CURRENT_ROLE()               | the matched account (u@%); CURRENT_ROLE() (v3 only)   |
|                                                | `R`@`%`,... or NONE                                   |
| CREATE USER [IF NOT EXISTS] a [IDENTIFIED      | 1396 if it exists; needs CREATE USER (else 1227)      |
|   [WITH plugin] BY 'pw' | WITH plugin AS 'h']  |                                                       |
| DROP USER, CREATE ROLE, DROP ROLE (v3)         | 1396 for a missing/existing account; roles are        |
|                                                | syntax errors (1064) on v2                            |
| GRANT role,... TO a,... [WITH ADMIN OPTION]    | v3: built-in AWS_*_ACCESS roles (AWS_BEDROCK_ACCESS   |
| REVOKE [IF EXISTS] role,... FROM a,...         | from 3.06) and rds_superuser_role; 3523 unknown role  |
|                                                | or account, 3530 revoking one not granted, 1227       |
|                                                | without ROLE_ADMIN / WITH ADMIN OPTION                |
| GRANT priv,... ON {*.*|db.*|db.t|FUNCTION      | v2 adds LOAD FROM S3, SELECT INTO S3, INVOKE LAMBDA|  |
|   db.fn} TO a [WITH GRANT OPTION]; REVOKE      | SAGEMAKER|COMPREHEND (INVOKE BEDROCK: 1064); 1410     |
|                                                | (v3) / 1133 (v2) for a missing grantee; 1305 missing  |
|                                                | function; 1045/1044/1142/1370 without GRANT OPTION;   |
|                                                | 1141/1403 revoking a grant that is not there          |
| SHOW GRANTS [FOR a [USING r,...]]              | MySQL 8 or 5.7 text; own grants include active roles' |
|                                                | privileges; 1141 unknown account                      |
| SET DEFAULT ROLE {NONE|ALL|r,...} TO a,...     | v3; default roles are active at login, or all granted |
| SET ROLE {DEFAULT|NONE|ALL [EXCEPT r]|r,...}   | roles if activate_all_roles_on_login=1; 3530 for a    |
|                                                | role not granted                                      |
| CREATE FUNCTION ... ALIAS                      | function_ddl: 1064 for characteristics on ML          |
|   AWS_SAGEMAKER_INVOKE_ENDPOINT|               | functions, Bedrock before 3.06, unquoted 3.06 reserved|
|   AWS_BEDROCK_INVOKE_MODEL ...,                | words; 1235 RETURNS JSON (Bedrock) / not a number or  |
|   CREATE FUNCTION ... RETURN expr              | VARCHAR (SageMaker), COMMENT/LANGUAGE SQL on ML       |
|                                                | functions; MySQL 8.0's type limits (column_types:     |
|                                                | 1425/1426/1427 DECIMAL, 1074 CHAR/VARCHAR, 1439,      |
|                                                | 1063), 1059 long names, 1458, 1330 duplicate          |
|                                                | parameter; 1210 MAX_BATCH_SIZE/TIMEOUT_MS not > 0;    |
|                                                | 1304 exists; 1419 binary logging on without           |
|                                                | log_bin_trust_function_creators; 1044 no CREATE       |
|                                                | ROUTINE. Calls are evaluated (the next row)           |
| aws_comprehend_detect_sentiment[_confidence]   | run by the AWS half, in-process (ml, ml_eval,         |
|   (text, lang [, max_batch_size]), SageMaker   | ml_calls): batched in a SELECT list or WHERE, INSERT  |
|   and Bedrock ALIAS functions, and plain       | VALUES or SELECT, SageMaker in UPDATE SET (Comprehend |
|   RETURN functions (inlined: the Bedrock       | BatchDetectSentiment by max_batch_size, at most 25;   |
|   wrappers of `auroraml ddl --wrapper`, with   | SageMaker CSV bodies of MAX_BATCH_SIZE rows), one     |
|   JSON_OBJECT/JSON_ARRAY/JSON_EXTRACT/         | request per call elsewhere and for Bedrock. 1227      |
|   JSON_UNQUOTE)                                | without the AWS_*_ACCESS role active (v3) / INVOKE    |
|                                                | privilege (v2); 1370 without EXECUTE; 1871 "<Service> |
|                                                | API returned error: Missing Credentials" without an   |
|                                                | ACTIVE aws_default_<service>_role, or the service's   |
|                                                | error; 1592 under binlog_format=STATEMENT             |
| lambda_sync(arn, payload),                     | one Invoke per evaluation (lambda_invoke: the function|
|   lambda_async(arn, payload)                   | must exist in the sandbox's Lambda, its code is not   |
|                                                | run): a stand-in JSON payload / an empty BLOB; 1227   |
|                                                | without AWS_LAMBDA_ACCESS active (v3) / INVOKE LAMBDA |
|                                                | (v2); 1871 as above for aws_default_lambda_role, or   |
|                                                | Lambda's error (ResourceNotFoundException, ...)       |
| SHOW [GLOBAL|SESSION] STATUS [LIKE | WHERE],   | Aurora_ml_* (five on v2: no logical_request,          |
|   performance_schema.global_status             | retry_request), Uptime, Uptime_since_flush_status, of |
|                                                | the instance connected to (status)                    |
| FLUSH [LOCAL] STATUS                           | the counters back to 0; RELOAD (or FLUSH_STATUS, v3)  |
| SET @name = expr, @name                        | user variables; expr may be a subquery with ML calls  |
| DROP FUNCTION [IF EXISTS], SHOW CREATE FUNCTION| 1305 missing; SHOW CREATE in MySQL's layout           |
| SHOW [GLOBAL|SESSION] VARIABLES [LIKE 'p' |    | the cluster parameter group as of the writer's last   |
|   WHERE expr],                                 |                                                       |
|   SELECT @@[global.]name                       | reboot (layer.effective_parameters), engine defaults  |
|                                                | otherwise; SET GLOBAL 1227, SET of a global-only 1229 |
| CREATE/DROP DATABASE, USE, SHOW DATABASES,     | in-memory SQLite via sqlglot (MySQL → SQLite); 1049,  |
|   SHOW [FULL] TABLES, CREATE/DROP TABLE,       | 1046, 1146, 1050, 1054, 1062 as MySQL; INSERT and     |
|   INSERT, UPDATE, DELETE, SELECT               | UPDATE report affected rows                           |
| SELECT ... FROM information_schema.ROUTINES    | SCHEMATA, TABLES, ROUTINES; mysql.user,               |
|   | mysql.default_roles | ...                  | default_roles, role_edges (v3)                        |
| SELECT ... INTO OUTFILE S3 'uri' [...]         | export: prefix.part_00000 (+ .manifest) in moto's S3; |
|   [FROM ...] (FORMAT, FIELDS, LINES, MANIFEST, | 1227 without AWS_SELECT_S3_ACCESS active / SELECT     |
|   OVERWRITE, ENCRYPTION)                       | INTO S3; 1871 Missing Credentials without an active   |
|                                                | S3 role; 1086 existing file without OVERWRITE ON      |
| LOAD DATA FROM S3 [FILE|PREFIX|MANIFEST] ...,  | load: MySQL's LOAD DATA reading; 1227 without         |
|   LOAD XML FROM S3 ...                         | AWS_LOAD_S3_ACCESS active / LOAD FROM S3; 1871        |
|                                                | without an active S3 role or a missing file           |
| CREATE TRIGGER ..., DROP TRIGGER               | triggers: SQLite triggers; 1235 for an ML call in the |
|                                                | body or a statement SQLite cannot run; 1359, 1360     |
| EXPLAIN [FORMAT=TRADITIONAL] SELECT|INSERT|... | MySQL's columns; Extra has `Batched machine learning` |
|                                                | for SageMaker/Comprehend calls, not Bedrock           |
| SET [SESSION] var, SET NAMES, USE, BEGIN,      | mysql-mimic's handling; FLUSH needs RELOAD, does      |
|   COMMIT, ROLLBACK, FLUSH PRIVILEGES           | nothing (grants apply at once)                        |

Each instance of the cluster also has a port of its own (`endpoint.instances`, what RDS reports
as the instance's Endpoint): the same cluster, answering as that instance (@@aurora_server_id,
its Aurora_ml_* counters, Uptime since its last reboot in the AWS half).

The guide's examples on the seeded sandbox (`auroraml sandbox start`): database `demo` on ml-demo
and legacy-v2 holds `support` (ten customer comments) and `nyc_taxi` (48 half-hours of rides, two
anomalies), and SageMaker has `rcf-taxi` in us-east-1. After `auroraml setup comprehend --cluster
ml-demo --reboot --yes` and `auroraml setup sagemaker --endpoint rcf-taxi --cluster ml-demo
--reboot --yes` (any ACTIVE role named in the writer's parameter group does):

    USE demo;
    SELECT AVG(CASE aws_comprehend_detect_sentiment(feedback, 'en') WHEN 'POSITIVE' THEN 1.0
                    WHEN 'NEGATIVE' THEN -1.0 ELSE 0.0 END) AS avg_sentiment, COUNT(*) AS total
      FROM support WHERE aws_comprehend_detect_sentiment_confidence(feedback, 'en') >= 0.80;
      -- -0.111111, 9: one BatchDetectSentiment of 10 texts; 19 logical requests, 9 cache hits
    CREATE FUNCTION anomaly_score(value real) RETURNS real
      ALIAS aws_sagemaker_invoke_endpoint ENDPOINT NAME 'rcf-taxi';
    SET @score_cutoff = (SELECT AVG(anomaly_score(value)) + 3 * STD(anomaly_score(value)) FROM nyc_taxi);
    SELECT *, anomaly_score(value) score FROM nyc_taxi WHERE anomaly_score(value) > @score_cutoff;
      -- 2014-11-02 10:00:00 39197 24.197 and 2014-11-02 20:30:00 1200 13.8 (cutoff 13.46);
      -- one InvokeEndpoint of 48 CSV rows per statement
    SHOW GLOBAL STATUS LIKE 'Aurora_ml%';

The answers are the AWS half's (sandbox/ml_answers.py: a word-list sentiment, an anomaly score
for rcf-* endpoints, a logistic score for others, an echo for Bedrock), configurable in-process
or over POST /_auroraml/ml; the knob ml_throttle throttles the next N calls (retried, counted in
Aurora_ml_retry_request_cnt).

Known gaps: table privileges are recorded and shown but not enforced on reads and writes;
instance endpoints of readers accept writes (Aurora refuses them: read-only); no FIELDS/LINES
with FORMAT CSV, DESCRIBE of a table, REPLACE, stored procedures, BEGIN ... END function bodies,
transactions (autocommit always), REQUIRE X509/CIPHER/ISSUER/SUBJECT (refused); several statements in
one query answer with the last one's result; CREATE FUNCTION refuses (1235) a VARCHAR too long
for its character set outside a strict sql_mode (MySQL makes it a TEXT) and YEAR(n) but YEAR(4);
messages Aurora does not document (the function refusals, a malformed S3 URI, a missing file to
load, the ML services' errors other than Missing Credentials, the binlog_format refusal, an ML
call in a trigger, a stored function over a generated-always column) are the sandbox's own
wording; an existing export file is MySQL's 1086 (Aurora documents that it is an error, not
which). ML calls: TIMEOUT_MS and
aurora_ml_inference_timeout are not applied; the service role's IAM policy is not evaluated
(an ACTIVE association is enough); a call inside a SQL SECURITY DEFINER body is checked against
the session's roles, not the definer's; which calls share a batch and what counts as a logical
request or a cache hit is the sandbox's reading of Aurora's documentation (ml_eval).

Modules: endpoint (server, thread, connection, TLS upgrade), auth (login), iam_token, session (dispatch), statements
(which grammar), lexer; account_ddl, grants, roles, account_syntax, grants_view, accounts
(users, roles, privileges); function_ddl, column_types (data types), functions; ml (which calls
batch), ml_eval (running them), ml_calls (requests to the AWS half), status (counters);
variables; tables, triggers, system_tables, demo_data; export, load; explain; cluster (one
cluster's state), engine (version facts), aws (reads moto), rds_address (what RDS reports),
errors, results (counts, labels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .endpoint import SqlEndpoint

__all__ = ["SqlEndpoint", "start_endpoint"]


def start_endpoint(
    *,
    cluster_id: str,
    engine_version: str,
    account_id: str = "123456789012",
    region: str = "us-east-1",
    master_user: str = "admin",
    master_password: str | Callable[[], str | None] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: Any = None,
    sql_engine: str | None = None,
) -> SqlEndpoint:
    """Start a cluster's SQL endpoint in a daemon thread; `.host`, `.port`, `.stop()`, `.reset()`.

    `engine_version` is the RDS EngineVersion (`8.0.mysql_aurora.3.08.0`, or just `3.08.0`).
    `master_password` None reads the password from the cluster in RDS at each login. Raises
    ValueError for an unknown version or a host off loopback, OSError if the port is taken.
    `tls`: the CA and certificate it serves TLS with (sandbox/tls.py; default: this process's);
    `.ssl_ca` is the CA bundle that verifies it.
    `sql_engine`: sqlite (the default) or mariadb (a local server under the Aurora layer; None reads
    AURORAML_SANDBOX_ENGINE); mariadb raises mariadb_server.MariaDBNotFound where it is not installed."""
    from .endpoint import start_endpoint as start

    return start(cluster_id=cluster_id, engine_version=engine_version, account_id=account_id, region=region,
                 master_user=master_user, master_password=master_password, host=host, port=port, tls=tls,
                 sql_engine=sql_engine_choice(sql_engine))


SQL_ENGINES = ("sqlite", "mariadb")
ENGINE_ENV = "AURORAML_SANDBOX_ENGINE"


def sql_engine_choice(name: str | None) -> str:
    """The SQL engine asked for (None: $AURORAML_SANDBOX_ENGINE, else sqlite); a server engine's
    binaries must be installed (MariaDBNotFound names them and how to install them)."""
    import os

    chosen = (name or os.environ.get(ENGINE_ENV) or "sqlite").lower()
    if chosen not in SQL_ENGINES:
        raise ValueError(f"unknown SQL engine {chosen!r}: choose one of {', '.join(SQL_ENGINES)}")
    if chosen == "mariadb":
        from ..mariadb_server import find_binaries

        find_binaries()
    return chosen


def __getattr__(name: str) -> Any:
    if name == "SqlEndpoint":
        from .endpoint import SqlEndpoint

        return SqlEndpoint
    raise AttributeError(name)
