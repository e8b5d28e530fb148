"""The pure parts of `check`: IAM policy evaluation and the network path, on AWS-shaped data."""

from __future__ import annotations

import pytest

from auroraml_cli.core.checks import FAIL, PASS, Finding, failed, iam_eval, network, summary

MODEL = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize("policy, action, resource, expected", [
    (doc(allow("bedrock:InvokeModel", MODEL)), "bedrock:InvokeModel", MODEL, "allowed"),
    (doc(allow("bedrock:*", "arn:aws:bedrock:*::foundation-model/*")), "bedrock:InvokeModel", MODEL, "allowed"),
    (doc(allow("BEDROCK:invokemodel", MODEL)), "bedrock:InvokeModel", MODEL, "allowed"),  # actions ignore case
    (doc(allow("bedrock:InvokeModel", MODEL.upper())), "bedrock:InvokeModel", MODEL, "implicitDeny"),  # ARNs do not
    (doc(allow("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.other")),
     "bedrock:InvokeModel", MODEL, "implicitDeny"),
    (doc(allow("*", "*"), {"Effect": "Deny", "Action": "bedrock:*", "Resource": "*"}), "bedrock:InvokeModel", MODEL, "denied"),
    (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), "bedrock:InvokeModel", MODEL, "allowed"),
    (doc({"Effect": "Allow", "Action": "*", "NotResource": MODEL}), "bedrock:InvokeModel", MODEL, "implicitDeny"),
    (doc(), "comprehend:DetectSentiment", "*", "implicitDeny"),
    (doc(allow("s3:Get?bject", "arn:aws:s3:::b/*")), "s3:GetObject", "arn:aws:s3:::b/x", "allowed"),
])
def test_decide(policy, action, resource, expected):
    assert iam_eval.decide([policy], action, resource)[0] == expected


def test_a_conditional_allow_is_flagged_and_a_conditional_deny_does_not_deny():
    policy = doc(allow("comprehend:*", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert iam_eval.decide([policy], "comprehend:DetectSentiment", "*") == ("allowed", True)


def test_resources_for_lists_what_allow_statements_name():
    policy = doc(allow(["sagemaker:InvokeEndpoint"], ["arn:aws:sagemaker:us-east-1:1:endpoint/a",
                                                      "arn:aws:sagemaker:us-east-1:1:endpoint/b"]),
                 allow("s3:GetObject", "arn:aws:s3:::x/*"))
    assert iam_eval.resources_for([policy], "sagemaker:InvokeEndpoint") == [
        "arn:aws:sagemaker:us-east-1:1:endpoint/a", "arn:aws:sagemaker:us-east-1:1:endpoint/b"]
    assert iam_eval.resources_for([policy], "bedrock:InvokeModel") == []


TRUST = {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}


@pytest.mark.parametrize("statement, ok", [
    (TRUST, True),
    ({**TRUST, "Principal": {"Service": ["ec2.amazonaws.com", "rds.amazonaws.com"]}}, True),
    ({**TRUST, "Principal": {"Service": "ec2.amazonaws.com"}}, False),
    ({**TRUST, "Action": "sts:TagSession"}, False),
    ({**TRUST, "Effect": "Deny"}, False),
    ({**TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}, True),
    ({**TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}, False),
])
def test_trusts_rds(statement, ok):
    assert iam_eval.trusts_rds(doc(statement), "123456789012")[0] is ok


def group(*permissions, gid="sg-1"):
    return {"GroupId": gid, "IpPermissionsEgress": list(permissions)}


ALL_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


@pytest.mark.parametrize("groups, verdict", [
    ([group(ALL_OUT)], "anywhere"),
    ([group({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})], "anywhere"),
    ([group({"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})], "anywhere"),
    ([group({"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})], "none"),
    ([group({"IpProtocol": "udp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})], "none"),
    ([group({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-1"}]})], "limited"),
    ([group({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]})], "limited"),
    ([group(), group(ALL_OUT, gid="sg-2")], "anywhere"),  # the union of the groups counts
    ([group()], "none"),
    ([], "none"),
])
def test_egress_443(groups, verdict):
    assert network.egress_443(groups)[0] == verdict


MAIN = {"RouteTableId": "rtb-main", "Associations": [{"Main": True}],
        "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                   {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]}
PRIVATE = {"RouteTableId": "rtb-private", "Associations": [{"SubnetId": "subnet-b"}],
           "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]}
NAT = {"RouteTableId": "rtb-nat", "Associations": [{"SubnetId": "subnet-c"}],
       "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}]}
BLACKHOLE = {"RouteTableId": "rtb-bh", "Associations": [{"SubnetId": "subnet-d"}],
             "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-gone", "State": "blackhole"}]}


def test_subnets_use_their_table_or_the_main_one():
    tables = [MAIN, PRIVATE, NAT, BLACKHOLE]
    assert network.table_for("subnet-a", tables) is MAIN
    assert network.table_for("subnet-b", tables) is PRIVATE
    assert network.default_route(MAIN) == "igw-1" and network.default_route(NAT) == "nat-1"
    assert network.default_route(PRIVATE) is None and network.default_route(BLACKHOLE) is None
    assert network.subnets_without_route(["subnet-a", "subnet-b", "subnet-c", "subnet-d"], tables) == ["subnet-b", "subnet-d"]


def test_a_vpc_endpoint_counts_only_when_available_and_for_the_service():
    endpoints = [{"VpcEndpointId": "vpce-1", "ServiceName": "com.amazonaws.us-east-1.comprehend", "State": "available"},
                 {"VpcEndpointId": "vpce-2", "ServiceName": "com.amazonaws.us-east-1.sagemaker.runtime", "State": "pending"},
                 {"VpcEndpointId": "vpce-3", "ServiceName": "cn.com.amazonaws.cn-north-1.bedrock-runtime", "State": "Available"}]
    assert network.service_endpoint(endpoints, "us-east-1", "comprehend")["VpcEndpointId"] == "vpce-1"
    assert network.service_endpoint(endpoints, "us-east-1", "sagemaker.runtime") is None
    assert network.service_endpoint(endpoints, "us-west-2", "comprehend") is None
    assert network.service_endpoint(endpoints, "cn-north-1", "bedrock-runtime")["VpcEndpointId"] == "vpce-3"


def test_summary_and_failed():
    findings = [Finding("a", None, PASS, ""), Finding("b", "bedrock", FAIL, "", "fix"), Finding("c", None, PASS, "")]
    assert summary(findings) == {"pass": 2, "warn": 0, "fail": 1, "skip": 0}
    assert failed(findings) and not failed(findings[:1])
