"""Bedrock's control plane: the foundation models and inference profiles of each region, and the
account's access to each model there.

Model access (moto has none of these calls): every model a region offers starts out enabled, as in
an account that has enabled them all. DeleteFoundationModelAgreement takes a model's access away in
that account and region; GetFoundationModelAvailability then says entitlementAvailability
NOT_AVAILABLE and agreementAvailability NOT_AVAILABLE, and InvokeModel answers
AccessDeniedException (bedrock_runtime). ListFoundationModelAgreementOffers gives the model's one
offer; CreateFoundationModelAgreement with its offerToken gives access back at once (AWS may say
PENDING for a while). A model known elsewhere but not offered in the region: regionAvailability
NOT_AVAILABLE; an id no region knows: ResourceNotFoundException. The models without access are kept
on moto's Bedrock backend of the account and region, so moto's reset gives every model back.

authorizationStatus stays AUTHORIZED (inferred: AWS documents none of these values; public reports
show AUTHORIZED for models without access, and NOT_AUTHORIZED where the caller may not subscribe
through AWS Marketplace, which the sandbox does not model).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from moto.bedrock.models import BedrockBackend, bedrock_backends
from moto.bedrock.responses import BedrockResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from . import catalog
from ._patch import define

_NO_ACCESS = "_auroraml_models_without_access"  # on BedrockBackend: model ids whose agreement was deleted
AVAILABLE, NOT_AVAILABLE = "AVAILABLE", "NOT_AVAILABLE"


def install() -> None:
    define(BedrockResponse, "list_foundation_models", _list_foundation_models)
    define(BedrockResponse, "get_foundation_model", _get_foundation_model)
    define(BedrockResponse, "list_inference_profiles", _list_inference_profiles)
    define(BedrockResponse, "get_inference_profile", _get_inference_profile)
    define(BedrockResponse, "get_foundation_model_availability", _get_availability)
    define(BedrockResponse, "list_foundation_model_agreement_offers", _list_offers)
    define(BedrockResponse, "create_foundation_model_agreement", _create_agreement)
    define(BedrockResponse, "delete_foundation_model_agreement", _delete_agreement)


class _BedrockError(JsonRESTError):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        self.code = status
        super().__init__(error_type, message)


def _list_foundation_models(response: BedrockResponse) -> ActionResult:
    models = catalog.models_in(response.region)
    provider = response._get_param("byProvider")
    if provider:
        models = [m for m in models if m.provider.lower() == provider.lower()]
    modality = response._get_param("byOutputModality")
    if modality:
        models = [m for m in models if modality in m.outputs]
    if response._get_param("byInferenceType") not in (None, "ON_DEMAND"):
        models = []  # the catalogue's models are all on-demand
    return ActionResult({"modelSummaries": [_model(m, response.region) for m in models]})


def _get_foundation_model(response: BedrockResponse) -> ActionResult:
    identifier = unquote(response._get_param("modelIdentifier") or "")
    model_id = identifier.rsplit("foundation-model/", 1)[-1]  # an id or a model ARN
    for model in catalog.models_in(response.region):
        if model.model_id == model_id:
            return ActionResult({"modelDetails": _model(model, response.region)})
    # AWS answers the same for an unknown id and for a model the region does not offer.
    raise _BedrockError(400, "ValidationException", "The provided model identifier is invalid.")


def _model(model: catalog.FoundationModel, region: str) -> dict[str, Any]:
    return {
        "modelArn": model.arn(region),
        "modelId": model.model_id,
        "modelName": model.name,
        "providerName": model.provider,
        "inputModalities": list(model.inputs),
        "outputModalities": list(model.outputs),
        "responseStreamingSupported": model.streaming,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    }


def _list_inference_profiles(response: BedrockResponse) -> ActionResult:
    if response._get_param("typeEquals") == "APPLICATION":
        profiles = []  # only AWS's system-defined profiles exist here
    else:
        profiles = catalog.profiles_in(response.region)
    summaries = [_profile(p, response.region, response.current_account) for p in profiles]
    return ActionResult({"inferenceProfileSummaries": summaries})


def _get_inference_profile(response: BedrockResponse) -> ActionResult:
    identifier = unquote(response._get_param("inferenceProfileIdentifier") or "")
    profile_id = identifier.rsplit("inference-profile/", 1)[-1]
    for profile in catalog.profiles_in(response.region):
        if profile.profile_id == profile_id:
            return ActionResult(_profile(profile, response.region, response.current_account))
    raise _BedrockError(404, "ResourceNotFoundException", f"Inference profile {identifier} not found.")


def _profile(profile: catalog.InferenceProfile, region: str, account_id: str) -> dict[str, Any]:
    return {
        "inferenceProfileName": profile.name,
        "inferenceProfileId": profile.profile_id,
        "inferenceProfileArn": profile.arn(region, account_id),
        "description": f"Routes requests to {profile.name} in {', '.join(profile.regions)}.",
        "models": [
            {"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{profile.model_id}"} for r in profile.regions
        ],
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    }


# --------------------------------------------------------------------------- model access


def has_access(account_id: str, region: str, model_id: str) -> bool:
    """Whether the account may invoke `model_id` (a foundation-model id) in `region`."""
    # Never built (dict.get builds nothing): nothing was taken away.
    account = dict.get(bedrock_backends, account_id)
    backend = dict.get(account, region) if account is not None else None
    return backend is None or model_id not in backend.__dict__.get(_NO_ACCESS, ())


def offer_token(model_id: str) -> str:
    """The token of the model's one offer (stable, so a test may also write it down)."""
    return "sandbox-offer-" + hashlib.sha256(model_id.encode()).hexdigest()[:24]


