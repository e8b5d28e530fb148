"""The Aurora ML catalogue against the table in docs/reference/aurora-ml.md §1, per generation."""

from __future__ import annotations

import pytest

from auroraml_cli.core import catalogue
from auroraml_cli.core.catalogue import ALL_ROLE_PARAMETERS, SERVICE_NAMES, SERVICES, get_service
from auroraml_cli.core.errors import UsageError
from auroraml_cli.core.versions import AuroraVersion

V2 = AuroraVersion.parse("5.7.mysql_aurora.2.11.2")
V3 = AuroraVersion.parse("8.0.mysql_aurora.3.06.0")
V84 = AuroraVersion.parse("8.4.mysql_aurora.8.4.7")


def test_service_names():
    assert set(SERVICE_NAMES) == {"bedrock", "comprehend", "sagemaker", "s3", "lambda"}


@pytest.mark.parametrize(
    "service, version, expected",
    [
        ("s3", V2, ("aurora_select_into_s3_role", "aurora_load_from_s3_role")),
        ("s3", V3, ("aws_default_s3_role",)),
        ("s3", V84, ("aws_default_s3_role",)),
        ("comprehend", V2, ("aws_default_comprehend_role",)),
        ("comprehend", V3, ("aws_default_comprehend_role",)),
        ("comprehend", V84, ("aws_default_comprehend_role",)),
        ("sagemaker", V2, ("aws_default_sagemaker_role",)),
        ("sagemaker", V3, ("aws_default_sagemaker_role",)),
        ("sagemaker", V84, ("aws_default_sagemaker_role",)),
        ("bedrock", V3, ("aws_default_bedrock_role",)),
        ("bedrock", V84, ("aws_default_bedrock_role",)),
    ],
)
def test_parameters_per_generation(service, version, expected):
    assert get_service(service).parameters_for(version) == expected


def test_v3_s3_does_not_use_the_v2_names():
    """aws/aws-cdk#19126 shipped the v2 name for v3; make sure we don't."""
    params = get_service("s3").parameters_for(V3)
    assert "aurora_select_into_s3_role" not in params
    assert "aurora_load_from_s3_role" not in params


@pytest.mark.parametrize(
    "service, version, supported",
    [
        ("bedrock", "2.11.2", False),
        ("bedrock", "2.12.1", False),
        ("bedrock", "3.05.2", False),
        ("bedrock", "3.01.0", False),
        ("bedrock", "3.06.0", True),
        ("bedrock", "3.10.1", True),
        ("bedrock", "8.4.7", True),
        ("comprehend", "2.06.0", False),
        ("comprehend", "2.07.0", True),
        ("comprehend", "2.11.2", True),
        ("comprehend", "3.00.0", False),
        ("comprehend", "3.01.0", True),
        ("comprehend", "8.4.0", True),
        ("sagemaker", "2.06.9", False),
        ("sagemaker", "2.07.0", True),
        ("sagemaker", "3.00.1", False),
        ("sagemaker", "3.01.0", True),
        ("sagemaker", "8.4.7", True),
        ("s3", "2.04.0", True),
        ("s3", "3.01.0", True),
        ("s3", "8.4.7", True),
    ],
)
def test_supported_by(service, version, supported):
    assert get_service(service).supported_by(AuroraVersion.parse(version)) is supported


def test_bedrock_has_no_v2_parameters():
    assert "2" not in get_service("bedrock").parameters
    assert "2" not in get_service("bedrock").minimum


@pytest.mark.parametrize(
    "service, roles, privileges, actions",
    [
        ("bedrock", ("AWS_BEDROCK_ACCESS",), (), {"bedrock:InvokeModel"}),
        ("comprehend", ("AWS_COMPREHEND_ACCESS",), ("INVOKE COMPREHEND",),
         {"comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"}),
        ("sagemaker", ("AWS_SAGEMAKER_ACCESS",), ("INVOKE SAGEMAKER",), {"sagemaker:InvokeEndpoint"}),
        ("s3", ("AWS_SELECT_S3_ACCESS", "AWS_LOAD_S3_ACCESS"), ("SELECT INTO S3", "LOAD FROM S3"),
         {"s3:ListBucket", "s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts", "s3:GetObjectVersion"}),
    ],
)
def test_roles_privileges_and_actions(service, roles, privileges, actions):
    svc = get_service(service)
    assert svc.db_roles == roles
    assert svc.v2_privileges == privileges
    assert set(svc.iam_actions) == actions
    assert len(svc.iam_actions) == len(actions)  # no duplicates


def test_s3_kms_actions():
    assert set(get_service("s3").extra_iam_actions["kms"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    for name in ("bedrock", "comprehend", "sagemaker"):
        assert get_service(name).extra_iam_actions == {}


def test_only_bedrock_has_a_feature_name():
    assert get_service("bedrock").feature_name == "Bedrock"
    assert [s.name for s in SERVICES.values() if s.feature_name] == ["bedrock"]


@pytest.mark.parametrize(
    "service, text",
    [
        ("bedrock", "3.06 / any 8.4"),
        ("comprehend", "2.07 / 3.01 / any 8.4"),
        ("sagemaker", "2.07 / 3.01 / any 8.4"),
        ("s3", "any 2.x / any 3.x / any 8.4"),
    ],
)
def test_minimum_text(service, text):
    assert get_service(service).minimum_text() == text


def test_all_role_parameters():
    assert ALL_ROLE_PARAMETERS == {
        "aws_default_bedrock_role", "aws_default_comprehend_role", "aws_default_sagemaker_role",
        "aws_default_s3_role", "aurora_select_into_s3_role", "aurora_load_from_s3_role", "aws_default_lambda_role",
    }


def test_get_service_is_case_insensitive():
    assert get_service("Bedrock") is SERVICES["bedrock"]
    assert get_service("S3") is SERVICES["s3"]


@pytest.mark.parametrize("name", ["lambda-sync", "", "s4", "bedrock-runtime"])
def test_get_service_refuses_unknown(name):
    with pytest.raises(UsageError) as info:
        get_service(name)
    assert info.value.exit_code == 2
    assert repr(name) in info.value.message
    for known in SERVICE_NAMES:
        assert known in info.value.hint


def test_unavailable_regions_match_the_regions_doc():
    assert catalogue.AURORA_ML_UNAVAILABLE_REGIONS == {
        "af-south-1", "eu-south-1", "ap-southeast-6", "ap-east-2", "ap-southeast-7", "mx-central-1"}
    assert catalogue.REGIONAL_MINIMUM["ap-northeast-3"]["2"] == (2, 7, 3)
    assert catalogue.REGIONAL_MINIMUM["ap-southeast-5"]["2"] is None
    assert catalogue.REGIONAL_MINIMUM["ap-southeast-5"]["3"] == (3, 4)
