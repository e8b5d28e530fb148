"""Bedrock model access per account and region: GetFoundationModelAvailability, taking access away
with DeleteFoundationModelAgreement and giving it back with an offer's CreateFoundationModelAgreement,
and what InvokeModel answers meanwhile."""

from __future__ import annotations

import json

import pytest
from sandbox_support import ACCOUNT, error_code, error_message

from auroraml_cli.sandbox import bedrock, bedrock_runtime, catalog

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
TITAN_TEXT = "amazon.titan-text-express-v1"
PROFILE = f"us.{HAIKU}"
ASK = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]}
NO_ACCESS = "You don't have access to the model with the specified model ID."
ENABLED = {"agreementAvailability": {"status": "AVAILABLE"}, "authorizationStatus": "AUTHORIZED",
           "entitlementAvailability": "AVAILABLE", "regionAvailability": "AVAILABLE"}
NOT_ENABLED = {"agreementAvailability": {"status": "NOT_AVAILABLE"}, "authorizationStatus": "AUTHORIZED",
               "entitlementAvailability": "NOT_AVAILABLE", "regionAvailability": "AVAILABLE"}


def availability(bedrock_client, model_id):
    found = bedrock_client.get_foundation_model_availability(modelId=model_id)
    found.pop("ResponseMetadata")
    assert found.pop("modelId") == model_id
    return found


def ask(runtime, model_id=HAIKU):
    return json.loads(runtime.invoke_model(modelId=model_id, body=json.dumps(ASK))["body"].read())


@pytest.mark.parametrize("region", sorted(catalog.MODEL_REGIONS))
def test_every_model_a_region_offers_is_enabled_at_first(client, region):
    control = client("bedrock", region)
    for model in catalog.models_in(region):
        assert availability(control, model.model_id) == ENABLED


def test_deleting_the_agreement_takes_access_away_in_that_region_only(client):
    control = client("bedrock")
    control.delete_foundation_model_agreement(modelId=HAIKU)
    assert availability(control, HAIKU) == NOT_ENABLED
    assert availability(control, TITAN_TEXT) == ENABLED
    assert availability(client("bedrock", "us-west-2"), HAIKU) == ENABLED
    # Still listed and described: access is not the catalogue.
    assert HAIKU in {m["modelId"] for m in control.list_foundation_models()["modelSummaries"]}
    assert control.get_foundation_model(modelIdentifier=HAIKU)["modelDetails"]["modelId"] == HAIKU

    runtime = client("bedrock-runtime")
    for model_id in (HAIKU, f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}", PROFILE):
        with pytest.raises(runtime.exceptions.AccessDeniedException) as excinfo:
            ask(runtime, model_id)
        assert error_message(excinfo) == NO_ACCESS
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert ask(client("bedrock-runtime", "us-west-2"))["content"][0]["type"] == "text"


def test_an_offers_agreement_gives_access_back(client):
    control, runtime = client("bedrock"), client("bedrock-runtime")
    control.delete_foundation_model_agreement(modelId=HAIKU)
    (offer,) = control.list_foundation_model_agreement_offers(modelId=HAIKU)["offers"]
    assert offer["offerToken"] == bedrock.offer_token(HAIKU)
    assert set(offer["termDetails"]) == {"usageBasedPricingTerm", "legalTerm", "supportTerm"}
    created = control.create_foundation_model_agreement(modelId=HAIKU, offerToken=offer["offerToken"])
    assert created["modelId"] == HAIKU and created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert availability(control, HAIKU) == ENABLED
    assert ask(runtime)["role"] == "assistant"


def test_an_agreement_needs_the_models_offer_token(client):
    control = client("bedrock")
    control.delete_foundation_model_agreement(modelId=HAIKU)
    with pytest.raises(control.exceptions.ValidationException):
        control.create_foundation_model_agreement(modelId=HAIKU, offerToken=bedrock.offer_token(TITAN_TEXT))
    assert availability(control, HAIKU) == NOT_ENABLED


def test_a_model_the_region_does_not_offer(client):
    control = client("bedrock", "eu-west-1")
    assert availability(control, TITAN_TEXT) == {
        "agreementAvailability": {"status": "NOT_AVAILABLE"}, "authorizationStatus": "AUTHORIZED",
        "entitlementAvailability": "NOT_AVAILABLE", "regionAvailability": "NOT_AVAILABLE"}
    for call in (lambda: control.list_foundation_model_agreement_offers(modelId=TITAN_TEXT),
                 lambda: control.delete_foundation_model_agreement(modelId=TITAN_TEXT),
                 lambda: control.create_foundation_model_agreement(modelId=TITAN_TEXT, offerToken="x")):
        with pytest.raises(control.exceptions.ResourceNotFoundException):
            call()


def test_an_id_no_region_knows_is_not_found(client):
    control = client("bedrock")
    with pytest.raises(control.exceptions.ResourceNotFoundException) as excinfo:
        control.get_foundation_model_availability(modelId="acme.unknown-v1")
    assert error_code(excinfo) == "ResourceNotFoundException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_access_is_per_account_in_process_too(client):
    """The SQL endpoint's path (bedrock_runtime.invoke) reads the same state, per account."""
    client("bedrock").delete_foundation_model_agreement(modelId=HAIKU)
    body = json.dumps(ASK).encode()
    with pytest.raises(bedrock_runtime.BedrockRuntimeError) as excinfo:
        bedrock_runtime.invoke(ACCOUNT, "us-east-1", HAIKU, body)
    assert (excinfo.value.error_type, excinfo.value.code) == ("AccessDeniedException", 403)
    answer, _ = bedrock_runtime.invoke("111122223333", "us-east-1", HAIKU, body)
    assert json.loads(answer)["role"] == "assistant"
    assert not bedrock.has_access(ACCOUNT, "us-east-1", HAIKU)
    assert bedrock.has_access(ACCOUNT, "us-west-2", HAIKU)


def test_a_reset_gives_every_model_back(client):
    from moto.moto_api._internal import moto_api_backend

    client("bedrock").delete_foundation_model_agreement(modelId=HAIKU)
    moto_api_backend.reset()
    assert availability(client("bedrock"), HAIKU) == ENABLED
