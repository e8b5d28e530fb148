"""CREATE TRIGGER and DROP TRIGGER, run as SQLite triggers on the cluster's tables.

    CREATE [DEFINER = account] TRIGGER [IF NOT EXISTS] [db.]name {BEFORE | AFTER}
      {INSERT | UPDATE | DELETE} ON [db.]table FOR EACH ROW
      {statement | BEGIN statement; ... END}
    DROP TRIGGER [IF EXISTS] [db.]name

A body's statements are INSERT, UPDATE, DELETE and (BEFORE INSERT/UPDATE) `SET NEW.col =
expr`; anything else in a body (IF, DECLARE, CALL, SIGNAL, ...) is refused by name (1235). SQLite
cannot change NEW, so a BEFORE trigger that sets NEW.col runs after the row is written, as an
UPDATE of that row: the row's constraints are checked before the SET, not after it.

Aurora does not support Aurora machine learning calls in triggers (its limitations list): a body
that calls an ML function, directly or through a stored function, is refused when the trigger is
created. Aurora documents no error for it; 1235 with that sentence is the sandbox's wording.
Lambda calls (lambda_sync / lambda_async) are allowed in Aurora's triggers but not modelled in the
sandbox's: refused the same way, saying so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from . import ml
from .accounts import Level
from .errors import SqlError, need_privilege, not_supported
from .lexer import Parser, split_statements
from .results import Affected

if TYPE_CHECKING:
    from .session import AuroraSession

_EVENTS = ("INSERT", "UPDATE", "DELETE")


def is_create(p: Parser) -> bool:
    """CREATE [DEFINER = ...] TRIGGER: the words before TRIGGER are a definer clause at most."""
    if not p.at("CREATE"):
        return False
    for token in p.tokens[1:8]:
        if token.is_word("TRIGGER"):
            return True
        if token.is_word("FUNCTION", "PROCEDURE", "VIEW", "EVENT", "TABLE", "USER", "ROLE", "DATABASE"):
            return False
    return False


def create(s: AuroraSession, p: Parser) -> Affected | None:
    from .function_ddl import _definer

    p.expect("CREATE")
    definer = _definer(s, p) if p.at("DEFINER") else s.account
    p.expect("TRIGGER")
    if_not_exists = s.engine.uses_roles and p.accept("IF", "NOT", "EXISTS")
    db, name = p.qualified()
    timing = p.word().upper()
    if timing not in ("BEFORE", "AFTER"):
        raise p.error()
    event = p.word().upper()
    if event not in _EVENTS:
        raise p.error()
    p.expect("ON")
    table_db, table = p.qualified()
    p.expect("FOR", "EACH", "ROW")
    if p.at("FOLLOWS") or p.at("PRECEDES"):
        raise not_supported("FOLLOWS and PRECEDES in the sandbox")
    database = s.database_for(db or table_db)
    if table_db and table_db != database:
        raise SqlError(1435, "Trigger in wrong schema")
    if table not in s.cluster.tables.table_names(database):
        raise SqlError(1146, f"Table '{database}.{table}' doesn't exist")
    if not s.holds("TRIGGER", Level("table", database, table)):
        raise SqlError(1142, f"TRIGGER command denied to user {s.who} for table '{table}'")
    if definer != s.account and not s.holds("SET_USER_ID"):
        raise need_privilege("SUPER", "SET_USER_ID") if s.engine.uses_roles else need_privilege("SUPER")
    if s.variables.get("log_bin") and not s.variables.get("log_bin_trust_function_creators"):
        raise SqlError(1419, "You do not have the SUPER privilege and binary logging is enabled (you *might* want "
                             "to use the less safe log_bin_trust_function_creators variable)")
    body = p.rest().strip()
    statements = _body(s, p, timing, event)
    if s.cluster.tables.has_trigger(database, name):
        if if_not_exists:
            return Affected(0)
        raise SqlError(1359, "Trigger already exists")
    s.cluster.tables.create_trigger(database, name, timing, event, table, _inlined(s, statements))
    if s.cluster.tables.schema is not None:  # the SQLite engine's catalogue (a server keeps its own)
        s.cluster.tables.schema.trigger_texts[(database, name)] = (body, str(definer), str(s.variables.get("sql_mode")))
    return Affected(0)


def drop(s: AuroraSession, p: Parser) -> Affected:
    p.expect("DROP", "TRIGGER")
    if_exists = p.accept("IF", "EXISTS")
    db, name = p.qualified()
    p.end()
    database = s.database_for(db)
    if not s.cluster.tables.has_trigger(database, name):
        if if_exists:
            return Affected(0)
        raise SqlError(1360, "Trigger does not exist")
    table = s.cluster.tables.trigger_table(database, name)
    if not s.holds("TRIGGER", Level("table", database, table)):
        raise SqlError(1142, f"TRIGGER command denied to user {s.who} for table '{table}'")
    s.cluster.tables.drop_trigger(database, name)
    return Affected(0)


def _body(s: AuroraSession, p: Parser, timing: str, event: str) -> list[exp.Expression]:
    """The body's statements, parsed; `SET NEW.col = expr` becomes an exp.EQ of NEW.col."""
    if p.at_end():
        raise p.error()
    text = p.rest()
    if p.at("BEGIN"):
        p.i = len(p.tokens) - 1
        if not p.at("END"):
            raise p.error()
        text = text[len("BEGIN") : text.upper().rfind("END")]
    pieces = split_statements(text)
    if not pieces:
        raise p.error()
    statements: list[exp.Expression] = []
    for piece in pieces:
        inner = Parser(piece, s.engine.reserved)
        if inner.at("SET"):
            statements.extend(_set_new(s, piece, timing, event))
        elif inner.at("INSERT") or inner.at("UPDATE") or inner.at("DELETE"):
            statements.append(s.parse_one(piece))
        else:
            first = inner.peek()
            raise not_supported(f"{first.text.upper() if first else 'empty'} statements in trigger bodies "
                                "in the sandbox")
    return statements


