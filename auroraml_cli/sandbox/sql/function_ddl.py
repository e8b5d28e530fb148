"""CREATE FUNCTION (Aurora's ALIAS grammar, or a plain `RETURN expr` body), DROP FUNCTION,
SHOW CREATE FUNCTION.

    CREATE [DEFINER = user] FUNCTION [IF NOT EXISTS] [db.]name (param type, ...) [DEFINER = user]
      RETURNS type [characteristic ...]
      { ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'endpoint' [MAX_BATCH_SIZE n]
      | ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID 'model' [CONTENT_TYPE 'ct'] [ACCEPT 'ct'] [TIMEOUT_MS n]
      | RETURN expr }

MySQL's rules, as MySQL 8.0 words them: names (1059, 1458), parameters (1330), and the types'
grammar and limits (column_types); IF NOT EXISTS from MySQL 8.0.29; DEFINER written once.

Aurora's refusals: an ML function takes neither DETERMINISTIC nor a SQL data-access clause (a
syntax error at the clause); of the rest, only SQL SECURITY and NOT DETERMINISTIC are documented, so
COMMENT and LANGUAGE SQL are refused as not modelled (1235). Bedrock exists from 3.06 and never
RETURNS JSON; SageMaker returns a number (not BIT) or VARCHAR; MAX_BATCH_SIZE and TIMEOUT_MS
are positive. Which error numbers Aurora uses for the type and size refusals is not documented:
these use MySQL's "not supported" (1235) and "incorrect arguments" (1210).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sqlglot
from mysql_mimic.results import AllowedResult
from sqlglot import exp
from sqlglot.errors import ParseError

from .accounts import AccountName, Level
from .column_types import MBMAXLEN, check_name, data_type, too_long_identifier
from .errors import SqlError, need_privilege, not_supported, unknown_function
from .functions import NUMERIC_TYPES, BedrockAlias, DataType, SageMakerAlias, StoredFunction
from .lexer import Parser

if TYPE_CHECKING:
    from .session import AuroraSession

TIMEOUT_MS_MAX = 2**31 - 1
_DATA_ACCESS = ("CONTAINS SQL", "NO SQL", "READS SQL DATA", "MODIFIES SQL DATA")
_REFUSED_BY_ML = _DATA_ACCESS + ("DETERMINISTIC",)
_ML_CHARACTERISTICS = ("SQL SECURITY", "NOT DETERMINISTIC")
_SAGEMAKER_RETURNS = (NUMERIC_TYPES - {"BIT"}) | {"VARCHAR"}
_IF_NOT_EXISTS_SINCE = (8, 0, 29)  # MySQL's CREATE FUNCTION IF NOT EXISTS


@dataclass
class _Characteristics:
    security: str = "DEFINER"
    data_access: str = "CONTAINS SQL"
    deterministic: bool = False
    comment: str = ""
    written: list[tuple[str, int]] = field(default_factory=list)  # (clause, offset) as they appear


def create(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("CREATE")
    written_definer = p.at("DEFINER")
    definer = _definer(s, p) if written_definer else s.account
    p.expect("FUNCTION")
    if_not_exists = _if_not_exists(s) and p.accept("IF", "NOT", "EXISTS")
    db, name = p.qualified()
    if db is not None and len(db) > 64:
        raise too_long_identifier(db)
    check_name(name)
    p.expect("(")
    start = p.position
    if not p.at(")"):
        seen: set[str] = set()
        p.comma_list(lambda: _parameter(s, p, seen))
    params = p.sql[start : p.position].strip()
    p.expect(")")
    if p.at("DEFINER"):  # where AWS's documentation writes it
        if written_definer:
            raise p.error()
        definer = _definer(s, p)
    p.expect("RETURNS")
    returns = _data_type(s, p)
    characteristics = _characteristics(p)
    alias: SageMakerAlias | BedrockAlias | None = None
    body = None
    if p.accept("ALIAS"):
        alias = _alias(s, p)
        for clause, offset in characteristics.written:
            if clause in _REFUSED_BY_ML:
                raise p.error(offset)
            if clause not in _ML_CHARACTERISTICS:
                raise not_supported(f"{clause} with ALIAS in the sandbox (Aurora documents SQL SECURITY; "
                                    "NOT DETERMINISTIC is its default)")
        _check_alias(alias, returns)
    elif p.at("RETURN"):
        body = p.rest()
        _check_body(body)
        p.i = len(p.tokens)
    elif p.at("BEGIN"):
        raise not_supported("BEGIN ... END function bodies in the sandbox")
    p.end()
    database = s.database_for(db)
    s.require_on_database("CREATE ROUTINE", database)
    if definer != s.account and not s.holds("SET_USER_ID"):
        raise need_privilege("SUPER", "SET_USER_ID") if s.engine.uses_roles else need_privilege("SUPER")
    if s.variables.get("log_bin") and not s.variables.get("log_bin_trust_function_creators"):
        raise SqlError(1419, "You do not have the SUPER privilege and binary logging is enabled (you *might* want "
                             "to use the less safe log_bin_trust_function_creators variable)")
    if s.cluster.functions.get(database, name) is not None:
        if if_not_exists:
            return None
        raise SqlError(1304, f"FUNCTION {name} already exists")
    s.cluster.functions.add(StoredFunction(
        database, name, params, returns, definer, alias=alias, body=body, security=characteristics.security,
        data_access=characteristics.data_access, deterministic=characteristics.deterministic,
        comment=characteristics.comment,
    ))
    return None


def drop(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("DROP", "FUNCTION")
    if_exists = p.accept("IF", "EXISTS")
    db, name = p.qualified()
    p.end()
    database = s.database_for(db)
    function = s.cluster.functions.get(database, name)
    if function is None:
        if if_exists:
            return None
        raise unknown_function(f"{database}.{name}")
    if not s.holds("ALTER ROUTINE", Level("function", function.db, function.name)):
        raise SqlError(1370, f"alter routine command denied to user {s.who} for routine '{database}.{name}'")
    s.cluster.functions.remove(database, name)
    s.cluster.forget_routine(function)
    return None


def show_create(s: AuroraSession, p: Parser) -> AllowedResult:
    p.expect("SHOW", "CREATE", "FUNCTION")
    db, name = p.qualified()
    p.end()
    function = s.cluster.functions.get(s.database_for(db), name)
    if function is None:
        raise unknown_function(name)
    columns = ["Function", "sql_mode", "Create Function", "character_set_client", "collation_connection",
               "Database Collation"]
    row = (function.name, s.variables.get("sql_mode"), function.create_statement(s.engine),
           s.variables.get("character_set_client"), s.variables.get("collation_connection"),
           s.variables.get("collation_server"))
    return [row], columns


def _definer(s: AuroraSession, p: Parser) -> AccountName:
    p.expect("DEFINER", "=")
    if p.accept("CURRENT_USER"):
        p.accept("(", ")")
        return s.account
    user = p.name_or_string()
    host = p.name_or_string() if p.accept("@") else "%"
    return AccountName(user, host.lower())


def _check_body(body: str) -> None:
    """`RETURN expr`: one expression the sandbox can evaluate later, or refused now (a call would
    otherwise fail with no word on why)."""
    expression = body[len("RETURN"):].strip()
    try:
        parsed = sqlglot.parse_one(f"SELECT {expression}", read="mysql")
    except ParseError:
        parsed = None
    if not (isinstance(parsed, exp.Select) and {k for k, v in parsed.args.items() if v} == {"expressions"}
            and len(parsed.expressions) == 1 and not isinstance(parsed.expressions[0], exp.Alias)):
        raise not_supported(f"RETURN {expression[:60]}: not one expression the sandbox can read")


def _if_not_exists(s: AuroraSession) -> bool:
    version = tuple(int(part) for part in s.engine.mysql_version.split(".")[:3])
    return version >= _IF_NOT_EXISTS_SINCE


def _parameter(s: AuroraSession, p: Parser, seen: set[str]) -> None:
    """`name type`: MySQL checks the name (length, then a duplicate) before the type's sizes."""
    name = p.identifier()

    def check() -> None:
        check_name(name)
        if name.lower() in seen:
            raise SqlError(1330, f"Duplicate parameter: {name}")
        seen.add(name.lower())

    _data_type(s, p, check)


