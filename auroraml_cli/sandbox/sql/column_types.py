"""The data types of a stored function's parameters and return value: MySQL's grammar for each
type, and the limits MySQL 8.0 checks when it builds the routine (Create_field::init and
prepare_sp_create_field in mysql-server), with its error numbers and wording.

MySQL names no column in these messages (a routine's parameters and return value are built
with an empty field name), so they read `... specified for ''. ...`. Checked, in MySQL's order:

    DATETIME/TIME/TIMESTAMP(fsp)   fsp <= 6                          1426
    any (M,D)                      D <= 30                           1425
    any (N)                        N <= 4294967295                   1439
    DECIMAL(M,D)                   M <= 65, then D <= M              1426, 1427
    FLOAT(p)                       p <= 53                           1063
    FLOAT(M,D), DOUBLE(M,D)        D <= M, then M <= 255             1427, 1439
    TINYINT..BIGINT(N)             N <= 255                          1439
    BIT(N)                         1 <= N <= 64                      3013, 1439
    CHAR(N), BINARY(N)             N <= 255                          1074
    VARCHAR(N), VARBINARY(N)       N * (bytes per character) <= 65535   1074 (strict sql_mode)

Outside a strict sql_mode MySQL makes a too-long VARCHAR a TEXT with a note; the sandbox does
not model that and refuses it (1235). YEAR takes no size but (4); ENUM and SET their values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SqlError, not_supported
from .functions import SYNONYMS, DataType, quote_string
from .lexer import Parser

# Bytes per character of MySQL 8.0's character sets (SHOW CHARACTER SET, Maxlen).
MBMAXLEN = {
    "armscii8": 1, "ascii": 1, "big5": 2, "binary": 1, "cp1250": 1, "cp1251": 1, "cp1256": 1, "cp1257": 1,
    "cp850": 1, "cp852": 1, "cp866": 1, "cp932": 2, "dec8": 1, "eucjpms": 3, "euckr": 2, "gb18030": 4,
    "gb2312": 2, "gbk": 2, "geostd8": 1, "greek": 1, "hebrew": 1, "hp8": 1, "keybcs2": 1, "koi8r": 1,
    "koi8u": 1, "latin1": 1, "latin2": 1, "latin5": 1, "latin7": 1, "macce": 1, "macroman": 1, "sjis": 2,
    "swe7": 1, "tis620": 1, "ucs2": 2, "ujis": 3, "utf16": 4, "utf16le": 4, "utf32": 4, "utf8": 3,
    "utf8mb3": 3, "utf8mb4": 4,
}
_COLLATION = re.compile(r"([a-z0-9]+?)_[a-z0-9_]*?(ci|cs|bin)")
MAX_LENGTH = 4294967295  # MAX_FIELD_BLOBLENGTH: a size past this is no display width at all
_NUM_MAX = 2147483647  # the parser's NUM token: (M,D) and (fsp) take nothing bigger
_VARCHAR_BYTES = 65535
_INTEGERS = ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT")
_MORE_SYNONYMS = {"FIXED": "DECIMAL", "INT1": "TINYINT", "INT2": "SMALLINT", "INT3": "MEDIUMINT",
                  "MIDDLEINT": "MEDIUMINT", "INT4": "INT", "INT8": "BIGINT", "FLOAT4": "FLOAT",
                  "FLOAT8": "DOUBLE"}


@dataclass(frozen=True)
class _Grammar:
    sizes: str = ""  # "": none; "n": (N); "n?": optional (N); "md": (M,D); "n|md": (N) or (M,D)
    options: bool = False  # SIGNED / UNSIGNED / ZEROFILL
    charset: bool = False  # CHARACTER SET / CHARSET, COLLATE


_NUMBER = _Grammar(sizes="n?", options=True)
_TEXT = _Grammar(charset=True)
_GRAMMARS = {
    **dict.fromkeys(_INTEGERS, _NUMBER),
    "DECIMAL": _Grammar(sizes="n|md", options=True), "FLOAT": _Grammar(sizes="n|md", options=True),
    "DOUBLE": _Grammar(sizes="md", options=True), "BIT": _Grammar(sizes="n?"),
    "CHAR": _Grammar(sizes="n?", charset=True), "VARCHAR": _Grammar(sizes="n", charset=True),
    "TEXT": _Grammar(sizes="n?", charset=True), "TINYTEXT": _TEXT, "MEDIUMTEXT": _TEXT, "LONGTEXT": _TEXT,
    "ENUM": _TEXT, "SET": _TEXT,
    "BINARY": _Grammar(sizes="n?"), "VARBINARY": _Grammar(sizes="n"), "BLOB": _Grammar(sizes="n?"),
    "TINYBLOB": _Grammar(), "MEDIUMBLOB": _Grammar(), "LONGBLOB": _Grammar(),
    "DATE": _Grammar(), "JSON": _Grammar(), "YEAR": _Grammar(sizes="n?"),
    "TIME": _Grammar(sizes="n?"), "DATETIME": _Grammar(sizes="n?"), "TIMESTAMP": _Grammar(sizes="n?"),
}


def data_type(p: Parser, *, default_charset: str, strict: bool, before_limits: Callable[[], None] = lambda: None
              ) -> DataType:
    """One data type as MySQL's grammar has it, checked against MySQL's limits. `before_limits`
    runs between the two, where MySQL checks a parameter's name."""
    start = p.position
    written = p.word().upper()
    if written == "DOUBLE":
        p.accept("PRECISION")
    elif written in ("CHAR", "CHARACTER") and p.accept("VARYING"):
        written = "VARCHAR"
    name = _MORE_SYNONYMS.get(written, SYNONYMS.get(written, written))
    grammar = _GRAMMARS.get(name)
    if grammar is None:
        raise p.error(start)
    if written in ("BOOL", "BOOLEAN"):
        before_limits()
        return DataType(name, "(1)")
    length, decimals, size = _sizes(p, name, grammar)
    unsigned = zerofill = False
    while grammar.options and (p.at("SIGNED") or p.at("UNSIGNED") or p.at("ZEROFILL")):
        option = p.word().upper()
        unsigned |= option in ("UNSIGNED", "ZEROFILL")  # ZEROFILL makes it UNSIGNED
        zerofill |= option == "ZEROFILL"
    charset = collate = None
    if grammar.charset:
        if p.accept("CHARACTER", "SET") or p.accept("CHARSET"):
            charset = _charset(p)
        if p.accept("COLLATE"):
            collate = _collation(p, charset)
    if name in ("BINARY", "VARBINARY"):
        bytes_per_char = 1
    else:
        bytes_per_char = MBMAXLEN[charset or (collate and _charset_of(collate)) or default_charset]
    before_limits()
    check_limits(name, length, decimals, bytes_per_char=bytes_per_char, strict=strict)
    if collate is not None and charset is None and grammar.charset:
        charset = _charset_of(collate)
    name, size = _as_shown(name, length, decimals, size, bytes_per_char)
    return DataType(name, size, unsigned, charset, collate, zerofill)


