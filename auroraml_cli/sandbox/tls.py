"""The sandbox's own certificate authority and the server certificate its SQL endpoints present.

Aurora's endpoints present a certificate issued by an RDS CA that clients verify with the
global bundle (`--ssl-ca global-bundle.pem`). The sandbox does the same with a CA it makes at
start: `ca.pem` is its bundle, printed and exported by `auroraml sandbox` (AURORAML_SSL_CA), and
the server certificate names every host the sandbox reports for its clusters and instances
(RDS's Endpoint/Address: the loopback address it listens on), `localhost`, `127.0.0.1` and `::1`.
A client that verifies the name (VERIFY_IDENTITY, PyMySQL with a CA, mariadb --ssl-verify-server-cert)
passes with those names and fails with any other.

Keys are EC P-256 (generated in milliseconds: tests start many sandboxes); the key and
certificates are made once per process and written, key 0600, into each sandbox's directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")
_VALIDITY = datetime.timedelta(days=365)

_lock = threading.Lock()
_made: dict[tuple[str, ...], tuple[bytes, bytes, bytes]] = {}  # names → (CA pem, cert pem, key pem)


@dataclass(frozen=True)
class Material:
    """Where one sandbox's TLS files are: the CA bundle to give clients, the server's chain and key."""

    ca_path: Path
    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        """What the SQL endpoints serve TLS with (mysql-mimic's `ssl`)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2  # Aurora MySQL 3 accepts TLS 1.2 and 1.3
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


_default: list[Material] = []


def default_material() -> Material:
    """This process's CA and certificate, for endpoints started on their own (tests): written
    once into a private temporary directory, removed when the process ends."""
    with _lock:
        if _default:
            return _default[0]
    import atexit
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="auroraml-tls-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    material = write(directory)
    with _lock:
        if not _default:
            _default.append(material)
        return _default[0]


def write(directory: Path, hosts: tuple[str, ...] = (), loopback: bool = True) -> Material:
    """The CA and a server certificate for `hosts` and (`loopback`) DEFAULT_NAMES, written into
    `directory`. A certificate without the loopback names is for testing a name that does not match."""
    names = tuple(dict.fromkeys((*hosts, *(DEFAULT_NAMES if loopback else ()))))
    with _lock:
        if names not in _made:
            _made[names] = _generate(names)
        ca_pem, cert_pem, key_pem = _made[names]
    directory.mkdir(parents=True, exist_ok=True)
    material = Material(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    material.ca_path.write_bytes(ca_pem)
    material.cert_path.write_bytes(cert_pem + ca_pem)  # the chain, as a server sends it
    fd = os.open(material.key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_pem)
    return material


def _generate(names: tuple[str, ...]) -> tuple[bytes, bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "auroraml sandbox"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "auroraml sandbox CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + _VALIDITY)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + _VALIDITY)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (ca.public_bytes(pem), cert.public_bytes(pem),
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