def _set_new(s: AuroraSession, piece: str, timing: str, event: str) -> list[exp.Expression]:
    parsed = s.parse_one(piece)
    items = parsed.expressions if isinstance(parsed, exp.Set) else []
    assignments = []
    for item in items:
        assignment = item.this if isinstance(item, exp.SetItem) else None
        left = assignment.this if isinstance(assignment, exp.EQ) else None
        if not isinstance(left, exp.Column) or left.table.upper() not in ("NEW", "OLD"):
            raise not_supported("SET of variables in trigger bodies in the sandbox")
        if left.table.upper() == "OLD" or event == "DELETE":
            raise SqlError(1362, "Updating of OLD row is not allowed in trigger")
        if timing == "AFTER":
            raise SqlError(1362, "Updating of NEW row is not allowed in after trigger")
        assignments.append(assignment)
    return assignments


def _inlined(s: AuroraSession, statements: list[exp.Expression]) -> list[exp.Expression]:
    """The statements with stored functions' RETURN bodies inlined (SQLite runs them so); an ML
    call, direct or through a stored function, is refused."""
    inlined = []
    for statement in statements:
        if isinstance(statement, exp.EQ):
            planned, sites = ml.plan(s, exp.Select(expressions=[statement.expression.copy()]), check_execute=False)
            planned = exp.EQ(this=statement.this.copy(), expression=planned.expressions[0])
        else:
            planned, sites = ml.plan(s, statement, check_execute=False)
        if sites:
            if sites[0].service == "lambda":  # Aurora allows these; the sandbox's triggers cannot call out
                raise not_supported(f"Lambda calls in trigger bodies in the sandbox ({sites[0].name})")
            raise not_supported(f"Aurora machine learning calls in triggers ({sites[0].name})")
        inlined.append(planned)
    return inlined
