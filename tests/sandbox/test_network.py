"""The network a cluster lives in, as AWS has it: the default VPC's internet gateway and route, the
`default` DB subnet group, the VPC's default security group on a cluster; and the EC2 calls that
break or bypass the path to the ML services (egress rules, routes, interface endpoints)."""

from __future__ import annotations

import pytest
from sandbox_support import error_code

from auroraml_cli.sandbox import default_vpc, seed

EVERYWHERE = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


@pytest.fixture(scope="module")
def session():
    """One boto3 session for the module: an EC2 client costs ~0.3 s in a fresh one, ~10 ms here."""
    import boto3

    return boto3.session.Session()


@pytest.fixture
def ec2_in(aws, session):
    return lambda region="us-east-1": session.client("ec2", region_name=region)


def default_vpc_id(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def main_route_table(ec2, vpc_id):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    (table,) = ec2.describe_route_tables(Filters=filters)["RouteTables"]
    return table


def default_group(ec2, vpc_id):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    (group,) = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    return group


def internet_route(table):
    return next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), None)


def cluster_of(rds, name):
    return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-2"])
def test_the_default_vpc_routes_to_an_internet_gateway_in_every_region(ec2_in, region):
    ec2 = ec2_in(region)
    vpc_id = default_vpc_id(ec2)
    (gateway,) = ec2.describe_internet_gateways()["InternetGateways"]
    assert gateway["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    table = main_route_table(ec2, vpc_id)
    assert internet_route(table) == {
        "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": gateway["InternetGatewayId"], "Origin": "CreateRoute",
        "State": "active"}
    # The default subnets have no table of their own: they use the main one.
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert subnets
    for subnet in subnets:
        by_subnet = [{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}]
        assert ec2.describe_route_tables(Filters=by_subnet)["RouteTables"] == []


@pytest.mark.parametrize("ec2_first", [False, True], ids=["cluster-first", "ec2-first"])
def test_a_cluster_without_network_settings_is_in_the_default_vpc(ec2_in, rds, make_cluster, ec2_first):
    ec2 = ec2_in()
    if ec2_first:
        default_vpc_id(ec2)
    created = make_cluster("plain", instances=1)
    vpc_id = default_vpc_id(ec2)
    group_id = default_group(ec2, vpc_id)["GroupId"]
    expected = [{"VpcSecurityGroupId": group_id, "Status": "active"}]
    assert created["VpcSecurityGroups"] == expected
    cluster = cluster_of(rds, "plain")
    assert cluster["DBSubnetGroup"] == "default"
    assert cluster["VpcSecurityGroups"] == expected
    instance = rds.describe_db_instances(DBInstanceIdentifier="plain-1")["DBInstances"][0]
    assert instance["VpcSecurityGroups"] == expected

    (subnet_group,) = rds.describe_db_subnet_groups(DBSubnetGroupName="default")["DBSubnetGroups"]
    assert subnet_group["VpcId"] == vpc_id
    default_subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert {(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"]) for s in subnet_group["Subnets"]} == {
        (s["SubnetId"], s["AvailabilityZone"]) for s in default_subnets}
    assert instance["AvailabilityZone"] in {s["SubnetAvailabilityZone"]["Name"] for s in subnet_group["Subnets"]}


def test_each_region_and_account_has_its_own_default_group(client, ec2_in, make_cluster):
    west = client("rds", "us-west-2")
    make_cluster("east")
    make_cluster("west", client=west)
    east_group = cluster_of(client("rds"), "east")["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    west_group = cluster_of(west, "west")["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    assert east_group != west_group
    assert west_group == default_group(ec2_in("us-west-2"), default_vpc_id(ec2_in("us-west-2")))["GroupId"]
    assert default_vpc.default_group_id("111122223333", "us-east-1") != east_group


def test_a_cluster_in_its_own_vpc_gets_that_vpcs_default_group(ec2_in, rds, make_cluster):
    ec2 = ec2_in()
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for n, z in ((1, "a"), (2, "b"))]
    rds.create_db_subnet_group(DBSubnetGroupName="private", DBSubnetGroupDescription="no way out", SubnetIds=subnets)
    make_cluster("private", DBSubnetGroupName="private")
    cluster = cluster_of(rds, "private")
    assert cluster["DBSubnetGroup"] == "private"
    assert cluster["VpcSecurityGroups"] == [{"VpcSecurityGroupId": default_group(ec2, vpc_id)["GroupId"],
                                             "Status": "active"}]
    # A VPC of one's own has no internet gateway and no route out.
    assert internet_route(main_route_table(ec2, vpc_id)) is None
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"] == []


def test_security_groups_given_are_kept_and_can_be_changed(ec2_in, rds, make_cluster):
    ec2 = ec2_in()
    vpc_id = default_vpc_id(ec2)
    first = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    second = ec2.create_security_group(GroupName="db2", Description="db2", VpcId=vpc_id)["GroupId"]
    make_cluster("own", VpcSecurityGroupIds=[first])
    assert cluster_of(rds, "own")["VpcSecurityGroups"] == [{"VpcSecurityGroupId": first, "Status": "active"}]
    rds.modify_db_cluster(DBClusterIdentifier="own", VpcSecurityGroupIds=[second], ApplyImmediately=True)
    assert cluster_of(rds, "own")["VpcSecurityGroups"] == [{"VpcSecurityGroupId": second, "Status": "active"}]


def test_revoking_the_default_groups_egress_closes_the_way_out(ec2_in, rds, make_cluster):
    make_cluster("c")
    ec2 = ec2_in()
    group_id = cluster_of(rds, "c")["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert group["GroupName"] == "default"
    assert [{k: rule[k] for k in ("IpProtocol", "IpRanges")} for rule in group["IpPermissionsEgress"]] == [EVERYWHERE]
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[EVERYWHERE])
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissionsEgress"] == []


def test_deleting_the_internet_route_breaks_the_path(ec2_in, make_cluster):
    make_cluster("c")
    ec2 = ec2_in()
    table = main_route_table(ec2, default_vpc_id(ec2))
    ec2.delete_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0")
    after = ec2.describe_route_tables(RouteTableIds=[table["RouteTableId"]])["RouteTables"][0]
    assert internet_route(after) is None
    assert [r["GatewayId"] for r in after["Routes"]] == ["local"]


@pytest.mark.parametrize("service", ["comprehend", "bedrock-runtime", "sagemaker.runtime"])
def test_an_interface_endpoint_reaches_an_ml_service_without_the_internet(ec2_in, service):
    ec2 = ec2_in()
    vpc_id = default_vpc_id(ec2)
    subnet_ids = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "Subnets"]][:2]
    group_id = default_group(ec2, vpc_id)["GroupId"]
    name = f"com.amazonaws.us-east-1.{service}"
    ec2.create_vpc_endpoint(VpcEndpointType="Interface", ServiceName=name, VpcId=vpc_id, SubnetIds=subnet_ids,
                            SecurityGroupIds=[group_id], PrivateDnsEnabled=True)
    (endpoint,) = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert (endpoint["ServiceName"], endpoint["VpcEndpointType"], endpoint["State"]) == (name, "Interface", "available")
    assert endpoint["PrivateDnsEnabled"] is True
    assert sorted(endpoint["SubnetIds"]) == sorted(subnet_ids)
    assert [g["GroupId"] for g in endpoint["Groups"]] == [group_id]


