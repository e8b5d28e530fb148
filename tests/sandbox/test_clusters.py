"""Missing clusters fail as on AWS; global databases report their writer and readers."""

from __future__ import annotations

import pytest
from sandbox_support import V3_BEDROCK


@pytest.mark.parametrize(
    ("call", "arguments"),
    [("modify_db_cluster", {"ApplyImmediately": True}), ("promote_read_replica_db_cluster", {})],
)
def test_missing_cluster_is_a_not_found_fault(rds, call, arguments):
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        getattr(rds, call)(DBClusterIdentifier="nope", **arguments)


def test_global_database_primary_writes_secondary_reads(make_cluster, client):
    east, west = client("rds", "us-east-1"), client("rds", "us-west-2")
    primary = make_cluster("g-east", version=V3_BEDROCK, instances=1)
    east.create_global_cluster(GlobalClusterIdentifier="g", SourceDBClusterIdentifier=primary["DBClusterArn"])
    secondary = west.create_db_cluster(
        DBClusterIdentifier="g-west", Engine="aurora-mysql", EngineVersion=V3_BEDROCK, GlobalClusterIdentifier="g"
    )["DBCluster"]
    west.create_db_instance(
        DBInstanceIdentifier="g-west-1",
        DBClusterIdentifier="g-west",
        Engine="aurora-mysql",
        DBInstanceClass="db.r6g.large",
    )

    listed = west.describe_global_clusters()["GlobalClusters"][0]
    by_arn = {m["DBClusterArn"]: m for m in listed["GlobalClusterMembers"]}
    assert by_arn[primary["DBClusterArn"]]["IsWriter"] is True
    assert by_arn[primary["DBClusterArn"]]["Readers"] == [secondary["DBClusterArn"]]
    assert by_arn[secondary["DBClusterArn"]]["IsWriter"] is False
    assert secondary["DBClusterArn"].split(":")[3] == "us-west-2"

    west_members = west.describe_db_clusters(DBClusterIdentifier="g-west")["DBClusters"][0]["DBClusterMembers"]
    assert [m["IsClusterWriter"] for m in west_members] == [False]
    east_cluster = east.describe_db_clusters(DBClusterIdentifier="g-east")["DBClusters"][0]
    assert east_cluster["GlobalClusterIdentifier"] == "g"
    assert [m["IsClusterWriter"] for m in east_cluster["DBClusterMembers"]] == [True]
