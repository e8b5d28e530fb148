"""Lambda's Invoke without Docker: the function must exist in moto's Lambda, its code is not run.

moto runs a function's code in a Docker container, which a sandbox usually lacks. Here Invoke
answers with a stand-in, deterministic and built from the request, for every function that
exists (GetFunction finds it, with its qualifier) in the account and region the name or ARN
says; an unknown function is Lambda's `ResourceNotFoundException: Function not found: ARN`:

- RequestResponse (Aurora's lambda_sync): the payload `{"statusCode": 200, "function": NAME,
  "event": <the event, parsed>}` (the sandbox's shape; a real function answers what its code
  returns);
- Event (Aurora's lambda_async): no payload (Lambda answers 202 with an empty body);
- an event that is not JSON: `InvalidRequestContentException: Could not parse request body into
  json` (Lambda's code; the sandbox's shorter message).

`invoke()` is the one implementation: moto's backend calls it for boto3 clients of the sandbox
server, the SQL endpoint calls it in-process for lambda_sync / lambda_async. Each call is
recorded in ml_answers' log (service "lambda", operation "Invoke").
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import JsonRESTError

from . import ml_answers
from ._patch import define

# Lambda's FunctionName pattern (Invoke): a name, a partial ARN or a full ARN, with a qualifier.
NAME = re.compile(r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(?:-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
                  r"([a-zA-Z0-9_.-]+)(:(\$LATEST|[a-zA-Z0-9_-]+))?")


class LambdaError(JsonRESTError):
    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status


def install() -> None:
    from moto.awslambda.models import LambdaBackend

    define(LambdaBackend, "invoke", _backend_invoke)


def function_arn(name: str, account_id: str, region: str, partition: str = "aws") -> tuple[str, str, str, str | None]:
    """(the function's unqualified ARN, its account, its region, the qualifier or None) for a
    name, partial or full ARN, read in `account_id` / `region` where it names neither."""
    match = NAME.fullmatch(name)
    if match is None or len(name) > 170:
        raise LambdaError("ValidationException", f"1 validation error detected: Value '{name}' at 'functionName' "
                          "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                          + NAME.pattern)
    region = (match.group(3) or "").rstrip(":") or region
    account = (match.group(4) or "").rstrip(":") or account_id
    partition = match.group(2) or partition
    qualifier = match.group(8)
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{match.group(6)}"
    return arn, account, region, qualifier


def invoke(account_id: str, region: str, name: str, event: bytes | str, invocation_type: str = "RequestResponse",
           qualifier: str | None = None) -> bytes:
    """The response payload. Raises LambdaError as Lambda does."""
    data = event.encode("utf-8") if isinstance(event, str) else event
    try:
        arn, account, in_region, named = function_arn(name, account_id, region)
        function = _function(account, in_region, arn, qualifier or named)
        region = in_region
        try:
            parsed = json.loads(data.decode("utf-8")) if data.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise LambdaError("InvalidRequestContentException", "Could not parse request body into json") from None
        if invocation_type in ("Event", "DryRun"):  # 202 / 204 without a payload
            answer = b""
        else:
            answer = json.dumps({"statusCode": 200, "function": function.function_name, "event": parsed}).encode()
    except LambdaError as error:
        ml_answers.record("lambda", "Invoke", region, len(data), error.error_type, name)
        raise
    ml_answers.record("lambda", "Invoke", region, len(data), "ok", function.function_name)
    return answer


def _function(account: str, region: str, arn: str, qualifier: str | None) -> Any:
    from moto.awslambda.models import lambda_backends

    try:
        return lambda_backends[account][region].get_function(arn, qualifier)
    except Exception:  # noqa: BLE001 - moto raises UnknownFunctionException (or KeyError for a region)
        shown = f"{arn}:{qualifier}" if qualifier else arn
        raise LambdaError("ResourceNotFoundException", f"Function not found: {shown}", 404) from None


def _backend_invoke(backend: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
                    response_headers: Any) -> bytes:
    """moto's LambdaBackend.invoke for boto3 clients: the same stand-in, no container."""
    kind = headers.get("X-Amz-Invocation-Type") or headers.get("x-amz-invocation-type") or "RequestResponse"
    payload = invoke(backend.account_id, backend.region_name, function_name, body or b"", kind, qualifier)
    response_headers["Content-Length"] = str(len(payload))
    return payload
