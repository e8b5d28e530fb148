"""What an IAM policy document allows, evaluated offline: enough of IAM's logic to answer "may
this principal call this action on this resource". Explicit Deny wins; NotAction / NotResource
and the wildcards `*` and `?` are honoured.

Two modes. Without a request context (what `check` has when it reads a role's policies), Condition
blocks are not evaluated: a statement with a condition counts as allowing, and the caller is told
so. With a context (`decide(..., context={"iam:PermissionsBoundary": ARN})`), conditions are
evaluated as IAM does: the String*, Arn*, Bool and Null operators, `...IfExists`,
`ForAnyValue:` / `ForAllValues:`, policy variables `${key}`; a key the request lacks makes a
positive operator false and a negated one true. An operator this module does not know raises
ValueError rather than guess. The sandbox enforces the operator's policy with it, and the tests
prove the operator policy closes the escalation paths with it. Where the account allows it,
check asks IAM itself (SimulatePrincipalPolicy) and this is only the fallback."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

Context = dict[str, Any]


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _match(pattern: str, value: str, *, case: bool) -> bool:
    # IAM wildcards: * any run, ? one character. Actions compare case-insensitively.
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(pattern: str, context: Context | None) -> str | None:
    """Policy variables for exact comparisons: ${key} becomes the request's value; ${*} ${?} ${$}
    the literal character. None when a variable has no value (the pattern then matches nothing)."""
    if "${" not in pattern or context is None:
        return pattern
    out = []
    for i, piece in enumerate(_VARIABLE.split(pattern)):
        if i % 2 == 0 or piece in ("*", "?", "$"):
            out.append(piece)
            continue
        found = _get(context, piece)
        if not found:
            return None
        out.append(found[0])
    return "".join(out)


def _get(context: Context, key: str) -> list[str]:
    """The request's values of a condition key (keys compare case-insensitively)."""
    lowered = key.lower()
    for k, v in context.items():
        if k.lower() == lowered:
            return [str(x) for x in _list(v)]
    return []


def _pattern_match(pattern: str, value: str, *, case: bool, context: Context | None) -> bool:
    """A wildcard pattern with policy variables: a variable's value matches only itself (its own
    * ? [ are not wildcards); a variable without a value matches nothing."""
    if "${" not in pattern or context is None:
        return _match(pattern, value, case=case)
    out = []
    for i, piece in enumerate(_VARIABLE.split(pattern)):
        if i % 2 == 0:
            out.append(piece.replace("[", "[[]"))
            continue
        text = piece if piece in ("*", "?", "$") else (_get(context, piece) or [None])[0]
        if text is None:
            return False
        out.append("".join(f"[{c}]" if c in "*?[" else c for c in text))
    glob = "".join(out)
    if not case:
        glob, value = glob.lower(), value.lower()
    return fnmatch.fnmatchcase(value, glob)


