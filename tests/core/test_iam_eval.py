"""The IAM evaluator's condition logic, which the operator-policy proofs and the sandbox rely on."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auroraml_cli.core.checks import iam_eval

R = "arn:aws:iam::123456789012:role/auroraml-x"


def decide(condition, context, effect="Allow", action="iam:CreateRole", resource=R):
    statement = {"Effect": effect, "Action": "iam:CreateRole", "Resource": "arn:aws:iam::*:role/auroraml-*",
                 "Condition": condition}
    return iam_eval.decide([{"Statement": [statement]}], action, resource, context)[0]


B = "arn:aws:iam::123456789012:policy/AuroraMLBoundary"


@pytest.mark.parametrize("condition, context, expected", [
    ({"StringEquals": {"iam:PermissionsBoundary": B}}, {"iam:PermissionsBoundary": B}, "allowed"),
    ({"StringEquals": {"iam:PermissionsBoundary": B}}, {"iam:permissionsboundary": B}, "allowed"),  # keys ignore case
    ({"StringEquals": {"iam:PermissionsBoundary": B}}, {"iam:PermissionsBoundary": B.lower()}, "implicitDeny"),
    ({"StringEquals": {"iam:PermissionsBoundary": B}}, {}, "implicitDeny"),  # a missing key: positive is false
    ({"StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, "allowed"),
    ({"StringNotEquals": {"k": "a"}}, {}, "allowed"),  # ...and a negated one is true
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}, "implicitDeny"),
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}, "allowed"),
    ({"StringLike": {"k": "rds!*"}}, {"k": "rds!cluster-1"}, "allowed"),
    ({"StringLike": {"k": "ab?"}}, {"k": "abc"}, "allowed"),
    ({"StringLike": {"k": "ab?"}}, {"k": "abcd"}, "implicitDeny"),
    ({"StringNotLike": {"k": "a*"}}, {"k": "abc"}, "implicitDeny"),
    ({"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/auroraml-*"}},
     {"iam:PolicyARN": "arn:aws:iam::123456789012:policy/auroraml-x"}, "allowed"),
    ({"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/auroraml-*"}},
     {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}, "implicitDeny"),
    ({"ArnNotLike": {"k": "arn:aws:s3:::b/*"}}, {"k": "arn:aws:s3:::c/x"}, "allowed"),
    ({"StringEqualsIfExists": {"k": "a"}}, {}, "allowed"),
    ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, "implicitDeny"),
    ({"Null": {"k": "true"}}, {}, "allowed"),
    ({"Null": {"k": "false"}}, {}, "implicitDeny"),
    ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, "allowed"),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["c", "b"]}, "allowed"),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "c"]}, "implicitDeny"),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {}, "allowed"),
    # Two keys under one operator, and two operators: all must hold.
    ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, "implicitDeny"),
    ({"StringEquals": {"a": "1"}, "StringLike": {"b": "2*"}}, {"a": "1", "b": "20"}, "allowed"),
    # Policy variables take the request's values.
    ({"StringEquals": {"k": "arn:aws:iam::${aws:PrincipalAccount}:policy/P"}},
     {"k": "arn:aws:iam::123456789012:policy/P", "aws:PrincipalAccount": "123456789012"}, "allowed"),
    ({"StringEquals": {"k": "arn:aws:iam::${aws:PrincipalAccount}:policy/P"}},
     {"k": "arn:aws:iam::999999999999:policy/P", "aws:PrincipalAccount": "123456789012"}, "implicitDeny"),
    ({"StringEquals": {"k": "arn:aws:iam::${aws:PrincipalAccount}:policy/P"}},
     {"k": "arn:aws:iam:::policy/P"}, "implicitDeny"),  # a variable without a value matches nothing
])
def test_conditions(condition, context, expected):
    assert decide(condition, context) == expected


def test_a_deny_applies_only_when_its_condition_holds():
    condition = {"StringNotEquals": {"iam:PermissionsBoundary": B}}
    assert decide(condition, {"iam:PermissionsBoundary": "x"}, effect="Deny") == "denied"
    assert decide(condition, {"iam:PermissionsBoundary": B}, effect="Deny") == "implicitDeny"


def test_without_a_context_conditions_are_flagged_not_evaluated():
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"k": "v"}}}
    assert iam_eval.decide([{"Statement": statement}], "s3:GetObject", "x") == ("allowed", True)
    assert iam_eval.decide([{"Statement": statement}], "s3:GetObject", "x", {"k": "v"}) == ("allowed", False)


def test_an_operator_it_does_not_know_is_refused_not_guessed():
    with pytest.raises(ValueError, match="NumericLessThan"):
        decide({"NumericLessThan": {"k": "3"}}, {"k": "1"})


def test_variables_in_resources_and_question_marks():
    statement = {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}
    docs = [{"Statement": [statement]}]
    assert iam_eval.decide(docs, "iam:GetUser", "arn:aws:iam::1:user/ana", {"aws:username": "ana"})[0] == "allowed"
    assert iam_eval.decide(docs, "iam:GetUser", "arn:aws:iam::1:user/bob", {"aws:username": "ana"})[0] == "implicitDeny"
    wild = [{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret?/*"}]}]
    assert iam_eval.decide(wild, "s3:GetObject", "arn:aws:s3:::secret1/x", {})[0] == "implicitDeny"
    assert iam_eval.decide(wild, "s3:GetObject", "arn:aws:s3:::secret12/x", {})[0] == "allowed"
    assert iam_eval.decide(wild, "iam:GetUser", "arn:aws:s3:::other/x", {})[0] == "implicitDeny"


def test_effective_needs_both_the_identity_policy_and_the_boundary():
    allow_all = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    boundary = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert iam_eval.effective([allow_all], boundary, "s3:GetObject", "x") == "allowed"
    assert iam_eval.effective([allow_all], boundary, "s3:PutObject", "x") == "implicitDeny"
    assert iam_eval.effective([{"Statement": []}], boundary, "s3:GetObject", "x") == "implicitDeny"


def test_a_variables_value_matches_only_itself():
    docs = [{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}]
    assert iam_eval.decide(docs, "s3:GetObject", "arn:aws:s3:::b/a*/x", {"aws:username": "a*"})[0] == "allowed"
    assert iam_eval.decide(docs, "s3:GetObject", "arn:aws:s3:::b/abc/x", {"aws:username": "a*"})[0] == "implicitDeny"
    literal = [{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"}]}]
    assert iam_eval.decide(literal, "s3:GetObject", "arn:aws:s3:::b/*", {})[0] == "allowed"
    assert iam_eval.decide(literal, "s3:GetObject", "arn:aws:s3:::b/x", {})[0] == "implicitDeny"
    equals = {"StringEquals": {"k": "[${aws:username}]"}}
    assert decide(equals, {"k": "[a[b]", "aws:username": "a[b"}) == "allowed"


# --- wildcards: the evaluator against a reference regex ----------------------------------------

def _reference(pattern: str, value: str, case: bool) -> bool:
    """IAM's documented matching: `*` any run (including none and `/`), `?` exactly one
    character, everything else itself — `.` included."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S | (0 if case else re.I)) is not None


