"""EXPLAIN in MySQL's traditional format, with Aurora's `Batched machine learning` in Extra.

Aurora batches calls of SageMaker functions and of aws_comprehend_detect_sentiment[_confidence]
in a query's SELECT list or WHERE clause and in INSERT/REPLACE ... VALUES, and SageMaker calls in
UPDATE ... SET; Bedrock functions make one request per row [the Aurora ML reference in the auroraml repository, docs/reference/ §6-7]. Which calls batch
is ml.plan's answer, the same one the endpoint evaluates them by. The plan itself is the simplest
MySQL shows: a full scan of each table, no keys (INSERT ... SELECT: the INSERT row, then the
SELECT's rows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult
from sqlglot import exp

from . import ml
from .errors import no_database, not_supported
from .lexer import Parser

if TYPE_CHECKING:
    from .session import AuroraSession

COLUMNS = ["id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows",
           "filtered", "Extra"]
BATCHED = "Batched machine learning"
_EXPLAINABLE = ("SELECT", "WITH", "(", "INSERT", "REPLACE", "UPDATE", "DELETE")


def explain(s: AuroraSession, p: Parser) -> AllowedResult:
    p.word()  # EXPLAIN, DESCRIBE or DESC
    if p.accept("FORMAT"):
        p.expect("=")
        form = p.word().upper()
        if form != "TRADITIONAL":
            raise not_supported(f"EXPLAIN FORMAT={form} in the sandbox")
    if not any(p.at(word) for word in _EXPLAINABLE):
        raise not_supported(f"{p.tokens[0].text.upper()} {p.rest()} in the sandbox")
    statement = s.parse_one(p.rest())
    if isinstance(statement, exp.SetOperation):
        statement = statement.this  # the first SELECT of a UNION drives the plan shown here
    if isinstance(statement, exp.Select):
        return _select(s, statement, _batched(s, statement)), COLUMNS
    target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    kind = type(statement).__name__.upper()  # INSERT, UPDATE, DELETE
    batched = _batched(s, statement)
    if isinstance(statement, exp.Insert):
        source = statement.expression
        if isinstance(source, exp.Select):
            return [_row(kind, target, None, None, []), *_select(s, source, batched)], COLUMNS
        return [_row(kind, target, None, None, [BATCHED] if batched else [])], COLUMNS
    where = statement.args.get("where")
    extra = (["Using where"] if where else []) + ([BATCHED] if batched else [])
    return [_row(kind, target, _count(s, target), 100.0, extra)], COLUMNS


def _select(s: AuroraSession, select: exp.Select, batched: bool) -> list[tuple]:
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    sources += [join.this for join in select.args.get("joins") or []]
    tables = [t for t in sources if isinstance(t, exp.Table) and t.name.upper() != "DUAL"]
    if not tables:
        return [(1, "SIMPLE", None, None, None, None, None, None, None, None, None, "No tables used")]
    where = select.args.get("where")
    rows = []
    for index, table in enumerate(tables):
        extra = []
        if index == 0 and where:
            extra.append("Using where")
        if index == 0 and batched:
            extra.append(BATCHED)
        rows.append(_row("SIMPLE", table, _count(s, table), 10.0 if where else 100.0, extra))
    return rows


def _row(select_type: str, table: exp.Expression, rows: int | None, filtered: float | None, extra: list[str]
         ) -> tuple:
    name = table.alias_or_name if isinstance(table, exp.Table) else None
    return (1, select_type, name, None, "ALL", None, None, None, None, rows, filtered, "; ".join(extra) or None)


def _count(s: AuroraSession, table: exp.Expression) -> int | None:
    if not isinstance(table, exp.Table):
        return None
    database = table.db or s.database
    if not database:
        raise no_database()
    return s.cluster.tables.row_count(database, table.name)


def _batched(s: AuroraSession, statement: exp.Expression) -> bool:
    """Whether the statement has an ML call Aurora batches (ml.plan decides, as when it runs)."""
    _, sites = ml.plan(s, statement, check_execute=False)
    return any(site.batched for site in sites)
