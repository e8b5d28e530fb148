"""Validation of user-typed names: cluster ids and ARNs, IAM names, buckets, endpoints, groups."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auroraml_cli.core import names
from auroraml_cli.core.errors import UsageError
from auroraml_cli.core.names import (
    POLICY_NAME_MAX,
    ROLE_NAME_MAX,
    Arn,
    bucket,
    cluster_id,
    cluster_ref,
    derived_name,
    endpoint_name,
    iam_name,
    kms_key,
    parameter_group_name,
    s3_prefix,
)


def refused(fn, *args):
    with pytest.raises(UsageError) as info:
        fn(*args)
    assert info.value.exit_code == 2
    return info.value


# cluster ids --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["a", "orders-prod", "A1", "db-1-b", "a" * 63, "Orders-Prod-2"])
def test_cluster_id_accepts(text):
    assert cluster_id(text) == text
    assert cluster_ref(text) == (text, None)


@pytest.mark.parametrize("text", ["", "1abc", "-abc", "abc-", "a--b", "a_b", "a.b", "a b", "a" * 64, "ab/c", "é"])
def test_cluster_id_refuses(text):
    err = refused(cluster_id, text)
    assert repr(text) in err.message


@pytest.mark.parametrize("fn", [cluster_id, endpoint_name, bucket, parameter_group_name])
def test_trailing_newline_is_refused(fn):
    """`$` in a Python regex also matches before a final newline: 'abc\\n' must still be refused."""
    refused(fn, "abc\n")


def test_iam_name_trailing_newline_is_refused():
    refused(iam_name, "abc\n", "role", ROLE_NAME_MAX)


def _spec_cluster_id(text: str) -> bool:
    return (
        1 <= len(text) <= 63
        and text[0].isascii() and text[0].isalpha()
        and all(c.isascii() and (c.isalnum() or c == "-") for c in text)
        and not text.endswith("-")
        and "--" not in text
    )


@given(st.text(alphabet="aZ09-_.é ", max_size=70))
def test_cluster_id_accepts_exactly_the_rds_language(text):
    if _spec_cluster_id(text):
        assert cluster_id(text) == text
    else:
        with pytest.raises(UsageError):
            cluster_id(text)


@given(st.from_regex(re.compile(r"[A-Za-z]([A-Za-z0-9]|-(?=[A-Za-z0-9])){0,62}"), fullmatch=True))
def test_cluster_id_accepts_generated_valid_ids(text):
    assert _spec_cluster_id(text)
    assert cluster_id(text) == text


# cluster ARNs --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "arn, expected",
    [
        ("arn:aws:rds:us-east-1:123456789012:cluster:orders-prod", ("orders-prod", "us-east-1")),
        ("arn:aws-cn:rds:cn-north-1:123456789012:cluster:c1", ("c1", "cn-north-1")),
        ("arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster:gov-db", ("gov-db", "us-gov-west-1")),
    ],
)
def test_cluster_ref_from_arn(arn, expected):
    assert cluster_ref(arn) == expected


def test_arn_parse_and_str_round_trip():
    text = "arn:aws-cn:rds:cn-north-1:123456789012:cluster:c1"
    arn = Arn.parse(text)
    assert (arn.partition, arn.service, arn.region, arn.account, arn.resource) == (
        "aws-cn", "rds", "cn-north-1", "123456789012", "cluster:c1")
    assert str(arn) == text


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:rds:us-east-1:12345:cluster:x",  # account not 12 digits
        "arn:aws:rds:us-east-1:1234567890123:cluster:x",
        "arn:nope:rds:us-east-1:123456789012:cluster:x",  # unknown partition
        "arn:AWS:rds:us-east-1:123456789012:cluster:x",
        "arn:aws:rds:us-east-1:123456789012",  # no resource
        "arn:aws:rds",
        "arn:",
    ],
)
def test_bad_arns_refused(text):
    err = refused(cluster_ref, text)
    assert "ARN" in err.message
    refused(Arn.parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:rds:us-east-1:123456789012:db:orders-prod-1",  # an instance
        "arn:aws:rds:us-east-1:123456789012:cluster-pg:my-params",
        "arn:aws:rds::123456789012:global-cluster:g1",
        "arn:aws:s3:::my-bucket",
        "arn:aws:iam::123456789012:role/x",
        "arn:aws:rds:us-east-1:123456789012:cluster:",  # empty id
        "arn:aws:rds:us-east-1:123456789012:cluster:1bad",  # invalid id inside a cluster ARN
        "arn:aws:rds:us-east-1:123456789012:cluster:a--b",
    ],
)
def test_non_cluster_arns_refused(text):
    refused(cluster_ref, text)


# IAM names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [ROLE_NAME_MAX, POLICY_NAME_MAX])
def test_iam_name_length_limits(limit):
    assert iam_name("a" * limit, "role", limit) == "a" * limit
    err = refused(iam_name, "a" * (limit + 1), "role", limit)
    assert f"1-{limit}" in err.hint


def test_iam_name_limits_are_iams():
    assert ROLE_NAME_MAX == 64
    assert POLICY_NAME_MAX == 128


@pytest.mark.parametrize("text", ["auroraml-bedrock-orders", "A+b=c,d.e@f_g-h", "x"])
def test_iam_name_accepts_legal_characters(text):
    assert iam_name(text, "policy", POLICY_NAME_MAX) == text


@pytest.mark.parametrize("text", ["", "has space", "a/b", "a*b", "é", "a:b", "a;b", "a\tb"])
def test_iam_name_refuses_bad_characters(text):
    err = refused(iam_name, text, "role", ROLE_NAME_MAX)
    assert "role" in err.message


# derived names --------------------------------------------------------------------------------

def test_derived_name_short_is_plain():
    assert derived_name("auroraml-bedrock", "orders-prod", ROLE_NAME_MAX) == "auroraml-bedrock-orders-prod"


def test_derived_name_long_is_shortened_stably():
    cluster = "c" + "x" * 62
    a = derived_name("auroraml-sagemaker", cluster, ROLE_NAME_MAX)
    assert len(a) == ROLE_NAME_MAX
    assert a == derived_name("auroraml-sagemaker", cluster, ROLE_NAME_MAX)
    assert a.startswith("auroraml-sagemaker-c")
    assert re.fullmatch(r".*-[0-9a-f]{8}", a)
    assert iam_name(a, "role", ROLE_NAME_MAX) == a


_IAM_CHARS = st.text(alphabet=st.sampled_from(list("abcXYZ0189+=,.@_-")), min_size=1, max_size=150)


@given(prefix=_IAM_CHARS, suffix=_IAM_CHARS, limit=st.sampled_from([ROLE_NAME_MAX, POLICY_NAME_MAX]))
def test_derived_name_within_limit_and_legal(prefix, suffix, limit):
    name = derived_name(prefix, suffix, limit)
    assert 1 <= len(name) <= limit
    assert iam_name(name, "role", limit) == name
    assert name == derived_name(prefix, suffix, limit)
    if len(prefix) + 1 + len(suffix) <= limit:
        assert name == f"{prefix}-{suffix}"


_CLUSTER_IDS = st.from_regex(re.compile(r"[a-z]([a-z0-9]|-(?=[a-z0-9])){0,62}"), fullmatch=True)


@given(a=_CLUSTER_IDS, b=_CLUSTER_IDS,
       service=st.sampled_from(["bedrock", "comprehend", "sagemaker", "s3"]),
       limit=st.sampled_from([ROLE_NAME_MAX, POLICY_NAME_MAX]))
def test_derived_name_distinct_for_distinct_clusters(a, b, service, limit):
    """setup derives one role name per (service, cluster): two clusters must never share it."""
    if a != b:
        assert derived_name(f"auroraml-{service}", a, limit) != derived_name(f"auroraml-{service}", b, limit)


def test_derived_name_distinct_for_long_names_sharing_a_prefix():
    base = "auroraml-comprehend"
    a = derived_name(base, "c" + "x" * 60 + "1", ROLE_NAME_MAX)
    b = derived_name(base, "c" + "x" * 60 + "2", ROLE_NAME_MAX)
    assert a != b
    assert len(a) == len(b) == ROLE_NAME_MAX
    assert a[:-8] == b[:-8]  # same readable head, told apart by the hash


@given(a=_IAM_CHARS, b=_IAM_CHARS, c=_IAM_CHARS, d=_IAM_CHARS)
def test_derived_name_distinct_when_joined_names_differ(a, b, c, d):
    if f"{a}-{b}" != f"{c}-{d}":
        assert derived_name(a, b, ROLE_NAME_MAX) != derived_name(c, d, ROLE_NAME_MAX)


# buckets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["abc", "my-bucket", "my.bucket.2024", "a" * 63, "0bucket9"])
def test_bucket_accepts(text):
    assert bucket(text) == text


@pytest.mark.parametrize(
    "text",
    ["ab", "a" * 64, "My-Bucket", "MYBUCKET", "my_bucket", "-bucket", "bucket-", ".bucket", "bucket.",
     "my..bucket", "192.168.5.4", "10.0.0.1", "xn--bucket", "sthree-bucket", "bucket-s3alias",
     "bucket--ol-s3", "", "my bucket", "s3://my-bucket"],
)
def test_bucket_refuses(text):
    err = refused(bucket, text)
    assert repr(text) in err.message


# SageMaker endpoints -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["churn-predictor", "Churn-Predictor", "1model", "a", "a" * 63, "a--b"])
def test_endpoint_name_accepts(text):
    assert endpoint_name(text) == text


@pytest.mark.parametrize("text", ["", "-abc", "abc-", "a_b", "a.b", "a b", "a" * 64])
def test_endpoint_name_refuses(text):
    refused(endpoint_name, text)


def test_endpoint_name_refuses_64_characters_with_hyphens():
    """SageMaker caps endpoint names at 63 characters, hyphens included."""
    text = "a-" * 31 + "ab"
    assert len(text) == 64
    refused(endpoint_name, text)


# S3 prefixes --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [(None, ""), ("", ""), ("/", ""), ("exports/daily", "exports/daily"), ("/exports/daily/", "exports/daily"),
     ("a", "a"), ("ml", "ml"), ("ml/", "ml"), ("/ml/", "ml")],
)
def test_s3_prefix_normalised(text, expected):
    assert s3_prefix(text) == expected


@pytest.mark.parametrize("text", ["exports/*", "file?", "a" * 901, "a//b", "../ml", "ml/../other", "ml/./x",
                                  "ml\nx", "ml\x7f"])
def test_s3_prefix_refused(text):
    refused(s3_prefix, text)


@pytest.mark.parametrize("text", ["ml*", "ml/?x", "*"])
def test_s3_prefix_wildcards_only_when_asked_for(text):
    assert "--allow-wildcards" in refused(s3_prefix, text).hint
    assert s3_prefix(text, allow_wildcards=True) == text.strip("/")


@pytest.mark.parametrize("text", ["ml-*", "logs-??", "*-exports"])
def test_bucket_wildcards_only_when_asked_for(text):
    assert "--allow-wildcards" in refused(bucket, text).hint
    assert bucket(text, allow_wildcards=True) == text


@pytest.mark.parametrize("text", ["*", "My-*", "a*_b", "*..x"])
def test_bucket_with_wildcards_still_follows_s3_rules(text):
    with pytest.raises(UsageError):
        bucket(text, allow_wildcards=True)


# KMS keys -----------------------------------------------------------------------------------------

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("text", [
    KEY_ID, "mrk-1234abcd12ab34cd56ef1234567890ab", "alias/ml-exports", "alias/aws/s3",
    f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}", "arn:aws:kms:eu-west-1:123456789012:alias/ml-exports",
])
def test_kms_key_accepts(text):
    assert kms_key(text) == text


@pytest.mark.parametrize("text", [
    "*", "alias/*", "alias/ml?", "arn:aws:kms:us-east-1:123456789012:key/*", "arn:aws:kms:*:123456789012:key/" + KEY_ID,
    "arn:aws:s3:::my-bucket", f"arn:aws:iam::123456789012:role/{KEY_ID}", f"arn:aws:kms::123456789012:key/{KEY_ID}",
    "arn:aws:kms:us-east-1:123456789012:key/not-a-key", "my-key", "", "alias/", "ALIAS/x",
])
def test_kms_key_refuses(text):
    refused(kms_key, text)


def test_s3_prefix_900_chars_is_fine():
    assert s3_prefix("a" * 900) == "a" * 900


# parameter groups --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["auroraml-orders", "a", "A" * 255, "my-params-2"])
def test_parameter_group_name_accepts(text):
    assert parameter_group_name(text) == text


@pytest.mark.parametrize(
    "text",
    ["default.aurora-mysql8.0", "default.aurora-mysql5.7", "DEFAULT.aurora-mysql8.4", "", "1abc",
     "abc-", "a--b", "a_b", "a" * 256],
)
def test_parameter_group_name_refuses(text):
    err = refused(parameter_group_name, text)
    assert "default.*" in err.hint


# Bedrock model ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-text-express-v1",
                                  "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
                                  "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"])
def test_model_id_accepts(text):
    assert names.model_id(text) == text


@pytest.mark.parametrize("text", ["", "x", "has space", "arn:bogus", "model/with/slash"])
def test_model_id_refuses(text):
    refused(names.model_id, text)
