"""Building SQL text safely, and reading what SHOW GRANTS says.

Identifiers and accounts are always backtick-quoted (backticks doubled): backticks mean the same
under every sql_mode, including ANSI_QUOTES and NO_BACKSLASH_ESCAPES, where PyMySQL's
backslash-escaped string parameters would not. String literals are only ever built from values
checked against a plain character set, so no escaping is needed at all.
"""

from __future__ import annotations

import re
from .errors import UsageError
from .patterns import lazy
from .records import Frozen, Record

MYSQL_USER_MAX = 32  # MySQL 5.7.8+ / 8.0 (Aurora)
MARIADB_USER_MAX = 128  # MariaDB 10.11 (measured: 128 works, 129 is refused with 1470); servers enforce their own
HOST_MAX = 255
_SAFE_LITERAL = lazy(r"[A-Za-z0-9._:/+=@,-]*")


def ident(name: str) -> str:
    """A quoted identifier (schema, function, role)."""
    if not name or "\x00" in name or len(name) > 64:
        raise UsageError(f"not a usable SQL identifier: {name!r}", "1-64 characters, no NUL")
    return "`" + name.replace("`", "``") + "`"


def literal(value: str, what: str) -> str:
    """A single-quoted literal for values that never need escaping (endpoint names, model ids)."""
    if not _SAFE_LITERAL.fullmatch(value or ""):
        raise UsageError(f"{what} has characters auroraml will not put in SQL: {value!r}",
                         "letters, digits and . _ : / + = @ , - only")
    return f"'{value}'"


def text(value: str) -> str:
    """Any string as a SQL expression, whatever the sql_mode: hex cannot be broken out of."""
    return f"CONVERT(X'{value.encode().hex()}' USING utf8mb4)"


_ACCOUNT_HINT = "write USER@HOST, quoting either part like 'it''s'@'10.0.%'"


class Account(Frozen):
    __slots__ = ("user", "host")
    user: str
    host: str

    def __init__(self, user: str, host: str = "%") -> None:
        self._init(user, host)

    @classmethod
    def parse(cls, text: str, user_max: int = MARIADB_USER_MAX) -> "Account":
        """`user`, `user@host`, `'user'@'host'`, `` `user`@`host` `` or a mix; quotes inside a
        quoted part are doubled, as in SQL. Unquoted, the last @ splits user from host."""
        raw = text or ""
        if "\x00" in raw:
            raise UsageError("an account name may not contain NUL", _ACCOUNT_HINT)
        user, rest = _quoted_part(raw)
        if user is None:  # unquoted user: the last @ splits
            user, at, host_text = raw.rpartition("@") if "@" in raw else (raw, "", "")
            host = _unquote_whole(host_text) if at else "%"
        elif rest == "":
            host = "%"
        elif rest.startswith("@"):
            host = _unquote_whole(rest[1:])
        else:
            raise UsageError(f"cannot read the account {text!r}", _ACCOUNT_HINT)
        if not user:
            raise UsageError(f"no user name in {text!r}", "give USER or USER@HOST, e.g. analyst@'10.0.%'")
        if len(user) > user_max:
            raise UsageError(f"user name {user[:20]!r}... is {len(user)} characters; the server allows {user_max}",
                             "use a shorter name")
        if len(host) > HOST_MAX:
            raise UsageError(f"host name is {len(host)} characters; MySQL allows {HOST_MAX}", "use a shorter host pattern")
        return cls(user, host or "%")

    def checked(self) -> "Account":
        """This account, if a server can have it: MySQL and MariaDB refuse "@" in a host name
        ("Malformed hostname (illegal symbol: '@')"), so no such account exists to grant to."""
        if "@" in self.host:
            raise UsageError(f"a host name may not contain @: {self.host!r}",
                             "the host part is a name, address or pattern such as '10.0.%'")
        return self

    def sql(self) -> str:
        return f"{ident_any(self.user)}@{ident_any(self.host)}"

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"


def _quoted_part(text: str) -> tuple[str | None, str]:
    """(the unquoted first part, the rest) when `text` starts with a quote; (None, text) otherwise."""
    if not text or text[0] not in "'`\"":
        return None, text
    q, i, out = text[0], 1, []
    while i < len(text):
        if text[i] == q:
            if text[i + 1:i + 2] == q:  # a doubled quote is one quote character
                out.append(q)
                i += 2
                continue
            return "".join(out), text[i + 1:]
        out.append(text[i])
        i += 1
    raise UsageError(f"unbalanced quote in {text!r}", _ACCOUNT_HINT)


