"""Bedrock's per-region foundation models and cross-region inference profiles."""

from __future__ import annotations

import pytest
from sandbox_support import ACCOUNT, error_code, error_message

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TITAN_TEXT = "amazon.titan-text-express-v1"
TITAN_EMBED = "amazon.titan-embed-text-v2:0"
COHERE_EMBED = "cohere.embed-english-v3"
PROFILE = f"us.{HAIKU}"


def model_ids(bedrock, **filters):
    return {m["modelId"] for m in bedrock.list_foundation_models(**filters)["modelSummaries"]}


def test_models_differ_by_region(client):
    assert model_ids(client("bedrock", "us-east-1")) == {HAIKU, SONNET, TITAN_TEXT, TITAN_EMBED, COHERE_EMBED}
    assert model_ids(client("bedrock", "us-west-2")) == model_ids(client("bedrock", "us-east-1"))
    assert model_ids(client("bedrock", "eu-west-1")) == {HAIKU, TITAN_EMBED}
    assert model_ids(client("bedrock", "ca-west-1")) == set()


def test_list_filters(client):
    bedrock = client("bedrock")
    assert model_ids(bedrock, byProvider="Anthropic") == {HAIKU, SONNET}
    assert model_ids(bedrock, byOutputModality="EMBEDDING") == {TITAN_EMBED, COHERE_EMBED}


@pytest.mark.parametrize("identifier", [TITAN_TEXT, f"arn:aws:bedrock:us-west-2::foundation-model/{TITAN_TEXT}"])
def test_get_foundation_model_by_id_or_arn(client, identifier):
    details = client("bedrock", "us-west-2").get_foundation_model(modelIdentifier=identifier)["modelDetails"]
    assert details["modelArn"] == f"arn:aws:bedrock:us-west-2::foundation-model/{TITAN_TEXT}"
    assert details["providerName"] == "Amazon"
    assert details["outputModalities"] == ["TEXT"]


@pytest.mark.parametrize(("region", "model"), [("us-east-1", "acme.unknown-v1"), ("eu-west-1", TITAN_TEXT)])
def test_unknown_or_unoffered_model_is_invalid(client, region, model):
    bedrock = client("bedrock", region)
    with pytest.raises(bedrock.exceptions.ValidationException) as excinfo:
        bedrock.get_foundation_model(modelIdentifier=model)
    assert error_message(excinfo) == "The provided model identifier is invalid."


def test_inference_profile_routes_to_us_regions(client):
    bedrock = client("bedrock", "us-east-2")
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=PROFILE)
    assert profile["inferenceProfileArn"] == f"arn:aws:bedrock:us-east-2:{ACCOUNT}:inference-profile/{PROFILE}"
    assert [m["modelArn"] for m in profile["models"]] == [
        f"arn:aws:bedrock:{region}::foundation-model/{HAIKU}" for region in ("us-east-1", "us-east-2", "us-west-2")
    ]
    listed = bedrock.list_inference_profiles()["inferenceProfileSummaries"]
    assert [p["inferenceProfileId"] for p in listed] == [PROFILE]


def test_no_us_profile_in_europe(client):
    bedrock = client("bedrock", "eu-west-1")
    assert bedrock.list_inference_profiles()["inferenceProfileSummaries"] == []
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as excinfo:
        bedrock.get_inference_profile(inferenceProfileIdentifier=PROFILE)
    assert error_code(excinfo) == "ResourceNotFoundException"
