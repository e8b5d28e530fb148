"""What a statement answers: the OK packet's numbers of one that returns no rows but counts
some, and the names of a result's columns (label_columns).

mysql-mimic's Connection always sends `0 rows affected` (and its ResultSet, compiled, cannot be
subclassed); the endpoint's Connection subclass sends these counts instead, which PyMySQL returns
from `cursor.execute`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from .lexer import SYMBOL, WORD, tokenize


@dataclass(frozen=True)
class Affected:
    rows: int
    last_insert_id: int = 0


# Words that end a SELECT list at bracket depth 0.
_LIST_ENDS = frozenset({"FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "UNION", "EXCEPT",
                        "INTERSECT", "FOR", "LOCK"})
_MODIFIERS = frozenset({"ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT",
                        "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS"})


def label_columns(expression: exp.Expression, sql: str) -> None:
    """Name a SELECT's unnamed result columns as MySQL does: after the expression as the user
    wrote it (`LEFT(comment,  3)`, `VERSION()`), not as it is rewritten to run (a value, an ML
    call's stand-in). A UNION takes its first SELECT's names. Columns and `*` keep theirs."""
    select = expression
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    texts = _select_list(sql)
    if texts is None or len(texts) != len(select.expressions):
        return
    for node, text in zip(list(select.expressions), texts):
        if isinstance(node, (exp.Alias, exp.Column, exp.Star)):
            continue
        label = node.name if isinstance(node, exp.Literal) and node.is_string else text
        node.replace(exp.alias_(node.copy(), exp.to_identifier(label, quoted=True)))


def _select_list(sql: str) -> list[str] | None:
    """The texts of the outermost SELECT's list, split at its commas."""
    tokens = tokenize(sql)
    depth, begin = 0, None
    for index, token in enumerate(tokens):
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.is_word("SELECT"):
            begin = index + 1
            break
    if begin is None:
        return None
    while begin < len(tokens) and tokens[begin].kind == WORD and tokens[begin].text.upper() in _MODIFIERS:
        begin += 1
    texts: list[str] = []
    start = tokens[begin].start if begin < len(tokens) else len(sql)
    depth = 0
    for token in tokens[begin:]:
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.kind == SYMBOL and token.text == ",":
            texts.append(sql[start : token.start].strip())
            start = token.start + 1
            continue
        if depth < 0 or (depth == 0 and token.kind == WORD and token.text.upper() in _LIST_ENDS) or (
                depth == 0 and token.kind == SYMBOL and token.text == ";"):
            texts.append(sql[start : token.start].strip())
            return texts
    texts.append(sql[start:].strip())
    return texts
