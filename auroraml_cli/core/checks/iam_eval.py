"""What an IAM policy document allows, evaluated offline: enough of IAM's logic to answer "may
this role call these actions on these resources" from the role's own policies. Explicit Deny
wins; NotAction / NotResource are honoured; Condition blocks are not evaluated (a statement with
a condition counts as allowing, and the finding says so). Where the account allows it, check
asks IAM itself (SimulatePrincipalPolicy) and this is only the fallback."""

from __future__ import annotations

import fnmatch
from typing import Any


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _match(pattern: str, value: str, *, case: bool) -> bool:
    # IAM wildcards: * any run, ? one character. Actions compare case-insensitively.
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _applies(statement: dict, action: str, resource: str) -> bool:
    if "NotAction" in statement:
        if any(_match(p, action, case=False) for p in _list(statement["NotAction"])):
            return False
    elif not any(_match(p, action, case=False) for p in _list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        return not any(_match(p, resource, case=True) for p in _list(statement["NotResource"]))
    return any(_match(p, resource, case=True) for p in _list(statement.get("Resource")))


def decide(documents: list[dict], action: str, resource: str) -> tuple[str, bool]:
    """("allowed" | "denied" | "implicitDeny", whether an allowing statement had a Condition)."""
    allowed, conditional = False, False
    for doc in documents:
        for statement in _list((doc or {}).get("Statement")):
            if not _applies(statement, action, resource):
                continue
            if statement.get("Effect") == "Deny" and not statement.get("Condition"):
                return "denied", False
            if statement.get("Effect") == "Allow":
                allowed = True
                conditional = conditional or bool(statement.get("Condition"))
    return ("allowed" if allowed else "implicitDeny"), conditional


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


def trusts_rds(document: dict | None, account: str) -> tuple[bool, str]:
    """Whether a trust policy lets rds.amazonaws.com assume the role (for this account, when it
    names one in aws:SourceAccount); and why not."""
    for statement in _list((document or {}).get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        if not any(_match(p, "sts:AssumeRole", case=False) for p in _list(statement.get("Action"))):
            continue
        principal = statement.get("Principal") or {}
        services = _list(principal.get("Service")) if isinstance(principal, dict) else []
        if "rds.amazonaws.com" not in services and principal != "*":
            continue
        accounts = []
        for operator in ("StringEquals", "StringLike"):
            accounts += _list(((statement.get("Condition") or {}).get(operator) or {}).get("aws:SourceAccount"))
        if accounts and not any(_match(a, account, case=True) for a in accounts):
            return False, f"its trust policy lets rds.amazonaws.com in only for account(s) {', '.join(accounts)}"
        return True, "rds.amazonaws.com may assume it"
    return False, "its trust policy does not let rds.amazonaws.com call sts:AssumeRole"
