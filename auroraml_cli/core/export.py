"""`SELECT ... INTO OUTFILE S3`: the statement, built from options and checked before it runs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError
from .names import bucket as check_bucket
from .names import kms_key as check_kms_key
from .sql import FunctionRef, ident, literal

_URI = re.compile(r"^(?P<scheme>s3|s3-(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d))://(?P<bucket>[^/]+)/(?P<prefix>.+)$")
FORMATS = ("csv", "text")
ENCRYPTIONS = ("off", "on", "sse_s3", "sse_kms")


@dataclass
class Export:
    uri: str
    query: str | None = None
    table: str | None = None
    format: str = "csv"
    header: bool = False
    overwrite: bool = False
    manifest: bool = False
    encryption: str | None = None
    kms_key: str | None = None

    def validate(self) -> None:
        match = _URI.fullmatch(self.uri or "")
        if not match:
            raise UsageError(f"not an S3 target Aurora accepts: {self.uri!r}",
                             "use s3://bucket/prefix (the cluster's region) or s3-REGION://bucket/prefix")
        if any(c in match["bucket"] for c in "*?"):  # a target is one bucket: no IAM wildcard opt-in here
            raise UsageError(f"not a valid S3 bucket name: {match['bucket']!r}", "3-63 lower-case letters, digits, dots and hyphens")
        check_bucket(match["bucket"])
        literal(self.uri, "S3 URI")
        if bool(self.query) == bool(self.table):
            raise UsageError("give exactly one of --sql and --table")
        if self.query:
            q = self.query.strip().rstrip(";").strip()
            if not re.match(r"^(SELECT|WITH)\b", q, re.I) or ";" in q:
                raise UsageError("--sql must be one SELECT statement", "no trailing INTO, no second statement")
            if re.search(r"\bINTO\s+(OUTFILE|DUMPFILE|@)", q, re.I):
                raise UsageError("--sql already has an INTO clause", "auroraml adds INTO OUTFILE S3 itself")
            self.query = q
        if self.format not in FORMATS:
            raise UsageError(f"--format must be csv or text, got {self.format!r}")
        if self.header and self.format != "csv":
            raise UsageError("--header needs --format csv")
        if self.encryption and self.encryption.lower() not in ENCRYPTIONS:
            raise UsageError(f"--encryption must be one of {', '.join(ENCRYPTIONS)}")
        if self.kms_key is not None and (self.encryption or "").lower() != "sse_kms":
            raise UsageError("--kms-key goes with --encryption sse_kms")
        if self.kms_key is not None:
            check_kms_key(self.kms_key)

    @property
    def region(self) -> str | None:
        """The region an `s3-REGION://` target names (the bucket's, so the KMS key's too), else None."""
        match = _URI.fullmatch(self.uri or "")
        return match["region"] if match else None

    def statement(self) -> str:
        self.validate()
        source = self.query if self.query else f"SELECT * FROM {self._table()}"
        clauses = [f"INTO OUTFILE S3 {literal(self.uri, 'S3 URI')}", f"FORMAT {self.format.upper()}" + (" HEADER" if self.header else "")]
        if self.manifest:
            clauses.append("MANIFEST ON")
        if self.overwrite:
            clauses.append("OVERWRITE ON")
        if self.encryption:
            clauses.append(f"ENCRYPTION {self.encryption.upper()}" + (f" {literal(self.kms_key, 'KMS key')}" if self.kms_key else ""))
        return f"{source}\n  " + "\n  ".join(clauses)

    def _table(self) -> str:
        if "." in (self.table or ""):
            return FunctionRef.parse(self.table).sql()  # DB.NAME, quoted the same way
        return ident(self.table or "")
