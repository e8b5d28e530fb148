"""What the sandbox's ML services answer: Comprehend's sentiment, SageMaker endpoints, Bedrock models.

Every answer has a deterministic default and can be replaced, in-process or over HTTP:

    from auroraml_cli.sandbox import ml_answers
    ml_answers.set_sentiment(lambda text, lang: "POSITIVE")   # or (label, {"Positive": .9, ...})
    ml_answers.set_endpoint("churn-predictor", lambda fields: 0.5)   # one CSV row's fields → a value
    ml_answers.set_endpoint("rcf-taxi", [1.5, 0.2])                  # fixed values, in turn, cycled
    ml_answers.set_model("amazon.titan-text-express-v1", lambda prompt, body: "hello")
    ml_answers.reset()                                               # defaults again, log cleared

`POST /_auroraml/ml` on the sandbox server takes the JSON form (fixed answers only):
`{"sentiment": {"some text": "POSITIVE"}, "endpoints": {"churn-predictor": 0.5}, "models":
{"amazon.titan-text-express-v1": "hello"}}`; `GET` shows what is set. The knob `ml_throttle`
(layer.configure) makes the next N runtime calls answer ThrottlingException.

Defaults:
- sentiment: a word list. Positive and negative words (and a few phrases such as "blown away",
  "cannot stand", "too long") add weight; a negator ("not", "never", ...) just before a word turns it
  around. Only positive → POSITIVE, only negative → NEGATIVE, both → MIXED, none → NEUTRAL. The
  label's confidence grows with the weight (1 word: 0.85, 2: 0.955; a weak phrase alone: 0.726);
  the four SentimentScore values sum to 1.
- SageMaker: an endpoint whose name contains `rcf`, `random-cut-forest` or `anomaly` answers an
  anomaly score, the first field's distance from 15,000 in thousands (NYC taxi rides per half hour
  hover around 15,000); any other endpoint answers the logistic of the fields' sum / 100. Fields
  that are not numbers count as a stable fraction of their text.
- Bedrock: text models answer `Sandbox reply from MODEL: <the prompt's first 60 characters>`, in the
  family's own response shape; embedding models a unit vector derived from the text (Titan v2: 1024
  or `dimensions`; Cohere: 1024).

`received()` lists the calls the runtime APIs served (service, operation, region, size, outcome),
so tests can compare what the SQL endpoint's counters say with what the services saw.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LABELS = ("POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED")
SentimentAnswer = Callable[[str, str], "str | tuple[str, dict[str, float]]"]
EndpointAnswer = Callable[[list[str]], Any]
ModelAnswer = Callable[[str, dict[str, Any]], Any]

_lock = threading.Lock()

# --------------------------------------------------------------------------- configuration


@dataclass
class _Cycle:
    """Fixed values handed out in turn, starting again at the first."""

    values: list[Any]
    position: int = 0

    def __call__(self, _: Any = None, __: Any = None) -> Any:
        with _lock:
            value = self.values[self.position % len(self.values)]
            self.position += 1
        return value


_sentiment: SentimentAnswer | None = None
_fixed_sentiment: dict[str, Any] = {}
_endpoints: dict[str, EndpointAnswer] = {}
_models: dict[str, ModelAnswer] = {}
_fixed: dict[str, dict[str, Any]] = {"sentiment": {}, "endpoints": {}, "models": {}}
_received: list[dict[str, Any]] = []
_RECEIVED_KEPT = 10_000


def set_sentiment(answer: SentimentAnswer | None) -> None:
    """`answer(text, language)` → a label, or (label, SentimentScore); None: the word list again."""
    global _sentiment
    _sentiment = answer


def set_endpoint(name: str, answer: EndpointAnswer | list[Any] | float | str | None) -> None:
    """What endpoint `name` answers for one CSV row (in every region): `answer(fields)`, a list of
    fixed values handed out in turn, or one value. None: the default again."""
    if answer is None:
        _endpoints.pop(name, None)
    elif callable(answer):
        _endpoints[name] = answer
    else:
        _endpoints[name] = _Cycle(list(answer) if isinstance(answer, (list, tuple)) else [answer])


def set_model(model_id: str, answer: ModelAnswer | str | list[float] | dict[str, Any] | None) -> None:
    """What model `model_id` answers: `answer(prompt, body)` or a fixed value. A str is the text
    (wrapped in the family's response shape), a list of numbers an embedding, a dict the whole
    response body. None: the default again."""
    if answer is None:
        _models.pop(model_id, None)
    else:
        _models[model_id] = answer if callable(answer) else (lambda _p, _b, value=answer: value)


def configure(payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON form (the server's /_auroraml/ml route): fixed answers per text, endpoint or model.
    A section given replaces that section's fixed answers. Raises ValueError and changes nothing
    for a malformed payload."""
    if not isinstance(payload, dict) or set(payload) - set(_fixed):
        raise ValueError(f"expected a JSON object with any of {', '.join(_fixed)}")
    for section, entries in payload.items():
        if not isinstance(entries, dict):
            raise ValueError(f"{section} must be a JSON object")
    for text, answer in payload.get("sentiment", {}).items():
        _sentiment_result(answer, text)  # raises ValueError for a bad label or scores
    for name, answer in payload.get("endpoints", {}).items():
        if isinstance(answer, list) and not answer:
            raise ValueError(f"endpoint {name}: give at least one value")
    for section, entries in payload.items():
        for key in _fixed[section]:
            if section == "endpoints":
                set_endpoint(key, None)
            elif section == "models":
                set_model(key, None)
        _fixed[section] = dict(entries)
        for key, answer in entries.items():
            if section == "endpoints":
                set_endpoint(key, answer)
            elif section == "models":
                set_model(key, answer)
    global _fixed_sentiment
    _fixed_sentiment = dict(_fixed["sentiment"])
    return fixed_answers()


def fixed_answers() -> dict[str, Any]:
    return {section: dict(entries) for section, entries in _fixed.items()}


def reset() -> None:
    """Default answers everywhere, and an empty log of received calls."""
    global _sentiment, _fixed_sentiment
    _sentiment = None
    _fixed_sentiment = {}
    _endpoints.clear()
    _models.clear()
    for entries in _fixed.values():
        entries.clear()
    with _lock:
        _received.clear()


# --------------------------------------------------------------------------- the log


def record(service: str, operation: str, region: str, size: int, outcome: str, target: str = "") -> None:
    with _lock:
        _received.append({"service": service, "operation": operation, "region": region, "size": size,
                          "target": target, "outcome": outcome})
        del _received[:-_RECEIVED_KEPT]


def received(service: str | None = None) -> list[dict[str, Any]]:
    """The runtime calls served since the last reset (oldest first), optionally of one service."""
    with _lock:
        return [dict(call) for call in _received if service is None or call["service"] == service]


def take_throttle() -> bool:
    """Whether this call is throttled: the knob ml_throttle counts the calls still to refuse."""
    from . import layer

    with _lock:
        if layer.settings.ml_throttle > 0:
            layer.settings.ml_throttle -= 1
            return True
    return False


# --------------------------------------------------------------------------- Comprehend

POSITIVE_WORDS = frozenset(
    """thank thanks excellent awesome great good helped helpful love loved lovely amazing fantastic perfect
    happy resolved fast quick quickly friendly best wonderful nice easy recommend satisfied pleased superb
    brilliant outstanding impressive enjoy enjoyed glad reliable smooth delighted works""".split()
)
NEGATIVE_WORDS = frozenset(
    """stinks bad terrible awful horrible problem problems slow rude complex broken worst hate hated
    disappointed disappointing useless poor angry annoying annoyed late wrong error errors fail failed
    failure crash crashes crashed unhappy confusing confused frustrating frustrated expensive buggy
    unacceptable ridiculous""".split()
)
# (words, weight): a positive weight is positive sentiment, a weak cue weighs 0.5.
PHRASES = {
    ("blown", "away"): 1.0,
    ("cannot", "stand"): -1.0,
    ("can't", "stand"): -1.0,
    ("talked", "down"): -1.0,
    ("too", "long"): -0.5,
    ("waste", "of"): -1.0,
    ("not", "bad"): 0.5,
}
NEGATORS = frozenset("not never no cannot can't don't didn't won't isn't wasn't aren't hardly nothing".split())
# How the rest of the confidence is shared among the other labels.
_REST = {
    "POSITIVE": {"Negative": 0.2, "Neutral": 0.7, "Mixed": 0.1},
    "NEGATIVE": {"Positive": 0.2, "Neutral": 0.7, "Mixed": 0.1},
    "NEUTRAL": {"Positive": 0.45, "Negative": 0.45, "Mixed": 0.1},
    "MIXED": {"Positive": 0.4, "Negative": 0.4, "Neutral": 0.2},
}


def word_list_sentiment(text: str) -> tuple[str, dict[str, float]]:
    """The default: (label, SentimentScore) from the word lists above."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    positive = negative = 0.0
    i = 0
    while i < len(words):
        weight = PHRASES.get(tuple(words[i : i + 2]))
        if weight is not None:
            step = 2
        elif words[i] in POSITIVE_WORDS or words[i] in NEGATIVE_WORDS:
            weight, step = (1.0 if words[i] in POSITIVE_WORDS else -1.0), 1
            if any(w in NEGATORS for w in words[max(i - 2, 0) : i]):
                weight = -weight
        else:
            i += 1
            continue
        if weight > 0:
            positive += weight
        else:
            negative -= weight
        i += step
    if positive and negative:
        label, confidence = "MIXED", 0.55 + 0.4 * min(positive, negative) / max(positive, negative)
    elif positive or negative:
        label = "POSITIVE" if positive else "NEGATIVE"
        confidence = 1 - 0.15 * 0.3 ** (max(positive, negative) - 1)
    else:
        label, confidence = "NEUTRAL", 0.75 + 0.01 * min(len(words), 20)
    return label, _scores(label, confidence)


def _scores(label: str, confidence: float) -> dict[str, float]:
    rest = 1 - confidence
    scores = {name: rest * share for name, share in _REST[label].items()}
    scores[label.capitalize()] = 1 - sum(scores.values())  # the four sum to 1 exactly
    return {name: scores[name] for name in ("Positive", "Negative", "Neutral", "Mixed")}


def sentiment(text: str, language: str) -> tuple[str, dict[str, float]]:
    """What Comprehend's DetectSentiment answers for `text`: fixed, custom or the word list."""
    if text in _fixed_sentiment:
        return _sentiment_result(_fixed_sentiment[text], text)
    if _sentiment is not None:
        return _sentiment_result(_sentiment(text, language), text)
    return word_list_sentiment(text)


def _sentiment_result(answer: Any, text: str) -> tuple[str, dict[str, float]]:
    if isinstance(answer, dict):  # {"Sentiment": ..., "SentimentScore": {...}}
        answer = (answer.get("Sentiment"), answer.get("SentimentScore"))
    label, scores = (answer, None) if isinstance(answer, str) else tuple(answer)
    if label not in LABELS:
        raise ValueError(f"sentiment for {text[:40]!r}: {label!r} is not one of {', '.join(LABELS)}")
    if scores is None:
        return label, _scores(label, 0.99)
    names = ("Positive", "Negative", "Neutral", "Mixed")
    if set(scores) != set(names) or not all(isinstance(v, (int, float)) for v in scores.values()):
        raise ValueError(f"sentiment scores for {text[:40]!r} need numbers for {', '.join(names)}")
    return label, {name: float(scores[name]) for name in names}


# --------------------------------------------------------------------------- SageMaker

_ANOMALY_NAMES = ("rcf", "random-cut-forest", "anomaly")


def endpoint_answer(endpoint: str, fields: list[str]) -> Any:
    """One CSV row's answer from `endpoint`: custom, or the default for its kind of name."""
    custom = _endpoints.get(endpoint)
    if custom is not None:
        return custom(fields)
    numbers = [_number(f) for f in fields]
    if any(marker in endpoint.lower() for marker in _ANOMALY_NAMES):
        return round(abs((numbers[0] if numbers else 0.0) - 15000) / 1000, 6)
    return round(1 / (1 + math.exp(-sum(numbers) / 100)), 6)


def _number(field: str) -> float:
    try:
        value = float(field)
    except ValueError:
        value = float("nan")
    if math.isfinite(value):
        return value
    return int.from_bytes(hashlib.sha256(field.encode()).digest()[:4], "big") / 2**32


# --------------------------------------------------------------------------- Bedrock


def model_answer(model_id: str, prompt: str, body: dict[str, Any]) -> Any:
    """A custom answer for the model (text, embedding or a whole body), or None for the default."""
    custom = _models.get(model_id)
    return custom(prompt, body) if custom is not None else None


def default_text(model_id: str, prompt: str) -> str:
    summary = " ".join(prompt.split())
    if len(summary) > 60:
        summary = summary[:60].rstrip() + "..."
    return f"Sandbox reply from {model_id}: {summary}"


def default_embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on the text."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values += [(b - 127.5) / 127.5 for b in digest]
        counter += 1
    values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]
