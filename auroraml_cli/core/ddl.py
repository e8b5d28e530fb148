"""Aurora's ML function DDL: `CREATE FUNCTION ... ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT | AWS_BEDROCK_INVOKE_MODEL`.

Built from typed options and refused here for what Aurora would refuse (the Aurora ML reference in the auroraml repository, docs/reference/ §6): no
body, no characteristic clauses, SageMaker returns a number (not BIT) or VARCHAR, Bedrock never
`RETURNS JSON`, strings are utf8mb4 (or results are silently truncated), batch size > 0, and
MySQL's own limits on type sizes, parameter and function names (refused naming the rule). Names
are always backticked: 3.06 made `accept`, `content_type`, `timeout_ms` and the alias names
reserved words. Bedrock wrappers turn a model's JSON request/response into a plain-text call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .catalogue import SERVICES
from .errors import UsageError
from .patterns import lazy
from .records import Frozen, Record
from .services.bedrock import INFERENCE_PROFILE_PREFIXES
from .sql import FunctionRef, ident, literal
from .versions import AuroraVersion

if TYPE_CHECKING:  # the plan is loaded by plan_apply: printing DDL offline never builds one
    from .plan import Plan, Step

TIMEOUT_MS_MAX = 2**31 - 1  # Aurora documents no upper bound; a signed 32-bit value is the safe one
_NUMERIC = {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "DECIMAL", "NUMERIC",
            "FLOAT", "DOUBLE", "REAL", "BOOLEAN", "BOOL"}
_STRING = {"CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT"}
_TYPE = lazy(r"^\s*([A-Za-z]+)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*(UNSIGNED)?\s*(?:(?:CHARSET|CHARACTER\s+SET)\s+(\w+))?\s*$", re.I | re.ASCII)


# MySQL's limits on a type's (M) or (M,D), as its manual gives them; a type not listed takes none.
_INTEGERS = ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT")
VARCHAR_MAX = (65535 - 2) // 4  # 16383: a row holds 65,535 bytes, utf8mb4 takes up to 4 a character
_SIZES: dict[str, tuple[int, ...]] = {  # base -> the counts of numbers it may take in parentheses
    **{t: (1,) for t in _INTEGERS}, "DECIMAL": (1, 2), "NUMERIC": (1, 2), "FLOAT": (1, 2), "DOUBLE": (2,),
    "REAL": (2,), "BIT": (1,), "CHAR": (1,), "VARCHAR": (1,), "TEXT": (1,), "BLOB": (1,), "DATETIME": (1,),
    "TIMESTAMP": (1,),
}


def _check_size(base: str, numbers: list[int], written: str) -> None:
    """Refuse, naming the rule, a size MySQL (and so Aurora) would refuse."""
    def refuse(rule: str, hint: str) -> None:
        raise UsageError(f"{written}: {rule}", hint)

    if not numbers:
        return
    takes = _SIZES.get(base, ())
    if len(numbers) not in takes:
        form = {(1,): "(M)", (2,): "(M,D)", (1, 2): "(M) or (M,D)"}.get(takes)
        refuse(f"{base} takes no size" if form is None else f"{base} takes {form}",
               f"write {base}" if form is None else f"write {base}{form}")
    m, d = numbers[0], numbers[1] if len(numbers) > 1 else None
    if base in ("DECIMAL", "NUMERIC"):
        if m > 65:
            refuse(f"precision {m} exceeds MySQL's maximum 65", f"{base}(M,D) takes M up to 65 digits")
        if d is not None and d > 30:
            refuse(f"scale {d} exceeds MySQL's maximum 30", f"{base}(M,D) takes D from 0 to 30")
        if d is not None and d > m:
            refuse(f"scale {d} exceeds the precision {m}", f"{base}(M,D) needs D <= M")
    elif base in ("FLOAT", "DOUBLE", "REAL") and d is None:
        if m > 53:
            refuse(f"precision {m} exceeds MySQL's maximum 53 bits", "FLOAT(p) takes p from 0 to 53; or write DOUBLE")
    elif base in ("FLOAT", "DOUBLE", "REAL"):
        if m > 255 or d > 30 or d > m:  # type: ignore[operator]
            refuse(f"({m},{d}) is outside MySQL's limits (M <= 255, D <= 30, D <= M)", f"write {base} without a size")
    elif base in _INTEGERS and m > 255:
        refuse(f"display width {m} exceeds MySQL's maximum 255", f"write {base} without a width")
    elif base == "BIT" and not 1 <= m <= 64:
        refuse(f"BIT takes 1 to 64 bits, not {m}", "for example BIT(8)")
    elif base == "CHAR" and m > 255:
        refuse(f"length {m} exceeds MySQL's maximum 255 for CHAR", "use VARCHAR(n) or TEXT")
    elif base == "VARCHAR" and m > VARCHAR_MAX:
        refuse(f"length {m} exceeds MySQL's maximum {VARCHAR_MAX} for utf8mb4 (up to 4 bytes a character, "
               "65,535 bytes a row), and ML functions use utf8mb4", f"use VARCHAR({VARCHAR_MAX}) or less, or TEXT")
    elif base == "TEXT" and m > 2**32 - 1:
        refuse(f"length {m} exceeds MySQL's maximum for any TEXT type", "write LONGTEXT")
    elif base == "BLOB" and m > 2**32 - 1:
        refuse(f"length {m} exceeds MySQL's maximum for any BLOB type", "write LONGBLOB")
    elif base in ("DATETIME", "TIMESTAMP") and m > 6:
        refuse(f"fractional seconds precision {m} exceeds MySQL's maximum 6", f"{base}(fsp) takes fsp from 0 to 6")


class SqlType(Frozen):
    __slots__ = ("base", "size", "unsigned", "charset")
    base: str
    size: str
    unsigned: bool
    charset: str | None

    def __init__(self, base: str, size: str = "", unsigned: bool = False, charset: str | None = None) -> None:
        self._init(base, size, unsigned, charset)

    @classmethod
    def parse(cls, text: str) -> "SqlType":
        match = _TYPE.match(text or "")
        if not match:
            raise UsageError(f"not a SQL type auroraml understands: {text!r}", "for example DOUBLE, INT, VARCHAR(64), TEXT")
        base = match.group(1).upper()
        if base not in _NUMERIC | _STRING | {"JSON", "BIT", "BLOB", "DATE", "DATETIME", "TIMESTAMP"}:
            raise UsageError(f"unknown SQL type {base}", "for example DOUBLE, INT, VARCHAR(64), TEXT")
        size = re.sub(r"\s+", "", match.group(2) or "")
        unsigned, charset = bool(match.group(3)), (match.group(4) or "").lower() or None
        # What the server would refuse with a syntax error, refused here with a reason.
        if charset and base not in _STRING:
            raise UsageError(f"{base} takes no CHARSET", "CHARSET goes with CHAR, VARCHAR and the TEXT types")
        if unsigned and base not in _NUMERIC:
            raise UsageError(f"{base} cannot be UNSIGNED", "UNSIGNED goes with numeric types")
        if base == "VARCHAR" and not size:
            raise UsageError("VARCHAR needs a length", "for example VARCHAR(64)")
        _check_size(base, [int(n) for n in re.findall(r"\d+", size)], f"{base}{size}")
        return cls(base, size, unsigned, charset)

    @property
    def is_string(self) -> bool:
        return self.base in _STRING

    def with_utf8mb4(self) -> "SqlType":
        """Strings are utf8mb4 in Aurora ML; declaring it keeps results from being truncated."""
        if not self.is_string:
            return self
        if self.charset not in (None, "utf8mb4"):
            raise UsageError(f"{self.sql()} would truncate model output: ML functions return utf8mb4",
                             "drop the CHARSET clause or use utf8mb4")
        return SqlType(self.base, self.size, self.unsigned, "utf8mb4")

    def sql(self) -> str:
        text = self.base + self.size + (" UNSIGNED" if self.unsigned else "")
        return text + (f" CHARSET {self.charset}" if self.charset else "")


class Arg(Frozen):
    __slots__ = ("name", "type")
    name: str
    type: SqlType

    def __init__(self, name: str, type: SqlType) -> None:  # noqa: A002 - the field's name
        self._init(name, type)

    @classmethod
    def parse(cls, text: str) -> "Arg":
        name, sep, type_text = (text or "").partition(":")
        if not sep or not name:
            raise UsageError(f"not NAME:TYPE: {text!r}", "for example --arg trip_distance:DOUBLE")
        _identifier(name, "argument")
        return cls(name, SqlType.parse(type_text))

    def sql(self) -> str:
        kind = self.type.with_utf8mb4() if self.type.is_string else self.type
        return f"{ident(self.name)} {kind.sql()}"


class Function(Record):
    """One ML function; `statement()` is what `--apply` runs and what is printed."""

    __slots__ = ("ref", "name", "kind", "args", "returns", "endpoint", "model_id", "max_batch_size", "content_type",
                 "accept", "timeout_ms", "definer", "sql_security")
    ref: FunctionRef | None
    name: str
    kind: str  # the service whose ALIAS it is: "sagemaker" | "bedrock" (its spec says how it is written)
    args: list[Arg]
    returns: SqlType
    endpoint: str | None
    model_id: str | None
    max_batch_size: int | None
    content_type: str | None
    accept: str | None
    timeout_ms: int | None
    definer: str | None
    sql_security: str | None

    def __init__(self, ref: FunctionRef | None, name: str, kind: str, args: list[Arg], returns: SqlType,
                 endpoint: str | None = None, model_id: str | None = None, max_batch_size: int | None = None,
                 content_type: str | None = None, accept: str | None = None, timeout_ms: int | None = None,
                 definer: str | None = None, sql_security: str | None = None) -> None:
        self.ref, self.name, self.kind, self.args, self.returns = ref, name, kind, args, returns
        self.endpoint, self.model_id, self.max_batch_size = endpoint, model_id, max_batch_size
        self.content_type, self.accept, self.timeout_ms = content_type, accept, timeout_ms
        self.definer, self.sql_security = definer, sql_security

    def qualified(self) -> str:
        return self.ref.sql() if self.ref else ident(self.name)

    def statement(self) -> str:
        args = ", ".join(a.sql() for a in self.args)
        head = f"CREATE FUNCTION {self.qualified()} ({args}) RETURNS {self.returns.sql()}"
        if self.sql_security:
            head += f" SQL SECURITY {self.sql_security}"
        spec = SERVICES[self.kind]
        target = getattr(self, spec.ddl_target_attr) or ""
        tail = f"ALIAS {spec.ddl_alias} {spec.ddl_target_clause} {literal(target, spec.ddl_target_label)}"
        # Each kind sets only the clauses it takes (sagemaker(), bedrock() below).
        if self.max_batch_size is not None:
            tail += f" MAX_BATCH_SIZE {self.max_batch_size}"
        for clause, value in (("CONTENT_TYPE", self.content_type), ("ACCEPT", self.accept)):
            if value:
                tail += f" {clause} {literal(value, clause.lower())}"
        if self.timeout_ms is not None:
            tail += f" TIMEOUT_MS {self.timeout_ms}"
        return f"{head}\n  {tail}"


def sagemaker(name: str, *, endpoint: str, args: list[str], returns: str, max_batch_size: int | None = None,
              sql_security: str | None = None) -> Function:
    if not args:
        raise UsageError("a SageMaker function needs at least one --arg NAME:TYPE", "one per feature column the model takes, in order")
    result = SqlType.parse(returns)
    if result.base == "BIT" or not (result.base in _NUMERIC or result.base == "VARCHAR"):
        raise UsageError(f"a SageMaker function cannot return {result.sql()}",
                         "return a numeric type (not BIT) or VARCHAR(n); the endpoint answers text/csv")
    _batch(max_batch_size)
    ref, base = _name(name)
    parsed = _distinct([Arg.parse(a) for a in args])
    return Function(ref, base, "sagemaker", parsed, result.with_utf8mb4(), endpoint=endpoint,
                    max_batch_size=max_batch_size, sql_security=_security(sql_security))


def bedrock(name: str, *, model_id: str, args: list[str] | None = None, returns: str = "TEXT",
            content_type: str | None = None, accept: str | None = None, timeout_ms: int | None = None,
            sql_security: str | None = None) -> Function:
    result = SqlType.parse(returns)
    if result.base == "JSON":
        raise UsageError("a Bedrock function cannot RETURNS JSON",
                         "use --returns TEXT (or LONGTEXT) and CAST(fn(...) AS JSON) where you call it")
    if not result.is_string:
        raise UsageError(f"a Bedrock function returns the model's answer as text, not {result.sql()}", "use --returns TEXT")
    if timeout_ms is not None and not 0 < timeout_ms <= TIMEOUT_MS_MAX:
        raise UsageError(f"--timeout-ms must be between 1 and {TIMEOUT_MS_MAX}, got {timeout_ms}",
                         "leave it out to use the aurora_ml_inference_timeout parameter")
    parsed = [Arg.parse(a) for a in (args or ["request_body:TEXT"])]
    if len(parsed) != 1:
        raise UsageError("a Bedrock function takes exactly one argument: the model's request body")
    ref, base = _name(name)
    return Function(ref, base, "bedrock", parsed, result.with_utf8mb4(), model_id=model_id,
                    content_type=content_type, accept=accept, timeout_ms=timeout_ms, sql_security=_security(sql_security))


def _distinct(args: list[Arg]) -> list[Arg]:
    """MySQL refuses two parameters of one name (1330 Duplicate parameter), in any letter case."""
    seen: dict[str, str] = {}
    for a in args:
        if a.name.lower() in seen:
            raise UsageError(f"argument {a.name!r} is given twice (as {seen[a.name.lower()]!r} before): MySQL refuses "
                             "duplicate parameter names, in any letter case", "give each --arg its own name")
        seen[a.name.lower()] = a.name
    return args


def require_version(fn: Function, version: AuroraVersion) -> None:
    spec = SERVICES[fn.kind]
    if not spec.supported_by(version):
        message, hint = spec.ddl_refusal
        raise UsageError(f"{message}; the target runs {version}", hint)


def _batch(value: int | None) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"--max-batch-size must be greater than 0, got {value}", "leave it out for Aurora's default (10,000)")


def _security(value: str | None) -> str | None:
    if value is None:
        return None
    if value.upper() not in ("DEFINER", "INVOKER"):
        raise UsageError(f"--sql-security must be DEFINER or INVOKER, got {value!r}", "leave it out for DEFINER")
    return value.upper()


def _name(text: str) -> tuple[FunctionRef | None, str]:
    if "." in text:
        ref = FunctionRef.parse(text)
        _identifier(ref.schema, "database")
        _identifier(ref.name, "function")
        return ref, ref.name
    _identifier(text, "function")
    return None, text


def _identifier(name: str, what: str) -> str:
    """A name MySQL takes for a database, function or parameter: 1-64 characters, no NUL (sql.ident),
    none outside Unicode's Basic Multilingual Plane (1300 Invalid utf8mb4 character string), and
    for a database or function no trailing space (1458 Incorrect routine name)."""
    quoted = ident(name)
    if any(ord(c) > 0xFFFF for c in name):
        raise UsageError(f"{what} name {name!r} has a character MySQL does not take in a name (outside Unicode's "
                         "Basic Multilingual Plane, such as an emoji)", "use letters, digits and _ in names")
    if name.endswith(" ") and what != "argument":  # a parameter may end with one (measured on MariaDB)
        raise UsageError(f"{what} name {name!r} ends with a space, which MySQL refuses", "drop the trailing space")
    return quoted


# --- Bedrock wrappers: plain text in, the model's answer out -----------------------------------

class Family(Frozen):
    """How one model family wants its request body and where its answer is."""

    __slots__ = ("name", "request", "answer", "returns", "examples")
    name: str
    request: str  # a SQL expression over `prompt`
    answer: str  # JSON path of the answer in the response
    returns: str
    examples: tuple[str, ...]

    def __init__(self, name: str, request: str, answer: str, returns: str = "TEXT", examples: tuple[str, ...] = ()) -> None:
        self._init(name, request, answer, returns, examples)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("anthropic",
           "JSON_OBJECT('anthropic_version', 'bedrock-2023-05-31', 'max_tokens', 512, "
           "'messages', JSON_ARRAY(JSON_OBJECT('role', 'user', 'content', `prompt`)))",
           "$.content[0].text", examples=("anthropic.claude-3-haiku-20240307-v1:0",)),
    Family("titan-text",
           "JSON_OBJECT('inputText', `prompt`, 'textGenerationConfig', JSON_OBJECT('maxTokenCount', 512, 'temperature', 0))",
           "$.results[0].outputText", examples=("amazon.titan-text-express-v1",)),
    Family("titan-embed", "JSON_OBJECT('inputText', `prompt`)", "$.embedding", "LONGTEXT",
           examples=("amazon.titan-embed-text-v2:0",)),
    Family("cohere-embed", "JSON_OBJECT('texts', JSON_ARRAY(`prompt`), 'input_type', 'search_document')",
           "$.embeddings[0]", "LONGTEXT", examples=("cohere.embed-english-v3",)),
)}


_FAMILY_PREFIXES = (("anthropic.", "anthropic"), ("amazon.titan-embed", "titan-embed"),
                    ("amazon.titan-text", "titan-text"), ("cohere.embed", "cohere-embed"))


def family_for(model_id: str) -> str | None:
    """The wrapper family of a model id, inference-profile prefix (us., eu., ...) or ARN aside."""
    model = model_id.lower().split("/")[-1]
    head, _, rest = model.partition(".")
    if rest and f"{head}." in INFERENCE_PROFILE_PREFIXES:
        model = rest
    return next((fam for prefix, fam in _FAMILY_PREFIXES if model.startswith(prefix)), None)


def wrapper(fn: Function, family: str) -> tuple[Function, str]:
    """(the raw model function renamed NAME_raw, the plain-text wrapper NAME(prompt)) for one family."""
    if family not in FAMILIES:
        raise UsageError(f"no wrapper for model family {family!r}", f"choose one of: {', '.join(FAMILIES)}")
    fam = FAMILIES[family]
    raw_name = fn.name + "_raw"
    raw_ref = FunctionRef(fn.ref.schema, raw_name) if fn.ref else None
    raw = Function(raw_ref, raw_name, "bedrock", fn.args, SqlType.parse("LONGTEXT").with_utf8mb4(),
                   model_id=fn.model_id, content_type=fn.content_type or "application/json",
                   accept=fn.accept or "application/json", timeout_ms=fn.timeout_ms, sql_security=fn.sql_security)
    returns = SqlType.parse(fam.returns).with_utf8mb4().sql()
    extract = f"JSON_EXTRACT({raw.qualified()}({fam.request}), '{fam.answer}')"
    value = f"JSON_UNQUOTE({extract})" if fam.returns == "TEXT" else extract
    body = (f"CREATE FUNCTION {fn.qualified()} (`prompt` TEXT CHARSET utf8mb4) RETURNS {returns}\n"
            f"  NOT DETERMINISTIC READS SQL DATA\n  RETURN {value}")
    return raw, body


# --- apply: create what is missing, leave what is identical, replace only when asked ----------

def normalise(statement: str) -> str:
    """Compare CREATE FUNCTION texts as the server echoes them: DEFINER, quoting, case, spacing aside."""
    text = re.sub(r"DEFINER\s*=\s*\S+", "", statement, flags=re.I)
    text = re.sub(r"`([^`]*)`\.`([^`]*)`|`([^`]*)`", lambda m: m.group(2) or m.group(3) or "", text)
    # Servers echo without what is the default (NOT DETERMINISTIC) and with 5.7's display widths.
    text = re.sub(r"\bNOT\s+DETERMINISTIC\b", "", text, flags=re.I)
    text = re.sub(r"\b(TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)\s*\(\s*\d+\s*\)", r"\1", text, flags=re.I)
    text = re.sub(r"\bCHARACTER\s+SET\b", "CHARSET", text, flags=re.I)
    text = re.sub(r"\s+", " ", text.replace("(", " ( ").replace(")", " ) ").replace(",", " , "))
    return text.strip().rstrip(";").strip().lower()


def same_function(existing: str, statement: str) -> bool:
    """Is the server's SHOW CREATE FUNCTION text the statement auroraml would run? Beyond
    `normalise`, the server may spell out a CHARSET or COLLATE the statement left to the default
    (MySQL 8 echoes string types with them); one the statement names must match."""
    have, want = normalise(existing).split(" "), normalise(statement).split(" ")
    i = j = 0
    while i < len(have):
        if j < len(want) and have[i] == want[j]:
            i, j = i + 1, j + 1
        elif (have[i] in ("charset", "collate") and i + 1 < len(have) and not (j < len(want) and want[j] == have[i])
              and (have[i - 1].upper() in _STRING or have[i - 1] == ")" or have[i - 2:i - 1] == ["charset"])):
            i += 2  # the server's default for a string type, spelled out
        else:
            return False
    return j == len(want)


def difference(existing: str, statement: str) -> str:
    """Where the server's definition and the statement first part, a few words of each."""
    have, want = normalise(existing).split(" "), normalise(statement).split(" ")
    i = next((k for k, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
    start = max(0, i - 2)
    return (f"the cluster has `{' '.join(have[start:i + 4]) or '(end)'}` where the file has "
            f"`{' '.join(want[start:i + 4]) or '(end)'}`")


def show_create(conn, qualified: str) -> str | None:
    """The server's CREATE FUNCTION text, or None when there is no such function."""
    from . import db

    try:
        found = db.rows(conn, f"SHOW CREATE FUNCTION {qualified}")
    except Exception as exc:
        if getattr(exc, "args", (None,))[0] == 1305:  # FUNCTION ... does not exist
            return None
        raise
    if not found:
        return None
    if len(found[0]) < 3 or found[0][2] is None:
        # The function exists, but its text is shown only to its definer or an account with
        # SHOW_ROUTINE or global SELECT (MariaDB: SELECT on mysql.proc): without it, auroraml can
        # neither compare it nor keep it to put back.
        from .errors import DatabaseError

        raise DatabaseError(f"function {qualified} exists but this account cannot read its definition "
                            "(SHOW CREATE FUNCTION shows NULL): nothing was changed",
                            "run as its definer, or grant SHOW_ROUTINE (MySQL 8.0.20+) or global SELECT "
                            "(MariaDB: SELECT ON mysql.proc)")
    return found[0][2]


_NAME = r"""(?:`(?:[^`]|``)*`|"(?:[^"]|"")*"|[A-Za-z0-9_$]+)"""  # "..." under sql_mode ANSI_QUOTES
_ACCOUNT = r"(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^\s@`'\"]+)"
_DEFINER = rf"DEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|{_ACCOUNT}(?:\s*@\s*{_ACCOUNT})?)\s+"
_HEAD = lazy(rf"^(\s*CREATE\s+)({_DEFINER})?((?:AGGREGATE\s+)?FUNCTION\s+)(?:IF\s+NOT\s+EXISTS\s+)?({_NAME}(?:\s*\.\s*{_NAME})?)",
                   re.I)


def qualify(definition: str, qualified: str, *, definer: bool = True) -> str:
    """A CREATE FUNCTION text with its name replaced by `qualified` (schema.name): SHOW CREATE
    FUNCTION names the function without its schema, so its text alone would re-create it in
    whichever database is current. `definer=False` also leaves out the DEFINER clause."""
    match = _HEAD.match(definition)
    if not match:
        from .errors import DatabaseError

        raise DatabaseError(f"cannot find the function's name in its definition {definition[:60]!r}...: nothing was changed",
                            "report this server's SHOW CREATE FUNCTION text as an auroraml bug")
    head = match.group(1) + ((match.group(2) or "") if definer else "") + match.group(3) + qualified
    return head + definition[match.end():]


def _schema_of(qualified: str) -> str | None:
    match = re.match(r"^(`(?:[^`]|``)*`)\.`", qualified)
    return match.group(1) if match else None


def probe_name() -> str:
    """A temporary function name: valid (47 characters), and unlikely to be anyone's."""
    import uuid

    return f"auroraml_probe_{uuid.uuid4().hex}"


def plan_apply(conn, statements: list[tuple[str, str]], *, replace: bool, where: str,
               keep_differing: str | None = None) -> Plan:
    """(qualified name, CREATE statement) pairs → create what is missing; identical is `unchanged`.

    A function that differs, without `replace`, is refused (UsageError) — unless `keep_differing`
    is given (the fleet's plan): then it is a `replace-function` step planned as `skipped`, its
    detail "differs from the file: WHAT; " + keep_differing, which apply never runs.

    A function that differs is replaced only with `replace`, in two steps: `probe-function`
    creates the new definition under a temporary name in the same schema and drops it again (a
    refusal there — no CREATE ROUTINE, a type the server rejects — leaves the old function
    untouched), then `replace-function` drops the old one and creates the new; if that CREATE
    still fails, the old definition (read with SHOW CREATE FUNCTION, and journaled as `before`)
    is put back."""
    from . import db
    from .plan import SKIPPED, Plan, Step

    current: list[str | None] = []

    def full_name(qualified: str) -> str:
        if _schema_of(qualified):
            return qualified
        if not current:
            current.append(db.scalar(conn, "SELECT DATABASE()"))
        if current[0] is None:
            raise UsageError(f"function {qualified} names no database and the connection has none selected",
                             "write DB.NAME, or pass --database")
        return f"{ident(current[0])}.{qualified}"

    p = Plan("ddl", {"server": where, "functions": [q for q, _ in statements]},
             who=lambda: db.scalar(conn, "SELECT CURRENT_USER()"))
    for qualified, statement in statements:
        full = full_name(qualified)
        statement = qualify(statement, full)
        existing = show_create(conn, full)
        if existing is None:
            p.add(Step("create-function", full, statement, run=lambda s, st=statement: db.execute(conn, st),
                       after=statement, undo=f"DROP FUNCTION {full}"))
        elif same_function(existing, statement):
            p.unchanged("create-function", full, statement)
        elif replace:
            old = qualify(existing, full)
            probe = f"{_schema_of(full)}.{ident(probe_name())}"
            p.add(Step("probe-function", full, f"CREATE FUNCTION {probe} (the new definition), then DROP it: "
                       f"proves {full} can be re-created before it is dropped",
                       run=lambda s, q=full, pr=probe, st=qualify(statement, probe): _probe(conn, s, q, pr, st),
                       undo=f"DROP FUNCTION IF EXISTS {probe}"))
            p.add(Step("replace-function", full, statement,
                       run=lambda s, q=full, st=statement, o=old: _replace(conn, s, q, st, o),
                       before=existing, after=statement, undo=f"DROP FUNCTION {full}; {old}"))
        elif keep_differing is not None:
            p.add(Step("replace-function", full, f"differs from the file: {difference(existing, statement)}; {keep_differing}",
                       SKIPPED, before=existing, after=statement))
        else:
            raise UsageError(f"function {qualified} exists with a different definition: nothing was changed",
                             "pass --replace to drop and re-create it (callers lose it for a moment)")
    return p


def _probe(conn, step: Step, qualified: str, probe: str, statement: str) -> str:
    """Create the new definition as `probe` and drop it again, whatever happened."""
    from . import db
    from .errors import DatabaseError

    failed: DatabaseError | None = None
    try:
        db.execute(conn, statement)
    except DatabaseError as exc:
        failed = exc
    try:
        db.execute(conn, f"DROP FUNCTION IF EXISTS {probe}")
    except DatabaseError as exc:
        left = f"; the temporary function {probe} may be left: DROP FUNCTION IF EXISTS {probe}"
        if failed is None:
            raise DatabaseError(f"{exc.message}; nothing was dropped: {qualified} is unchanged{left}",
                                f"drop {probe}, then run the same command again") from None
        raise DatabaseError(f"{failed.message}; nothing was dropped: {qualified} is unchanged{left}", failed.hint) from None
    if failed is not None:
        raise DatabaseError(f"{failed.message}; nothing was dropped: {qualified} is unchanged", failed.hint) from None
    step.undo = None  # created and dropped again: nothing to undo
    return f"{probe} created and dropped: {qualified} can be re-created"


def _replace(conn, step: Step, qualified: str, statement: str, old: str) -> None:
    """DROP, then CREATE; when the CREATE fails, the old definition is put back."""
    from . import db
    from .errors import DatabaseError

    done_undo, step.undo = step.undo, f"DROP FUNCTION IF EXISTS {qualified}; {old}"  # if cut off: either way
    db.execute(conn, f"DROP FUNCTION {qualified}")
    try:
        db.execute(conn, statement)
        step.undo = done_undo
    except DatabaseError as exc:
        restored, why = _restore(conn, qualified, old)
        if restored is not None:
            step.after, step.undo = restored, None
            raise DatabaseError(f"{exc.message}; the old definition of {qualified} was put back", exc.hint) from None
        step.after = None
        raise DatabaseError(f"{exc.message}; the old definition of {qualified} could not be put back ({why}): "
                            "it is this step's `before` in the change journal",
                            "run the same command again to create the new definition, or this step's undo "
                            "(`auroraml history`) to put the old one back") from None


def _restore(conn, qualified: str, old: str) -> tuple[str | None, str]:
    """(the statement that put `old` back, "") or (None, why not). With the DEFINER it had first;
    without it when that is refused (another account's DEFINER needs SET_USER_ID or SUPER)."""
    from . import db
    from .errors import DatabaseError

    why = ""
    for attempt in dict.fromkeys((old, qualify(old, qualified, definer=False))):
        try:
            db.execute(conn, attempt)
            return attempt, ""
        except DatabaseError as exc:
            why = _reason(exc.message)
    return None, why


def _reason(message: str) -> str:
    """The server's reason from db.execute's message, without the statement it quotes."""
    if message.startswith("lost the connection"):
        return "the connection was lost"
    return " ".join(message.rsplit("`: ", 1)[-1].split())
