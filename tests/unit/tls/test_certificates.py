"""The home CA and the server certificate: names cover every address, renewal, file modes."""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

from lifeworld.net import machine_addresses
from lifeworld.settings import load_settings
from lifeworld.tls.authority import load_or_create_authority
from lifeworld.tls.files import TlsPaths
from lifeworld.tls.server_cert import (
    RENEW_BEFORE,
    VALIDITY,
    Names,
    ensure_server_certificate,
    names_in,
)
from lifeworld.tls.serving import wanted_names


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify(
    ca: x509.Certificate, cert: x509.Certificate, name: x509.DNSName | x509.IPAddress
) -> None:
    """Path validation as a browser does it (raises when `name` is not covered)."""
    verifier = PolicyBuilder().store(Store([ca])).time(datetime.now(UTC))
    verifier.build_server_verifier(name).verify(cert, [])


@pytest.fixture
def paths(tmp_path: Path) -> TlsPaths:
    return TlsPaths.under(tmp_path / "data")


def test_the_certificate_covers_every_address_and_name_of_this_machine(paths: TlsPaths) -> None:
    settings = load_settings(env="test", _env_file=None)
    addresses = machine_addresses()
    authority, created = load_or_create_authority(paths)
    assert created
    names = wanted_names(settings, addresses, "lifeworld.local")
    assert ensure_server_certificate(paths, authority, names) == "there was none"
    cert, ca = _load(paths.cert), _load(paths.ca_cert)
    covered = names_in(cert)
    for address in addresses:
        assert ipaddress.ip_address(address.split("%")[0]) in covered.ips, address
    machine = socket.gethostname().lower()
    expected = {"localhost", "lifeworld.local", machine}
    if "." not in machine:
        expected.add(f"{machine}.local")
    assert expected <= covered.dns
    for dns in sorted(expected):
        _verify(ca, cert, x509.DNSName(dns))
    _verify(ca, cert, x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    with pytest.raises(x509.verification.VerificationError):
        _verify(ca, cert, x509.DNSName("elsewhere.example"))


def test_the_public_url_host_is_covered() -> None:
    settings = load_settings(env="test", public_url="https://life.home.arpa:5173", _env_file=None)
    assert "life.home.arpa" in wanted_names(settings, [], None).dns


def test_private_keys_are_0600_in_a_0700_directory_and_the_ca_is_made_once(
    paths: TlsPaths,
) -> None:
    authority, _ = load_or_create_authority(paths)
    ensure_server_certificate(paths, authority, Names.of(["localhost"]))
    mode = {p.name: p.stat().st_mode & 0o777 for p in paths.directory.iterdir()}
    assert mode == {"home-ca.key": 0o600, "server.key": 0o600, "home-ca.crt": 0o644,
                    "server.crt": 0o644}  # fmt: skip
    assert paths.directory.stat().st_mode & 0o777 == 0o700
    again, created = load_or_create_authority(paths)
    assert not created and again.fingerprint() == authority.fingerprint()
    ca = _load(paths.ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0


def test_renewed_well_before_expiry_and_when_an_address_appears(paths: TlsPaths) -> None:
    authority, _ = load_or_create_authority(paths)
    names = Names.of(["localhost", "192.168.1.20"])
    issued = datetime.now(UTC)
    assert ensure_server_certificate(paths, authority, names, issued) == "there was none"
    first = _load(paths.cert)
    assert first.not_valid_after_utc - first.not_valid_before_utc <= timedelta(days=398)
    # Good as it is until RENEW_BEFORE its end.
    due = issued + VALIDITY - RENEW_BEFORE
    assert ensure_server_certificate(paths, authority, names, due - timedelta(days=1)) is None
    assert _load(paths.cert).serial_number == first.serial_number
    reason = ensure_server_certificate(paths, authority, names, due + timedelta(days=1))
    assert reason is not None and reason.startswith("it expires on")
    second = _load(paths.cert)
    assert second.serial_number != first.serial_number
    assert second.not_valid_after_utc > first.not_valid_after_utc
    # The machine joined another network: the new address is added at once.
    moved = Names.of(["localhost", "192.168.1.20", "10.0.0.7"])
    assert ensure_server_certificate(paths, authority, moved) == "it does not cover 10.0.0.7"
    assert ipaddress.ip_address("10.0.0.7") in names_in(_load(paths.cert)).ips


def test_a_certificate_of_another_ca_is_replaced(tmp_path: Path, paths: TlsPaths) -> None:
    other = TlsPaths.under(tmp_path / "other")
    other_ca, _ = load_or_create_authority(other)
    names = Names.of(["localhost"])
    ensure_server_certificate(other, other_ca, names)
    authority, _ = load_or_create_authority(paths)
    paths.cert.write_bytes(other.cert.read_bytes())
    paths.key.write_bytes(other.key.read_bytes())
    reason = ensure_server_certificate(paths, authority, names)
    assert reason == "it was not signed by this home's certificate authority"
    _load(paths.cert).verify_directly_issued_by(_load(paths.ca_cert))


def test_names_sort_addresses_from_host_names() -> None:
    names = Names.of(["LifeWorld.Local.", "fe80::1%eth0", "[::1]", "10.0.0.1", ""])
    assert names.dns == {"lifeworld.local"}
    assert {str(ip) for ip in names.ips} == {"fe80::1", "::1", "10.0.0.1"}
