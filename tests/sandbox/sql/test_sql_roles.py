"""Aurora 3: the built-in ML roles, GRANT/REVOKE of roles, default and active roles."""

from __future__ import annotations

import pytest
from sandbox_support import after_delay

ML_ROLES_310 = ["AWS_BEDROCK_ACCESS", "AWS_COMPREHEND_ACCESS", "AWS_LAMBDA_ACCESS", "AWS_LOAD_S3_ACCESS",
                "AWS_SAGEMAKER_ACCESS", "AWS_SELECT_S3_ACCESS"]


def test_master_holds_the_ml_roles_through_rds_superuser_role(admin):
    grants = [r[0] for r in admin.rows("SHOW GRANTS FOR rds_superuser_role")]
    listed = ",".join(f"`{r}`@`%`" for r in ML_ROLES_310)
    assert f"GRANT {listed} TO `rds_superuser_role`@`%` WITH ADMIN OPTION" in grants
    mine = [r[0] for r in admin.rows("SHOW GRANTS")]
    assert mine[-1] == "GRANT `rds_superuser_role`@`%` TO `admin`@`%`"
    assert "ROLE_ADMIN" in mine[1] and mine[0].endswith("ON *.* TO `admin`@`%` WITH GRANT OPTION")
    assert admin.columns("SHOW GRANTS") == ["Grants for admin@%"]


def test_bedrock_role_exists_from_306(endpoint_for, client_for):
    old = client_for(endpoint_for("old", "8.0.mysql_aurora.3.05.2"))
    old.run("CREATE USER u")
    assert old.error("GRANT AWS_BEDROCK_ACCESS TO u") == (3523, "Unknown authorization ID `AWS_BEDROCK_ACCESS`@`%`")
    assert old.run("GRANT AWS_SAGEMAKER_ACCESS TO u") == 0


def test_grant_show_revoke_a_role(admin):
    admin.run("CREATE USER 'analyst'@'%' IDENTIFIED BY 'pw'")
    admin.run("GRANT AWS_COMPREHEND_ACCESS, AWS_SAGEMAKER_ACCESS TO 'analyst'@'%'")
    admin.run("GRANT EXECUTE ON *.* TO analyst")
    assert [r[0] for r in admin.rows("SHOW GRANTS FOR 'analyst'@'%'")] == [
        "GRANT EXECUTE ON *.* TO `analyst`@`%`",
        "GRANT `AWS_COMPREHEND_ACCESS`@`%`,`AWS_SAGEMAKER_ACCESS`@`%` TO `analyst`@`%`",
    ]
    admin.run("REVOKE AWS_SAGEMAKER_ACCESS FROM analyst")
    admin.run("REVOKE EXECUTE ON *.* FROM analyst")
    assert [r[0] for r in admin.rows("SHOW GRANTS FOR analyst")] == [
        "GRANT USAGE ON *.* TO `analyst`@`%`",
        "GRANT `AWS_COMPREHEND_ACCESS`@`%` TO `analyst`@`%`",
    ]
    edges = admin.rows("SELECT FROM_USER, TO_USER, WITH_ADMIN_OPTION FROM mysql.role_edges WHERE TO_USER = 'analyst'")
    assert edges == [("AWS_COMPREHEND_ACCESS", "analyst", "N")]


def test_role_refusals(admin):
    admin.run("CREATE USER u")
    assert admin.error("GRANT AWS_NOPE_ACCESS TO u") == (3523, "Unknown authorization ID `AWS_NOPE_ACCESS`@`%`")
    assert admin.error("GRANT aws_comprehend_access TO u")[0] == 3523  # role names are case-sensitive
    assert admin.error("GRANT AWS_COMPREHEND_ACCESS TO ghost") == (3523, "Unknown authorization ID `ghost`@`%`")
    not_granted = (3530, "`AWS_COMPREHEND_ACCESS`@`%` is not granted to `u`@`%`")
    assert admin.error("REVOKE AWS_COMPREHEND_ACCESS FROM u") == not_granted
    assert admin.run("REVOKE IF EXISTS AWS_COMPREHEND_ACCESS FROM u") == 0
    assert admin.error("GRANT SELECT ON ml.* TO ghost") == (1410, "You are not allowed to create a user with GRANT")
    assert admin.error("GRANT INVOKE SAGEMAKER ON *.* TO u")[0] == 1064  # a v2 privilege
    assert admin.error("SHOW GRANTS FOR ghost") == (1141, "There is no such grant defined for user 'ghost' on host '%'")
    assert admin.error("CREATE USER u")[0] == 1396
    assert admin.run("CREATE USER IF NOT EXISTS u") == 0