_ALPHABET = st.sampled_from(list("ab.:/-*?[]!^\\$") + ["x", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=8), st.text(_ALPHABET.filter(lambda c: c not in "*?"), max_size=8))
def test_wildcards_match_like_the_reference(pattern, value):
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": pattern}
    assert (iam_eval.decide([{"Statement": [statement]}], "s3:GetObject", value, {})[0] == "allowed") \
        is _reference(pattern, value, case=True)
    action_statement = {"Effect": "Allow", "Action": f"s3:{pattern}", "Resource": "*"}
    assert (iam_eval.decide([{"Statement": [action_statement]}], f"S3:{value}", "r", {})[0] == "allowed") \
        is _reference(f"s3:{pattern}", f"S3:{value}", case=False)


MODEL = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"


@pytest.mark.parametrize("resource, allowed", [
    (MODEL, True),
    ("arn:aws:bedrock:us-east-1::foundation-model/amazon?titan-text-express-v1", True),
    ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-?xpress-v1", True),
    ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v?", True),
    ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan.text-express-v1", False),  # `.` is a dot
    ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v", False),   # no implicit tail
    ("arn:aws:bedrock:*::foundation-model/*", True),
    ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.*", False),
])
def test_resource_patterns_against_a_model_arn(resource, allowed):
    statement = {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": resource}
    assert (iam_eval.decide([{"Statement": [statement]}], "bedrock:InvokeModel", MODEL, {})[0] == "allowed") is allowed


def test_where_motos_access_control_differs():
    """moto.iam.access_control is not used for these checks: its matching turns `*` into `.*` and
    leaves the rest a regex, so `.` matches any character and `?` makes the character before it
    optional; and a statement whose condition fails is an explicit DENIED, even an Allow."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    def moto(resource, condition=None, context=None):
        statement = {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": resource}
        if condition:
            statement["Condition"] = condition
        return IAMPolicyStatement(statement).is_action_permitted("bedrock:InvokeModel", MODEL, None, context)

    def ours(resource, condition=None, context=None):
        statement = {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": resource}
        if condition:
            statement["Condition"] = condition
        return iam_eval.decide([{"Statement": [statement]}], "bedrock:InvokeModel", MODEL, context or {})[0]

    dotted = MODEL.replace("titan-text", "titan.text")
    assert moto(dotted) == PermissionResult.PERMITTED and ours(dotted) == "implicitDeny"
    one_char = MODEL.replace("express", "?xpress")
    assert moto(one_char) == PermissionResult.NEUTRAL and ours(one_char) == "allowed"
    region = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    assert moto(MODEL, region, {"aws:RequestedRegion": "us-east-1"}) == PermissionResult.DENIED
    assert ours(MODEL, region, {"aws:RequestedRegion": "us-east-1"}) == "implicitDeny"  # not a Deny


# --- trust: who may assume, for which cluster --------------------------------------------------

CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:ml-demo"


def trust(**condition):
    statement = {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Statement": [statement]}


@pytest.mark.parametrize("document, ok", [
    (trust(), True),
    (trust(StringEquals={"aws:SourceAccount": "123456789012"}, ArnLike={"aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:*"}), True),
    (trust(ArnEquals={"aws:SourceArn": CLUSTER}), True),
    (trust(ArnEquals={"aws:SourceArn": CLUSTER + "-other"}), False),
    (trust(ArnLike={"aws:SourceArn": "arn:aws:rds:eu-west-1:123456789012:*"}), False),
    (trust(StringEquals={"aws:SourceAccount": "210987654321"}), False),
    (trust(StringLike={"aws:SourceAccount": "1234567890??"}), True),
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*"}]}, True),
    ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}, False),
    ({"Statement": [trust()["Statement"][0], {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                                              "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}}}]}, True),
    ({"Statement": [trust()["Statement"][0], {"Effect": "Deny", "Principal": {"Service": "rds.amazonaws.com"},
                                              "Action": "sts:AssumeRole"}]}, False),
])
def test_trust_is_evaluated_with_the_clusters_source_arn_and_account(document, ok):
    assert iam_eval.trusts_rds(document, "123456789012", CLUSTER)[0] is ok


def test_a_trust_that_does_not_hold_says_which_condition():
    ok, why = iam_eval.trusts_rds(trust(ArnEquals={"aws:SourceArn": CLUSTER + "-other"}), "123456789012", CLUSTER)
    assert not ok and "ArnEquals aws:SourceArn" in why and CLUSTER in why