def _data_type(s: AuroraSession, p: Parser, before_limits: Callable[[], None] = lambda: None) -> DataType:
    sql_mode = str(s.variables.get("sql_mode") or "").upper()
    default = str(s.variables.get("character_set_server") or "").lower()
    return data_type(p, default_charset=default if default in MBMAXLEN else "utf8mb4",
                     strict="STRICT_TRANS_TABLES" in sql_mode or "STRICT_ALL_TABLES" in sql_mode,
                     before_limits=before_limits)


def _characteristics(p: Parser) -> _Characteristics:
    found = _Characteristics()
    while True:
        offset = p.position
        if p.accept("COMMENT"):
            found.comment = p.string()
            clause = "COMMENT"
        elif p.accept("LANGUAGE", "SQL"):
            clause = "LANGUAGE SQL"
        elif p.accept("NOT", "DETERMINISTIC"):
            clause = "NOT DETERMINISTIC"
        elif p.accept("DETERMINISTIC"):
            found.deterministic, clause = True, "DETERMINISTIC"
        elif p.accept("SQL", "SECURITY"):
            found.security = p.word().upper()
            if found.security not in ("DEFINER", "INVOKER"):
                raise p.error(offset)
            clause = "SQL SECURITY"
        else:
            clause = next((c for c in _DATA_ACCESS if p.accept(*c.split())), "")
            if not clause:
                return found
            found.data_access = clause
        found.written.append((clause, offset))