def _without_access(backend: BedrockBackend) -> set[str]:
    return backend.__dict__.setdefault(_NO_ACCESS, set())


def _offered(response: BedrockResponse) -> catalog.FoundationModel:
    """The model the request names, which the region must offer (ResourceNotFoundException)."""
    model_id = unquote(response._get_param("modelId") or "")
    for model in catalog.models_in(response.region):
        if model.model_id == model_id:
            return model
    raise _BedrockError(404, "ResourceNotFoundException", f"Model {model_id} not found in {response.region}.")


def _get_availability(response: BedrockResponse) -> ActionResult:
    model_id = unquote(response._get_param("modelId") or "")
    if model_id not in {m.model_id for m in catalog.models_in(response.region)}:
        if model_id not in {m.model_id for m in catalog.FOUNDATION_MODELS}:
            raise _BedrockError(404, "ResourceNotFoundException", f"Model {model_id} not found.")
        return ActionResult(_availability(model_id, region=False, access=False))
    access = model_id not in _without_access(response.bedrock_backend)
    return ActionResult(_availability(model_id, region=True, access=access))


def _availability(model_id: str, region: bool, access: bool) -> dict[str, Any]:
    return {
        "modelId": model_id,
        "agreementAvailability": {"status": AVAILABLE if access else NOT_AVAILABLE},
        "authorizationStatus": "AUTHORIZED",
        "entitlementAvailability": AVAILABLE if access else NOT_AVAILABLE,
        "regionAvailability": AVAILABLE if region else NOT_AVAILABLE,
    }


def _list_offers(response: BedrockResponse) -> ActionResult:
    model = _offered(response)
    offer = {
        "offerId": f"offer-{offer_token(model.model_id)[-12:]}",
        "offerToken": offer_token(model.model_id),
        "termDetails": {
            "usageBasedPricingTerm": {"rateCard": [
                {"dimension": "input_tokens", "price": "0.00", "description": "sandbox: free", "unit": "1K tokens"}
            ]},
            "legalTerm": {"url": "https://aws.amazon.com/legal/bedrock/third-party-models/"},
            "supportTerm": {"refundPolicyDescription": "sandbox: nothing is charged"},
        },
    }
    return ActionResult({"modelId": model.model_id, "offers": [offer]})


def _create_agreement(response: BedrockResponse) -> ActionResult:
    model = _offered(response)
    if response._get_param("offerToken") != offer_token(model.model_id):
        raise _BedrockError(400, "ValidationException", "The provided offer token is invalid.")
    _without_access(response.bedrock_backend).discard(model.model_id)
    return ActionResult({"modelId": model.model_id})


def _delete_agreement(response: BedrockResponse) -> ActionResult:
    model = _offered(response)
    _without_access(response.bedrock_backend).add(model.model_id)
    return ActionResult({})
