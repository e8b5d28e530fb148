"""DescribeDBEngineVersions from the catalogue, and the engine-version checks on CreateDBCluster."""

from __future__ import annotations

import pytest
from sandbox_support import PASSWORD, error_code, error_message

from auroraml_cli.sandbox import catalog


def versions(rds, **filters):
    return {v["EngineVersion"]: v for v in rds.describe_db_engine_versions(**filters)["DBEngineVersions"]}


def test_aurora_mysql_versions_carry_family_and_feature_names(rds):
    found = versions(rds, Engine="aurora-mysql")
    assert set(found) == {v.version for v in catalog.ENGINE_VERSIONS if v.engine == "aurora-mysql"}
    assert found["5.7.mysql_aurora.2.11.2"]["DBParameterGroupFamily"] == "aurora-mysql5.7"
    assert found["8.0.mysql_aurora.3.06.0"]["DBParameterGroupFamily"] == "aurora-mysql8.0"
    assert found["8.0.mysql_aurora.3.10.1"]["SupportedFeatureNames"] == ["Bedrock"]
    assert found["8.0.mysql_aurora.3.08.0"]["SupportedFeatureNames"] == []
    assert found["8.0.mysql_aurora.3.06.0"]["DBEngineVersionDescription"].startswith("Aurora MySQL 3.06.0")


def test_filters_by_version_family_and_default(rds):
    assert list(versions(rds, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.06.0")) == [
        "8.0.mysql_aurora.3.06.0"
    ]
    assert set(versions(rds, DBParameterGroupFamily="aurora-mysql5.7")) == {
        "5.7.mysql_aurora.2.07.2", "5.7.mysql_aurora.2.07.10", "5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.12.1"
    }
    assert list(versions(rds, Engine="aurora-mysql", DefaultOnly=True)) == ["8.0.mysql_aurora.3.08.0"]
    assert list(versions(rds, Engine="mysql", IncludeAll=True)) == ["8.0.36"]
    assert versions(rds, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.99.0") == {}
    by_filter = versions(rds, Filters=[{"Name": "engine-version", "Values": ["5.7.mysql_aurora.2.07.2"]}])
    assert list(by_filter) == ["5.7.mysql_aurora.2.07.2"]


def test_paginates_with_marker(rds):
    pages = list(rds.get_paginator("describe_db_engine_versions").paginate(PaginationConfig={"PageSize": 20}))
    assert sum(len(p["DBEngineVersions"]) for p in pages) == len(catalog.ENGINE_VERSIONS)


def test_unknown_version_is_refused_like_aws(rds):
    with pytest.raises(rds.exceptions.ClientError) as excinfo:
        rds.create_db_cluster(
            DBClusterIdentifier="c", Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.99.0",
            MasterUsername="admin", MasterUserPassword=PASSWORD,
        )
    assert error_code(excinfo) == "InvalidParameterCombination"
    assert error_message(excinfo) == "Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql"


def test_cluster_without_version_gets_the_default(rds):
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="c", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword=PASSWORD
    )["DBCluster"]
    assert cluster["EngineVersion"] == "8.0.mysql_aurora.3.08.0"


def test_duplicate_cluster_is_refused(make_cluster, rds):
    make_cluster("c", instances=0)
    with pytest.raises(rds.exceptions.DBClusterAlreadyExistsFault):
        make_cluster("c", instances=0)