def _unquote_whole(text: str) -> str:
    value, rest = _quoted_part(text)
    if value is None:
        return text
    if rest:
        raise UsageError(f"cannot read {text!r}: text after the closing quote", _ACCOUNT_HINT)
    return value


def ident_any(name: str) -> str:
    """Backtick quoting for account parts: any length the server accepts, no NUL."""
    if "\x00" in name:
        raise UsageError("names may not contain NUL", _ACCOUNT_HINT)
    return "`" + name.replace("`", "``") + "`"


class FunctionRef(Frozen):
    __slots__ = ("schema", "name")
    schema: str
    name: str

    def __init__(self, schema: str, name: str) -> None:
        self._init(schema, name)

    @classmethod
    def parse(cls, text: str) -> "FunctionRef":
        schema, dot, name = (text or "").partition(".")
        if not dot or not schema or not name:
            raise UsageError(f"not a DB.FUNCTION name: {text!r}", "for example --function mldb.churn_score")
        ident(schema), ident(name)
        return cls(schema, name)

    def sql(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


# --- SHOW GRANTS --------------------------------------------------------------------------------

# SHOW GRANTS quotes with backticks, with single quotes (5.7 accounts), or with double quotes when
# the session's sql_mode has ANSI_QUOTES.
_QUOTED = r"""(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s@,`'"]+)"""
_ROLE_GRANT = lazy(rf"^GRANT\s+((?:{_QUOTED}(?:@{_QUOTED})?\s*,\s*)*{_QUOTED}(?:@{_QUOTED})?)\s+TO\s+", re.I)
_TARGET = rf"(?:{_QUOTED}|\*)(?:\.(?:{_QUOTED}|\*))?"
_PRIV_GRANT = lazy(rf"^GRANT\s+(.+?)\s+ON\s+(FUNCTION\s+|PROCEDURE\s+)?({_TARGET})\s+TO\s+", re.I)


def unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == "`":
        return token[1:-1].replace("``", "`")
    for q in ("'", '"'):
        if len(token) >= 2 and token[0] == token[-1] == q:
            return token[1:-1].replace(q * 2, q)
    return token


class Grants(Record):
    """What SHOW GRANTS FOR an account says, reduced to what auroraml manages."""

    __slots__ = ("roles", "global_privileges", "functions", "grant_option_global", "admin_roles")
    roles: set[str]
    global_privileges: set[str]  # upper case, from `ON *.*`
    functions: set[tuple[str, str]]  # (schema, name) with EXECUTE
    grant_option_global: bool
    admin_roles: set[str] | None  # roles held WITH ADMIN OPTION

    def __init__(self, roles: set[str], global_privileges: set[str], functions: set[tuple[str, str]],
                 grant_option_global: bool = False, admin_roles: set[str] | None = None) -> None:
        self.roles, self.global_privileges, self.functions = roles, global_privileges, functions
        self.grant_option_global, self.admin_roles = grant_option_global, admin_roles

    @classmethod
    def parse(cls, lines: list[str]) -> "Grants":
        roles: set[str] = set()
        admin: set[str] = set()
        privileges: set[str] = set()
        functions: set[tuple[str, str]] = set()
        grant_option = False
        for line in lines:
            text = line.strip().rstrip(";")
            # A role grant first: an account named like `a ON *.* TO b` must not pass for a privilege.
            role = _ROLE_GRANT.match(text)
            if role:
                granted = {unquote(_first(r)) for r in _split_privileges(role.group(1))}
                roles |= granted
                if re.search(r"WITH\s+ADMIN\s+OPTION", text, re.I):
                    admin |= granted
                continue
            priv = _PRIV_GRANT.match(text)
            if priv:
                names = {p.strip().upper() for p in _split_privileges(priv.group(1))}
                target = priv.group(3)
                if (priv.group(2) or "").strip().upper() == "FUNCTION" and names & {"EXECUTE", "ALL PRIVILEGES"}:
                    schema, _, name = _split_dotted(target)
                    functions.add((schema, name))
                elif target == "*.*":
                    privileges |= names
                    grant_option = grant_option or bool(re.search(r"WITH\s+GRANT\s+OPTION", text, re.I))
        return cls(roles, privileges, functions, grant_option, admin)


def _first(role_spec: str) -> str:
    match = re.match(_QUOTED, role_spec.strip())
    return match.group(0) if match else role_spec


def _split_privileges(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _split_dotted(target: str) -> tuple[str, str, str]:
    match = re.fullmatch(rf"({_QUOTED})\.({_QUOTED})", target)
    if not match:
        return target, ".", ""
    return unquote(match.group(1)), ".", unquote(match.group(2))
