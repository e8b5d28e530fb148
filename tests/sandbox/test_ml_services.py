"""The ML services' runtime APIs in the sandbox, through boto3: Comprehend sentiment, SageMaker
InvokeEndpoint, Bedrock InvokeModel; their defaults, their hooks, throttling."""

from __future__ import annotations

import json
import math

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sandbox_support import deploy, error_code, error_message

from auroraml_cli.sandbox import layer, ml_answers, seed
from auroraml_cli.sandbox.sql import demo_data

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NO_RETRIES = Config(retries={"total_max_attempts": 1})
GUIDE_LABELS = ("POSITIVE", "NEGATIVE", "POSITIVE", "MIXED", "POSITIVE", "NEGATIVE", "NEUTRAL", "NEGATIVE", "NEGATIVE",
                "NEGATIVE")


@pytest.fixture
def answers():
    ml_answers.reset()
    yield ml_answers
    ml_answers.reset()


@pytest.fixture
def seeded(client, answers):
    """The seed's SageMaker endpoints: churn-predictor in two regions, rcf-taxi in us-east-1."""
    for name, (_, regions) in seed.ENDPOINTS.items():
        for region in regions:
            deploy(client, name, region)
    return client


def invoke(runtime, model_id, body):
    answer = runtime.invoke_model(modelId=model_id, body=json.dumps(body))
    return answer["contentType"], json.loads(answer["body"].read())


# --------------------------------------------------------------------------- Comprehend


def test_word_list_sentiment_of_the_guides_feedback(client, answers):
    comprehend = client("comprehend")
    found = [comprehend.detect_sentiment(Text=text, LanguageCode="en") for text in demo_data.FEEDBACK]
    assert tuple(f["Sentiment"] for f in found) == GUIDE_LABELS
    for answer in found:
        scores = answer["SentimentScore"]
        assert set(scores) == {"Positive", "Negative", "Neutral", "Mixed"}
        assert math.isclose(sum(scores.values()), 1.0)
        assert max(scores, key=scores.get) == answer["Sentiment"].capitalize()
    assert found[0]["SentimentScore"]["Positive"] == pytest.approx(0.955)  # two positive words
    assert found[9]["SentimentScore"]["Negative"] == pytest.approx(0.726139, abs=1e-6)  # one weak phrase
    assert comprehend.detect_sentiment(Text="This is not good", LanguageCode="en")["Sentiment"] == "NEGATIVE"


def test_batch_detect_sentiment_takes_up_to_25_texts(client, answers):
    comprehend = client("comprehend")
    found = comprehend.batch_detect_sentiment(TextList=list(demo_data.FEEDBACK) * 2 + ["great"] * 5,
                                              LanguageCode="en")
    assert [r["Index"] for r in found["ResultList"]] == list(range(25)) and found["ErrorList"] == []
    assert tuple(r["Sentiment"] for r in found["ResultList"][:10]) == GUIDE_LABELS
    with pytest.raises(ClientError) as too_many:
        comprehend.batch_detect_sentiment(TextList=["great"] * 26, LanguageCode="en")
    assert error_code(too_many) == "BatchSizeLimitExceededException"
    assert "exceeds the limit of 25" in error_message(too_many)
    long = comprehend.batch_detect_sentiment(TextList=["fine", "x" * 5001], LanguageCode="en")
    assert [r["Index"] for r in long["ResultList"]] == [0]
    assert [(e["Index"], e["ErrorCode"]) for e in long["ErrorList"]] == [(1, "TextSizeLimitExceededException")]
    with pytest.raises(ClientError) as language:
        comprehend.batch_detect_sentiment(TextList=["fine"], LanguageCode="xx")
    assert error_code(language) == "ValidationException"
    assert [(c["operation"], c["size"], c["outcome"]) for c in answers.received("comprehend")] == [
        ("BatchDetectSentiment", 25, "ok"), ("BatchDetectSentiment", 26, "BatchSizeLimitExceededException"),
        ("BatchDetectSentiment", 2, "ok"), ("BatchDetectSentiment", 1, "ValidationException")]


