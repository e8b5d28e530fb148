"""MySQL option files, read as mysql(1) reads them, and the obfuscated ~/.mylogin.cnf.

Which files (as the mysql client, without the server-wide /etc ones):
  --defaults-file FILE        only FILE (and ~/.mylogin.cnf, which mysql(1) reads even then)
  otherwise                   --defaults-extra-file FILE, then ~/.my.cnf, then ~/.mylogin.cnf
Which groups: [client], [mysql] and [auroraml]; with --defaults-group-suffix S also [clientS],
[mysqlS] and [auroramlS]; with --login-path NAME also [NAME] (from every file, as mysql(1) does).
As in mysql(1), the lines of those groups apply in the order they are read, the last one winning:
a [mysql] or [auroraml] group written after [client] overrides it, and ~/.mylogin.cnf overrides
~/.my.cnf.

Lines: `[group]`; `name`, `name = value` (`-` and `_` alike, a `loose-` prefix dropped); `#` or
`;` starting a line, and `#` outside quotes, start a comment; a value in matching quotes loses
them; escapes \\b \\t \\n \\r \\s (space) \\\\ \\" \\' become the character (any other backslash is
kept); `!include FILE` reads FILE there, `!includedir DIR` reads DIR's *.cnf files in name order.
A missing included file is skipped (as mysql(1) does); an include loop, or nesting past
MAX_DEPTH, is refused. A world-writable option file is ignored with a warning, as mysql(1) does.

~/.mylogin.cnf (mysql_config_editor's file): 4 unused bytes, a 20-byte key, then for each line a
4-byte little-endian length and that many bytes of AES-128-ECB ciphertext (PKCS#7 padding) under
the key folded into 16 bytes by XOR. AES is done here in pure Python (decrypting a few hundred
bytes): no runtime dependency on `cryptography`, which nothing auroraml ships needs otherwise.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

log = logging.getLogger("auroraml.db")

MAX_DEPTH = 10  # mysql(1) stops nesting !include at 10 levels; here deeper is refused
MAX_SIZE = 1 << 20  # an option file larger than 1 MiB is not one
BASE_GROUPS = ("client", "mysql", "auroraml")
RDS_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"


@dataclass
class Options:
    """The options in effect, and where each came from (for messages: never the value)."""

    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values


def groups(suffix: str | None = None, login_path: str | None = None) -> tuple[str, ...]:
    names = list(BASE_GROUPS)
    if suffix:
        names += [g + suffix for g in BASE_GROUPS]
    if login_path and login_path not in names:
        names.append(login_path)
    return tuple(names)


# --- parsing ---------------------------------------------------------------------------------------

_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "r": "\r", "s": " ", "\\": "\\", '"': '"', "'": "'"}


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _end_comment(text: str) -> str:
    """`text` up to a `#` outside quotes (mysql's remove_end_comment)."""
    quote, escape = None, False
    for i, c in enumerate(text):
        if c in "'\"" and not escape:
            quote = c if quote is None else (None if quote == c else quote)
        if quote is None and c == "#":
            return text[:i]
        escape = quote is not None and c == "\\" and not escape
    return text


def value_of(raw: str) -> str:
    """An option's value as mysql(1) takes it: comment cut, blanks stripped, matching quotes
    dropped, escapes decoded."""
    value = _end_comment(raw).strip()
    if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
        value = value[1:-1]
    return unescape(value)


def _key(name: str) -> str:
    name = name.strip().lower().replace("-", "_")
    return name[len("loose_"):] if name.startswith("loose_") else name


def parse(text: str, path: str, wanted: tuple[str, ...], sink: Options, *, include=None) -> None:
    """Apply the lines of `text` (the file `path`) in groups `wanted` to `sink`. `include(kind,
    target)` reads an !include/!includedir (None: they are ignored). Errors name the file and the
    line number, never the line (it may hold a password)."""
    group = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("!"):
            found = re.fullmatch(r"!(includedir|include)\s+(.+)", line)
            if not found:
                raise ConfigError(f"option file {path}, line {number}: not an !include or !includedir directive",
                                  "write `!include FILE` or `!includedir DIR`, as mysql(1) reads them")
            if include is not None:
                include(found.group(1), found.group(2).strip())
            continue
        if line.startswith("["):
            end = line.find("]")
            name = line[1:end].strip() if end > 0 else ""
            if end < 0 or not name or _end_comment(line[end + 1:]).strip():
                raise ConfigError(f"option file {path}, line {number}: not a valid [group] line",
                                  "write the group as [client] on a line of its own, as mysql(1) reads it")
            group = name.lower()
            continue
        if group is None:
            raise ConfigError(f"option file {path}, line {number}: an option before any [group]",
                              "put options under a [client] group, as mysql(1) reads them")
        if group not in wanted:
            continue
        name, eq, raw = line.partition("=")
        key = _key(_end_comment(name) if not eq else name)
        if not key or not re.fullmatch(r"[a-z0-9_.]+", key):
            raise ConfigError(f"option file {path}, line {number}: not an option name",
                              "write `name = value` (or `name` alone), as mysql(1) reads them")
        sink.values[key] = value_of(raw) if eq else ""
        sink.sources[key] = f"{path} [{group}]"


def _read_bytes(path: Path, hint: str) -> bytes | None:
    """The file's bytes; None for a world-writable file (ignored, as mysql(1) does)."""
    try:
        info = path.stat()
        if info.st_mode & 0o002:
            log.warning("world-writable option file %s is ignored (as mysql(1) ignores it)", path)
            return None
        with path.open("rb") as fh:
            data = fh.read(MAX_SIZE + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read option file {path}: {exc.strerror}", hint) from None
    if len(data) > MAX_SIZE:
        raise ConfigError(f"option file {path} is larger than {MAX_SIZE >> 20} MiB", hint)
    return data


def _text(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"option file {path} is not UTF-8 text", "save it as UTF-8 (a password is sent as UTF-8)") from None


def read_file(path: Path, wanted: tuple[str, ...], sink: Options, hint: str = "check --defaults-file (or ~/.my.cnf)",
              _stack: tuple[Path, ...] = ()) -> None:
    """Read `path` (and what it includes) into `sink`."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise ConfigError(f"cannot read option file {path}: a symbolic link loop", hint) from None
    if real in _stack:
        raise ConfigError(f"option file {path} includes itself (through {' -> '.join(str(p) for p in _stack)})",
                          "remove the !include or !includedir that closes the loop")
    if len(_stack) >= MAX_DEPTH:
        raise ConfigError(f"option file {path}: !include nested more than {MAX_DEPTH} deep", "flatten the includes")
    data = _read_bytes(path, hint)
    if data is None:
        return
    sink.files.append(str(path))
    stack = (*_stack, real)

    def include(kind: str, target: str) -> None:
        where = (path.parent / Path(target).expanduser())
        if kind == "include":
            if _is_file(where):
                read_file(where, wanted, sink, hint, stack)
            return
        if not _is_dir(where):
            return
        try:
            names = sorted(p for p in where.iterdir() if p.name.endswith(".cnf"))
        except OSError as exc:
            raise ConfigError(f"cannot list {where} (!includedir in {path}): {exc.strerror}", hint) from None
        for item in names:
            if _is_file(item):
                read_file(item, wanted, sink, hint, stack)

    parse(_text(data, path), str(path), wanted, sink, include=include)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def home() -> Path:
    return Path(os.environ.get("HOME", "~")).expanduser()


def load(defaults_file: str | None = None, extra_file: str | None = None, suffix: str | None = None,
         login_path: str | None = None) -> Options:
    """The options in effect, from the files mysql(1) would read (see the module's docstring)."""
    wanted = groups(suffix, login_path)
    sink = Options()
    if defaults_file:
        path = Path(defaults_file).expanduser()
        if not _checked_file(path, "check --defaults-file"):
            raise ConfigError(f"option file not found: {path}", "check --defaults-file")
        read_file(path, wanted, sink, "check --defaults-file")
    else:
        if extra_file:
            path = Path(extra_file).expanduser()
            if not _checked_file(path, "check --defaults-extra-file"):
                raise ConfigError(f"option file not found: {path}", "check --defaults-extra-file")
            read_file(path, wanted, sink, "check --defaults-extra-file")
        default = home() / ".my.cnf"
        if _is_file(default):
            read_file(default, wanted, sink, "check ~/.my.cnf")
    login = Path(os.environ.get("MYSQL_TEST_LOGIN_FILE") or home() / ".mylogin.cnf")
    if _is_file(login):
        data = _read_bytes(login, "check ~/.mylogin.cnf (mysql_config_editor print --all)")
        if data is not None:
            sink.files.append(str(login))
            parse(_text(decode_login_file(data, login), login), str(login), wanted, sink)
    if login_path and not any(src.endswith(f"[{login_path.lower()}]") for src in sink.sources.values()):
        raise ConfigError(f"--login-path {login_path}: no [{login_path}] group with options in {', '.join(sink.files) or login}",
                          "list the login paths with `mysql_config_editor print --all`, or create it with "
                          "`mysql_config_editor set --login-path=NAME --host=... --user=... --password`")
    return sink


def _checked_file(path: Path, hint: str) -> bool:
    try:
        return path.is_file()
    except OSError as exc:  # ENAMETOOLONG and the like
        raise ConfigError(f"cannot use {path}: {exc.strerror}", hint) from None


# --- ~/.mylogin.cnf --------------------------------------------------------------------------------

LOGIN_KEY_OFFSET, LOGIN_KEY_LEN = 4, 20


def login_key(raw: bytes) -> bytes:
    """mysql_config_editor's 20 stored bytes folded by XOR into an AES-128 key."""
    key = bytearray(16)
    for i, b in enumerate(raw):
        key[i % 16] ^= b
    return bytes(key)


def decode_login_file(data: bytes, path: Path | str = "~/.mylogin.cnf") -> bytes:
    """The option-file text hidden in a .mylogin.cnf."""
    bad = ConfigError(f"{path} is not a file mysql_config_editor wrote (it does not decode)",
                      "recreate it with mysql_config_editor, or move it aside")
    if len(data) < LOGIN_KEY_OFFSET + LOGIN_KEY_LEN:
        raise bad
    aes = _Aes128(login_key(data[LOGIN_KEY_OFFSET:LOGIN_KEY_OFFSET + LOGIN_KEY_LEN]))
    pos, out = LOGIN_KEY_OFFSET + LOGIN_KEY_LEN, bytearray()
    while pos < len(data):
        if pos + 4 > len(data):
            raise bad
        size = int.from_bytes(data[pos:pos + 4], "little")
        pos += 4
        if size == 0 or size % 16 or pos + size > len(data):
            raise bad
        plain = b"".join(aes.decrypt_block(data[i:i + 16]) for i in range(pos, pos + size, 16))
        pad = plain[-1]
        if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
            raise bad
        out += plain[:-pad]
        pos += size
    return bytes(out)


def encode_login_file(text: bytes, raw_key: bytes) -> bytes:
    """A .mylogin.cnf holding `text` (one record per line), as mysql_config_editor writes it."""
    if len(raw_key) != LOGIN_KEY_LEN:
        raise ValueError("the key is 20 bytes")
    aes = _Aes128(login_key(raw_key))
    out = bytearray(b"\0" * LOGIN_KEY_OFFSET + raw_key)
    for line in text.splitlines(keepends=True):
        pad = 16 - len(line) % 16
        padded = line + bytes([pad]) * pad
        cipher = b"".join(aes.encrypt_block(padded[i:i + 16]) for i in range(0, len(padded), 16))
        out += len(cipher).to_bytes(4, "little") + cipher
    return bytes(out)


def _xtime(a: int) -> int:
    a <<= 1
    return (a ^ 0x11B) if a & 0x100 else a


def _mul(a: int, b: int) -> int:
    r = 0
    while b:
        if b & 1:
            r ^= a
        a, b = _xtime(a), b >> 1
    return r


def _sbox() -> tuple[list[int], list[int]]:
    sbox, inv, exp, logs = [0] * 256, [0] * 256, [0] * 255, [0] * 256
    a = 1
    for i in range(255):  # powers of the generator 3
        exp[i], logs[a] = a, i
        a ^= _xtime(a)
    for x in range(256):
        y = 0 if x == 0 else exp[(255 - logs[x]) % 255]  # the inverse in GF(2^8)
        s = y
        for shift in range(1, 5):
            s ^= ((y << shift) | (y >> (8 - shift))) & 0xFF
        s ^= 0x63
        sbox[x], inv[s] = s, x
    return sbox, inv


_SBOX: list[int] = []
_INV_SBOX: list[int] = []


class _Aes128:
    """FIPS-197 AES-128, one block at a time (ECB): enough for a login file's few lines."""

    def __init__(self, key: bytes) -> None:
        if not _SBOX:
            s, i = _sbox()
            _SBOX.extend(s)
            _INV_SBOX.extend(i)
        words = [list(key[i:i + 4]) for i in range(0, 16, 4)]
        rcon = 1
        for i in range(4, 44):
            w = list(words[i - 1])
            if i % 4 == 0:
                w = [_SBOX[b] for b in w[1:] + w[:1]]
                w[0] ^= rcon
                rcon = _xtime(rcon)
            words.append([a ^ b for a, b in zip(words[i - 4], w)])
        self.round_keys = [sum(words[r * 4:r * 4 + 4], []) for r in range(11)]

    @staticmethod
    def _add(state: list[int], key: list[int]) -> list[int]:
        return [a ^ b for a, b in zip(state, key)]

    def encrypt_block(self, block: bytes) -> bytes:
        s = self._add(list(block), self.round_keys[0])
        for r in range(1, 11):
            s = [_SBOX[b] for b in s]
            s = [s[(i + 4 * (i % 4)) % 16] for i in range(16)]  # ShiftRows (column-major state)
            if r < 10:
                s = sum((self._mix(s[c * 4:c * 4 + 4], (2, 3, 1, 1)) for c in range(4)), [])
            s = self._add(s, self.round_keys[r])
        return bytes(s)

    def decrypt_block(self, block: bytes) -> bytes:
        s = self._add(list(block), self.round_keys[10])
        for r in range(9, -1, -1):
            s = [s[(i - 4 * (i % 4)) % 16] for i in range(16)]  # InvShiftRows
            s = [_INV_SBOX[b] for b in s]
            s = self._add(s, self.round_keys[r])
            if r > 0:
                s = sum((self._mix(s[c * 4:c * 4 + 4], (14, 11, 13, 9)) for c in range(4)), [])
        return bytes(s)

    @staticmethod
    def _mix(col: list[int], m: tuple[int, int, int, int]) -> list[int]:
        return [_mul(col[0], m[(0 - r) % 4]) ^ _mul(col[1], m[(1 - r) % 4]) ^ _mul(col[2], m[(2 - r) % 4])
                ^ _mul(col[3], m[(3 - r) % 4]) for r in range(4)]