def _as_shown(name: str, length: int | None, decimals: int | None, size: str, bytes_per_char: int
              ) -> tuple[str, str]:
    """The type as MySQL stores and shows it (Field::sql_type): DECIMAL is decimal(10,0), FLOAT(30)
    a double, TEXT(70000) a mediumtext, CHAR a char(1), DATETIME(0) a datetime."""
    if name == "DECIMAL":
        precision = 10 if not length and not decimals else length or 0
        return name, f"({precision},{decimals or 0})"
    if name == "FLOAT" and length is not None and decimals is None:
        return ("FLOAT" if length <= 24 else "DOUBLE"), ""
    if name in ("CHAR", "BINARY", "BIT") and length is None:
        return name, "(1)"
    if name in ("TEXT", "BLOB") and length is not None:
        stored = length * (bytes_per_char if name == "TEXT" else 1)
        prefix = "TINY" if stored < 256 else "" if stored < 65536 else "MEDIUM" if stored < 2**24 else "LONG"
        return prefix + name, ""
    if name in ("YEAR", "TIME", "DATETIME", "TIMESTAMP") and length in (0, 4) and (name == "YEAR") == (length == 4):
        return name, ""
    return name, size


def _sizes(p: Parser, name: str, grammar: _Grammar) -> tuple[int | None, int | None, str]:
    """(N or M, D, the size as SHOW CREATE writes it)."""
    if name in ("ENUM", "SET"):
        p.expect("(")
        values = p.comma_list(p.string)
        p.expect(")")
        return None, None, "(" + ",".join(quote_string(v) for v in values) + ")"
    if not grammar.sizes or not p.at("("):
        if grammar.sizes == "n":  # VARCHAR and VARBINARY need their length
            raise p.error()
        return None, None, ""
    p.expect("(")
    first = p.position
    length = _number(p, limit=_NUM_MAX if name in ("TIME", "DATETIME", "TIMESTAMP") else None)
    decimals = None
    if "md" in grammar.sizes and (grammar.sizes == "md" or p.at(",")):
        if length > _NUM_MAX:
            raise p.error(first)  # (M,D) takes the parser's NUM tokens only
        p.expect(",")
        decimals = _number(p, limit=_NUM_MAX)
    p.expect(")")
    if name == "YEAR" and length != 4:
        raise not_supported(f"YEAR({length}) in the sandbox's CREATE FUNCTION (MySQL takes YEAR or YEAR(4))")
    return length, decimals, f"({length})" if decimals is None else f"({length},{decimals})"


