"""core/optionfile.py: option files as mysql(1) reads them, ~/.mylogin.cnf, and the RDS TLS default."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from auroraml_cli.core import optionfile as of
from auroraml_cli.core.errors import ConfigError, UsageError


def load_text(tmp_path, text, **kw):
    path = tmp_path / "my.cnf"
    path.write_text(text)
    return of.load(str(path), **kw).values


def test_escapes_quotes_and_comments(tmp_path):
    v = load_text(tmp_path, '[client]\npassword = "a\\tb\\nc\\\\d\\se\\"f"\nuser = plain # comment\nhost = \'h#1\'\n'
                            'database = x\\qy\n; a comment\n# another\n')
    assert v["password"] == 'a\tb\nc\\d e"f' and v["user"] == "plain" and v["host"] == "h#1" and v["database"] == "x\\qy"


def test_file_order_wins_across_groups_and_suffix_and_login_path_groups(tmp_path):
    text = "[client]\nuser = c\nhost = hc\n[mysql]\nuser = m\n[auroraml]\nport = 1\n[client_prod]\nhost = hp\n[other]\nuser = o\n"
    assert load_text(tmp_path, text) == {"user": "m", "host": "hc", "port": "1"}
    assert load_text(tmp_path, text, suffix="_prod")["host"] == "hp"
    assert load_text(tmp_path, text, login_path="other")["user"] == "o"


def test_include_and_includedir_in_sorted_order_only_cnf(tmp_path):
    d = tmp_path / "conf.d"
    d.mkdir()
    (d / "b.cnf").write_text("[client]\nuser = b\n")
    (d / "a.cnf").write_text("[client]\nuser = a\nhost = ha\n")
    (d / "z.txt").write_text("[client]\nuser = z\n")
    (tmp_path / "inc.cnf").write_text("[client]\nport = 7\n")
    v = load_text(tmp_path, f"!include {tmp_path / 'inc.cnf'}\n!includedir {d}\n!include /no/such/file.cnf\n")
    assert v == {"port": "7", "user": "b", "host": "ha"}


def test_include_loop_is_refused(tmp_path):
    (tmp_path / "a.cnf").write_text(f"!include {tmp_path / 'my.cnf'}\n")
    with pytest.raises(ConfigError, match="includes itself"):
        load_text(tmp_path, f"[client]\n!include {tmp_path / 'a.cnf'}\n")


def test_defaults_extra_file_then_home_my_cnf(tmp_path):
    (tmp_path / "home" / ".my.cnf").write_text("[client]\nuser = home\n")
    extra = tmp_path / "extra.cnf"
    extra.write_text("[client]\nuser = extra\nhost = hx\n")
    v = of.load(extra_file=str(extra)).values
    assert v == {"user": "home", "host": "hx"}


def test_world_writable_file_is_ignored(tmp_path):
    path = tmp_path / "home" / ".my.cnf"
    path.write_text("[client]\nuser = w\n")
    os.chmod(path, 0o666)
    assert of.load().values == {}


def test_aes_fips197_vector():
    aes = of._Aes128(bytes(range(16)))
    cipher = aes.encrypt_block(bytes.fromhex("00112233445566778899aabbccddeeff"))
    assert cipher.hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"
    assert aes.decrypt_block(cipher).hex() == "00112233445566778899aabbccddeeff"


def test_login_file_agrees_with_cryptography_and_is_read_for_login_path(tmp_path):
    """No mysql_config_editor on this machine (only MariaDB's clients): the file is written by our
    writer, and each record checked against `cryptography`'s AES-128-ECB (a dev dependency)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw_key = bytes(range(1, 21))
    text = b'[client]\nuser = "root"\n[prod]\nuser = "dba"\npassword = "s\\"ecret"\nhost = "db.example.com"\n'
    data = of.encode_login_file(text, raw_key)
    key = of.login_key(raw_key)
    size = int.from_bytes(data[24:28], "little")
    plain = Cipher(algorithms.AES(key), modes.ECB()).decryptor().update(data[28:28 + size])
    assert plain[:-plain[-1]] == b"[client]\n"
    assert of.decode_login_file(data) == text
    (tmp_path / "home" / ".mylogin.cnf").write_bytes(data)
    assert of.load(login_path="prod").values == {"user": "dba", "password": 's"ecret', "host": "db.example.com"}
    assert of.load().values == {"user": "root"}
    with pytest.raises(ConfigError, match="no \\[nope\\] group"):
        of.load(login_path="nope")
    (tmp_path / "home" / ".mylogin.cnf").write_bytes(data[:-3])
    with pytest.raises(ConfigError, match="does not decode"):
        of.load()


LINES = st.sampled_from(["[client]", "[mysql]", "[client", "]", "user = u", "password = \"a\\\"b\"", "password",
                         "= v", "!include my.cnf", "!includedir .", "!include", "!bogus", "x = 'unterminated",
                         "\\", "#", ";", "loose-ssl-mode = REQUIRED", "user = \u202e\x00"])


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=12))
def test_any_file_is_read_or_refused_never_hangs(tmp_path_factory, lines):
    """Hostile lines, and !include of itself or its directory (loops): values or a ConfigError."""
    base = tmp_path_factory.mktemp("cnf")
    (base / "my.cnf").write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    try:
        values = of.load(str(base / "my.cnf")).values
    except ConfigError as exc:
        assert "\n" not in exc.message
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())


def test_rds_host_without_bundle_is_refused_with_the_next_step(monkeypatch, tmp_path):
    from auroraml_cli.core import db

    monkeypatch.setattr(db, "rds_bundle_paths", lambda: [tmp_path / "none.pem"])
    host = "ml.cluster-abc.us-east-1.rds.amazonaws.com"
    with pytest.raises(UsageError) as info:
        db.tls_target(host, None, None)
    assert of.RDS_BUNDLE_URL in info.value.hint and "--ssl-ca" in info.value.hint
    assert db.tls_target(host, "DISABLED", None) == ("DISABLED", None)
    assert db.tls_target(host, "REQUIRED", None) == ("REQUIRED", None)
    assert db.tls_target("db.example.com", None, None) == ("PREFERRED", None)
    bundle = tmp_path / "rds-global-bundle.pem"
    bundle.write_text("pem")
    monkeypatch.setattr(db, "rds_bundle_paths", lambda: [bundle])
    assert db.tls_target(host, None, None) == ("VERIFY_IDENTITY", str(bundle))
    assert db.tls_target("x.cluster-1.cn-north-1.rds.amazonaws.com.cn", None, None)[0] == "VERIFY_IDENTITY"


def test_rds_refusal_is_exit_2_at_the_cli(cli, tmp_path, monkeypatch):
    from auroraml_cli.core import db

    monkeypatch.setattr(db, "rds_bundle_paths", lambda: [tmp_path / "none.pem"])
    r = cli("sql", "--host", "ml.cluster-abc.us-east-1.rds.amazonaws.com", "--user", "u", "-e", "SELECT 1", code=2)
    r.assert_refused()
    assert of.RDS_BUNDLE_URL in r.stderr