def test_a_user_without_admin_option_may_not_grant(v3, admin, client_for):
    admin.run("CREATE USER 'plain'@'%' IDENTIFIED BY 'pw', target")
    plain = client_for(v3, "plain", "pw")
    need = "Access denied; you need (at least one of) the WITH ADMIN, ROLE_ADMIN, SUPER privilege(s) for this operation"
    assert plain.error("GRANT AWS_COMPREHEND_ACCESS TO target") == (1227, need)
    assert plain.error("CREATE USER other")[0] == 1227
    denied = (1045, "Access denied for user 'plain'@'%' (using password: YES)")
    assert plain.error("GRANT SELECT ON *.* TO target") == denied
    assert plain.error("SHOW GRANTS FOR target") == (1044, "Access denied for user 'plain'@'%' to database 'mysql'")
    assert plain.error("SELECT * FROM mysql.default_roles")[0] == 1142
    # WITH ADMIN OPTION on a role is enough to grant that role, and only that one.
    admin.run("GRANT AWS_COMPREHEND_ACCESS TO plain WITH ADMIN OPTION")
    assert plain.run("GRANT AWS_COMPREHEND_ACCESS TO target") == 0
    assert plain.error("GRANT AWS_SAGEMAKER_ACCESS TO target")[0] == 1227
    admin_line = "GRANT `AWS_COMPREHEND_ACCESS`@`%` TO `plain`@`%` WITH ADMIN OPTION"
    assert admin_line in [r[0] for r in plain.rows("SHOW GRANTS")]


def test_default_role_is_active_at_the_next_login(v3, admin, client_for):
    admin.run("CREATE USER 'analyst'@'%' IDENTIFIED BY 'pw'")
    admin.run("GRANT AWS_COMPREHEND_ACCESS TO 'analyst'@'%'")
    assert client_for(v3, "analyst", "pw").value("SELECT CURRENT_ROLE()") == "NONE"  # granted, not active
    admin.run("SET DEFAULT ROLE AWS_COMPREHEND_ACCESS TO 'analyst'@'%'")
    assert client_for(v3, "analyst", "pw").value("SELECT CURRENT_ROLE()") == "`AWS_COMPREHEND_ACCESS`@`%`"
    # How careful clients spell a string in any sql_mode: X'616e616c797374' is 'analyst'.
    query = "SELECT DEFAULT_ROLE_USER FROM mysql.default_roles WHERE USER = CONVERT(X'616e616c797374' USING utf8mb4)"
    assert admin.rows(query) == [("AWS_COMPREHEND_ACCESS",)]
    admin.run("SET DEFAULT ROLE NONE TO analyst")
    assert client_for(v3, "analyst", "pw").value("SELECT CURRENT_ROLE()") == "NONE"


def test_set_default_role_refusals(v3, admin, client_for):
    admin.run("CREATE USER 'a'@'%' IDENTIFIED BY 'pw', b")
    not_granted = (3530, "`AWS_SAGEMAKER_ACCESS`@`%` is not granted to `a`@`%`")
    assert admin.error("SET DEFAULT ROLE AWS_SAGEMAKER_ACCESS TO a") == not_granted
    assert admin.error("SET DEFAULT ROLE ALL TO ghost")[0] == 3523
    assert client_for(v3, "a", "pw").error("SET DEFAULT ROLE NONE TO b")[0] == 1227  # someone else's


