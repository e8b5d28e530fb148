"""Does Aurora batch the ML calls in a query? EXPLAIN says `Batched machine learning` in Extra."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError

BATCHED = "Batched machine learning"
COMPREHEND = ("aws_comprehend_detect_sentiment", "aws_comprehend_detect_sentiment_confidence")
_CALL = re.compile(r"(?<![\w.`])`?([A-Za-z_][\w$]*)`?\s*\(")


@dataclass
class Call:
    function: str
    service: str  # comprehend | sagemaker | bedrock
    batched: bool
    reason: str

    def to_dict(self) -> dict:
        return {"function": self.function, "service": self.service, "batched": self.batched, "reason": self.reason}


def check_query(sql: str) -> str:
    q = (sql or "").strip().rstrip(";").strip()
    if not re.match(r"^(SELECT|WITH|INSERT|REPLACE|UPDATE|DELETE)\b", q, re.I) or ";" in q:
        raise UsageError("explain takes one SELECT, INSERT, REPLACE, UPDATE or DELETE statement")
    return q


def ml_functions(conn, sql: str, database: str | None) -> dict[str, str]:
    """The ML functions a query calls: Comprehend's built-ins, and the ALIAS functions found on the server."""
    found: dict[str, str] = {}
    for name in dict.fromkeys(m.lower() for m in _CALL.findall(sql)):
        if name in COMPREHEND:
            found[name] = "comprehend"
            continue
        routine = _alias_of(conn, name)
        if routine:
            found[name] = routine
    return found


def _alias_of(conn, name: str) -> str | None:
    from .ddl import show_create
    from .sql import ident

    try:
        text = show_create(conn, ident(name))
    except Exception:  # not a stored function (a built-in such as COUNT), or no default database
        return None
    if not text:
        return None
    if "AWS_SAGEMAKER_INVOKE_ENDPOINT" in text.upper():
        return "sagemaker"
    if "AWS_BEDROCK_INVOKE_MODEL" in text.upper():
        return "bedrock"
    return None


def explain(conn, sql: str, database: str | None = None) -> tuple[list[dict], list[Call]]:
    q = check_query(sql)
    with conn.cursor() as cur:
        cur.execute(f"EXPLAIN {q}")
        columns = [d[0] for d in cur.description]
        plan_rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    batched = any(BATCHED.lower() in str(r.get("Extra") or "").lower() for r in plan_rows)
    calls = []
    for name, service in ml_functions(conn, q, database).items():
        if service == "bedrock":
            calls.append(Call(name, service, False, "Bedrock functions make one request per row; Aurora does not batch them"))
        elif batched:
            calls.append(Call(name, service, True, "EXPLAIN shows Batched machine learning"))
        else:
            calls.append(Call(name, service, False, "not batched: batching applies to calls in the SELECT list or WHERE "
                                                    "clause of a query, INSERT/REPLACE ... VALUES, and SageMaker calls in "
                                                    "UPDATE ... SET; not in stored programs, triggers or ORDER BY"))
    return plan_rows, calls
