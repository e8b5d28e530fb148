"""Aurora ML calls on the mariadb engine, without user functions (docs/reference/sql-compat.md,
"Engine choice": ML call sites without UDFs).

The SQLite engine (ml_eval) turns each call site into a SQLite user function. A server has none,
so each site is answered before the statement runs, in waves (inner calls first, and a WHERE's
calls before the SELECT list they decide):

1. its *argument query*: the rows the site is evaluated on, with the select list replaced by the
   site's arguments (`SELECT feedback, 'en' FROM ... WHERE <the other conditions>`); for a batched
   site first on the LIMIT read-ahead (ml_eval._rows_read) with the answers not yet sent, then on
   the statement's own rows, each row one evaluation — the same `_Evaluation` as the SQLite engine
   counts and batches them (Comprehend BatchDetectSentiment by max_batch_size, SageMaker CSV
   bodies, one Bedrock call a row), so requests, errors and Aurora_ml_* counters are the same;
2. the answers go into a TEMPORARY TABLE of the session (`__aurora_ml_<n>`: the argument columns, with the
   types the server gives the argument expressions, and `answer`);
3. the site becomes a scalar subquery `(SELECT answer FROM __aurora_ml_<n> WHERE a0 <=> <arg0> ... LIMIT 1)`.

Then the rewritten statement runs and the temporary tables go. Supported: calls in the select
list and WHERE of one query block (with its joins; INSERT ... SELECT, CREATE TABLE ... AS SELECT),
in INSERT ... VALUES, in UPDATE ... SET and its WHERE. Elsewhere (subqueries, ORDER BY, GROUP BY,
HAVING, JOIN ... ON, DELETE) the call is refused (1235) naming the place. Differences: an argument
that is volatile (RAND(), NOW(6)) is evaluated twice; rows with the same arguments share one
answer (a single, per-row call is still sent once per row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from . import ml_eval, system_tables
from .errors import SqlError, not_supported
from .ml import Site, plan
from .server_tables import SYS_SCHEMA, ServerTables
from .tables import Outcome

if TYPE_CHECKING:
    from .session import AuroraSession

_MARK = "aurora_ml_site"


def run(s: AuroraSession, statement: exp.Expression) -> Outcome:
    tables: ServerTables = s.cluster.tables  # type: ignore[assignment]
    system = lambda db, table: system_tables.read(s, db, table)  # noqa: E731
    planned, sites = plan(s, statement)
    if not sites:
        return tables.run(planned, s.database, system)
    ml_eval._check_access(s, sites)
    for site in sites:
        _call(site).meta[_MARK] = site.index
        _block_of(planned, site)  # refuses a place this engine does not evaluate
    batched = [site for site in sites if site.batched]
    reading = ml_eval._rows_read(planned, min((ml_eval._batch_size(site) for site in batched), default=1))
    if reading is None or not isinstance(planned, exp.Select):
        reading = planned
    evaluation = ml_eval._Evaluation(s, sites)
    created: list[str] = []
    try:
        remaining = list(reversed(sites))  # inner calls first, as ml_eval
        answered: set[int] = set()
        while remaining:
            wave = [site for site in remaining if _ready(planned, site, answered)]
            if not wave:  # cannot happen for a tree; refuse rather than loop
                raise not_supported("these nested Aurora ML calls on the mariadb engine")
            evaluation.final = False
            for site in wave:
                if site.batched and reading is not planned:
                    for row in _arguments(tables, s, reading, site, answered):
                        evaluation.guarded(lambda row=row: _evaluate(evaluation, site, row))
            for site in wave:
                if site.batched:
                    for row in _arguments(tables, s, planned, site, answered):
                        evaluation.guarded(lambda row=row: _evaluate(evaluation, site, row))
            evaluation.send_pending()
            evaluation.final = True
            for site in wave:
                answers: dict[tuple, Any] = {}
                for row in _arguments(tables, s, planned, site, answered):
                    answers[row] = _evaluate(evaluation, site, row)
                created.append(_load(tables, s, planned, site, answers, answered))
                for tree in {id(planned): planned, id(reading): reading}.values():
                    _replace(tree, site, created[-1])
                answered.add(site.index)
            remaining = [site for site in remaining if site.index not in answered]
        return tables.run(planned, s.database, system)
    finally:
        s.cluster.ml_status.add(evaluation.counts, s.instance)
        for name in created:
            tables.raw(f"DROP TEMPORARY TABLE IF EXISTS `{SYS_SCHEMA}`.`{name}`", None)


def _evaluate(evaluation: Any, site: Site, row: tuple) -> Any:
    return evaluation._evaluate(site, row)


def _call(site: Site) -> exp.Expression:
    return site.node.expression if isinstance(site.node, exp.Dot) else site.node


def _find(tree: exp.Expression, index: int) -> exp.Expression | None:
    for node in tree.find_all(exp.Anonymous):
        if node.meta.get(_MARK) == index:
            return node.parent if isinstance(node.parent, exp.Dot) and node.parent.expression is node else node
    return None


def _block_of(tree: exp.Expression, site: Site) -> tuple[exp.Expression, str]:
    """The query block (Select, a VALUES row, Update) a site is evaluated in, and the clause."""
    node = _find(tree, site.index)
    assert node is not None
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
            return parent, "values"
        if isinstance(parent, exp.Values):
            return parent, "values"
        if isinstance(parent, exp.Select):
            if child.arg_key in ("expressions", "where"):
                return parent, child.arg_key
            if child.arg_key in ("order", "group"):  # evaluated on the block's rows, as its select list
                return parent, "expressions"
            break
        if isinstance(parent, exp.Update):
            if child.arg_key in ("expressions", "where") and parent is tree:
                return parent, child.arg_key
            break
        if isinstance(parent, (exp.Join, exp.Having, exp.Delete)):
            break
        child, parent = parent, parent.parent
    place = {exp.Join: "JOIN ... ON", exp.Having: "HAVING", exp.Delete: "DELETE"}.get(type(parent), "this place") \
        if parent else "this place"
    raise not_supported(f"Aurora ML calls in {place} on the mariadb engine (use --engine sqlite)")


def _sites_in(node: exp.Expression) -> set[int]:
    return {n.meta[_MARK] for n in node.find_all(exp.Anonymous) if _MARK in n.meta}


def _ready(tree: exp.Expression, site: Site, answered: set[int]) -> bool:
    node = _find(tree, site.index)
    assert node is not None
    inner = _sites_in(_call(site)) - {site.index}
    if inner - answered:
        return False
    block, clause = _block_of(tree, site)
    if clause == "expressions" and block.args.get("where") is not None:
        return not (_sites_in(block.args["where"]) - answered)
    return True


def _arguments(tables: ServerTables, s: AuroraSession, tree: exp.Expression, site: Site,
               answered: set[int]) -> list[tuple]:
    query = _argument_query(tree, site, answered)
    try:
        outcome = tables.run(query, s.database, lambda db, table: system_tables.read(s, db, table))
    except SqlError as error:
        if error.code in (1054, 1109):  # a column of an outer query: the block is correlated
            raise not_supported("Aurora ML calls in a correlated subquery on the mariadb engine "
                                "(use --engine sqlite)") from None
        raise
    return [tuple(row) for row in outcome.rows]


def _argument_query(tree: exp.Expression, site: Site, answered: set[int]) -> exp.Expression:
    block, _ = _block_of(tree, site)
    node = _find(tree, site.index)
    assert node is not None
    arguments = [a.copy() for a in _call_in(node).expressions]
    columns = [exp.alias_(a, f"a{i}") for i, a in enumerate(arguments)] or [exp.alias_(exp.Null(), "a0")]
    if isinstance(block, (exp.Tuple, exp.Values)):
        return exp.Select(expressions=columns)
    if isinstance(block, exp.Update):
        select = exp.Select(expressions=columns).from_(block.this.copy())
        for join in block.args.get("joins") or []:
            select.append("joins", join.copy())
        where = block.args.get("where")
    else:
        grouped = block.args.get("group") or block.args.get("having") or block.args.get("distinct") or any(
            e.find(exp.AggFunc) for e in block.expressions)
        select = block.copy()
        where = block.args.get("where")
        select.set("where", None)
        if grouped:  # evaluated on every row before grouping
            select.set("expressions", columns)
            for key in ("group", "having", "order", "limit", "offset", "distinct"):
                select.set(key, None)
        else:  # the block's own rows, in its order and LIMIT (its select list kept for ORDER BY aliases)
            for node in list(select.find_all(exp.Anonymous)):
                if _MARK in node.meta and node.meta[_MARK] not in answered and node.parent is not None:
                    (node.parent if isinstance(node.parent, exp.Dot) else node).replace(exp.Null())
            extra = [exp.alias_(a, f"__aurora_a{i}") for i, a in enumerate(arguments)]
            select.set("expressions", [*select.expressions, *extra])
            if where is not None:
                kept = _kept(where, answered)
                if kept:
                    select.set("where", exp.Where(this=exp.and_(*kept)))
            names = [exp.alias_(exp.column(f"__aurora_a{i}", table="__aurora_q"), f"a{i}")
                     for i in range(len(arguments))] or [exp.alias_(exp.Null(), "a0")]
            return exp.Select(expressions=names).from_(exp.Subquery(this=select, alias=exp.TableAlias(
                this=exp.to_identifier("__aurora_q"))))
    if where is not None:
        kept = _kept(where, answered)
        if kept:
            select.set("where", exp.Where(this=exp.and_(*kept)))
    return select


def _kept(where: exp.Expression, answered: set[int]) -> list[exp.Expression]:
    """The WHERE's conjuncts that call no site still unanswered (those decide nothing yet)."""
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    return [c.copy() for c in conjuncts if not (_sites_in(c) - answered)]


