"""The IAM evaluator's condition logic, which the operator-policy proofs and the sandbox rely on."""

from __future__ import annotations

import pytest

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
