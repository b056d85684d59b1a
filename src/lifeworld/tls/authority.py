"""The home's own certificate authority: made once, kept under the data directory.

Phones install its certificate once; every server certificate it signs afterwards (renewals,
new addresses) is trusted without touching the phones again. Its private key stays in
`tls/home-ca.key` (0600) and is never served or exported.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lifeworld.tls.files import TlsPaths, write_atomically

CA_YEARS = 20  # installed by hand on every phone: it should outlive the machine
CA_ORGANIZATION = "Life World OS"


@dataclass(frozen=True)
class CaCertificate:
    """The CA's certificate: what phones install (the connect page serves only this)."""

    cert: x509.Certificate

    @property
    def name(self) -> str:
        """The name a phone shows for it ("Life World OS home CA (machine)")."""
        common = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(common[0].value) if common else CA_ORGANIZATION

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def fingerprint(self) -> str:
        """SHA-256 of the certificate, as phones show it (AB:CD:…)."""
        return self.cert.fingerprint(hashes.SHA256()).hex(":").upper()


@dataclass(frozen=True)
class HomeAuthority(CaCertificate):
    """The CA's certificate and its private key, which signs the server's certificates."""

    key: ec.EllipticCurvePrivateKey


def private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A private key as unencrypted PKCS#8 PEM (for files written 0600)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def create_authority(now: datetime | None = None, machine: str | None = None) -> HomeAuthority:
    """A new CA: P-256, may sign server certificates only (path length 0)."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"{CA_ORGANIZATION} home CA ({machine or socket.gethostname()})"[:64],
            ),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return HomeAuthority(cert, key)


def load_or_create_authority(paths: TlsPaths) -> tuple[HomeAuthority, bool]:
    """The home CA from its files, made on first use. Returns it and whether it was made."""
    if paths.ca_cert.exists() and paths.ca_key.exists():
        cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{paths.ca_key} is not the home CA's key")
        return HomeAuthority(cert, key), False
    paths.make_directory()
    authority = create_authority()
    # The key first: a certificate on disk always has its key beside it.
    write_atomically(paths.ca_key, private_pem(authority.key), mode=0o600)
    write_atomically(
        paths.ca_cert, authority.cert.public_bytes(serialization.Encoding.PEM), mode=0o644
    )
    return authority, True
