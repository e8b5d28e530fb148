"""The demo seed, in-process: everything the brief names exists, and a second run adds nothing."""

from __future__ import annotations

from auroraml_cli.sandbox import seed


def clusters(rds):
    return {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"]}


def test_seed_creates_the_demo_set_once(client):
    created = seed.seed(client)
    assert "rds cluster ml-demo (us-east-1)" in created
    assert seed.seed(client) == []

    east = clusters(client("rds", "us-east-1"))
    assert set(east) == {
        "ml-demo", "legacy-v2", "bedrock-ready", "shared-a", "shared-b", "ml-global-use1", "plain-mysql"
    }
    assert east["ml-demo"]["EngineVersion"] == "8.0.mysql_aurora.3.08.0"
    assert east["ml-demo"]["DBClusterParameterGroup"] == "default.aurora-mysql8.0"
    assert east["ml-demo"]["MasterUserSecret"]["SecretArn"]
    assert [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in east["ml-demo"]["DBClusterMembers"]] == [
        ("ml-demo-1", True), ("ml-demo-2", False)
    ]
    assert east["legacy-v2"]["DBClusterParameterGroup"] == "default.aurora-mysql5.7"
    assert east["bedrock-ready"]["DBClusterParameterGroup"] == "bedrock-ready-params"
    assert east["shared-a"]["DBClusterParameterGroup"] == east["shared-b"]["DBClusterParameterGroup"] == "shared-params"
    assert east["plain-mysql"]["Engine"] == "mysql"

    west = clusters(client("rds", "us-west-2"))
    assert [m["IsClusterWriter"] for m in west["ml-global-usw2"]["DBClusterMembers"]] == [False]
    members = client("rds").describe_global_clusters()["GlobalClusters"][0]["GlobalClusterMembers"]
    writers = {m["DBClusterArn"].split(":")[-1]: m["IsWriter"] for m in members}
    assert writers == {"ml-global-use1": True, "ml-global-usw2": False}

    for region in seed.ENDPOINT_REGIONS:
        endpoint = client("sagemaker", region).describe_endpoint(EndpointName="churn-predictor")
        assert endpoint["EndpointStatus"] == "InService"
    assert client("sagemaker").describe_endpoint(EndpointName="rcf-taxi")["EndpointStatus"] == "InService"
    assert [e["EndpointName"] for e in client("sagemaker", "us-west-2").list_endpoints()["Endpoints"]] == [
        "churn-predictor"]
    assert "ml-demo-exports" in {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    function = client("lambda").get_function(FunctionName="ml-demo-notify")["Configuration"]
    assert function["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:ml-demo-notify"


def test_seed_accepts_a_boto3_session(aws):
    import boto3

    assert "s3 bucket ml-demo-exports" in seed.seed(boto3.session.Session())
