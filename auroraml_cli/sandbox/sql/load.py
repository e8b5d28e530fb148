"""LOAD DATA FROM S3 and LOAD XML FROM S3, reading the sandbox's S3.

    LOAD DATA FROM S3 [FILE | PREFIX | MANIFEST] 's3[-region]://bucket/key' [REPLACE | IGNORE]
      INTO TABLE [db.]tbl [CHARACTER SET cs]
      [{FIELDS | COLUMNS} [TERMINATED BY 's'] [[OPTIONALLY] ENCLOSED BY 'c'] [ESCAPED BY 'c']]
      [LINES [STARTING BY 's'] [TERMINATED BY 's']] [IGNORE n {LINES | ROWS}]
      [(col_or_@var, ...)] [SET col = expr, ...]
    LOAD XML FROM S3 [FILE | PREFIX] 'uri' [REPLACE | IGNORE] INTO TABLE [db.]tbl
      [CHARACTER SET cs] [ROWS IDENTIFIED BY '<row>'] [IGNORE n {LINES | ROWS}] [(col_or_@var, ...)]
      [SET col = expr, ...]

It needs what Aurora needs: on v3 the AWS_LOAD_S3_ACCESS role active (or the master user), on v2
the LOAD FROM S3 privilege; and an S3 role the writer runs with (v3 aws_default_s3_role; v2
aurora_load_from_s3_role, else aws_default_s3_role), associated with the cluster and ACTIVE,
whose policies allow s3:GetObject on each object read (s3:ListBucket with s3:prefix for PREFIX;
kms:Decrypt on an object's customer managed key), evaluated by role_access before each read.
Text is read as MySQL's LOAD DATA reads it (tab, newline, backslash escapes, \\N for NULL);
XML rows as `<row col="v"/>`, `<row><col>v</col></row>` or `<row><field name="col">v</field></row>`.
A manifest lists `{"entries": [{"url": ..., "mandatory": true|false}]}`. PARTITION and
mysql.aurora_s3_load_history are not modelled (refused / absent). A missing file is the
sandbox's own wording: Aurora documents no message for it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import TYPE_CHECKING, Any

from mysql_mimic.intercept import value_to_expression
from sqlglot import exp

from .errors import SqlError, not_supported, s3_error
from .export import _CHARSETS, _URI, _fields_and_lines, _Text, check_s3_access, s3_role
from .lexer import Parser
from . import role_access
from .results import Affected

if TYPE_CHECKING:
    from .session import AuroraSession


def load(s: AuroraSession, p: Parser) -> Affected:
    p.expect("LOAD")
    xml = p.accept("XML")
    if not xml:
        p.expect("DATA")
    if not p.at("FROM", "S3"):
        raise not_supported("LOAD DATA INFILE and LOAD XML INFILE in the sandbox (LOAD ... FROM S3 is)")
    p.expect("FROM", "S3")
    source = "FILE"
    for word in ("FILE", "PREFIX") + (() if xml else ("MANIFEST",)):
        if p.accept(word):
            source = word
            break
    uri = p.string()
    duplicates = p.word().upper() if p.at("REPLACE") or p.at("IGNORE") else None
    p.expect("INTO", "TABLE")
    db, table = p.qualified()
    if p.at("PARTITION"):
        raise not_supported("PARTITION in LOAD FROM S3 in the sandbox")
    encoding = "utf-8"
    if p.accept("CHARACTER", "SET") or p.accept("CHARSET"):
        name = p.identifier().lower()
        if name not in _CHARSETS:
            raise SqlError(1115, f"Unknown character set: '{name}'")
        encoding = _CHARSETS[name]
    text = rows_element = None
    if xml:
        rows_element = "row"
        if p.accept("ROWS", "IDENTIFIED", "BY"):
            rows_element = p.string().strip().removeprefix("<").removesuffix(">")
    else:
        text = _fields_and_lines(p) or _Text()
    skip = 0
    if p.accept("IGNORE"):
        skip = p.integer()
        if not (p.accept("LINES") or p.accept("ROWS")):
            raise p.error()
    targets: list[str] = []
    if p.accept("("):
        targets = p.comma_list(lambda: _target(p))
        p.expect(")")
    assignments: list[exp.EQ] = []
    if p.at("SET"):
        parsed = s.parse_one("SET " + p.rest()[3:])
        assignments = [item.this for item in parsed.expressions]
        p.i = len(p.tokens)
    p.end()

    check_s3_access(s, "AWS_LOAD_S3_ACCESS", "LOAD FROM S3")
    role = s3_role(s, "aurora_load_from_s3_role")
    s.cluster.aws.gate.authorize("s3", role, [])
    database = s.database_for(db)
    columns = s.run_on_tables(s.parse_one(f"SELECT * FROM `{database}`.`{table}` LIMIT 0")).columns
    bodies = _read(s, source, uri, role)
    if xml:
        assert rows_element is not None
        records = [r for body in bodies for r in _xml_rows(body.decode(encoding, "replace"), rows_element)][skip:]
        rows = [[record.get(name) for name in (targets or columns)] for record in records]
    else:
        assert text is not None
        rows = []
        for number, body in enumerate(bodies):
            rows.extend(_text_rows(body.decode(encoding, "replace"), text)[skip if number == 0 else 0 :])
    return Affected(_insert(s, database, table, targets or columns, rows, assignments, duplicates))


def _target(p: Parser) -> str:
    if p.accept("@"):
        return "@" + p.identifier()
    token = p.peek()
    if token is not None and token.text.startswith("@"):  # the tokenizer may keep @name whole
        p.i += 1
        return token.text
    return p.identifier()


def _read(s: AuroraSession, source: str, uri: str, role: str) -> list[bytes]:
    target = _location(uri)
    aws = s.cluster.aws
    if source == "PREFIX":
        aws.gate.authorize("s3", role, [role_access.s3_list(aws.gate.partition, *target)])
        keys = aws.keys_under(*target)
        if not keys:
            raise s3_error(f"No files found under {uri}")
        return [_get(s, role, target[0], key) for key in keys]
    body = _get(s, role, *target)
    if body is None:
        raise s3_error(f"The specified key does not exist: {uri}")
    if source == "FILE":
        return [body]
    try:
        entries = json.loads(body)["entries"]
        wanted = [(entry["url"], bool(entry.get("mandatory", False))) for entry in entries]
    except (ValueError, KeyError, TypeError):
        raise SqlError(1105, f"The manifest {uri} is not a JSON object with an entries list") from None
    bodies = []
    for url, mandatory in wanted:
        found = _get(s, role, *_location(url))
        if found is None and mandatory:
            raise s3_error(f"The specified key does not exist: {url}")
        if found is not None:
            bodies.append(found)
    if not bodies:
        raise s3_error(f"No files found in the manifest {uri}")
    return bodies


def _get(s: AuroraSession, role: str, bucket: str, key: str) -> bytes | None:
    """One object, after IAM: s3:GetObject on it, and kms:Decrypt on its customer managed key."""
    aws = s.cluster.aws
    needs = [role_access.s3_object(aws.gate.partition, "s3:GetObject", bucket, key)]
    kms_key = aws.kms_key_of(bucket, key)
    if kms_key and role_access.kms_is_customer_managed(aws.account_id, kms_key.split(":")[3] or aws.region, kms_key):
        needs.append(("kms:Decrypt", kms_key, ()))
    aws.gate.authorize("s3", role, needs)
    return aws.get_object(bucket, key)


def _location(uri: str) -> tuple[str, str]:
    match = _URI.fullmatch(uri)
    if match is None:
        raise s3_error(f"Invalid S3 URI: {uri}")
    return match["bucket"], match["prefix"]


def _text_rows(data: str, text: _Text) -> list[list[str | None]]:
    """MySQL's LOAD DATA reading of a text file: lines, then fields, escapes and enclosures."""
    rows: list[list[str | None]] = []
    i, end = 0, len(data)
    while i < end:
        if text.starting:
            found = data.find(text.starting, i)
            if found < 0:
                break
            i = found + len(text.starting)
        fields: list[str | None] = []
        while True:
            value, i, line_done = _field(data, i, text)
            fields.append(value)
            if line_done or i >= end:
                break
        rows.append(fields)
    return rows