def _number(p: Parser, *, limit: int | None) -> int:
    start = p.position
    value = p.integer()
    if limit is not None and value > limit:
        raise p.error(start)
    return value


def _name_or_string(p: Parser) -> str:
    token = p.peek()
    return (p.string() if token is not None and token.kind == "string" else p.identifier()).lower()


def _charset(p: Parser) -> str:
    name = _name_or_string(p)
    if name not in MBMAXLEN:
        raise SqlError(1115, f"Unknown character set: '{name}'")
    return name


def _charset_of(collation: str) -> str | None:
    if collation == "binary":
        return "binary"
    match = _COLLATION.fullmatch(collation)
    if match is None:
        return None
    # The longest character set name the collation starts with: utf8mb4_bin is utf8mb4's.
    names = [cs for cs in MBMAXLEN if collation.startswith(cs + "_")]
    return max(names, key=len) if names else None


def _collation(p: Parser, charset: str | None) -> str:
    name = _name_or_string(p)
    owner = _charset_of(name)
    if owner is None:
        raise SqlError(1273, f"Unknown collation: '{name}'")
    if charset is not None and owner != charset and {owner, charset} != {"utf8", "utf8mb3"}:
        raise SqlError(1253, f"COLLATION '{name}' is not valid for CHARACTER SET '{charset}'")
    return name


def _int32(value: int) -> int:
    """How MySQL's %d prints a size it cast to int."""
    return (value + 2**31) % 2**32 - 2**31


def check_limits(name: str, length: int | None, decimals: int | None, *, bytes_per_char: int = 4,
                 strict: bool = True) -> None:
    """MySQL 8.0's verdict on a size (Create_field::init, then prepare_blob_field): None, or the
    error it raises."""
    if name in ("TIME", "DATETIME", "TIMESTAMP"):
        if length is not None and length > 6:
            raise SqlError(1426, f"Too-big precision {length} specified for ''. Maximum is 6.")
        return
    if decimals is not None and decimals >= 31:
        raise SqlError(1425, f"Too big scale {decimals} specified for column ''. Maximum is 30.")
    if length is not None and length > MAX_LENGTH:
        raise _display_width(MAX_LENGTH)
    if name == "DECIMAL":
        precision, scale = length or 0, decimals or 0
        if precision == 0 and scale == 0:
            precision = 10  # DECIMAL and DECIMAL(0) are DECIMAL(10,0)
        if precision > 65:
            raise SqlError(1426, f"Too-big precision {_int32(precision)} specified for ''. Maximum is 65.")
        if precision < scale:
            raise _m_smaller_than_d()
    elif name in ("FLOAT", "DOUBLE") and length is not None:
        if decimals is None:  # FLOAT(p): a FLOAT, or a DOUBLE from 25 on
            if length > 53:
                raise SqlError(1063, "Incorrect column specifier for column ''")
            return
        if length < decimals:
            raise _m_smaller_than_d()
        if length > 255:
            raise _display_width(255)
    elif name in _INTEGERS and length is not None and length > 255:
        raise _display_width(255)
    elif name == "BIT" and length is not None:
        if length == 0:
            raise SqlError(3013, "Invalid size for column ''.")
        if length > 64:
            raise _display_width(64)
    elif name in ("CHAR", "BINARY") and length is not None and length > 255:
        raise _too_long(255)
    elif name in ("VARCHAR", "VARBINARY") and length is not None and length * bytes_per_char > _VARCHAR_BYTES:
        if not strict:
            raise not_supported(f"{name}({length}) past {_VARCHAR_BYTES} bytes outside a strict sql_mode "
                                "(MySQL makes it a TEXT) in the sandbox")
        raise _too_long(_VARCHAR_BYTES // bytes_per_char)


def _display_width(maximum: int) -> SqlError:
    return SqlError(1439, f"Display width out of range for column '' (max = {maximum})")


def _too_long(maximum: int) -> SqlError:
    return SqlError(1074, f"Column length too big for column '' (max = {maximum}); use BLOB or TEXT instead")


def _m_smaller_than_d() -> SqlError:
    return SqlError(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '').")


def check_name(name: str) -> None:
    """A routine's or a parameter's name (sp_check_name): not empty, no trailing space, at most
    64 characters."""
    if not name or name.endswith(" "):
        raise SqlError(1458, f"Incorrect routine name '{name}'")
    if len(name) > 64:
        raise too_long_identifier(name)


def too_long_identifier(name: str) -> SqlError:
    return SqlError(1059, f"Identifier name '{name[:100]}' is too long")