def test_sentiment_answers_are_configurable(client, answers):
    comprehend = client("comprehend")
    answers.set_sentiment(lambda text, language: "MIXED" if language == "de" else "POSITIVE")
    assert comprehend.detect_sentiment(Text="Schlecht", LanguageCode="de")["Sentiment"] == "MIXED"
    found = comprehend.batch_detect_sentiment(TextList=["awful"], LanguageCode="en")["ResultList"][0]
    assert found["Sentiment"] == "POSITIVE" and math.isclose(sum(found["SentimentScore"].values()), 1.0)
    scores = {"Positive": 0.1, "Negative": 0.7, "Neutral": 0.1, "Mixed": 0.1}
    answers.configure({"sentiment": {"special": {"Sentiment": "NEGATIVE", "SentimentScore": scores}}})
    assert comprehend.detect_sentiment(Text="special", LanguageCode="en")["SentimentScore"] == scores
    with pytest.raises(ValueError):
        answers.configure({"sentiment": {"x": "ANGRY"}})
    answers.set_sentiment(None)
    assert comprehend.detect_sentiment(Text="awful", LanguageCode="en")["Sentiment"] == "NEGATIVE"


# --------------------------------------------------------------------------- SageMaker


def test_invoke_endpoint_answers_one_line_per_csv_row(seeded):
    runtime = seeded("sagemaker-runtime")
    answer = runtime.invoke_endpoint(EndpointName="churn-predictor", ContentType="text/csv", Body=b"12,80\n0,0\n")
    assert answer["ContentType"] == "text/csv"
    expected = [round(1 / (1 + math.exp(-92 / 100)), 6), 0.5]
    assert [float(line) for line in answer["Body"].read().decode().splitlines()] == expected
    rcf = runtime.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body="15000\n39197\n1200")
    assert rcf["Body"].read() == b"0\n24.197\n13.8\n"  # distance from 15,000 rides, in thousands
    west = seeded("sagemaker-runtime", "us-west-2")
    assert west.invoke_endpoint(EndpointName="churn-predictor", ContentType="text/csv", Body=b"0")["Body"].read() == \
        b"0.5\n"


def test_invoke_endpoint_needs_an_endpoint_in_service_in_that_region(seeded):
    west = seeded("sagemaker-runtime", "us-west-2")
    with pytest.raises(ClientError) as missing:
        west.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1")  # only in us-east-1
    assert error_code(missing) == "ValidationError"
    assert error_message(missing) == "Endpoint rcf-taxi of account 123456789012 not found."
    east = seeded("sagemaker-runtime")
    seeded("sagemaker").delete_endpoint(EndpointName="rcf-taxi")
    with pytest.raises(ClientError) as deleted:
        east.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1")
    assert error_code(deleted) == "ValidationError"
    with pytest.raises(ClientError) as json_body:
        east.invoke_endpoint(EndpointName="churn-predictor", ContentType="application/json", Body=b"{}")
    assert error_code(json_body) == "ModelError"


def test_endpoint_answers_are_configurable(seeded, answers):
    runtime = seeded("sagemaker-runtime")
    answers.set_endpoint("churn-predictor", lambda fields: f"{fields[1]}-{fields[0]}")
    body = runtime.invoke_endpoint(EndpointName="churn-predictor", ContentType="text/csv", Body=b'a,"b,c"\n')["Body"]
    assert body.read() == b"b,c-a\n"
    answers.set_endpoint("rcf-taxi", [1.5, 2])
    body = runtime.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1\n2\n3\n")["Body"]
    assert body.read() == b"1.5\n2\n1.5\n"
    answers.configure({"endpoints": {"rcf-taxi": 7}})
    assert runtime.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1")["Body"].read() == b"7\n"
    answers.configure({"endpoints": {}})
    assert runtime.invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1")["Body"].read() == \
        b"14.999\n"


# --------------------------------------------------------------------------- Bedrock