def _field(data: str, i: int, text: _Text) -> tuple[str | None, int, bool]:
    """One field from offset i: its value, where the next begins, and whether the line ended."""
    out: list[str] = []
    enclosed = bool(text.enclosed) and data.startswith(text.enclosed, i)
    if enclosed:
        i += 1
    raw_start = i
    while i < len(data):
        c = data[i]
        if text.escaped and c == text.escaped and i + 1 < len(data):
            following = data[i + 1]
            out.append({"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}.get(
                following, following))
            i += 2
            continue
        if enclosed:
            if c == text.enclosed:
                if data.startswith(text.enclosed, i + 1):  # a doubled enclosing character
                    out.append(c)
                    i += 2
                    continue
                after = i + 1
                if data.startswith(text.terminated, after):
                    return "".join(out), after + len(text.terminated), False
                if data.startswith(text.lines, after) or after >= len(data):
                    return "".join(out), after + len(text.lines), True
        else:
            if data.startswith(text.terminated, i):
                return _value(out, data, raw_start, i, text), i + len(text.terminated), False
            if data.startswith(text.lines, i):
                return _value(out, data, raw_start, i, text), i + len(text.lines), True
        out.append(c)
        i += 1
    return _value(out, data, raw_start, i, text), i, True


def _value(out: list[str], data: str, start: int, end: int, text: _Text) -> str | None:
    raw = data[start:end]
    if (text.escaped and raw == text.escaped + "N") or (not text.escaped and raw == "NULL"):
        return None
    return "".join(out)