def test_the_default_subnet_group_is_listed_and_an_ordinary_group_once_made(rds):
    listed = rds.describe_db_subnet_groups()["DBSubnetGroups"]
    assert [g["DBSubnetGroupName"] for g in listed] == ["default"]
    rds.delete_db_subnet_group(DBSubnetGroupName="default")
    with pytest.raises(rds.exceptions.DBSubnetGroupNotFoundFault) as excinfo:
        rds.describe_db_subnet_groups(DBSubnetGroupName="default")
    assert error_code(excinfo) == "DBSubnetGroupNotFoundFault"
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []


def test_no_default_vpc_no_default_subnet_group(ec2_in, rds):
    ec2 = ec2_in()
    vpc_id = default_vpc_id(ec2)
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    with pytest.raises(rds.exceptions.DBSubnetGroupNotFoundFault):
        rds.describe_db_subnet_groups(DBSubnetGroupName="default")


def test_a_reset_brings_the_default_network_back(ec2_in):
    from moto.moto_api._internal import moto_api_backend

    ec2 = ec2_in()
    table = main_route_table(ec2, default_vpc_id(ec2))
    ec2.delete_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0")
    moto_api_backend.reset()
    assert internet_route(main_route_table(ec2, default_vpc_id(ec2))) is not None


def test_seeding_builds_no_ec2(client, ec2_in):
    """moto's EC2 backend costs ~45 ms a region (its AMIs): the per-test reseed must not build it."""
    from moto.ec2.models import ec2_backends

    seed.seed(client)
    assert all(not dict(account) for account in ec2_backends.values())
    ml_demo = cluster_of(client("rds"), "ml-demo")
    assert ml_demo["VpcSecurityGroups"][0]["VpcSecurityGroupId"] == default_group(
        ec2_in(), default_vpc_id(ec2_in()))["GroupId"]
