"""SHOW VARIABLES and @@variables: the cluster parameter group as the writer runs it."""

from __future__ import annotations

from sandbox_support import V2, after_delay

COMPREHEND_ROLE = "arn:aws:iam::123456789012:role/comprehend-access"


def aws_defaults(sql, scope="GLOBAL"):
    return dict(sql.rows(f"SHOW {scope} VARIABLES LIKE 'aws_default%'"))


def test_defaults_of_a_new_cluster(admin):
    assert aws_defaults(admin) == {
        "aws_default_bedrock_role": "", "aws_default_comprehend_role": "", "aws_default_lambda_role": "",
        "aws_default_s3_role": "", "aws_default_sagemaker_role": "",
    }
    assert admin.rows("SHOW VARIABLES LIKE 'activate_all_roles_on_login'") == [("activate_all_roles_on_login", "OFF")]
    assert admin.one("SELECT @@binlog_format, @@log_bin, @@aurora_ml_inference_timeout") == ("ROW", 0, 30000)
    assert admin.columns("SHOW GLOBAL VARIABLES LIKE 'log_bin'") == ["Variable_name", "Value"]


def test_v2_has_its_own_parameters(endpoint_for, client_for):
    sql = client_for(endpoint_for("legacy", V2))
    names = set(dict(sql.rows("SHOW VARIABLES LIKE 'a%role'")))
    assert {"aurora_select_into_s3_role", "aurora_load_from_s3_role", "aws_default_s3_role"} <= names
    assert "aws_default_bedrock_role" not in names and "activate_all_roles_on_login" not in names


def test_a_static_change_shows_after_the_writer_reboots(endpoint_for, client_for, rds, make_group, knobs):
    group = make_group("ml-params")
    endpoint = endpoint_for("ml", DBClusterParameterGroupName=group)
    sql = client_for(endpoint)
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "aws_default_comprehend_role", "ParameterValue": COMPREHEND_ROLE,
                     "ApplyMethod": "pending-reboot"}],
    )
    assert aws_defaults(sql)["aws_default_comprehend_role"] == ""  # pending-reboot: not running yet
    rds.reboot_db_instance(DBInstanceIdentifier="ml-1")
    after_delay()
    assert aws_defaults(sql)["aws_default_comprehend_role"] == COMPREHEND_ROLE
    assert aws_defaults(sql, "SESSION")["aws_default_comprehend_role"] == COMPREHEND_ROLE
    assert sql.one("SELECT @@aws_default_comprehend_role, @@global.aws_default_comprehend_role") == (
        COMPREHEND_ROLE, COMPREHEND_ROLE)


def test_the_endpoint_follows_the_writer_not_a_reader(endpoint_for, client_for, rds, make_group, knobs):
    group = make_group("two-params")
    endpoint = endpoint_for("pair", instances=2, DBClusterParameterGroupName=group)
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "aws_default_s3_role", "ParameterValue": COMPREHEND_ROLE,
                     "ApplyMethod": "pending-reboot"}],
    )
    rds.reboot_db_instance(DBInstanceIdentifier="pair-2")  # a reader
    after_delay()
    sql = client_for(endpoint)
    assert sql.value("SELECT @@aws_default_s3_role") == ""
    assert sql.value("SELECT @@aurora_server_id") == "pair-1"


def test_like_patterns(admin):
    assert [name for name, _ in admin.rows("SHOW GLOBAL VARIABLES LIKE 'AURORA\\_VERSION'")] == ["aurora_version"]
    assert admin.rows("SHOW VARIABLES LIKE 'no_such%'") == []
    assert admin.rows("SHOW VARIABLES WHERE Variable_name = 'x'") == []
    assert admin.rows("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('aurora_version', 'x') OR Value = 'nothing'") == [
        ("aurora_version", "3.10.1")]


def test_session_binlog_format_needs_super_on_v2(endpoint_for, client_for):
    """Aurora 2's master user has no SUPER, which MySQL 5.7 asks for; Aurora 3's holds SESSION_VARIABLES_ADMIN."""
    sql = client_for(endpoint_for("legacy", V2))
    assert sql.error("SET SESSION binlog_format = 'STATEMENT'") == (
        1227, "Access denied; you need (at least one of) the SUPER privilege(s) for this operation")
    assert sql.value("SELECT @@binlog_format") == "ROW"
