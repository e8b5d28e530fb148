"""Tokens and a small recursive-descent helper for the statements sqlglot cannot parse.

sqlglot's MySQL tokenizer does the lexing (quotes, escapes, comments), so only the grammar of
the Aurora and account statements is written here. A syntax error points where MySQL's would:
`... near '<rest of the statement>' at line N`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from .errors import SqlError, syntax_error

WORD = "word"  # an unquoted keyword or name
IDENT = "ident"  # a `backticked` name
STRING = "string"
NUMBER = "number"
SYMBOL = "symbol"

_WORDLIKE = re.compile(r"[A-Za-z_$][\w$]*")
_KINDS = {TokenType.STRING: STRING, TokenType.NATIONAL_STRING: STRING, TokenType.IDENTIFIER: IDENT,
          TokenType.NUMBER: NUMBER}
_TOKENIZER = MySQL().tokenizer_class()
T = TypeVar("T")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # unquoted for strings and identifiers
    start: int  # offset in the statement

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper() in words


def tokenize(sql: str) -> list[Token]:
    try:
        raw = _TOKENIZER.tokenize(sql)
    except TokenError:
        raise syntax_error(sql, 0) from None
    return [token for t in raw for token in _split(t, sql)]


def _split(t: object, sql: str) -> Iterator[Token]:
    kind = _KINDS.get(t.token_type)  # type: ignore[attr-defined]
    text, start = t.text, t.start  # type: ignore[attr-defined]
    if kind == STRING:
        yield Token(kind, _mysql_string(sql[start : t.end + 1]), start)  # type: ignore[attr-defined]
    elif kind is not None:
        yield Token(kind, text, start)
    elif " " in text.strip() or "\n" in text or "\t" in text:
        # sqlglot joins some keyword pairs ("ORDER BY", "PRIMARY KEY"); the grammar wants words.
        for match in re.finditer(r"\S+", sql[start : t.end + 1]):  # type: ignore[attr-defined]
            yield Token(WORD, match.group(), start + match.start())
    else:
        yield Token(WORD if _WORDLIKE.fullmatch(text) else SYMBOL, text, start)


_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}
_ESCAPE = re.compile(r"\\(.)|''|\"\"", re.DOTALL)


def _mysql_string(raw: str) -> str:
    """A string literal's value as MySQL reads it: `\\n`, `\\t`, `\\0`, ... and doubled quotes."""
    quote = raw.find("'") if raw[:1] not in ("'", '"') and "'" in raw else 0  # N'...' / _utf8mb4'...'
    body = raw[quote + 1 : -1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)) if m.group(1) is not None
                       else m.group()[0], body)


def split_statements(sql: str) -> list[str]:
    """The statements of a multi-statement query, split at top-level semicolons: not inside the
    BEGIN ... END body of a CREATE statement (a trigger's)."""
    tokens = tokenize(sql)
    cuts, depth, first, routine, closing = [], 0, None, False, False
    for index, token in enumerate(tokens):
        if token.kind == SYMBOL and token.text == ";":
            if depth == 0:
                cuts.append(token.start)
                first, routine = None, False
            continue
        first = first or token
        routine = routine or (first.is_word("CREATE") and token.is_word("TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"))
        if not routine or token.kind != WORD or closing:
            closing = False
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        call = following is not None and following.kind == SYMBOL and following.text == "("
        if token.is_word("BEGIN") or (depth and token.is_word("CASE", "LOOP", "WHILE")) or (
                depth and token.is_word("IF", "REPEAT") and not call):
            depth += 1
        elif depth and token.is_word("END"):
            depth -= 1
            closing = following is not None and following.is_word("IF", "CASE", "LOOP", "WHILE", "REPEAT")
    pieces, begin = [], 0
    for cut in cuts:
        pieces.append(sql[begin:cut])
        begin = cut + 1
    pieces.append(sql[begin:])
    return [p for p in pieces if p.strip()]


class Parser:
    """A cursor over one statement's tokens. `reserved` are the words that need backticks."""

    def __init__(self, sql: str, reserved: frozenset[str] = frozenset()) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.reserved = reserved
        self.i = 0

    # -- looking ------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.i + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, *words: str) -> bool:
        """Whether the next tokens are these words (or symbols), in order."""
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or not (token.is_word(word) or (token.kind == SYMBOL and token.text == word)):
                return False
        return True

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    @property
    def position(self) -> int:
        token = self.peek()
        return token.start if token else len(self.sql)

    # -- consuming ----------------------------------------------------------------------------

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.i += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        for word in words:
            if not self.accept(word):
                raise self.error()

    def word(self) -> str:
        """Any unquoted word (a keyword the grammar checks itself)."""
        token = self.peek()
        if token is None or token.kind != WORD:
            raise self.error()
        self.i += 1
        return token.text

    def identifier(self) -> str:
        token = self.peek()
        if token is None or token.kind not in (WORD, IDENT):
            raise self.error()
        if token.kind == WORD and token.text.lower() in self.reserved:
            raise self.error()
        self.i += 1
        return token.text

    def name_or_string(self) -> str:
        """An account part: 'quoted', `quoted` or bare."""
        token = self.peek()
        if token is not None and token.kind == STRING:
            self.i += 1
            return token.text
        return self.identifier()

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind != STRING:
            raise self.error()
        self.i += 1
        return token.text

    def integer(self) -> int:
        token = self.peek()
        if token is None or token.kind != NUMBER or not token.text.isdigit():
            raise self.error()
        self.i += 1
        return int(token.text)

    def qualified(self) -> tuple[str | None, str]:
        """`name` or `db.name`."""
        first = self.identifier()
        if self.accept("."):
            return first, self.identifier()
        return None, first

    def comma_list(self, item: Callable[[], T]) -> list[T]:
        items = [item()]
        while self.accept(","):
            items.append(item())
        return items

    def end(self) -> None:
        if not self.at_end():
            raise self.error()

    def rest(self) -> str:
        """The statement text from the next token on."""
        return self.sql[self.position :].strip()

    def error(self, at: int | None = None) -> SqlError:
        return syntax_error(self.sql, self.position if at is None else at)
