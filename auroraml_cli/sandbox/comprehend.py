"""Comprehend's sentiment APIs: DetectSentiment and BatchDetectSentiment (which moto lacks),
answered by ml_answers (a word list by default).

`detect()` is the one implementation: moto's response handlers call it for boto3 clients, and the
SQL endpoint calls it in-process for aws_comprehend_detect_sentiment[_confidence].
"""

from __future__ import annotations

import json
from typing import Any

from moto.comprehend.responses import ComprehendResponse
from moto.core.exceptions import JsonRESTError

from . import ml_answers
from ._patch import define

BATCH_LIMIT = 25  # documents per BatchDetectSentiment
TEXT_LIMIT = 5000  # bytes per document (UTF-8)
LANGUAGES = ("ar", "hi", "ko", "zh-TW", "ja", "zh", "de", "pt", "en", "it", "fr", "es")


def install() -> None:
    define(ComprehendResponse, "detect_sentiment", _detect_sentiment)
    define(ComprehendResponse, "batch_detect_sentiment", _batch_detect_sentiment)


class ComprehendError(JsonRESTError):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(error_type, message)


def throttled() -> ComprehendError:
    return ComprehendError("ThrottlingException", "Rate exceeded")


def detect(region: str, texts: list[str], language: str, batch: bool = True) -> list[dict[str, Any]]:
    """Sentiment of each text, as BatchDetectSentiment's items: {Index, Sentiment, SentimentScore}
    or {Index, ErrorCode, ErrorMessage}. Raises ComprehendError for the whole call (throttled, too
    many texts, unsupported language); DetectSentiment (batch=False) raises for its one text too."""
    operation = "BatchDetectSentiment" if batch else "DetectSentiment"
    try:
        if ml_answers.take_throttle():
            raise throttled()
        if batch and len(texts) > BATCH_LIMIT:
            raise ComprehendError("BatchSizeLimitExceededException",
                                  f"The number of documents in the request exceeds the limit of {BATCH_LIMIT}. "
                                  "Try your request again with fewer documents.")
        if language not in LANGUAGES:
            raise ComprehendError(
                "ValidationException",
                f"1 validation error detected: Value '{language}' at 'languageCode' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(LANGUAGES)}]")
        items = [_one(index, text, language) for index, text in enumerate(texts)]
        if not batch and "ErrorCode" in items[0]:
            raise ComprehendError(items[0]["ErrorCode"], items[0]["ErrorMessage"])
    except ComprehendError as error:
        ml_answers.record("comprehend", operation, region, len(texts), error.error_type, language)
        raise
    ml_answers.record("comprehend", operation, region, len(texts), "ok", language)
    return items


def _one(index: int, text: str, language: str) -> dict[str, Any]:
    size = len(text.encode("utf-8"))
    if size > TEXT_LIMIT:
        return {"Index": index, "ErrorCode": "TextSizeLimitExceededException",
                "ErrorMessage": f"Input text size exceeds limit. Max length of request text allowed is {TEXT_LIMIT} "
                                f"bytes while in this request the text size is {size} bytes"}
    if not text:
        return {"Index": index, "ErrorCode": "InvalidRequestException",
                "ErrorMessage": "Invalid input: the text is empty."}
    label, scores = ml_answers.sentiment(text, language)
    return {"Index": index, "Sentiment": label, "SentimentScore": scores}


def _detect_sentiment(response: ComprehendResponse) -> str:
    params = json.loads(response.body)
    item = detect(response.region, [params.get("Text") or ""], params.get("LanguageCode") or "", batch=False)[0]
    return json.dumps({"Sentiment": item["Sentiment"], "SentimentScore": item["SentimentScore"]})


def _batch_detect_sentiment(response: ComprehendResponse) -> str:
    params = json.loads(response.body)
    items = detect(response.region, list(params.get("TextList") or []), params.get("LanguageCode") or "")
    return json.dumps({"ResultList": [i for i in items if "Sentiment" in i],
                       "ErrorList": [i for i in items if "ErrorCode" in i]})
