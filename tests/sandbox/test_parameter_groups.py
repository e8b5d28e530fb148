"""Default and custom cluster parameter groups: describe, modify, reset, validation."""

from __future__ import annotations

import pytest
from sandbox_support import V2, V3, error_code, error_message

from auroraml_cli.sandbox import catalog

ROLE = "arn:aws:iam::123456789012:role/ml"


def parameters(rds, group, **kwargs):
    pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group, **kwargs)
    return {p["ParameterName"]: p for page in pages for p in page["Parameters"]}


def change(name, value, method="pending-reboot"):
    return {"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}


def modify(rds, group, *changes):
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=list(changes))


@pytest.mark.parametrize(("version", "group"), [(V3, "default.aurora-mysql8.0"), (V2, "default.aurora-mysql5.7")])
def test_cluster_without_group_reports_its_familys_default_which_exists(make_cluster, rds, version, group):
    assert make_cluster("c", version=version, instances=0)["DBClusterParameterGroup"] == group
    found = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=group)["DBClusterParameterGroups"]
    assert found[0]["DBParameterGroupFamily"] == group.removeprefix("default.")


def test_every_region_has_the_default_groups(client):
    groups = client("rds", "eu-west-1").describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
    assert {g["DBClusterParameterGroupName"] for g in groups} >= {"default.aurora-mysql8.0", "default.aurora-mysql5.7"}


def test_default_groups_cannot_be_modified_reset_or_deleted(rds):
    with pytest.raises(rds.exceptions.ClientError) as modified:
        modify(rds, "default.aurora-mysql8.0", change("aws_default_s3_role", ROLE))
    assert error_code(modified) == "InvalidParameterValue"
    assert error_message(modified) == "Cannot modify a default parameter group."
    with pytest.raises(rds.exceptions.ClientError) as reset:
        rds.reset_db_cluster_parameter_group(
            DBClusterParameterGroupName="default.aurora-mysql8.0", ResetAllParameters=True
        )
    assert error_code(reset) == "InvalidParameterValue"
    with pytest.raises(rds.exceptions.InvalidDBParameterGroupStateFault):
        rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName="default.aurora-mysql8.0")


def test_describe_lists_the_whole_family_with_aws_fields(make_group, rds):
    found = parameters(rds, make_group("p"))
    assert set(found) == {p.name for p in catalog.parameters("aurora-mysql8.0")}
    bedrock = found["aws_default_bedrock_role"]
    assert bedrock["ApplyType"] == "static" and bedrock["Source"] == "engine-default"
    assert bedrock["DataType"] == "string" and bedrock["IsModifiable"] is True
    assert "ParameterValue" not in bedrock  # no default, nothing set
    assert found["binlog_format"]["ParameterValue"] == "OFF"
    assert found["binlog_format"]["AllowedValues"] == "ROW,STATEMENT,MIXED,OFF"
    assert found["activate_all_roles_on_login"]["ApplyType"] == "dynamic"


def test_families_differ_in_their_ml_parameters(make_group, rds):
    v2 = parameters(rds, make_group("p57", family="aurora-mysql5.7"))
    assert {"aurora_load_from_s3_role", "aurora_select_into_s3_role", "aws_default_s3_role"} <= set(v2)
    assert "aws_default_bedrock_role" not in v2 and "activate_all_roles_on_login" not in v2


def test_source_and_name_filters(make_group, rds):
    group = make_group("p")
    modify(rds, group, change("aws_default_s3_role", ROLE))
    user = parameters(rds, group, Source="user")
    assert list(user) == ["aws_default_s3_role"]
    assert user["aws_default_s3_role"]["ParameterValue"] == ROLE
    assert user["aws_default_s3_role"]["ApplyMethod"] == "pending-reboot"
    by_name = [{"Name": "parameter-name", "Values": ["binlog_format", "aws_default_s3_role"]}]
    named = parameters(rds, group, Filters=by_name)
    assert set(named) == {"binlog_format", "aws_default_s3_role"}
    assert "aws_default_s3_role" not in parameters(rds, group, Source="engine-default")


