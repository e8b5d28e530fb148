"""Lambda's Invoke on the sandbox without Docker: the seeded function answers the stand-in (its
code is not run), an unknown one is Lambda's ResourceNotFoundException, Event answers 202."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from auroraml_cli.sandbox import seed


def test_invoke_answers_the_stand_in_for_a_function_that_exists(client):
    seed.seed(client)
    lam = client("lambda")
    answer = lam.invoke(FunctionName=seed.LAMBDA_FUNCTION, Payload=b'{"k": 1}')
    assert answer["StatusCode"] == 200
    assert json.loads(answer["Payload"].read()) == {"statusCode": 200, "function": "ml-demo-notify", "event": {"k": 1}}
    queued = lam.invoke(FunctionName=seed.LAMBDA_FUNCTION, Payload=b'{"k": 1}', InvocationType="Event")
    assert queued["StatusCode"] == 202 and queued["Payload"].read() == b""
    with pytest.raises(ClientError) as missing:
        lam.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:gone", Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as west:  # the function lives in us-east-1 only
        client("lambda", "us-west-2").invoke(FunctionName=seed.LAMBDA_FUNCTION, Payload=b"{}")
    assert west.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_function_names_are_read_as_lambda_reads_them():
    from auroraml_cli.sandbox.lambda_invoke import LambdaError, function_arn

    here = ("111111111111", "us-east-1")
    assert function_arn("notify", *here) == ("arn:aws:lambda:us-east-1:111111111111:function:notify", *here, None)
    assert function_arn("arn:aws:lambda:eu-west-1:123456789012:function:n:prod", *here) == (
        "arn:aws:lambda:eu-west-1:123456789012:function:n", "123456789012", "eu-west-1", "prod")
    assert function_arn("123456789012:function:n:$LATEST", *here)[1:] == ("123456789012", "us-east-1", "$LATEST")
    for bad in ("two words", "n:a:b", "arn:aws:s3:::bucket"):
        with pytest.raises(LambdaError) as refused:
            function_arn(bad, *here)
        assert refused.value.error_type == "ValidationException", bad