def _applies(statement: dict, action: str, resource: str, context: Context | None = None) -> bool:
    if "NotAction" in statement:
        if any(_match(p, action, case=False) for p in _list(statement["NotAction"])):
            return False
    elif not any(_match(p, action, case=False) for p in _list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        return not any(_pattern_match(p, resource, case=True, context=context) for p in _list(statement["NotResource"]))
    return any(_pattern_match(p, resource, case=True, context=context) for p in _list(statement.get("Resource")))


# operator → (compare one request value with one policy value, negated?)
def _string(case: bool):
    def compare(policy: str, value: str, ctx: Context | None) -> bool:
        wanted = _substitute(policy, ctx)
        if wanted is None:
            return False
        return wanted == value if case else wanted.lower() == value.lower()
    return compare


def _like(policy: str, value: str, ctx: Context | None) -> bool:
    return _pattern_match(policy, value, case=True, context=ctx)


def _bool(policy: str, value: str, ctx: Context | None) -> bool:
    return str(policy).lower() == str(value).lower()


_OPERATORS = {
    "stringequals": (_string(True), False), "stringnotequals": (_string(True), True),
    "stringequalsignorecase": (_string(False), False), "stringnotequalsignorecase": (_string(False), True),
    "stringlike": (_like, False), "stringnotlike": (_like, True),
    "arnequals": (_like, False), "arnlike": (_like, False), "arnnotequals": (_like, True), "arnnotlike": (_like, True),
    "bool": (_bool, False),
}


def _condition_holds(operator: str, key: str, wanted: Any, context: Context) -> bool:
    name = operator.lower()
    quantifier = None
    if ":" in name:
        quantifier, name = name.split(":", 1)
        if quantifier not in ("foranyvalue", "forallvalues"):
            raise ValueError(f"unknown condition set operator {operator!r}")
    if_exists = name.endswith("ifexists") and name != "ifexists"
    if if_exists:
        name = name[: -len("ifexists")]
    values = _get(context, key)
    if name == "null":
        absent = not values
        return any(str(w).lower() == ("true" if absent else "false") for w in _list(wanted))
    if name not in _OPERATORS:
        raise ValueError(f"condition operator {operator!r} is not evaluated offline")
    compare, negated = _OPERATORS[name]
    if not values:
        if quantifier == "forallvalues":
            return True
        return if_exists or (negated and quantifier is None)

    def one(value: str) -> bool:
        hit = any(compare(str(w), value, context) for w in _list(wanted))
        return not hit if negated else hit
    if quantifier == "forallvalues":
        return all(one(v) for v in values)
    return any(one(v) for v in values)


def conditions_hold(statement: dict, context: Context) -> bool:
    """Every operator, and every key under it, must hold (values under one key: any may match)."""
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, wanted in keys.items():
            if not _condition_holds(operator, key, wanted, context):
                return False
    return True


def decide(documents: list[dict], action: str, resource: str, context: Context | None = None) -> tuple[str, bool]:
    """("allowed" | "denied" | "implicitDeny", whether an allowing statement had a Condition that
    was not evaluated). With a context every condition is evaluated and the flag is False."""
    allowed, conditional = False, False
    for doc in documents:
        for statement in _list((doc or {}).get("Statement")):
            if not _applies(statement, action, resource, context):
                continue
            has_condition = bool(statement.get("Condition"))
            if context is not None and has_condition and not conditions_hold(statement, context):
                continue
            if statement.get("Effect") == "Deny" and (context is not None or not has_condition):
                return "denied", False
            if statement.get("Effect") == "Allow":
                allowed = True
                conditional = conditional or (has_condition and context is None)
    return ("allowed" if allowed else "implicitDeny"), conditional


def effective(identity: list[dict], boundary: dict | None, action: str, resource: str,
              context: Context | None = None) -> str:
    """A principal's verdict in its own account with a permissions boundary: allowed only when
    its identity policies allow and the boundary does too; an explicit Deny in either wins."""
    ctx = context if context is not None else {}
    mine = decide(identity, action, resource, ctx)[0]
    cap = decide([boundary], action, resource, ctx)[0] if boundary is not None else "allowed"
    if "denied" in (mine, cap):
        return "denied"
    return "allowed" if mine == cap == "allowed" else "implicitDeny"


def resources_for(documents: list[dict], action: str) -> list[str]:
    """The resources the Allow statements name for `action` (model ARNs, endpoint ARNs...)."""
    found: list[str] = []
    for doc in documents:
        for statement in _list((doc or {}).get("Statement")):
            if statement.get("Effect") != "Allow" or "NotAction" in statement:
                continue
            if any(_match(p, action, case=False) for p in _list(statement.get("Action"))):
                found += [r for r in _list(statement.get("Resource")) if r not in found]
    return found


def _principal_matches(statement: dict, service: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return service in _list(principal.get("Service")) or "*" in _list(principal.get("AWS"))


def assume_decision(document: dict | None, service: str, context: Context) -> tuple[str, list[str]]:
    """Whether a trust policy lets a service principal call sts:AssumeRole for a request with this
    context (aws:SourceArn, aws:SourceAccount, ...): every Condition evaluated, explicit Deny wins.
    Returns the verdict ("allowed" | "denied" | "implicitDeny") and, when no Allow statement held,
    the condition operators of the statements that would have applied but for their conditions."""
    allowed, blocked = False, []
    for statement in _list((document or {}).get("Statement")):
        if "NotPrincipal" in statement or not _principal_matches(statement, service):
            continue
        if not _applies({**statement, "Resource": "*"}, "sts:AssumeRole", "*", context):
            continue
        if not conditions_hold(statement, context):
            blocked += [f"{op} {key} {_list(want)}" for op, keys in (statement.get("Condition") or {}).items()
                        for key, want in keys.items() if not _condition_holds(op, key, want, context)]
            continue
        if statement.get("Effect") == "Deny":
            return "denied", []
        allowed = allowed or statement.get("Effect") == "Allow"
    return ("allowed" if allowed else "implicitDeny"), ([] if allowed else blocked)


def trusts_rds(document: dict | None, account: str, source_arn: str | None = None) -> tuple[bool, str]:
    """Whether a trust policy lets rds.amazonaws.com assume the role for a cluster of this account
    (`source_arn`: the cluster's ARN, which the sandbox passes as aws:SourceArn; Aurora does not
    document what it passes, the Aurora ML reference in the auroraml repository, docs/reference/ §4), conditions evaluated; and why not."""
    context: Context = {"aws:SourceAccount": account}
    if source_arn:
        context["aws:SourceArn"] = source_arn
    verdict, blocked = assume_decision(document, "rds.amazonaws.com", context)
    if verdict == "allowed":
        return True, "rds.amazonaws.com may assume it"
    if verdict == "denied":
        return False, "its trust policy denies rds.amazonaws.com sts:AssumeRole explicitly"
    if blocked:
        seen = ", ".join(f"{k} {v}" for k, v in context.items())
        return False, f"its trust policy lets rds.amazonaws.com in only when {'; '.join(blocked)} (this request: {seen})"
    return False, "its trust policy does not let rds.amazonaws.com call sts:AssumeRole"