def test_invoke_model_answers_in_each_familys_shape(client, answers):
    runtime = client("bedrock-runtime")
    messages = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Summarise the tickets"}]}]}
    content_type, answer = invoke(runtime, HAIKU, messages)
    assert content_type == "application/json"
    assert answer["content"] == [{"type": "text", "text": f"Sandbox reply from {HAIKU}: Summarise the tickets"}]
    assert answer["role"] == "assistant" and answer["stop_reason"] == "end_turn"
    _, titan = invoke(runtime, "amazon.titan-text-express-v1", {"inputText": "hello there"})
    assert titan["results"][0]["outputText"] == "Sandbox reply from amazon.titan-text-express-v1: hello there"
    _, embedding = invoke(runtime, "amazon.titan-embed-text-v2:0", {"inputText": "hello", "dimensions": 256})
    assert len(embedding["embedding"]) == 256
    assert math.isclose(sum(v * v for v in embedding["embedding"]), 1.0, abs_tol=1e-4)
    assert invoke(runtime, "amazon.titan-embed-text-v2:0", {"inputText": "hello", "dimensions": 256})[1] == embedding
    _, cohere = invoke(runtime, "cohere.embed-english-v3", {"texts": ["a", "b"], "input_type": "search_document"})
    assert [len(v) for v in cohere["embeddings"]] == [1024, 1024] and cohere["embeddings"][0] != cohere["embeddings"][1]
    _, routed = invoke(runtime, f"us.{HAIKU}", messages)  # a cross-region inference profile
    assert routed["content"][0]["text"].endswith("Summarise the tickets")


def test_invoke_model_refuses_what_bedrock_refuses(client, answers):
    with pytest.raises(ClientError) as unknown:
        invoke(client("bedrock-runtime"), "no.such-model", {"inputText": "x"})
    assert (error_code(unknown), error_message(unknown)) == (
        "ValidationException", "The provided model identifier is invalid.")
    with pytest.raises(ClientError) as not_here:  # eu-west-1 offers Haiku and Titan embeddings only
        invoke(client("bedrock-runtime", "eu-west-1"), "amazon.titan-text-express-v1", {"inputText": "x"})
    assert error_code(not_here) == "ValidationException"
    with pytest.raises(ClientError) as malformed:
        invoke(client("bedrock-runtime"), HAIKU, {"inputText": "titan's shape, not Anthropic's"})
    assert error_message(malformed) == ("Malformed input request: #: required key [anthropic_version] not found, "
                                        "please reformat your input and try again.")


def test_model_answers_are_configurable(client, answers):
    runtime = client("bedrock-runtime")
    answers.set_model("amazon.titan-text-express-v1", lambda prompt, body: prompt.upper())
    assert invoke(runtime, "amazon.titan-text-express-v1", {"inputText": "shout"})[1]["results"][0]["outputText"] == \
        "SHOUT"
    answers.configure({"models": {HAIKU: "fixed", "amazon.titan-embed-text-v2:0": [0.6, 0.8]}})
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "q"}]}
    assert invoke(runtime, HAIKU, body)[1]["content"][0]["text"] == "fixed"
    assert invoke(runtime, f"us.{HAIKU}", body)[1]["content"][0]["text"] == "fixed"  # by the model it routes to
    assert invoke(runtime, "amazon.titan-embed-text-v2:0", {"inputText": "q"})[1]["embedding"] == [0.6, 0.8]
    answers.set_model(HAIKU, {"whole": "body"})
    assert invoke(runtime, HAIKU, body)[1] == {"whole": "body"}


# --------------------------------------------------------------------------- throttling


def test_the_throttle_knob_refuses_the_next_calls(seeded, knobs):
    layer.configure(ml_throttle=2)

    def no_retries(service):
        return boto3.client(service, region_name="us-east-1", config=NO_RETRIES)

    with pytest.raises(ClientError) as first:
        no_retries("comprehend").detect_sentiment(Text="great", LanguageCode="en")
    assert error_code(first) == "ThrottlingException"
    with pytest.raises(ClientError) as second:
        no_retries("bedrock-runtime").invoke_model(modelId=HAIKU, body=b"{}")
    assert error_code(second) == "ThrottlingException"
    assert layer.current_settings()["ml_throttle"] == 0
    answer = no_retries("sagemaker-runtime").invoke_endpoint(EndpointName="rcf-taxi", ContentType="text/csv", Body=b"1")
    assert answer["Body"].read() == b"14.999\n"
    with pytest.raises(ValueError):
        layer.configure(ml_throttle=-1)
