"""IAM documents: the RDS trust policy and least-privilege permission policies (docs/reference/aurora-ml.md §1, §4)."""

from __future__ import annotations

import copy
import fnmatch
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from auroraml_cli.core.catalogue import get_service
from auroraml_cli.core.policies import permission_policy, same_document, trust_policy

ACCOUNT = "123456789012"


def as_list(value):
    return value if isinstance(value, list) else [value]


def policy(service, **kw):
    kw.setdefault("partition", "aws")
    kw.setdefault("account", ACCOUNT)
    kw.setdefault("region", "us-east-1")
    doc = permission_policy(get_service(service), **kw)
    json.dumps(doc)  # must be serialisable as-is
    assert doc["Version"] == "2012-10-17"
    for st in doc["Statement"]:
        assert st["Effect"] == "Allow"
    return doc


def by_sid(doc):
    return {s["Sid"]: s for s in doc["Statement"]}


# trust ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("partition, region", [("aws", "eu-west-1"), ("aws-cn", "cn-north-1"),
                                               ("aws-us-gov", "us-gov-west-1")])
def test_trust_policy(partition, region):
    doc = trust_policy(partition, ACCOUNT, region)
    assert doc["Version"] == "2012-10-17"
    [st] = doc["Statement"]
    assert st["Effect"] == "Allow"
    assert st["Principal"] == {"Service": "rds.amazonaws.com"}
    assert as_list(st["Action"]) == ["sts:AssumeRole"]
    assert st["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert st["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:{partition}:rds:{region}:{ACCOUNT}:*"}
    assert set(st["Condition"]) == {"StringEquals", "ArnLike"}


# comprehend -----------------------------------------------------------------------------------

def test_comprehend_policy_is_exactly_sentiment_on_star():
    doc = policy("comprehend")
    [st] = doc["Statement"]
    assert sorted(as_list(st["Action"])) == ["comprehend:BatchDetectSentiment", "comprehend:DetectSentiment"]
    assert as_list(st["Resource"]) == ["*"]
    assert "Condition" not in st


# sagemaker ------------------------------------------------------------------------------------

def test_sagemaker_policy_scopes_to_lower_cased_endpoint_arns():
    doc = policy("sagemaker", region="eu-west-1", endpoints=["Churn-Predictor", "fraud"])
    [st] = doc["Statement"]
    assert as_list(st["Action"]) == ["sagemaker:InvokeEndpoint"]
    assert sorted(as_list(st["Resource"])) == [
        f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/churn-predictor",
        f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/fraud",
    ]


def test_sagemaker_policy_uses_the_partition():
    doc = policy("sagemaker", partition="aws-cn", region="cn-north-1", endpoints=["e1"])
    assert as_list(doc["Statement"][0]["Resource"]) == [f"arn:aws-cn:sagemaker:cn-north-1:{ACCOUNT}:endpoint/e1"]


# bedrock --------------------------------------------------------------------------------------

def test_bedrock_policy_lists_exactly_the_models_given():
    arns = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"]
    doc = policy("bedrock", model_arns=arns)
    [st] = doc["Statement"]
    assert as_list(st["Action"]) == ["bedrock:InvokeModel"]
    assert sorted(as_list(st["Resource"])) == sorted(arns)


def test_bedrock_policy_single_model():
    arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
    doc = policy("bedrock", model_arns=[arn])
    assert as_list(doc["Statement"][0]["Resource"]) == [arn]
    assert "*" not in json.dumps(doc)


# s3 -------------------------------------------------------------------------------------------

OBJECT_ACTIONS = {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
                  "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}


def test_s3_policy_bucket_only():
    doc = policy("s3", bucket="my-bucket")
    sts = doc["Statement"]
    assert len(sts) == 2
    listing = next(s for s in sts if as_list(s["Action"]) == ["s3:ListBucket"])
    assert as_list(listing["Resource"]) == ["arn:aws:s3:::my-bucket"]
    assert "Condition" not in listing
    objects = next(s for s in sts if s is not listing)
    assert set(as_list(objects["Action"])) == OBJECT_ACTIONS
    assert as_list(objects["Resource"]) == ["arn:aws:s3:::my-bucket/*"]
    assert "kms" not in json.dumps(doc)


def test_s3_policy_with_prefix_is_a_folder():
    doc = policy("s3", bucket="my-bucket", prefix="exports/daily")
    listing = next(s for s in doc["Statement"] if as_list(s["Action"]) == ["s3:ListBucket"])
    assert as_list(listing["Resource"]) == ["arn:aws:s3:::my-bucket"]
    assert set(as_list(listing["Condition"]["StringLike"]["s3:prefix"])) == {"exports/daily/", "exports/daily/*"}
    objects = next(s for s in doc["Statement"] if s is not listing)
    assert as_list(objects["Resource"]) == ["arn:aws:s3:::my-bucket/exports/daily/*"]


@pytest.mark.parametrize("key, allowed", [
    ("ml/part_00000", True), ("ml/daily/x", True),
    ("ml-backups/dump.sql", False), ("mlflow/model.pkl", False), ("ml", False), ("mlx", False),
])
def test_s3_prefix_does_not_reach_sibling_folders(key, allowed):
    """`--prefix ml` once wrote BUCKET/ml* and s3:prefix ml*, which also matched ml-backups/ and mlflow/."""
    from auroraml_cli.core.checks import iam_eval

    doc = policy("s3", bucket="my-bucket", prefix="ml")
    decision, _ = iam_eval.decide([doc], "s3:PutObject", f"arn:aws:s3:::my-bucket/{key}")
    assert (decision == "allowed") is allowed
    listing = next(s for s in doc["Statement"] if as_list(s["Action"]) == ["s3:ListBucket"])
    patterns = as_list(listing["Condition"]["StringLike"]["s3:prefix"])
    listed = any(fnmatch.fnmatchcase(key, p) for p in patterns)
    assert listed is allowed


def test_s3_policy_kms_only_with_a_key():
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    doc = policy("s3", bucket="my-bucket", kms_key=key)
    assert len(doc["Statement"]) == 3
    kms = [s for s in doc["Statement"] if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert len(kms) == 1
    assert set(as_list(kms[0]["Action"])) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert as_list(kms[0]["Resource"]) == [key]
    for name in (None, ""):
        assert "kms:" not in json.dumps(policy("s3", bucket="my-bucket", kms_key=name))


def test_s3_policy_partition():
    doc = policy("s3", partition="aws-us-gov", region="us-gov-west-1", bucket="b-1")
    resources = [r for s in doc["Statement"] for r in as_list(s["Resource"])]
    assert sorted(resources) == ["arn:aws-us-gov:s3:::b-1", "arn:aws-us-gov:s3:::b-1/*"]


@pytest.mark.parametrize("service, kw", [
    ("bedrock", {"model_arns": ["arn:aws:bedrock:us-east-1::foundation-model/m"]}),
    ("comprehend", {}),
    ("sagemaker", {"endpoints": ["e"]}),
    ("s3", {"bucket": "b-1", "prefix": "p", "kms_key": "arn:aws:kms:us-east-1:123456789012:key/k"}),
])
def test_policies_grant_only_catalogue_actions(service, kw):
    svc = get_service(service)
    allowed = set(svc.iam_actions) | {a for acts in svc.extra_iam_actions.values() for a in acts}
    actions = {a for s in policy(service, **kw)["Statement"] for a in as_list(s["Action"])}
    assert actions <= allowed
    assert set(svc.iam_actions) <= actions  # and everything the service needs


def test_policies_are_deterministic():
    kw = {"endpoints": ["b", "A", "c"]}
    assert policy("sagemaker", **kw) == policy("sagemaker", endpoints=["c", "b", "A"])


# same_document --------------------------------------------------------------------------------

def test_same_document_identical():
    doc = policy("s3", bucket="b-1", prefix="p", kms_key="arn:aws:kms:us-east-1:123456789012:key/k")
    assert same_document(doc, copy.deepcopy(doc))


def test_same_document_ignores_list_order():
    doc = policy("s3", bucket="b-1", prefix="p", kms_key="arn:aws:kms:us-east-1:123456789012:key/k")
    other = copy.deepcopy(doc)
    other["Statement"].reverse()
    for st in other["Statement"]:
        if isinstance(st["Action"], list):
            st["Action"].reverse()
    other["Statement"][-1]["Condition"]["StringLike"]["s3:prefix"].reverse()
    assert same_document(doc, other)


def test_same_document_one_element_list_equals_scalar():
    a = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    b = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}}
    assert same_document(a, b)


def test_same_document_ignores_key_order():
    """IAM hands documents back parsed from JSON; key order carries no meaning there."""
    ours = policy("s3", bucket="b-1", prefix="p", kms_key="arn:aws:kms:us-east-1:123456789012:key/k")
    theirs = json.loads(json.dumps(ours, sort_keys=True))  # same content, keys alphabetical
    assert theirs == ours
    assert same_document(ours, theirs)
    reordered = json.loads(json.dumps(ours))
    reordered["Statement"] = [dict(reversed(list(s.items()))) for s in reordered["Statement"]]
    assert same_document(ours, reordered)


@pytest.mark.parametrize("mutate", [
    lambda d: d["Statement"][0].__setitem__("Resource", "arn:aws:s3:::other"),
    lambda d: d["Statement"][1]["Action"].append("s3:PutBucketPolicy"),
    lambda d: d["Statement"][1]["Action"].remove("s3:DeleteObject"),
    lambda d: d["Statement"][0].__setitem__("Effect", "Deny"),
    lambda d: d["Statement"][0]["Condition"]["StringLike"].__setitem__("s3:prefix", ["q", "q*"]),
    lambda d: d["Statement"].pop(),
    lambda d: d["Statement"].append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    lambda d: d.__setitem__("Version", "2008-10-17"),
])
def test_same_document_sees_real_differences(mutate):
    doc = policy("s3", bucket="b-1", prefix="p")
    doc["Statement"][1]["Action"] = as_list(doc["Statement"][1]["Action"])
    other = copy.deepcopy(doc)
    mutate(other)
    assert not same_document(doc, other)
    assert not same_document(other, doc)


def test_same_document_trust_policy_other_account():
    assert not same_document(trust_policy("aws", ACCOUNT, "us-east-1"), trust_policy("aws", "210987654321", "us-east-1"))
    assert not same_document(trust_policy("aws", ACCOUNT, "us-east-1"), trust_policy("aws", ACCOUNT, "us-west-2"))
    assert same_document(trust_policy("aws", ACCOUNT, "us-east-1"), trust_policy("aws", ACCOUNT, "us-east-1"))


@settings(max_examples=150, deadline=None)
@given(typed=hs.text(alphabet="ab-_./*? ", max_size=12))
def test_whatever_prefix_is_typed_no_sibling_folder_is_granted(typed):
    """Any prefix that is accepted grants its own folder only: never `PREFIX-x/...` beside it."""
    from auroraml_cli.core.checks import iam_eval
    from auroraml_cli.core.errors import UsageError
    from auroraml_cli.core.names import s3_prefix

    try:
        prefix = s3_prefix(typed)
    except UsageError:
        return
    doc = policy("s3", bucket="b-1", prefix=prefix)
    [objects] = [s for s in doc["Statement"] if s["Sid"] == "AuroraMLObjects"]
    assert objects["Resource"] == (f"arn:aws:s3:::b-1/{prefix}/*" if prefix else "arn:aws:s3:::b-1/*")
    if prefix:
        for sibling in (f"{prefix}-backups/x", f"{prefix}x/y", prefix):
            assert iam_eval.decide([doc], "s3:PutObject", f"arn:aws:s3:::b-1/{sibling}")[0] != "allowed"