def _alias(s: AuroraSession, p: Parser) -> SageMakerAlias | BedrockAlias:
    if p.accept("AWS_SAGEMAKER_INVOKE_ENDPOINT"):
        p.expect("ENDPOINT", "NAME")
        endpoint = p.string()
        batch = p.integer() if p.accept("MAX_BATCH_SIZE") else None
        return SageMakerAlias(endpoint, batch)
    if not (s.engine.bedrock and p.accept("AWS_BEDROCK_INVOKE_MODEL")):
        raise p.error()  # before 3.06 (and on 5.7) Bedrock is not in the grammar
    p.expect("MODEL", "ID")
    alias = BedrockAlias(p.string())
    seen: set[str] = set()
    while (keyword := next((k for k in ("CONTENT_TYPE", "ACCEPT", "TIMEOUT_MS") if p.at(k)), None)) is not None:
        if keyword in seen:
            raise p.error()
        seen.add(keyword)
        p.accept(keyword)
        if keyword == "TIMEOUT_MS":
            alias = replace(alias, timeout_ms=p.integer())
        elif keyword == "ACCEPT":
            alias = replace(alias, accept=p.string())
        else:
            alias = replace(alias, content_type=p.string())
    return alias


def _check_alias(alias: SageMakerAlias | BedrockAlias, returns: DataType) -> None:
    if isinstance(alias, SageMakerAlias):
        if returns.name not in _SAGEMAKER_RETURNS:
            raise not_supported(f"RETURNS {returns.name} with AWS_SAGEMAKER_INVOKE_ENDPOINT")
        if alias.max_batch_size is not None and alias.max_batch_size <= 0:
            raise SqlError(1210, "Incorrect arguments to MAX_BATCH_SIZE")
        return
    if returns.name == "JSON":
        raise not_supported("RETURNS JSON with AWS_BEDROCK_INVOKE_MODEL")
    if alias.timeout_ms is not None and not 0 < alias.timeout_ms <= TIMEOUT_MS_MAX:
        raise SqlError(1210, "Incorrect arguments to TIMEOUT_MS")
