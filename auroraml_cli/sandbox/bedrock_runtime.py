"""Bedrock runtime's InvokeModel: the model must be offered in the region (a foundation-model id or
ARN, or a cross-region inference profile routing there), the body must be the family's request,
and the answer comes back in the family's own response shape:

| family                  | request needs                             | response                              |
|-------------------------|-------------------------------------------|---------------------------------------|
| anthropic.*             | anthropic_version, max_tokens, messages   | {"content": [{"type": "text", ...}]}  |
| amazon.titan-text-*     | inputText                                 | {"results": [{"outputText": ...}]}    |
| amazon.titan-embed-*    | inputText                                 | {"embedding": [...]}                  |
| cohere.embed-*          | texts, input_type                         | {"embeddings": [[...]]}               |

A model whose access the account has given up in that region (bedrock:
DeleteFoundationModelAgreement, see bedrock.py) answers AccessDeniedException "You don't have access
to the model with the specified model ID."; through an inference profile, access is checked in the
region the call is made in.

moto answers {} for any model id. `invoke()` is the one implementation: moto's response handler
calls it for boto3 clients, the SQL endpoint calls it in-process for Bedrock functions.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.bedrockruntime.responses import BedrockRuntimeResponse
from moto.core.exceptions import JsonRESTError

from ..core.services.bedrock import INFERENCE_PROFILE_PREFIXES
from . import catalog, ml_answers
from ._patch import define
from .bedrock import has_access

JSON = "application/json"
_REQUIRED = {
    "anthropic": ("anthropic_version", "max_tokens", "messages"),
    "titan-text": ("inputText",),
    "titan-embed": ("inputText",),
    "cohere-embed": ("texts", "input_type"),
}
_TITAN_DIMENSIONS = (256, 512, 1024)


def install() -> None:
    define(BedrockRuntimeResponse, "invoke_model", _invoke_model)


class BedrockRuntimeError(JsonRESTError):
    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status


def invoke(account_id: str, region: str, model_id: str, body: bytes | str, content_type: str = JSON,
           accept: str = JSON) -> tuple[bytes, str]:
    """(response body, its content type). Raises BedrockRuntimeError as AWS does."""
    try:
        if ml_answers.take_throttle():
            raise BedrockRuntimeError("ThrottlingException", "Too many requests, please wait before trying again.", 429)
        model = resolve(region, model_id)
        if not has_access(account_id, region, model.model_id):
            raise BedrockRuntimeError("AccessDeniedException",
                                      "You don't have access to the model with the specified model ID.", 403)
        request = _request(body, content_type)
        family = family_of(model.model_id)
        missing = [key for key in _REQUIRED[family] if key not in request]
        if missing:
            raise _malformed(f"#: required key [{missing[0]}] not found")
        answer = _answer(family, model_id, model.model_id, request)
    except BedrockRuntimeError as error:
        ml_answers.record("bedrock", "InvokeModel", region, 1, error.error_type, model_id)
        raise
    ml_answers.record("bedrock", "InvokeModel", region, 1, "ok", model_id)
    return json.dumps(answer).encode("utf-8"), JSON


def resolve(region: str, model_id: str) -> catalog.FoundationModel:
    """The foundation model an id, a model ARN or an inference profile id names in `region`."""
    identifier = unquote(model_id)
    if "inference-profile/" in identifier or identifier.startswith(INFERENCE_PROFILE_PREFIXES):
        profile_id = identifier.rsplit("inference-profile/", 1)[-1]
        profile = next((p for p in catalog.profiles_in(region) if p.profile_id == profile_id), None)
        identifier = profile.model_id if profile else ""
    identifier = identifier.rsplit("foundation-model/", 1)[-1]
    for model in catalog.models_in(region):
        if model.model_id == identifier:
            return model
    raise BedrockRuntimeError("ValidationException", "The provided model identifier is invalid.")


def family_of(model_id: str) -> str:
    if model_id.startswith("anthropic."):
        return "anthropic"
    if model_id.startswith("amazon.titan-embed"):
        return "titan-embed"
    if model_id.startswith("cohere.embed"):
        return "cohere-embed"
    return "titan-text"


def _malformed(detail: str) -> BedrockRuntimeError:
    return BedrockRuntimeError("ValidationException", f"Malformed input request: {detail}, please reformat your "
                                                      "input and try again.")


def _request(body: bytes | str, content_type: str) -> dict[str, Any]:
    if (content_type or JSON).split(";")[0].strip().lower() != JSON:
        raise BedrockRuntimeError("ValidationException", f"The provided content type {content_type} is not supported "
                                                         "by this model; use application/json.")
    try:
        request = json.loads(body)
    except (ValueError, TypeError):
        raise _malformed("the body is not JSON") from None
    if not isinstance(request, dict):
        raise _malformed("#: expected type: JSONObject")
    return request


def prompt_of(family: str, request: dict[str, Any]) -> str:
    """The text a request asks about: the last user message, inputText, or the first of texts."""
    if family == "anthropic":
        messages = request.get("messages") or []
        content = messages[-1].get("content", "") if messages and isinstance(messages[-1], dict) else ""
        if isinstance(content, list):
            content = " ".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
        return str(content)
    if family == "cohere-embed":
        texts = request.get("texts") or [""]
        return str(texts[0])
    return str(request.get("inputText", ""))


def _answer(family: str, asked: str, model_id: str, request: dict[str, Any]) -> dict[str, Any]:
    prompt = prompt_of(family, request)
    custom = ml_answers.model_answer(asked, prompt, request)
    if custom is None and asked != model_id:
        custom = ml_answers.model_answer(model_id, prompt, request)
    if isinstance(custom, dict):
        return custom
    tokens = len(prompt.split())
    if family == "titan-embed":
        dimensions = request.get("dimensions", 1024)
        if dimensions not in _TITAN_DIMENSIONS:
            raise _malformed(f"#/dimensions: {dimensions} is not a valid enum value")
        vector = custom if custom is not None else ml_answers.default_embedding(prompt, dimensions)
        return {"embedding": vector, "embeddingsByType": {"float": vector}, "inputTextTokenCount": tokens}
    if family == "cohere-embed":
        texts = [str(t) for t in request.get("texts") or []]
        vectors = [custom if custom is not None else ml_answers.default_embedding(t, 1024) for t in texts]
        return {"id": "sandbox", "response_type": "embeddings_floats", "texts": texts, "embeddings": vectors}
    text = str(custom) if custom is not None else ml_answers.default_text(model_id, prompt)
    if family == "anthropic":
        return {"id": "msg_sandbox", "type": "message", "role": "assistant", "model": model_id,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": tokens, "output_tokens": len(text.split())}}
    return {"inputTextTokenCount": tokens,
            "results": [{"tokenCount": len(text.split()), "outputText": text, "completionReason": "FINISH"}]}


def _invoke_model(response: BedrockRuntimeResponse) -> Any:
    body = response._get_param("body")
    content_type = response._get_param("contentType", JSON)
    accept = response._get_param("accept", JSON)
    answer, answer_type = invoke(response.current_account, response.region, response._get_param("modelId") or "",
                                 body or b"", content_type, accept)
    return 200, {"Content-Type": answer_type}, answer
