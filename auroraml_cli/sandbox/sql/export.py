"""SELECT ... INTO OUTFILE S3, written into the sandbox's S3 [the Aurora ML reference in the auroraml repository, docs/reference/ §8].

    SELECT ... INTO OUTFILE S3 's3[-region]://bucket/prefix' [CHARACTER SET cs]
      [FORMAT {TEXT | CSV [HEADER]}]
      [{FIELDS | COLUMNS} [TERMINATED BY 's'] [[OPTIONALLY] ENCLOSED BY 'c'] [ESCAPED BY 'c']]
      [LINES [STARTING BY 's'] [TERMINATED BY 's']]
      [MANIFEST {ON|OFF}] [OVERWRITE {ON|OFF}] [ENCRYPTION {ON | OFF | SSE_S3 | SSE_KMS ['key']}]
      [FROM ...]   -- the INTO clause may come before FROM, as in MySQL (the guide's own form)

The rows go to `prefix.part_00000` (one part: the sandbox never reaches Aurora's 6 GB split),
and with MANIFEST ON a `prefix.manifest` lists it. The client gets an OK packet counting the
rows. It needs what Aurora needs: on v3 the AWS_SELECT_S3_ACCESS role active (or the master
user), on v2 the SELECT INTO S3 privilege; and an S3 role in the cluster parameter group the
writer runs with (v3 aws_default_s3_role; v2 aurora_select_into_s3_role, else
aws_default_s3_role) that is associated with the cluster and ACTIVE. Without that role Aurora
says `S3 API returned error: Missing Credentials: Cannot instantiate S3 Client`. The role's
policies are evaluated before anything is written (role_access): s3:ListBucket on the bucket
with s3:prefix = the URI's prefix (inferred: Aurora's documented policy needs ListBucket, which
prefix it lists is undocumented), s3:PutObject on each object, kms:GenerateDataKey on a customer
managed key named by ENCRYPTION SSE_KMS.

TEXT is MySQL's SELECT INTO OUTFILE format (tab, newline, backslash escapes, NULL as \\N), and
FIELDS/LINES change it as they change MySQL's; CSV is RFC 4180 (NULL an empty field). Aurora
documents no meaning for FIELDS/LINES with FORMAT CSV: the sandbox refuses that pairing (1235).
An existing object without OVERWRITE ON is MySQL's 1086 `File '...' already exists`: Aurora
documents that it is an error, not which one.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mysql_mimic.results import AllowedResult

from .accounts import GLOBAL, AccountName
from .errors import SqlError, need_privilege, not_supported, s3_error
from .lexer import STRING, SYMBOL, WORD, Parser
from . import role_access
from .results import Affected
from .tables import Outcome

if TYPE_CHECKING:
    from .session import AuroraSession

_URI = re.compile(r"s3(?:-(?P<region>[a-z0-9-]+))?://(?P<bucket>[^/]+)/(?P<prefix>.+)")
_CHARSETS = {"utf8mb4": "utf-8", "utf8": "utf-8", "utf8mb3": "utf-8", "latin1": "latin-1", "ascii": "ascii",
             "binary": "utf-8"}
_ENCRYPTION = {"OFF": (None, False), "ON": ("AES256", False), "SSE_S3": ("AES256", False),
               "SSE_KMS": ("aws:kms", True)}


@dataclass
class _Text:
    """MySQL's export_options; the defaults are its TEXT format."""

    terminated: str = "\t"
    enclosed: str = ""
    optionally: bool = False
    escaped: str = "\\"
    starting: str = ""
    lines: str = "\n"


@dataclass
class _Options:
    uri: str
    encoding: str = "utf-8"
    csv: bool = False
    header: bool = False
    text: _Text | None = None  # FIELDS/LINES given
    manifest: bool = False
    overwrite: bool = False
    encryption: tuple[str | None, str | None] = (None, None)


def is_export(p: Parser) -> bool:
    return _into_index(p) is not None


