"""Stored functions of one cluster: Aurora's ML aliases and plain `RETURN expr` functions.

The registry is what SHOW CREATE FUNCTION, information_schema.ROUTINES, EXECUTE grants and
EXPLAIN read; evaluating the functions (calling SageMaker or Bedrock) will read it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlglot import exp

from .accounts import AccountName
from .engine import Engine

STRING_TYPES = frozenset({"CHAR", "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET"})
NUMERIC_TYPES = frozenset(
    {"BIT", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "DECIMAL", "FLOAT", "DOUBLE"}
)
OTHER_TYPES = frozenset(
    {"DATE", "DATETIME", "TIMESTAMP", "TIME", "YEAR", "JSON", "BINARY", "VARBINARY", "TINYBLOB", "BLOB",
     "MEDIUMBLOB", "LONGBLOB"}
)
# Spellings MySQL stores under another name.
SYNONYMS = {"INTEGER": "INT", "NUMERIC": "DECIMAL", "DEC": "DECIMAL", "REAL": "DOUBLE", "CHARACTER": "CHAR",
            "BOOL": "TINYINT", "BOOLEAN": "TINYINT"}
# MySQL 5.7 shows integer display widths (one less unsigned); 8.0 dropped them but for TINYINT(1)
# and ZEROFILL.
_WIDTHS_57 = {"TINYINT": "(4)", "SMALLINT": "(6)", "MEDIUMINT": "(9)", "INT": "(11)", "BIGINT": "(20)"}
_WIDTHS_UNSIGNED = {"TINYINT": "(3)", "SMALLINT": "(5)", "MEDIUMINT": "(8)", "INT": "(10)", "BIGINT": "(20)"}
DEFAULT_CHARSET = "utf8mb4"
# Aurora's built-in Comprehend functions: no DDL, always there.
COMPREHEND_FUNCTIONS = ("aws_comprehend_detect_sentiment", "aws_comprehend_detect_sentiment_confidence")
# Aurora's native Lambda functions (version 2, 3.01+): no DDL, always there [the Aurora ML reference in the auroraml repository, docs/reference/,
# "Lambda: native functions in SQL"].
LAMBDA_FUNCTIONS = ("lambda_sync", "lambda_async")
NATIVE_FUNCTIONS = COMPREHEND_FUNCTIONS + LAMBDA_FUNCTIONS
# The deprecated stored procedure (version 2 only; absent in version 3): not modelled.
LAMBDA_PROCEDURE = re.compile(r"\s*CALL\s+`?mysql`?\s*\.\s*`?lambda_async`?\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class DataType:
    name: str  # canonical, upper case: VARCHAR
    size: str = ""  # "(64)", "(10,2)"
    unsigned: bool = False
    charset: str | None = None
    collate: str | None = None
    zerofill: bool = False

    @property
    def is_string(self) -> bool:
        return self.name in STRING_TYPES

    def dtd(self, engine: Engine) -> str:
        """information_schema's DTD_IDENTIFIER: `varchar(64)`, `int` (`int(11)` on 5.7)."""
        size = self.size
        if self.name in _WIDTHS_57:
            default = (_WIDTHS_UNSIGNED if self.unsigned else _WIDTHS_57)[self.name]
            if not engine.uses_roles or self.zerofill:
                size = size or default
            elif size != "(1)" or self.name != "TINYINT":
                size = ""
        text = self.name.lower() + size + (" unsigned" if self.unsigned else "")
        return text + (" zerofill" if self.zerofill else "")

    def declared(self, engine: Engine) -> str:
        """As SHOW CREATE FUNCTION writes a return type: strings carry their character set."""
        text = self.dtd(engine)
        if self.is_string:
            text += f" CHARSET {self.charset or DEFAULT_CHARSET}"
            if self.collate:
                text += f" COLLATE {self.collate}"
        return text


def quote_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@dataclass(frozen=True)
class SageMakerAlias:
    endpoint: str
    max_batch_size: int | None = None
    service = "sagemaker"
    batched = True  # Aurora batches SageMaker calls in a SELECT list or WHERE

    def clause(self) -> str:
        text = f"ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME {quote_string(self.endpoint)}"
        return text + (f" MAX_BATCH_SIZE {self.max_batch_size}" if self.max_batch_size is not None else "")


@dataclass(frozen=True)
class BedrockAlias:
    model_id: str
    content_type: str | None = None
    accept: str | None = None
    timeout_ms: int | None = None
    service = "bedrock"
    batched = False  # one request per row

    def clause(self) -> str:
        text = f"ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID {quote_string(self.model_id)}"
        for keyword, value in (("CONTENT_TYPE", self.content_type), ("ACCEPT", self.accept)):
            if value is not None:
                text += f" {keyword} {quote_string(value)}"
        return text + (f" TIMEOUT_MS {self.timeout_ms}" if self.timeout_ms is not None else "")


@dataclass(frozen=True)
class StoredFunction:
    db: str
    name: str
    params: str  # the parameter list as written: MySQL echoes it verbatim
    returns: DataType
    definer: AccountName
    alias: SageMakerAlias | BedrockAlias | None = None
    body: str | None = None  # `RETURN expr` of a plain SQL function
    security: str = "DEFINER"
    data_access: str = "CONTAINS SQL"
    deterministic: bool = False
    comment: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None))

    def definition(self) -> str:
        """What follows the characteristics: the ALIAS clause or the RETURN body."""
        return self.alias.clause() if self.alias is not None else self.body or ""

    def create_statement(self, engine: Engine) -> str:
        """SHOW CREATE FUNCTION's text, laid out as MySQL lays it out (defaults left unsaid)."""
        definer = f"{quote_name(self.definer.user)}@{quote_name(self.definer.host)}"
        head = (f"CREATE DEFINER={definer} FUNCTION {quote_name(self.name)}({self.params}) "
                f"RETURNS {self.returns.declared(engine)}")
        lines = [head]
        if self.deterministic:
            lines.append("    DETERMINISTIC")
        if self.data_access != "CONTAINS SQL":
            lines.append(f"    {self.data_access}")
        if self.security != "DEFINER":
            lines.append(f"    SQL SECURITY {self.security}")
        if self.comment:
            lines.append(f"    COMMENT {quote_string(self.comment)}")
        lines.append(self.definition())
        return "\n".join(lines)


class Functions:
    """Stored functions by (database, name); names are case-insensitive, as in MySQL."""

    def __init__(self) -> None:
        self._all: dict[tuple[str, str], StoredFunction] = {}

    def get(self, db: str, name: str) -> StoredFunction | None:
        return self._all.get((db, name.lower()))

    def add(self, function: StoredFunction) -> None:
        self._all[(function.db, function.name.lower())] = function

    def remove(self, db: str, name: str) -> None:
        del self._all[(db, name.lower())]

    def drop_database(self, db: str) -> list[StoredFunction]:
        dropped = [f for (d, _), f in self._all.items() if d == db]
        for function in dropped:
            self.remove(function.db, function.name)
        return dropped

    def all(self) -> list[StoredFunction]:
        return [self._all[key] for key in sorted(self._all)]


def function_calls(node: exp.Expression, database: str | None) -> Iterator[tuple[str | None, str]]:
    """(database, name) of each call of a function sqlglot does not know: stored functions and
    Aurora's built-ins. `db.fn(...)` names its database; `fn(...)` is in the current one."""
    for call in node.find_all(exp.Anonymous):
        parent = call.parent
        qualified = isinstance(parent, exp.Dot) and parent.expression is call
        yield (parent.this.name if qualified else database), call.name
