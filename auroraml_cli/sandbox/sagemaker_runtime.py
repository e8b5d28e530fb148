"""SageMaker runtime's InvokeEndpoint as Aurora ML uses it: text/csv, one row per line in, one
answer per line out, from an endpoint that exists in that region and is InService (or Updating: an
update keeps the old fleet serving, see sagemaker_endpoints).

moto answers "body" for any endpoint name; here an unknown endpoint is AWS's ValidationError
("Endpoint NAME of account ACCOUNT not found.") and the answers come from ml_answers (moto's
result queue, /moto-api/static/sagemaker/endpoint-results, is no longer consulted). `invoke()`
is the one implementation: moto's response handler calls it for boto3 clients, the SQL endpoint
calls it in-process for SageMaker functions.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from . import ml_answers
from ._patch import define

CSV = "text/csv"
PAYLOAD_LIMIT = 6 * 1024 * 1024  # bytes, InvokeEndpoint's real-time limit


def install() -> None:
    define(SageMakerRuntimeResponse, "invoke_endpoint", _invoke_endpoint)


class SageMakerError(JsonRESTError):
    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status


def invoke(account_id: str, region: str, endpoint: str, body: bytes | str, content_type: str = CSV,
           accept: str | None = CSV) -> tuple[bytes, str]:
    """(response body, its content type). Raises SageMakerError as AWS does."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    rows = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    try:
        if ml_answers.take_throttle():
            raise SageMakerError("ThrottlingException", "Rate exceeded")
        _check_endpoint(account_id, region, endpoint)
        if len(data) > PAYLOAD_LIMIT:
            raise SageMakerError("ValidationError", f"Request payload size {len(data)} exceeds the limit of "
                                                    f"{PAYLOAD_LIMIT} bytes.")
        if (content_type or "").split(";")[0].strip().lower() != CSV:
            raise SageMakerError(
                "ModelError",
                f'Received client error (415) from primary with message "The sandbox\'s models read {CSV}, '
                f'not {content_type}".', 424)
        lines = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        answers = [_format(ml_answers.endpoint_answer(endpoint, fields)) for fields in lines]
    except SageMakerError as error:
        ml_answers.record("sagemaker", "InvokeEndpoint", region, rows, error.error_type, endpoint)
        raise
    ml_answers.record("sagemaker", "InvokeEndpoint", region, rows, "ok", endpoint)
    return "".join(f"{a}\n" for a in answers).encode("utf-8"), CSV


def _check_endpoint(account_id: str, region: str, endpoint: str) -> None:
    from moto.sagemaker.models import sagemaker_backends

    from .sagemaker_endpoints import SERVING, settle

    backend = sagemaker_backends[account_id][region]
    settle(backend)
    found = backend.endpoints.get(endpoint)
    if found is None or found.endpoint_status not in SERVING:
        raise SageMakerError("ValidationError", f"Endpoint {endpoint} of account {account_id} not found.")


def _format(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def _invoke_endpoint(response: SageMakerRuntimeResponse) -> Any:
    endpoint = unquote(response.path.split("/")[2])  # POST /endpoints/NAME/invocations
    body, content_type = invoke(response.current_account, response.region, endpoint,
                                response.body or b"", response.headers.get("Content-Type") or "",
                                response.headers.get("Accept"))
    return 200, {"Content-Type": content_type, "x-Amzn-Invoked-Production-Variant": "AllTraffic"}, body
