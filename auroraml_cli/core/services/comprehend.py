"""Amazon Comprehend: the built-in aws_comprehend_* functions; its actions take no resource ARN."""

from __future__ import annotations

from typing import Any

from .base import Service, statement


class Comprehend(Service):
    def statements(self, *, partition: str, account: str, region: str, **_: Any) -> list[dict]:
        # Comprehend's sentiment actions take no resource ARN: "*" is the only value that works.
        return [statement("AuroraMLComprehend", self.iam_actions, ["*"])]

    def scope_resources(self, partition: str, region: str, account: str, scope) -> list[str] | None:
        return ["*"]


SPEC = Comprehend(
    name="comprehend",
    title="Amazon Comprehend",
    minimum={"2": (2, 7), "3": (3, 1), "8.4": (8, 4)},
    parameters={g: ("aws_default_comprehend_role",) for g in ("2", "3", "8.4")},
    db_roles=("AWS_COMPREHEND_ACCESS",),
    v2_privileges=("INVOKE COMPREHEND",),
    iam_actions=("comprehend:DetectSentiment", "comprehend:BatchDetectSentiment"),
    endpoint_service="comprehend",
    vpc_endpoint="comprehend",
    builtin_functions=("aws_comprehend_detect_sentiment", "aws_comprehend_detect_sentiment_confidence"),
    builtin_call=r"\baws_comprehend_\w+\s*\(",
    probe_sql="SELECT aws_comprehend_detect_sentiment('auroraml check probe', 'en')",
    sandbox="comprehend: DetectSentiment / BatchDetectSentiment answers (sandbox/ml_answers.py)",
)
