"""Bedrock's control plane: the foundation models and inference profiles of each region."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from moto.bedrock.responses import BedrockResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from . import catalog
from ._patch import define

def install() -> None:
    define(BedrockResponse, "list_foundation_models", _list_foundation_models)
    define(BedrockResponse, "get_foundation_model", _get_foundation_model)
    define(BedrockResponse, "list_inference_profiles", _list_inference_profiles)
    define(BedrockResponse, "get_inference_profile", _get_inference_profile)


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
