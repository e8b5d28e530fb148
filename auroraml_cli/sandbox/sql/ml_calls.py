"""Requests from the SQL endpoint to the sandbox's ML services (and Lambda), as Aurora sends them.

The services are the AWS half's own implementations (comprehend.detect, sagemaker_runtime.invoke,
bedrock_runtime.invoke), called in-process like the S3 export writes to moto's S3: the same
backends boto3 clients of the sandbox server reach, so `ml_answers.received()` sees each request.

Before a request, IAM is evaluated for it (role_access.Gate, once per distinct request in a
statement): the writer's `aws_default_<service>_role` must name a role associated with the
cluster, ACTIVE, that rds.amazonaws.com may assume for this cluster, else `ERROR 1871: <Service>
API returned error: Missing Credentials: Cannot instantiate <Service> Client` (the wording Aurora
documents for S3 and Lambda; Aurora documents none for these services); and its policies must
allow the exact action on the exact ARN (comprehend:DetectSentiment / BatchDetectSentiment on
"*", sagemaker:InvokeEndpoint on the endpoint ARN, bedrock:InvokeModel on the model or
inference-profile ARNs), else 1871 with AWS's AccessDeniedException text. A throttled request is sent again up to MAX_RETRIES times (retry_request_cnt);
other service errors, or throttling to the end, are ERROR 1871 `<Service> API returned error:
<code>: <message>`.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import TYPE_CHECKING, Any

from .errors import SqlError

if TYPE_CHECKING:
    from .session import AuroraSession

MAX_RETRIES = 3
NAMES = {"comprehend": "Comprehend", "sagemaker": "SageMaker", "bedrock": "Bedrock", "lambda": "Lambda"}


class ServiceCalls:
    """One statement's requests: IAM evaluated once per distinct request, counters as they go."""

    def __init__(self, s: AuroraSession) -> None:
        self._s = s
        self._aws = s.cluster.aws
        self._checked: set[tuple] = set()
        self.counts: Counter[str] = Counter()

    def comprehend(self, texts: list[str], language: str, batch: bool) -> list[dict[str, Any]]:
        from .. import comprehend
        from .role_access import comprehend_requests

        return self._send("comprehend", lambda: comprehend.detect(self._aws.region, texts, language, batch),
                          comprehend_requests(batch))

    def sagemaker(self, endpoint: str, rows: list[list[str]]) -> list[str]:
        from .. import sagemaker_runtime

        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        from .role_access import sagemaker_requests

        aws = self._aws
        body, _ = self._send("sagemaker", lambda: sagemaker_runtime.invoke(
            aws.account_id, aws.region, endpoint, out.getvalue().encode("utf-8")),
            sagemaker_requests(aws.gate.partition, aws.region, aws.account_id, endpoint))
        lines = [line.strip() for line in body.decode("utf-8").splitlines()]
        if len(lines) != len(rows):
            raise SqlError(1871, f"SageMaker API returned error: endpoint {endpoint} answered {len(lines)} lines "
                                 f"for {len(rows)} rows")
        return lines

    def bedrock(self, model_id: str, body: str, content_type: str | None, accept: str | None) -> str:
        from .. import bedrock_runtime

        from .role_access import bedrock_requests

        aws = self._aws
        answer, _ = self._send("bedrock", lambda: bedrock_runtime.invoke(
            aws.account_id, aws.region, model_id, body.encode("utf-8"),
            content_type or "application/json", accept or "application/json"),
            bedrock_requests(aws.gate.partition, aws.region, aws.account_id, model_id))
        return answer.decode("utf-8")

    def lambda_invoke(self, native: str, name: str, payload: str) -> bytes:
        """lambda_sync (RequestResponse: the function's response payload) or lambda_async (Event:
        Lambda's empty answer), as a BLOB. The function named by ARN (or name, read in the
        cluster's region) must exist in the sandbox's Lambda; its code is not run (lambda_invoke)."""
        from .. import lambda_invoke

        from .errors import not_supported
        from .role_access import lambda_requests

        aws = self._aws
        try:
            arn, account, region, qualifier = lambda_invoke.function_arn(name, aws.account_id, aws.region,
                                                                         aws.gate.partition)
        except lambda_invoke.LambdaError as error:
            raise SqlError(1871, f"Lambda API returned error: {error.error_type}: {error.message}") from None
        if account != aws.account_id:
            raise not_supported(f"{native} of a function in another account ({arn}): resource-based "
                                "policies are not evaluated by the sandbox")
        kind = "RequestResponse" if native == "lambda_sync" else "Event"
        return self._send("lambda", lambda: lambda_invoke.invoke(
            account, region, arn, payload.encode("utf-8"), kind, qualifier), lambda_requests(arn, qualifier))

    def _send(self, service: str, request: Any, needs: list) -> Any:
        from moto.core.exceptions import JsonRESTError

        self._authorize(service, needs)
        self._count("actual_request", service)
        for attempt in range(MAX_RETRIES + 1):
            if attempt:
                self._count("retry_request", service)
            try:
                answer = request()
            except JsonRESTError as error:
                if error.error_type == "ThrottlingException" and attempt < MAX_RETRIES:
                    continue
                raise SqlError(1871, f"{NAMES[service]} API returned error: {error.error_type}: {error.message}"
                               ) from None
            self._count("actual_response", service)
            return answer
        raise AssertionError("unreachable")

    def _count(self, counter: str, service: str) -> None:
        if service == "lambda":  # not Aurora ML: the Aurora_ml_* counters do not move
            return
        self.counts[counter] += 1
        self._s.cluster.ml_status.add({counter: 1}, self._s.instance)

    def _authorize(self, service: str, needs: list) -> None:
        """IAM for these requests, evaluated once per statement (the verdicts are memoised too)."""
        key = (service, tuple(needs))
        if key in self._checked:
            return
        self._aws.gate.authorize(service, self._s.cluster.variables.get(f"aws_default_{service}_role"), needs)
        self._checked.add(key)