def _xml_rows(data: str, element: str) -> list[dict[str, str | None]]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise SqlError(1105, f"The XML file is not well-formed: {error}") from None
    records = []
    for row in root.iter(element):
        record: dict[str, str | None] = dict(row.attrib)
        for child in row:
            name = child.get("name") if child.tag == "field" else child.tag
            if name is not None:
                record[name] = None if child.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true" \
                    else (child.text or "")
        records.append(record)
    return records


def _insert(s: AuroraSession, database: str, table: str, targets: list[str], rows: list[list[Any]],
            assignments: list[exp.EQ], duplicates: str | None) -> int:
    if not rows:
        return 0
    columns = [t for t in targets if not t.startswith("@")] + [a.this.name for a in assignments]
    tuples = []
    for row in rows:
        values = dict(zip(targets, list(row) + [None] * (len(targets) - len(row))))
        loaded = [value_to_expression(values[t]) for t in targets if not t.startswith("@")]
        computed = [_substituted(a.expression, values) for a in assignments]
        tuples.append(exp.Tuple(expressions=loaded + computed))
    target = exp.Schema(this=exp.Table(this=exp.to_identifier(table), db=exp.to_identifier(database)),
                        expressions=[exp.to_identifier(c) for c in columns])
    insert = exp.Insert(this=target, expression=exp.Values(expressions=tuples))
    if duplicates == "IGNORE":
        insert.set("ignore", True)
    elif duplicates == "REPLACE":
        insert.set("alternative", "REPLACE")
    return s.run_on_tables(insert).affected


def _substituted(expression: exp.Expression, values: dict[str, Any]) -> exp.Expression:
    """A SET expression for one row: @var and loaded columns become the row's values."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Parameter) and f"@{node.name}" in values:
            return value_to_expression(values[f"@{node.name}"])
        if isinstance(node, exp.Column) and not node.table and node.name in values:
            return value_to_expression(values[node.name])
        return node

    return expression.transform(replace)

