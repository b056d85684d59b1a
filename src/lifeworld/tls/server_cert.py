"""The server's certificate: signed by the home CA for every name and address of this machine,
made again well before it expires and whenever the machine's addresses change."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lifeworld.tls.authority import HomeAuthority, private_pem
from lifeworld.tls.files import TlsPaths, write_atomically

# Under the 398 days browsers allow a public certificate, so no client has a reason to refuse
# it; renewed two months ahead, so a machine that was off for weeks still starts on a valid one.
VALIDITY = timedelta(days=397)
RENEW_BEFORE = timedelta(days=60)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Names:
    """What the certificate must cover: host names and IP addresses."""

    dns: frozenset[str]
    ips: frozenset[IPAddress]

    @classmethod
    def of(cls, hosts: Iterable[str]) -> Names:
        """Sort host names from addresses (IPv6 zone ids and case dropped)."""
        dns: set[str] = set()
        ips: set[IPAddress] = set()
        for host in hosts:
            value = host.strip().lower().split("%", 1)[0].strip("[]")
            if not value:
                continue
            try:
                ips.add(ipaddress.ip_address(value))
            except ValueError:
                dns.add(value.rstrip("."))
        return cls(frozenset(dns), frozenset(ips))

    def covered_by(self, cert: x509.Certificate) -> bool:
        have = names_in(cert)
        return self.dns <= have.dns and self.ips <= have.ips


def names_in(cert: x509.Certificate) -> Names:
    """The subject alternative names of a certificate."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return Names(frozenset(), frozenset())
    dns = frozenset(name.lower() for name in san.get_values_for_type(x509.DNSName))
    ips = frozenset(san.get_values_for_type(x509.IPAddress))
    return Names(dns, ips)  # type: ignore[arg-type]


def issue(
    authority: HomeAuthority, names: Names, now: datetime | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A new key and a certificate for `names`, signed by the home CA."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    first = sorted(names.dns)[0] if names.dns else "Life World OS"
    alternatives: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(names.dns)]
    alternatives += [x509.IPAddress(ip) for ip in sorted(names.ips, key=str)]
    ca_key_id = authority.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, first[:64])]))
        .issuer_name(authority.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id.value),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return cert, key


def renewal_reason(
    cert: x509.Certificate, authority: HomeAuthority, names: Names, now: datetime | None = None
) -> str | None:
    """Why `cert` must be made again (None: it is good as it is)."""
    now = now or datetime.now(UTC)
    try:
        cert.verify_directly_issued_by(authority.cert)
    except (ValueError, TypeError, InvalidSignature):
        return "it was not signed by this home's certificate authority"
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return f"it expires on {cert.not_valid_after_utc:%Y-%m-%d}"
    if not names.covered_by(cert):
        have = names_in(cert)
        missing = sorted(names.dns - have.dns) + sorted(str(ip) for ip in names.ips - have.ips)
        return "it does not cover " + ", ".join(missing)
    return None


def ensure_server_certificate(
    paths: TlsPaths, authority: HomeAuthority, names: Names, now: datetime | None = None
) -> str | None:
    """Make the server's certificate when it is missing or due; returns why it was made."""
    reason: str | None = "there was none"
    if paths.cert.exists() and paths.key.exists():
        try:
            current = x509.load_pem_x509_certificate(paths.cert.read_bytes())
        except ValueError:
            reason = "the file could not be read"
        else:
            reason = renewal_reason(current, authority, names, now)
    if reason is None:
        return None
    cert, key = issue(authority, names, now)
    paths.make_directory()
    # The key first, then the certificate: a reader that sees the new certificate finds its key.
    write_atomically(paths.key, private_pem(key), mode=0o600)
    write_atomically(paths.cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return reason