def export(s: AuroraSession, p: Parser) -> AllowedResult:
    into = _into_index(p)
    assert into is not None  # statements.route asked is_export first
    query = p.sql[: p.tokens[into].start]
    p.i = into + 3
    options = _options(p)
    if not p.at_end():  # SELECT ... INTO OUTFILE S3 '...' [options] FROM ...
        if not p.at("FROM"):
            raise p.error()
        query += " " + p.sql[p.position :]
    check_s3_access(s)
    role = s3_role(s)
    gate = s.cluster.aws.gate
    gate.authorize("s3", role, [])
    target = _URI.fullmatch(options.uri)
    if target is None:
        raise s3_error(f"Invalid S3 URI: {options.uri}")
    bucket, prefix = target["bucket"], target["prefix"]
    part = f"{prefix}.part_00000"
    keys = [part] + ([f"{prefix}.manifest"] if options.manifest else [])
    needs = [role_access.s3_list(gate.partition, bucket, prefix)]
    needs += [role_access.s3_object(gate.partition, "s3:PutObject", bucket, key) for key in keys]
    encryption = _kms_needs(s, options, target["region"] or s.cluster.aws.region, needs)
    gate.authorize("s3", role, needs)
    outcome = s.run_on_tables(s.parse_one(query))
    objects = {part: _encode(outcome, options)}
    if options.manifest:
        scheme = options.uri.split("://")[0]
        entries = {"entries": [{"url": f"{scheme}://{bucket}/{part}"}]}
        objects[keys[1]] = json.dumps(entries).encode()
    s.cluster.aws.put_objects(bucket, objects, options.overwrite, encryption)
    return Affected(len(outcome.rows))


def _kms_needs(s: AuroraSession, options: _Options, region: str, needs: list) -> tuple[str | None, str | None]:
    """ENCRYPTION SSE_KMS 'key': the key's ARN (an unknown key is S3's KMS error), and for a
    customer managed key kms:GenerateDataKey on it [the Aurora ML reference in the auroraml repository, docs/reference/ §1]."""
    algorithm, key = options.encryption
    if not key:
        return algorithm, key
    aws = s.cluster.aws
    arn = role_access.kms_key_arn(aws.account_id, region, key)
    if arn is None:
        raise s3_error(f"KMS.NotFoundException: Invalid keyId {key}")
    if role_access.kms_is_customer_managed(aws.account_id, region, arn):
        needs.append(("kms:GenerateDataKey", arn, ()))
    return algorithm, arn


def _into_index(p: Parser) -> int | None:
    """Where `INTO OUTFILE S3` starts in a SELECT, at bracket depth 0."""
    if not (p.at("SELECT") or p.at("WITH") or p.at("(")):
        return None
    depth = 0
    for index, token in enumerate(p.tokens):
        if token.kind == SYMBOL and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth == 0 and token.kind == WORD and token.text.upper() == "INTO":
            following = p.tokens[index + 1 : index + 3]
            if [t.text.upper() for t in following if t.kind == WORD] == ["OUTFILE", "S3"]:
                return index
    return None


def _options(p: Parser) -> _Options:
    options = _Options(p.string())
    if p.accept("CHARACTER", "SET") or p.accept("CHARSET"):
        name = p.identifier().lower()
        if name not in _CHARSETS:
            raise SqlError(1115, f"Unknown character set: '{name}'")
        options.encoding = _CHARSETS[name]
    if p.accept("FORMAT"):
        form = p.word().upper()
        if form not in ("CSV", "TEXT"):
            raise p.error()
        options.csv = form == "CSV"
        options.header = p.accept("HEADER")
    options.text = _fields_and_lines(p)
    if options.text is not None and options.csv:
        raise not_supported("FIELDS or LINES with FORMAT CSV in the sandbox")
    options.manifest = _switch(p, "MANIFEST")
    options.overwrite = _switch(p, "OVERWRITE")
    if p.accept("ENCRYPTION"):
        offset = p.position
        setting = p.word().upper()
        if setting not in _ENCRYPTION:
            raise p.error(offset)
        algorithm, takes_key = _ENCRYPTION[setting]
        key = p.string() if takes_key and p.peek() is not None and p.peek().kind == STRING else None
        options.encryption = (algorithm, key)
    return options