def _call_in(node: exp.Expression) -> exp.Expression:
    return node.expression if isinstance(node, exp.Dot) else node


def _answer_type(site: Site) -> str:
    if site.service == "comprehend":
        return "DOUBLE" if site.confidence else "VARCHAR(255)"
    if site.service == "lambda":
        return "LONGBLOB"
    returns = site.function.returns if site.function else None
    if returns is None:
        return "LONGTEXT"
    name = returns.name
    if name in ("VARCHAR", "CHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON"):
        return "LONGTEXT"
    return name + (returns.size or "") + (" UNSIGNED" if returns.unsigned else "")


def _load(tables: ServerTables, s: AuroraSession, tree: exp.Expression, site: Site, answers: dict[tuple, Any],
          answered: set[int]) -> str:
    name = f"__aurora_ml_{site.index}"
    quoted = f"`{SYS_SCHEMA}`.`{name}`"
    shape = _argument_query(tree, site, answered)
    shape.set("limit", exp.Limit(expression=exp.Literal.number(0)))
    shape.set("offset", None)
    shape.set("order", None)
    tables.raw(f"DROP TEMPORARY TABLE IF EXISTS {quoted}", None)
    tables.run(exp.Create(this=exp.Table(this=exp.to_identifier(name), db=exp.to_identifier(SYS_SCHEMA)),
                          kind="TABLE", expression=shape,
                          properties=exp.Properties(expressions=[exp.TemporaryProperty()])),
               s.database, lambda db, table: system_tables.read(s, db, table))
    tables.raw(f"ALTER TABLE {quoted} ADD COLUMN answer {_answer_type(site)} NULL", None)
    tables.insert_rows(quoted, [(*key, value) for key, value in answers.items()])
    return name


def _replace(tree: exp.Expression, site: Site, name: str) -> None:
    node = _find(tree, site.index)
    if node is None:
        return
    call = _call_in(node)
    table = exp.Table(this=exp.to_identifier(name), db=exp.to_identifier(SYS_SCHEMA),
                      alias=exp.TableAlias(this=exp.to_identifier(f"__m{site.index}")))
    conditions = [exp.NullSafeEQ(this=exp.column(f"a{i}", table=f"__m{site.index}"), expression=a.copy())
                  for i, a in enumerate(call.expressions)]
    lookup = exp.Select(expressions=[exp.column("answer", table=f"__m{site.index}")]).from_(table)
    if conditions:
        lookup = lookup.where(exp.and_(*conditions))
    lookup = lookup.limit(1)
    node.replace(exp.Subquery(this=lookup))
