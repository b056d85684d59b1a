"""What `lifeworld serve` needs to serve HTTPS: the certificate files, checked or made."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from lifeworld.settings import Settings, TlsMode
from lifeworld.tls.authority import HomeAuthority, load_or_create_authority
from lifeworld.tls.context import CertFiles, server_context
from lifeworld.tls.files import TlsPaths
from lifeworld.tls.server_cert import Names, ensure_server_certificate


class TlsSetupError(ValueError):
    """The certificate cannot be used; the message names the setting to fix."""


@dataclass(frozen=True)
class ServedTls:
    """The files the listener serves; the home CA when it is the one that signed them."""

    files: CertFiles
    authority: HomeAuthority | None  # None: the user's own certificate
    paths: TlsPaths | None
    created_authority: bool = False
    renewed: str | None = None  # why the server certificate was made at this start


def wanted_names(settings: Settings, addresses: Iterable[str], mdns_host: str | None) -> Names:
    """Every name a phone may type: this machine's names and addresses, its .local names."""
    machine = socket.gethostname().lower()
    hosts = ["localhost", *addresses]
    if machine:
        hosts += [machine] if "." in machine else [machine, f"{machine}.local"]
    if mdns_host:
        hosts.append(mdns_host)
    if settings.public_url:
        hosts.append(urlsplit(settings.public_url).hostname or "")
    return Names.of(hosts)


def _check_own_files(cert: Path, key: Path) -> None:
    for setting, path in (("LIFEWORLD_TLS_CERT_FILE", cert), ("LIFEWORLD_TLS_KEY_FILE", key)):
        try:
            path.read_bytes()
        except FileNotFoundError:
            raise TlsSetupError(f"{setting}: {path} does not exist.") from None
        except PermissionError:
            raise TlsSetupError(f"{setting}: {path} cannot be read by this user.") from None
        except OSError as exc:
            raise TlsSetupError(f"{setting}: {path} cannot be read ({exc.strerror}).") from None
    try:
        x509.load_pem_x509_certificates(cert.read_bytes())
    except ValueError:
        raise TlsSetupError(
            f"LIFEWORLD_TLS_CERT_FILE: {cert} holds no PEM certificate "
            "(-----BEGIN CERTIFICATE-----)."
        ) from None
    try:
        serialization.load_pem_private_key(key.read_bytes(), password=None)
    except TypeError:
        raise TlsSetupError(
            f"LIFEWORLD_TLS_KEY_FILE: {key} is encrypted; give the key without a passphrase "
            "(kept readable by this user only)."
        ) from None
    except ValueError:
        raise TlsSetupError(f"LIFEWORLD_TLS_KEY_FILE: {key} holds no PEM private key.") from None
    try:
        server_context(CertFiles(cert, key))
    except ssl.SSLError as exc:
        raise TlsSetupError(
            f"LIFEWORLD_TLS_KEY_FILE: {key} is not the key of LIFEWORLD_TLS_CERT_FILE's "
            f"certificate ({exc.reason or exc})."
        ) from None


def prepare_tls(settings: Settings, names: Names) -> ServedTls | None:
    """None with LIFEWORLD_TLS=off; the user's own files as given; else the home CA's."""
    if settings.tls is TlsMode.OFF:
        return None
    if settings.tls_cert_file is not None and settings.tls_key_file is not None:
        cert, key = settings.tls_cert_file.resolve(), settings.tls_key_file.resolve()
        _check_own_files(cert, key)
        return ServedTls(CertFiles(cert, key), None, None)
    paths = TlsPaths.under(settings.data_dir)
    try:
        authority, created = load_or_create_authority(paths)
        renewed = ensure_server_certificate(paths, authority, names)
    except PermissionError as exc:
        raise TlsSetupError(
            f"cannot write the home certificates under {paths.directory} ({exc.strerror}): "
            "check LIFEWORLD_DATA_DIR's permissions."
        ) from None
    except ValueError as exc:
        raise TlsSetupError(
            f"the home certificate authority under {paths.directory} cannot be read ({exc}). "
            "Phones trust it: restore it from a backup of LIFEWORLD_DATA_DIR rather than "
            "deleting it (deleting makes a new one, which every phone must install again)."
        ) from None
    return ServedTls(CertFiles(paths.cert, paths.key), authority, paths, created, renewed)