def test_pages_of_at_most_max_records(make_group, rds):
    group = make_group("p")
    first = rds.describe_db_cluster_parameters(DBClusterParameterGroupName=group, MaxRecords=20)
    assert len(first["Parameters"]) == 20 and first["Marker"]
    second = rds.describe_db_cluster_parameters(
        DBClusterParameterGroupName=group, MaxRecords=20, Marker=first["Marker"]
    )
    assert "Marker" not in second
    assert len(first["Parameters"]) + len(second["Parameters"]) == len(catalog.parameters("aurora-mysql8.0"))
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.describe_db_cluster_parameters(DBClusterParameterGroupName=group, MaxRecords=5)
    assert error_code(excinfo) == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("item", "code", "message"),
    [
        (change("no_such_parameter", "1"), "InvalidParameterValue",
         "Could not find parameter with name: no_such_parameter"),
        (change("aws_default_bedrock_role", ROLE, "immediate"), "InvalidParameterCombination",
         "cannot use immediate apply method for static parameter"),
        (change("binlog_format", "SOMETIMES"), "InvalidParameterValue",
         "Value: SOMETIMES is not a valid value for the parameter binlog_format"),
        (change("core_file", "1"), "InvalidParameterValue", "The parameter core_file cannot be modified."),
    ],
)
def test_modify_refuses_what_aws_refuses(make_group, rds, item, code, message):
    group = make_group("p")
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[item])
    assert (error_code(excinfo), error_message(excinfo)) == (code, message)
    assert parameters(rds, group, Source="user") == {}


def test_v3_parameter_is_unknown_to_a_v2_group(make_group, rds):
    group = make_group("p57", family="aurora-mysql5.7")
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        modify(rds, group, change("aws_default_bedrock_role", ROLE))
    assert error_message(excinfo) == "Could not find parameter with name: aws_default_bedrock_role"


def test_more_than_twenty_parameters_per_call_are_refused(make_group, rds):
    group = make_group("p")
    many = [change("auto_increment_increment", str(n)) for n in range(1, 22)]
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=many)
    assert error_message(excinfo) == "Cannot modify more than 20 parameters in a single request"


def test_reset_named_and_all_parameters_back_to_engine_defaults(make_group, rds):
    group = make_group("p")
    modify(
        rds,
        group,
        change("aws_default_s3_role", ROLE),
        change("binlog_format", "ROW"),
        change("time_zone", "UTC", "immediate"),
    )
    rds.reset_db_cluster_parameter_group(
        DBClusterParameterGroupName=group, Parameters=[{"ParameterName": "binlog_format"}]
    )
    found = parameters(rds, group)
    assert found["binlog_format"]["ParameterValue"] == "OFF" and found["binlog_format"]["Source"] == "engine-default"
    assert set(parameters(rds, group, Source="user")) == {"aws_default_s3_role", "time_zone"}
    rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName=group, ResetAllParameters=True)
    assert parameters(rds, group, Source="user") == {}
    assert "ParameterValue" not in parameters(rds, group)["aws_default_s3_role"]


def test_reset_needs_all_or_names_not_both(make_group, rds):
    group = make_group("p")
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.reset_db_cluster_parameter_group(
            DBClusterParameterGroupName=group, ResetAllParameters=True, Parameters=[{"ParameterName": "binlog_format"}]
        )
    assert error_code(excinfo) == "InvalidParameterCombination"


def test_unknown_family_is_refused(rds):
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName="p", DBParameterGroupFamily="aurora-mysql9.9", Description="x"
        )
    assert error_code(excinfo) == "InvalidParameterValue"


def test_group_in_use_cannot_be_deleted(make_cluster, make_group, rds):
    make_cluster("c", instances=0, DBClusterParameterGroupName=make_group("p"))
    with pytest.raises(rds.exceptions.InvalidDBParameterGroupStateFault):
        rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName="p")


def test_cluster_needs_an_existing_group_of_its_family(make_cluster, make_group, rds):
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        make_cluster("c", instances=0, DBClusterParameterGroupName="missing")
    make_group("p57", family="aurora-mysql5.7")
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        make_cluster("c", instances=0, DBClusterParameterGroupName="p57")
    assert error_code(excinfo) == "InvalidParameterCombination"
    assert "DBParameterGroupFamily aurora-mysql8.0" in error_message(excinfo)