def _fields_and_lines(p: Parser) -> _Text | None:
    if not (p.at("FIELDS") or p.at("COLUMNS") or p.at("LINES")):
        return None
    text = _Text()
    if p.accept("FIELDS") or p.accept("COLUMNS"):
        clauses = 0
        if p.accept("TERMINATED", "BY"):
            text.terminated, clauses = p.string(), clauses + 1
        text.optionally = p.accept("OPTIONALLY")
        if text.optionally or p.at("ENCLOSED"):
            p.expect("ENCLOSED", "BY")
            text.enclosed, clauses = _char(p.string()), clauses + 1
        if p.accept("ESCAPED", "BY"):
            text.escaped, clauses = _char(p.string()), clauses + 1
        if not clauses:
            raise p.error()
    if p.accept("LINES"):
        clauses = 0
        if p.accept("STARTING", "BY"):
            text.starting, clauses = p.string(), clauses + 1
        if p.accept("TERMINATED", "BY"):
            text.lines, clauses = p.string(), clauses + 1
        if not clauses:
            raise p.error()
    return text


def _char(value: str) -> str:
    """ENCLOSED BY and ESCAPED BY take one character (or none)."""
    if len(value) > 1:
        raise SqlError(1083, "Field separator argument is not what is expected; check the manual")
    return value


def _switch(p: Parser, keyword: str) -> bool:
    if not p.accept(keyword):
        return False
    value = p.word().upper()
    if value not in ("ON", "OFF"):
        raise p.error()
    return value == "ON"


def check_s3_access(s: AuroraSession, role: str = "AWS_SELECT_S3_ACCESS", privilege: str = "SELECT INTO S3") -> None:
    """v3: the DB role (or the master user); v2: the global privilege. Shared with LOAD FROM S3."""
    if s.engine.uses_roles:
        roles = s.cluster.accounts.role_graph(s.active_roles)
        if AccountName(role) in roles or s.cluster.accounts.is_master(s.account):
            return
    elif s.holds(privilege, GLOBAL):
        return
    raise need_privilege(privilege)


def s3_role(s: AuroraSession, v2_parameter: str = "aurora_select_into_s3_role") -> str:
    """The IAM role the writer runs with: v3 aws_default_s3_role; v2 its own parameter, else that."""
    values = s.cluster.variables
    if s.engine.uses_roles:
        return values.get("aws_default_s3_role")
    return values.get(v2_parameter) or values.get("aws_default_s3_role")


def _encode(outcome: Outcome, options: _Options) -> bytes:
    """CSV: RFC 4180, NULL an empty field. TEXT: as MySQL's SELECT INTO OUTFILE writes it."""
    out = io.StringIO()
    if options.csv:
        writer = csv.writer(out, lineterminator="\n")
        if options.header:
            writer.writerow(outcome.columns)
        writer.writerows([["" if v is None else _text(v) for v in row] for row in outcome.rows])
    else:
        text = options.text or _Text()
        if options.header:  # FORMAT TEXT HEADER: the column names, one line
            out.write(_line([_field(name, text) for name in outcome.columns], text))
        for row in outcome.rows:
            out.write(_line([_field(value, text) for value in row], text))
    return codecs.encode(out.getvalue(), options.encoding, errors="replace")


def _line(fields: list[str], text: _Text) -> str:
    return text.starting + text.terminated.join(fields) + text.lines


def _field(value: object, text: _Text) -> str:
    """One value as MySQL writes it: NULL is \\N (NULL without an escape character); the escape
    character precedes itself, the enclosing character, NUL (as `0`) and, when nothing encloses,
    the first character of either terminator; OPTIONALLY encloses only strings."""
    if value is None:
        return text.escaped + "N" if text.escaped else "NULL"
    string = _text(value)
    enclose = text.enclosed if (not text.optionally or isinstance(value, (str, bytes))) else ""
    if text.escaped:
        special = {text.escaped, "\0"}
        if enclose:
            special.add(enclose)
        else:
            special.update(c[:1] for c in (text.terminated, text.lines) if c)
        string = "".join(text.escaped + ("0" if c == "\0" else c) if c in special else c for c in string)
    return enclose + string + enclose


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
