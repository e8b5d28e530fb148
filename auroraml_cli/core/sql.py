"""Building SQL text safely, and reading what SHOW GRANTS says.

Identifiers and accounts are always backtick-quoted (backticks doubled): backticks mean the same
under every sql_mode, including ANSI_QUOTES and NO_BACKSLASH_ESCAPES, where PyMySQL's
backslash-escaped string parameters would not. String literals are only ever built from values
checked against a plain character set, so no escaping is needed at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError

MYSQL_USER_MAX = 32  # MySQL 5.7.8+ / 8.0; MariaDB allows 80 (checked against the live server)
MARIADB_USER_MAX = 80
HOST_MAX = 255
_SAFE_LITERAL = re.compile(r"[A-Za-z0-9._:/+=@,-]*")


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


@dataclass(frozen=True)
class Account:
    user: str
    host: str = "%"

    @classmethod
    def parse(cls, text: str, user_max: int = MARIADB_USER_MAX) -> "Account":
        """`user`, `user@host`, `'user'@'host'` or `` `user`@`host` ``; the last @ splits."""
        raw = text or ""
        if "\x00" in raw:
            raise UsageError("an account name may not contain NUL")
        quoted = re.fullmatch(r"""(['`"])(.*)\1@(['`"])(.*)\3""", raw, re.S)
        if quoted:
            q1, q2 = quoted.group(1), quoted.group(3)
            user, host = quoted.group(2).replace(q1 * 2, q1), quoted.group(4).replace(q2 * 2, q2)
        else:
            user, _, host = raw.rpartition("@") if "@" in raw else (raw, "", "%")
            user = user.strip("'`\"") if len(user) > 1 and user[0] == user[-1] and user[0] in "'`\"" else user
        if not user:
            raise UsageError(f"no user name in {text!r}", "give USER or USER@HOST, e.g. analyst@'10.0.%'")
        if len(user) > user_max:
            raise UsageError(f"user name {user[:20]!r}... is {len(user)} characters; the server allows {user_max}")
        if len(host) > HOST_MAX:
            raise UsageError(f"host name is {len(host)} characters; MySQL allows {HOST_MAX}")
        return cls(user, host or "%")

    def sql(self) -> str:
        return f"{ident_any(self.user)}@{ident_any(self.host)}"

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"


def ident_any(name: str) -> str:
    """Backtick quoting for account parts: any length the server accepts, no NUL."""
    if "\x00" in name:
        raise UsageError("names may not contain NUL")
    return "`" + name.replace("`", "``") + "`"


@dataclass(frozen=True)
class FunctionRef:
    schema: str
    name: str

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
_ROLE_GRANT = re.compile(rf"^GRANT\s+((?:{_QUOTED}(?:@{_QUOTED})?\s*,\s*)*{_QUOTED}(?:@{_QUOTED})?)\s+TO\s+", re.I)
_PRIV_GRANT = re.compile(r"^GRANT\s+(.+?)\s+ON\s+(FUNCTION\s+|PROCEDURE\s+)?(\S+)\s+TO\s+", re.I)


def unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == "`":
        return token[1:-1].replace("``", "`")
    for q in ("'", '"'):
        if len(token) >= 2 and token[0] == token[-1] == q:
            return token[1:-1].replace(q * 2, q)
    return token


@dataclass
class Grants:
    """What SHOW GRANTS FOR an account says, reduced to what auroraml manages."""

    roles: set[str]
    global_privileges: set[str]  # upper case, from `ON *.*`
    functions: set[tuple[str, str]]  # (schema, name) with EXECUTE
    grant_option_global: bool = False
    admin_roles: set[str] | None = None  # roles held WITH ADMIN OPTION

    @classmethod
    def parse(cls, lines: list[str]) -> "Grants":
        roles: set[str] = set()
        admin: set[str] = set()
        privileges: set[str] = set()
        functions: set[tuple[str, str]] = set()
        grant_option = False
        for line in lines:
            text = line.strip().rstrip(";")
            priv = _PRIV_GRANT.match(text)
            if priv:
                names = {p.strip().upper() for p in _split_privileges(priv.group(1))}
                target = priv.group(3)
                if priv.group(2) and priv.group(2).strip().upper() == "FUNCTION" and "EXECUTE" in names | {"ALL PRIVILEGES"} & names:
                    schema, _, name = _split_dotted(target)
                    functions.add((schema, name))
                elif target == "*.*":
                    privileges |= names
                    grant_option = grant_option or bool(re.search(r"WITH\s+GRANT\s+OPTION", text, re.I))
                continue
            role = _ROLE_GRANT.match(text)
            if role:
                granted = {unquote(_first(r)) for r in _split_privileges(role.group(1))}
                roles |= granted
                if re.search(r"WITH\s+ADMIN\s+OPTION", text, re.I):
                    admin |= granted
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
