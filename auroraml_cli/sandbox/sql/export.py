"""SELECT ... INTO OUTFILE S3, written into the sandbox's S3 [aurora-ml.md §8].

    SELECT ... INTO OUTFILE S3 's3[-region]://bucket/prefix' [CHARACTER SET cs]
      [FORMAT {TEXT | CSV [HEADER]}] [MANIFEST {ON|OFF}] [OVERWRITE {ON|OFF}]
      [ENCRYPTION {ON | OFF | SSE_S3 | SSE_KMS ['key']}]

The rows go to `prefix.part_00000` (one part: the sandbox never reaches Aurora's 6 GB split),
and with MANIFEST ON a `prefix.manifest` lists it. The client gets an OK packet counting the
rows. It needs what Aurora needs: on v3 the AWS_SELECT_S3_ACCESS role active (or the master
user), on v2 the SELECT INTO S3 privilege; and an S3 role in the cluster parameter group the
writer runs with (v3 aws_default_s3_role; v2 aurora_select_into_s3_role, else
aws_default_s3_role) that is associated with the cluster and ACTIVE. Without that role Aurora
says `S3 API returned error: Missing Credentials: Cannot instantiate S3 Client`.
FIELDS and LINES clauses are not supported.
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
from .lexer import SYMBOL, WORD, Parser
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
class _Options:
    uri: str
    encoding: str = "utf-8"
    csv: bool = False
    header: bool = False
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
    _check_access(s)
    role = _s3_role(s)
    if not role or not s.cluster.aws.role_is_active(role):
        raise s3_error("Missing Credentials: Cannot instantiate S3 Client")
    target = _URI.fullmatch(options.uri)
    if target is None:
        raise s3_error(f"Invalid S3 URI: {options.uri}")
    outcome = s.run_on_tables(s.parse_one(query))
    part = f"{target['prefix']}.part_00000"
    objects = {part: _encode(outcome, options)}
    if options.manifest:
        scheme = options.uri.split("://")[0]
        entries = {"entries": [{"url": f"{scheme}://{target['bucket']}/{part}"}]}
        objects[f"{target['prefix']}.manifest"] = json.dumps(entries).encode()
    s.cluster.aws.put_objects(target["bucket"], objects, options.overwrite, options.encryption)
    return Affected(len(outcome.rows))


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
        options.header = options.csv and p.accept("HEADER")
    if p.at("FIELDS") or p.at("COLUMNS") or p.at("LINES"):
        raise not_supported("FIELDS and LINES options of SELECT INTO OUTFILE S3 in the sandbox")
    options.manifest = _switch(p, "MANIFEST")
    options.overwrite = _switch(p, "OVERWRITE")
    if p.accept("ENCRYPTION"):
        offset = p.position
        setting = p.word().upper()
        if setting not in _ENCRYPTION:
            raise p.error(offset)
        algorithm, takes_key = _ENCRYPTION[setting]
        key = p.string() if takes_key and not p.at_end() else None
        options.encryption = (algorithm, key)
    p.end()
    return options


def _switch(p: Parser, keyword: str) -> bool:
    if not p.accept(keyword):
        return False
    value = p.word().upper()
    if value not in ("ON", "OFF"):
        raise p.error()
    return value == "ON"


def _check_access(s: AuroraSession) -> None:
    if s.engine.uses_roles:
        roles = s.cluster.accounts.role_graph(s.active_roles)
        if AccountName("AWS_SELECT_S3_ACCESS") in roles or s.cluster.accounts.is_master(s.account):
            return
    elif s.holds("SELECT INTO S3", GLOBAL):
        return
    raise need_privilege("SELECT INTO S3")


def _s3_role(s: AuroraSession) -> str:
    values = s.cluster.variables
    if s.engine.uses_roles:
        return values.get("aws_default_s3_role")
    return values.get("aurora_select_into_s3_role") or values.get("aws_default_s3_role")


def _encode(outcome: Outcome, options: _Options) -> bytes:
    """TEXT: tab-separated, NULL as \\N, tab/newline/backslash escaped. CSV: RFC 4180, NULL empty."""
    out = io.StringIO()
    if options.csv:
        writer = csv.writer(out, lineterminator="\n")
        if options.header:
            writer.writerow(outcome.columns)
        writer.writerows([["" if v is None else _text(v) for v in row] for row in outcome.rows])
    else:
        for row in outcome.rows:
            out.write("\t".join("\\N" if v is None else _escape(_text(v)) for v in row) + "\n")
    return codecs.encode(out.getvalue(), options.encoding, errors="replace")


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
