"""Where a statement calls Aurora ML, and whether Aurora batches each call [the Aurora ML reference in the auroraml repository, docs/reference/ §6-7].

`plan()` finds the calls of aws_comprehend_detect_sentiment[_confidence], of SageMaker and
Bedrock ALIAS functions, and of the native Lambda functions lambda_sync / lambda_async (never
batched: one Invoke per evaluation). Plain `RETURN expr` functions (such as the Bedrock wrappers `auroraml ddl
bedrock --wrapper` writes) are inlined first: their body replaces the call, parameters replaced by
the arguments, so the ML calls inside become calls of the statement itself (never batched: Aurora
evaluates a stored function's body row by row).

A call is batched when it sits in a SELECT list or WHERE (of any query block, INSERT ... SELECT and
subqueries included) or in INSERT ... VALUES, or, for SageMaker, in UPDATE ... SET; never for
Bedrock. Elsewhere (ORDER BY, GROUP BY, HAVING, JOIN ... ON, DELETE or UPDATE WHERE, inside a
stored function) it is a single request. EXPLAIN reads the same plan (`Batched machine learning`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from .accounts import Level
from .errors import SqlError, not_supported, unknown_function
from .functions import (
    COMPREHEND_FUNCTIONS,
    LAMBDA_FUNCTIONS,
    NATIVE_FUNCTIONS,
    SYNONYMS,
    BedrockAlias,
    SageMakerAlias,
    StoredFunction,
)

if TYPE_CHECKING:
    from .session import AuroraSession

SERVICES = ("comprehend", "sagemaker", "bedrock", "lambda")
_DB = "aurora_db"  # meta key: the database an inlined body's unqualified calls resolve in
_IN_BODY = "aurora_in_body"
_MAX_DEPTH = 16


@dataclass
class Site:
    """One ML call in a statement."""

    index: int
    service: str  # comprehend | sagemaker | bedrock | lambda
    name: str  # as MySQL names it in messages: db.fn, or the native (Comprehend, Lambda) function
    function: StoredFunction | None  # the ALIAS function; None for the native functions
    node: exp.Expression  # the call in the planned statement (replaced by a UDF call to run it)
    batched: bool
    context: str  # select | values | set | other | body

    @property
    def udf(self) -> str:
        return f"__aurora_ml_{self.index}"

    @property
    def confidence(self) -> bool:
        return self.name == COMPREHEND_FUNCTIONS[1]


def plan(s: AuroraSession, statement: exp.Expression, check_execute: bool = True
         ) -> tuple[exp.Expression, list[Site]]:
    """A copy of the statement with plain stored functions inlined, and its ML calls in order."""
    statement = statement.copy()
    _inline(s, statement, check_execute, ())
    sites: list[Site] = []
    for call in list(statement.find_all(exp.Anonymous)):
        name = call.name.lower()
        if name in COMPREHEND_FUNCTIONS:
            if not 2 <= len(call.expressions) <= 3:
                raise SqlError(1582, f"Incorrect parameter count in the call to native function '{call.name}'")
            sites.append(_site(len(sites), "comprehend", name, None, call))
            continue
        if name in LAMBDA_FUNCTIONS:
            if len(call.expressions) != 2:
                raise SqlError(1582, f"Incorrect parameter count in the call to native function '{call.name}'")
            sites.append(_site(len(sites), "lambda", name, None, call))
            continue
        found = _stored(s, call)
        if found is None:
            continue
        function, node = found
        if function.alias is None:
            continue  # a plain function not inlined (none: _inline handles them all)
        _check_arity(function, call)
        if check_execute and not call.meta.get(_IN_BODY):
            _check_execute(s, function)
        service = "sagemaker" if isinstance(function.alias, SageMakerAlias) else "bedrock"
        sites.append(_site(len(sites), service, f"{function.db}.{function.name}", function, node))
    return statement, sites


def _site(index: int, service: str, name: str, function: StoredFunction | None, node: exp.Expression) -> Site:
    context = "body" if _call_of(node).meta.get(_IN_BODY) else _context(node)
    batched = service not in ("bedrock", "lambda") and (context in ("select", "values")
                                        or (context == "set" and service == "sagemaker"))
    return Site(index, service, name, function, node, batched, context)


def _call_of(node: exp.Expression) -> exp.Expression:
    return node.expression if isinstance(node, exp.Dot) else node


def _context(node: exp.Expression) -> str:
    """The clause a call is in, from the nearest statement or query block around it."""
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, exp.Values):
            return "values"
        if isinstance(parent, exp.Select):
            return "select" if child.arg_key in ("expressions", "where") else "other"
        if isinstance(parent, exp.Update):
            return "set" if child.arg_key == "expressions" else "other"
        if isinstance(parent, (exp.Delete, exp.Insert)):
            return "other"
        child, parent = parent, parent.parent
    return "other"


def _stored(s: AuroraSession, call: exp.Anonymous) -> tuple[StoredFunction, exp.Expression] | None:
    """The stored function a call names (db.fn, or fn in the current/body's database) and the
    node that stands for the call (the Dot of a qualified call)."""
    parent = call.parent
    if isinstance(parent, exp.Dot) and parent.expression is call:
        database, node = parent.this.name, parent
    else:
        database, node = call.meta.get(_DB) or s.database, call
    function = s.cluster.functions.get(database, call.name) if database else None
    return (function, node) if function is not None else None


def _check_arity(function: StoredFunction, call: exp.Anonymous) -> None:
    expected = len(parameters(function))
    if len(call.expressions) != expected:
        raise SqlError(1318, f"Incorrect number of arguments for FUNCTION {function.db}.{function.name}; "
                             f"expected {expected}, got {len(call.expressions)}")


def _check_execute(s: AuroraSession, function: StoredFunction) -> None:
    if not s.holds("EXECUTE", Level("function", function.db, function.name)):
        raise SqlError(1370, f"execute command denied to user {s.who} for routine '{function.db}.{function.name}'")


def _inline(s: AuroraSession, statement: exp.Expression, check_execute: bool, stack: tuple[str, ...]) -> None:
    """Replace each call of a plain stored function by its body, recursively."""
    for call in list(statement.find_all(exp.Anonymous)):
        if call.name.lower() in NATIVE_FUNCTIONS or call.root() is not statement.root():
            continue  # a built-in, or inside an argument already moved into an inlined body
        found = _stored(s, call)
        if found is None or found[0].alias is not None:
            continue
        function, node = found
        qualified = f"{function.db}.{function.name}".lower()
        if qualified in stack:
            raise SqlError(1424, "Recursive stored functions and triggers are not allowed.")
        if len(stack) >= _MAX_DEPTH:
            raise SqlError(1456, f"Recursive limit {_MAX_DEPTH} was exceeded for routine {function.name}")
        _check_arity(function, call)
        if check_execute and not call.meta.get(_IN_BODY):
            _check_execute(s, function)
        body = _body(function)
        _refuse_generated_columns(s, function, body)
        values = {name.lower(): argument for (name, _), argument in zip(parameters(function), call.expressions)}
        for column in list(body.find_all(exp.Column)):
            if not column.table and column.name.lower() in values:
                column.replace(exp.Paren(this=values[column.name.lower()].copy()))
        for inner in body.find_all(exp.Anonymous):
            inner.meta.setdefault(_DB, function.db)
            inner.meta[_IN_BODY] = True
        holder = exp.Paren(this=body)
        node.replace(holder)
        _inline(s, holder, check_execute, (*stack, qualified))


def _refuse_generated_columns(s: AuroraSession, function: StoredFunction, body: exp.Expression) -> None:
    """Aurora does not support stored functions that read a table with a generated-always column
    (its limitations list; it documents no error: this 1235 is the sandbox's wording)."""
    for table in body.find_all(exp.Table):
        database = table.db or function.db
        if table.name and s.cluster.tables.generated_columns(database, table.name):
            raise not_supported("stored functions that read a table with a generated-always column "
                                f"({database}.{table.name})")


def _body(function: StoredFunction) -> exp.Expression:
    text = re.sub(r"^\s*RETURN\b", "", function.body or "", flags=re.IGNORECASE)
    try:
        parsed = sqlglot.parse_one(f"SELECT {text}", read="mysql")
    except ParseError:
        raise unknown_function(f"{function.db}.{function.name}") from None
    return parsed.expressions[0]


def parameters(function: StoredFunction) -> list[tuple[str, str]]:
    """(name, TYPE) of each parameter, from the list as written: `x INT, `p` TEXT CHARSET utf8mb4`."""
    found = []
    for piece in _split_top_level(function.params):
        match = re.match(r"\s*(`(?:[^`]|``)+`|\w+)\s+(\w+)", piece)
        if match:
            kind = match.group(2).upper()
            found.append((match.group(1).strip("`").replace("``", "`"), SYNONYMS.get(kind, kind)))
    return found


def _split_top_level(text: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    if text[start:].strip():
        pieces.append(text[start:])
    return pieces


def alias_of(site: Site) -> SageMakerAlias | BedrockAlias | None:
    return site.function.alias if site.function is not None else None
