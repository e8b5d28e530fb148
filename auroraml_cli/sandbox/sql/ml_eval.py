"""Running a statement that calls Aurora ML, with Aurora's batching and its counters.

Each ML call site (ml.plan) becomes a SQLite user function. Batched sites are answered in rounds:
the statement's rows are read (the query itself, INSERT's VALUES or SELECT, the rows an UPDATE
would change) with the sites answering NULL for what they do not know yet and noting the distinct
arguments; those are sent in batches (Comprehend BatchDetectSentiment: `max_batch_size`, default
and at most 25; SageMaker: the function's MAX_BATCH_SIZE, default 10,000 rows a CSV body); again
until a round asks nothing new (a WHERE call's answers decide which rows the SELECT list needs).
Then the statement runs for real, every batched call answered from the statement's results.
Single sites (not batchable) send one request per evaluation during that run: Comprehend
DetectSentiment, SageMaker one CSV row, Bedrock one InvokeModel per row (Bedrock never batches).

A query with LIMIT (and no ORDER BY, GROUP BY, DISTINCT or aggregate) reads ahead by whole
batches, as Aurora does: the reason to lower max_batch_size for such queries.

Counters (status.MlStatus), per evaluation in the real run: logical_request +1; a batched call
whose arguments were already answered in this statement (by another row or another call site; a
Comprehend answer serves both functions) is a cache hit; a single call is a single request.
logical_response counts the calls that got an answer. actual_request / actual_response /
retry_request move with each request (ml_calls). NULL text (Comprehend) or a NULL prompt (Bedrock)
is NULL without a request and counts nowhere.

Lambda (lambda_sync / lambda_async) is not Aurora ML: one Invoke per evaluation in the real run,
never batched, no Aurora_ml_* counter moves; a NULL argument is NULL without a request.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .accounts import GLOBAL, AccountName
from .errors import SqlError, need_privilege
from .functions import NUMERIC_TYPES, BedrockAlias, SageMakerAlias
from .ml import Site, parameters, plan
from .ml_calls import ServiceCalls
from .tables import Outcome

if TYPE_CHECKING:
    from .session import AuroraSession

COMPREHEND_BATCH = 25
SAGEMAKER_BATCH = 10_000
MAX_ROUNDS = 8
_ACCESS = {"comprehend": ("AWS_COMPREHEND_ACCESS", "INVOKE COMPREHEND"),
           "sagemaker": ("AWS_SAGEMAKER_ACCESS", "INVOKE SAGEMAKER"),
           "bedrock": ("AWS_BEDROCK_ACCESS", "INVOKE BEDROCK"),
           "lambda": ("AWS_LAMBDA_ACCESS", "INVOKE LAMBDA")}
_INTEGERS = frozenset({"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "BIT"})


def run(s: AuroraSession, statement: exp.Expression, execute: Callable[[exp.Expression], Outcome]) -> Outcome:
    """Run `statement` (through `execute`, which runs one statement on the cluster's tables)."""
    planned, sites = plan(s, statement)
    if not sites:
        return execute(planned)
    _check_access(s, sites)
    evaluation = _Evaluation(s, sites)
    for site in reversed(sites):  # inner calls first: an outer call's arguments move with it
        call = site.node.expression if isinstance(site.node, exp.Dot) else site.node
        site.node.replace(exp.Anonymous(this=site.udf, expressions=list(call.expressions)))
    batched = [site for site in sites if site.batched]
    reading = _rows_read(planned, min((_batch_size(site) for site in batched), default=1))
    with s.cluster.tables.user_functions(evaluation.functions()):
        try:
            if reading is not None and batched:
                for _ in range(MAX_ROUNDS):
                    evaluation.guarded(lambda: execute(reading))
                    if not evaluation.send_pending():
                        break
            evaluation.final = True
            return evaluation.guarded(lambda: execute(planned))
        finally:
            s.cluster.ml_status.add(evaluation.counts, s.instance)


def _check_access(s: AuroraSession, sites: list[Site]) -> None:
    if str(s.variables.get("binlog_format")).upper() == "STATEMENT" and any(
            site.service != "lambda" for site in sites):  # documented for the ML functions only
        raise SqlError(1592, "Unsafe statement written to the binary log using statement format since "
                             "BINLOG_FORMAT = STATEMENT. Aurora machine learning functions are not deterministic: "
                             "set binlog_format to ROW or MIXED in the cluster parameter group.")
    for service in dict.fromkeys(site.service for site in sites):
        role, privilege = _ACCESS[service]
        if s.engine.uses_roles:
            active = s.cluster.accounts.role_graph(s.active_roles)
            if AccountName(role) in active or s.cluster.accounts.is_master(s.account):
                continue
        elif s.holds(privilege, GLOBAL):
            continue
        raise need_privilege(privilege)


def _rows_read(statement: exp.Expression, batch: int) -> exp.Expression | None:
    """The query that reads the rows a statement's batched calls are evaluated on. A streaming
    SELECT's LIMIT reads on to the end of its last batch (`batch` rows a batch)."""
    if isinstance(statement, exp.Insert):
        source = statement.expression
        return source if isinstance(source, (exp.Values, exp.Query)) else None
    if isinstance(statement, exp.Update):
        values = [eq.expression.copy() for eq in statement.expressions if isinstance(eq, exp.EQ)]
        select = exp.Select(expressions=values).from_(statement.this.copy())
        where = statement.args.get("where")
        return select.where(where.this.copy()) if where else select
    if isinstance(statement, exp.Create) and isinstance(statement.expression, exp.Query):
        return statement.expression
    if not isinstance(statement, exp.Query):
        return None
    if not isinstance(statement, exp.Select) or not statement.args.get("limit"):
        return statement
    streaming = not any(statement.args.get(k) for k in ("order", "group", "distinct", "having"))
    if not streaming or any(e.find(exp.AggFunc) for e in statement.expressions):
        return statement
    limit, offset = statement.args["limit"].expression, statement.args.get("offset")
    try:
        rows = int(limit.name) + (int(offset.expression.name) if offset else 0)
    except (ValueError, AttributeError):
        return statement
    ahead = statement.copy()
    ahead.set("limit", exp.Limit(expression=exp.Literal.number(math.ceil(rows / batch) * batch)))
    ahead.set("offset", None)
    return ahead


class _Evaluation:
    def __init__(self, s: AuroraSession, sites: list[Site]) -> None:
        self.sites = sites
        self.calls = ServiceCalls(s)
        self.final = False
        self.counts: Counter[str] = Counter()
        self._cache: dict[tuple, Any] = {}
        self._used: set[tuple] = set()
        self._pending: dict[int, dict[tuple, tuple]] = {}
        self._failure: BaseException | None = None

    def functions(self) -> dict[str, Callable[..., Any]]:
        return {site.udf: self._function(site) for site in self.sites}

    def _function(self, site: Site) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return self._evaluate(site, args)
            except BaseException as error:  # SQLite reports only "user-defined function raised exception"
                self._failure = error
                raise

        return call

    def guarded(self, run: Callable[[], Outcome]) -> Outcome:
        self._failure = None
        try:
            return run()
        except SqlError:
            if self._failure is not None:
                raise self._failure from None
            raise

    # -- one evaluation -----------------------------------------------------------------------

    def _evaluate(self, site: Site, args: tuple) -> Any:
        key = _key(site, args)
        if key is None:
            return None
        if site.service == "lambda":  # not Aurora ML: no batching, no counters
            return self.calls.lambda_invoke(site.name, key[1], key[2]) if self.final else None
        if not self.final:
            if not site.batched:
                return None
            if key in self._cache:
                return _result(site, self._cache[key])
            self._pending.setdefault(site.index, {})[key] = args
            return None
        self.counts["logical_request"] += 1
        if site.batched:
            if key not in self._cache:  # a row the reading rounds did not see
                self._send(site, [key])
            if key in self._used:
                self.counts["cache_hit"] += 1
            self._used.add(key)
            value = self._cache[key]
        else:
            self.counts["single_request"] += 1
            value = self._single(site, key)
        if value is not None:
            self.counts["logical_response"] += 1
        return _result(site, value)

    def send_pending(self) -> bool:
        """Send what the last reading round asked for, in batches; whether anything was sent.
        Calls that go to the same place (the same endpoint, or Comprehend in the same language)
        with the same batch size share batches: INSERT ... VALUES (f(1)), (f(2)) is one request."""
        batches: dict[tuple, tuple[Site, dict[tuple, None]]] = {}
        for site in self.sites:
            asked = self._pending.get(site.index, {})
            keys = [key for key in asked if key not in self._cache]
            size = _batch_size(site, next(iter(asked.values()), None))
            for key in keys:
                batches.setdefault((key[0], key[1], size), (site, {}))[1][key] = None
        for (_, _, size), (site, keys) in batches.items():
            ordered = list(keys)
            for start in range(0, len(ordered), size):
                self._send(site, ordered[start : start + size])
        self._pending.clear()
        return bool(batches)

    def _send(self, site: Site, keys: list[tuple]) -> None:
        if site.service == "comprehend":
            items = self.calls.comprehend([key[2] for key in keys], keys[0][1], batch=True)
            for key, item in zip(keys, items):
                self._cache[key] = _sentiment(item)
        else:
            lines = self.calls.sagemaker(keys[0][1], [list(key[2]) for key in keys])
            self._cache.update(zip(keys, lines))

    def _single(self, site: Site, key: tuple) -> Any:
        if site.service == "comprehend":
            return _sentiment(self.calls.comprehend([key[2]], key[1], batch=False)[0])
        if site.service == "sagemaker":
            return self.calls.sagemaker(key[1], [list(key[2])])[0]
        alias = site.function.alias if site.function else None
        assert isinstance(alias, BedrockAlias)
        return self.calls.bedrock(alias.model_id, key[2], alias.content_type, alias.accept)


def _key(site: Site, args: tuple) -> tuple | None:
    """What identifies a call's answer within a statement; None: NULL without asking."""
    if site.service == "comprehend":
        text, language = args[0], args[1]
        if len(args) == 3:
            _batch_size(site, args)  # refuses a max_batch_size that is not > 0
        if text is None or _text(text) == "":
            return None
        return ("comprehend", _text(language) if language is not None else "", _text(text))
    if site.service == "bedrock":
        return None if args[0] is None else ("bedrock", "", _text(args[0]))
    if site.service == "lambda":
        return None if args[0] is None or args[1] is None else ("lambda", _text(args[0]), _text(args[1]))
    assert site.function is not None and isinstance(site.function.alias, SageMakerAlias)
    types = [kind for _, kind in parameters(site.function)]
    return ("sagemaker", site.function.alias.endpoint, tuple(_field(v, t) for v, t in zip(args, types)))


def _batch_size(site: Site, args: tuple | None = None) -> int:
    """How many rows one request takes: from the call's arguments when given (Comprehend's
    max_batch_size), else as the statement is written (a literal max_batch_size, or the default)."""
    if site.service == "comprehend":
        if args is None:
            call = site.node
            written = call.expressions[2] if len(call.expressions) == 3 else None
            args = (None, None, int(written.name)) if isinstance(written, exp.Literal) and written.is_int else ()
        if len(args) < 3 or args[2] is None:
            return COMPREHEND_BATCH
        size = int(args[2]) if isinstance(args[2], (int, float)) else 0
        if size <= 0:
            raise SqlError(1210, f"Incorrect arguments to {site.name}: max_batch_size must be greater than 0")
        return min(size, COMPREHEND_BATCH)
    alias = site.function.alias if site.function else None
    return (alias.max_batch_size if isinstance(alias, SageMakerAlias) else None) or SAGEMAKER_BATCH


def _sentiment(item: dict[str, Any]) -> tuple[str, float] | None:
    if "Sentiment" not in item:
        return None  # the service could not read this text (ErrorList)
    label = item["Sentiment"]
    return label, item["SentimentScore"][label.capitalize()]


def _result(site: Site, value: Any) -> Any:
    if value is None:
        return None
    if site.service == "comprehend":
        return value[1] if site.confidence else value[0]
    if site.service == "bedrock":
        return value
    assert site.function is not None
    kind = site.function.returns.name
    if kind not in NUMERIC_TYPES:
        return value
    try:
        number = float(value)
    except ValueError:
        return 0  # as MySQL reads a string that is not a number
    return int(round(number)) if kind in _INTEGERS else number


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(value: Any, kind: str) -> str:
    """One argument as a CSV field, read as the parameter's type (as MySQL converts arguments)."""
    if value is None:
        return ""
    if kind in _INTEGERS:
        try:
            return str(int(round(float(value))))
        except (TypeError, ValueError):
            return "0"
    if kind in NUMERIC_TYPES:
        try:
            return _text(float(value))
        except (TypeError, ValueError):
            return "0"
    return _text(value)