def test_set_role_in_a_session(v3, admin, client_for):
    admin.run("CREATE USER 'a'@'%' IDENTIFIED BY 'pw'")
    admin.run("GRANT AWS_COMPREHEND_ACCESS, AWS_SAGEMAKER_ACCESS TO a")
    admin.run("SET DEFAULT ROLE AWS_SAGEMAKER_ACCESS TO a")
    a = client_for(v3, "a", "pw")
    a.run("SET ROLE ALL")
    assert a.value("SELECT CURRENT_ROLE()") == "`AWS_COMPREHEND_ACCESS`@`%`,`AWS_SAGEMAKER_ACCESS`@`%`"
    a.run("SET ROLE ALL EXCEPT AWS_COMPREHEND_ACCESS")
    assert a.value("SELECT CURRENT_ROLE()") == "`AWS_SAGEMAKER_ACCESS`@`%`"
    a.run("SET ROLE NONE")
    assert a.value("SELECT CURRENT_ROLE()") == "NONE"
    a.run("SET ROLE DEFAULT")
    assert a.value("SELECT CURRENT_ROLE()") == "`AWS_SAGEMAKER_ACCESS`@`%`"
    assert a.error("SET ROLE AWS_BEDROCK_ACCESS") == (3530, "`AWS_BEDROCK_ACCESS`@`%` is not granted to `a`@`%`")


def test_show_grants_of_your_session_includes_active_roles(v3, admin, client_for):
    admin.run("CREATE ROLE reader")
    admin.run("GRANT SELECT ON ml.* TO reader")
    admin.run("CREATE USER 'a'@'%' IDENTIFIED BY 'pw'")
    admin.run("GRANT reader TO a")
    a = client_for(v3, "a", "pw")
    assert "GRANT SELECT ON `ml`.* TO `a`@`%`" not in [r[0] for r in a.rows("SHOW GRANTS")]
    a.run("SET ROLE reader")
    assert "GRANT SELECT ON `ml`.* TO `a`@`%`" in [r[0] for r in a.rows("SHOW GRANTS")]
    assert [r[0] for r in admin.rows("SHOW GRANTS FOR a USING reader")][1] == "GRANT SELECT ON `ml`.* TO `a`@`%`"
    admin.run("DROP ROLE reader")
    assert admin.rows("SHOW GRANTS FOR a") == [("GRANT USAGE ON *.* TO `a`@`%`",)]


def test_activate_all_roles_on_login_follows_the_writer_reboot(endpoint_for, client_for, rds, make_group, knobs):
    v3 = endpoint_for("v3")
    admin = client_for(v3)
    group = make_group("roles-params")
    rds.modify_db_cluster(DBClusterIdentifier="v3", DBClusterParameterGroupName=group, ApplyImmediately=True)
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=group,
        Parameters=[{"ParameterName": "activate_all_roles_on_login", "ParameterValue": "1",
                     "ApplyMethod": "immediate"}],
    )
    admin.run("CREATE USER 'a'@'%' IDENTIFIED BY 'pw'")
    admin.run("GRANT AWS_COMPREHEND_ACCESS TO a")
    # The writer still runs the default group: a new group reaches it with its reboot.
    assert client_for(v3, "a", "pw").value("SELECT CURRENT_ROLE()") == "NONE"
    rds.reboot_db_instance(DBInstanceIdentifier="v3-1")
    after_delay()
    assert admin.value("SELECT @@activate_all_roles_on_login") == 1
    assert client_for(v3, "a", "pw").value("SELECT CURRENT_ROLE()") == "`AWS_COMPREHEND_ACCESS`@`%`"


def test_drop_user(admin):
    admin.run("CREATE USER a, b")
    admin.run("DROP USER a")
    assert admin.error("DROP USER a, b") == (1396, "Operation DROP USER failed for 'a'@'%'")
    assert admin.run("DROP USER IF EXISTS a, b") == 0
    assert admin.rows("SELECT User FROM mysql.user WHERE User IN ('a', 'b')") == []


@pytest.mark.parametrize("sql", ["SET ROLE ALL", "CREATE ROLE r", "SET DEFAULT ROLE NONE TO admin"])
def test_role_statements_are_syntax_errors_on_v2(endpoint_for, client_for, sql):
    code, message = client_for(endpoint_for("v2", "5.7.mysql_aurora.2.11.2")).error(sql)
    assert code == 1064 and "near 'ROLE" in message

