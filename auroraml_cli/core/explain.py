"""Does Aurora batch the ML calls in a query? EXPLAIN says `Batched machine learning` in Extra."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalogue import SERVICES
from .errors import UsageError

BATCHED = "Batched machine learning"
# Built-in functions that call a service (Comprehend's), and the ALIAS of each service's own.
BUILT_IN = {fn: s.name for s in SERVICES.values() for fn in s.builtin_functions}
_ALIASES = {s.ddl_alias: s.name for s in SERVICES.values() if s.ddl_alias}
# A name called as a function, optionally schema-qualified: `churn(`, `mldb.churn (`,
# `` `mldb` . `churn`( ``. A stored function may have spaces before its parenthesis.
_IDENT = r"(?:`(?:[^`]|``)+`|[\w$]*(?:[^\W\d]|\$)[\w$]*)"  # unquoted: not all digits
_CALL = re.compile(rf"(?<![\w$.`])(?:({_IDENT})\s*\.\s*)?({_IDENT})\s*\(")
# What is not code: string literals and comments, which may hold anything that looks like a call.
_NOT_CODE = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`(?:[^`]|``)*`"
                       r"|/\*.*?\*/|(?:--(?=\s|$)|#)[^\n]*", re.S)


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


def calls(sql: str) -> list[tuple[str | None, str]]:
    """(schema or None, function) of every name the statement calls, in order, once each: the
    function lower-cased (function names are not case-sensitive), the schema as written."""
    code = _NOT_CODE.sub(lambda m: m.group(0) if m.group(0).startswith("`") else " ", sql)
    unquote = lambda name: name[1:-1].replace("``", "`") if name.startswith("`") else name
    return list(dict.fromkeys((unquote(schema) if schema else None, unquote(name).lower())
                              for schema, name in _CALL.findall(code)))


def ml_functions(conn, sql: str, database: str | None) -> dict[str, str]:
    """The ML functions a query calls: Comprehend's built-ins, and the ALIAS functions found on the
    server, a qualified name (`mldb.churn`) in its schema only, an unqualified one in the default
    database. Keyed by the name as called: `churn` or `mldb.churn`."""
    found: dict[str, str] = {}
    for schema, name in calls(sql):
        if schema is None and name in BUILT_IN:
            found[name] = BUILT_IN[name]
            continue
        routine = _alias_of(conn, schema, name)
        if routine:
            found[f"{schema}.{name}" if schema else name] = routine
    return found


def _alias_of(conn, schema: str | None, name: str) -> str | None:
    from .ddl import show_create
    from .sql import ident

    try:
        text = show_create(conn, f"{ident(schema)}.{ident(name)}" if schema else ident(name))
    except Exception as exc:
        # Not a stored function (a built-in such as COUNT: 1305 is handled by show_create), no
        # default database (1046) or no such schema (1049): not an ML call. Anything else (a lost
        # connection, a refused privilege) is a failure to report, never "not an ML function".
        if getattr(exc, "args", (None,))[0] in (1046, 1049):
            return None
        raise
    if not text:
        return None
    return next((service for alias, service in _ALIASES.items() if alias in text.upper()), None)


def explain(conn, sql: str, database: str | None = None) -> tuple[list[dict], list[Call]]:
    q = check_query(sql)
    with conn.cursor() as cur:
        cur.execute(f"EXPLAIN {q}")
        columns = [d[0] for d in cur.description]
        plan_rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    batched = any(BATCHED.lower() in str(r.get("Extra") or "").lower() for r in plan_rows)
    calls = []
    for name, service in ml_functions(conn, q, database).items():
        unbatched = SERVICES[service].unbatched_reason
        if unbatched:
            calls.append(Call(name, service, False, unbatched))
        elif batched:
            calls.append(Call(name, service, True, "EXPLAIN shows Batched machine learning"))
        else:
            calls.append(Call(name, service, False, "not batched: batching applies to calls in the SELECT list or WHERE "
                                                    "clause of a query, INSERT/REPLACE ... VALUES, and SageMaker calls in "
                                                    "UPDATE ... SET; not in stored programs, triggers or ORDER BY"))
    return plan_rows, calls
