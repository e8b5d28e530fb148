"""Aurora 2 (MySQL 5.7): the ML services are global privileges, accounts are single-quoted."""

from __future__ import annotations

import pytest
from sandbox_support import V2


@pytest.fixture
def legacy(endpoint_for):
    return endpoint_for("legacy", V2)


@pytest.fixture
def v2(legacy, client_for):
    sql = client_for(legacy)
    sql.run("CREATE USER 'analyst'@'%' IDENTIFIED BY 'pw'")
    return sql


def test_grant_and_revoke_ml_privileges(v2):
    v2.run("GRANT INVOKE COMPREHEND ON *.* TO 'analyst'@'%'")
    assert v2.rows("SHOW GRANTS FOR 'analyst'@'%'") == [("GRANT INVOKE COMPREHEND ON *.* TO 'analyst'@'%'",)]
    v2.run("GRANT SELECT INTO S3, INVOKE SAGEMAKER ON *.* TO analyst")
    expected = "GRANT SELECT INTO S3, INVOKE SAGEMAKER, INVOKE COMPREHEND ON *.* TO 'analyst'@'%'"
    assert v2.value("SHOW GRANTS FOR analyst") == expected
    v2.run("REVOKE INVOKE SAGEMAKER, SELECT INTO S3 ON *.* FROM analyst")
    v2.run("REVOKE INVOKE COMPREHEND ON *.* FROM analyst")
    assert v2.rows("SHOW GRANTS FOR analyst") == [("GRANT USAGE ON *.* TO 'analyst'@'%'",)]


def test_master_holds_every_ml_privilege(v2):
    (line,) = [r[0] for r in v2.rows("SHOW GRANTS")]
    assert line.endswith("LOAD FROM S3, SELECT INTO S3, INVOKE LAMBDA, INVOKE SAGEMAKER, INVOKE COMPREHEND "
                         "ON *.* TO 'admin'@'%' WITH GRANT OPTION")


def test_v2_refusals(v2):
    code, message = v2.error("GRANT INVOKE BEDROCK ON *.* TO analyst")
    assert code == 1064 and "near 'BEDROCK ON *.* TO analyst'" in message
    code, message = v2.error("GRANT AWS_COMPREHEND_ACCESS TO analyst")
    assert code == 1064 and "near 'AWS_COMPREHEND_ACCESS TO analyst'" in message
    incorrect = (1221, "Incorrect usage of DB GRANT and GLOBAL PRIVILEGES")
    assert v2.error("GRANT INVOKE SAGEMAKER ON ml.* TO analyst") == incorrect
    assert v2.error("GRANT INVOKE SAGEMAKER ON *.* TO ghost") == (1133, "Can't find any matching row in the user table")
    assert v2.error("SELECT CURRENT_ROLE()") == (1046, "No database selected")  # 5.7: a stored function?
    v2.run("CREATE DATABASE ml")
    v2.run("USE ml")
    assert v2.error("SELECT CURRENT_ROLE()") == (1305, "FUNCTION ml.CURRENT_ROLE does not exist")


def test_grant_option_is_needed_to_grant(legacy, v2, client_for):
    v2.run("GRANT INVOKE SAGEMAKER ON *.* TO analyst")
    analyst = client_for(legacy, "analyst", "pw")
    assert analyst.error("GRANT INVOKE SAGEMAKER ON *.* TO analyst")[0] == 1045
    v2.run("GRANT INVOKE SAGEMAKER ON *.* TO analyst WITH GRANT OPTION")
    assert analyst.run("GRANT INVOKE SAGEMAKER ON *.* TO admin") == 0
    assert analyst.error("GRANT INVOKE COMPREHEND ON *.* TO admin")[0] == 1045  # not held itself
