"""prepare_tls: the user's own certificate is used as given, bad files are named, off is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from lifeworld.settings import load_settings
from lifeworld.tls.authority import create_authority, private_pem
from lifeworld.tls.server_cert import Names, issue
from lifeworld.tls.serving import TlsSetupError, prepare_tls

NAMES = Names.of(["localhost", "127.0.0.1"])


def _own_files(folder: Path) -> tuple[Path, Path]:
    authority = create_authority(machine="elsewhere")
    cert, key = issue(authority, Names.of(["life.example.org"]))
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "fullchain.pem", folder / "privkey.pem"
    cert_file.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + authority.cert.public_bytes(serialization.Encoding.PEM)
    )
    key_file.write_bytes(private_pem(key))
    return cert_file, key_file


def test_off_serves_no_tls(tmp_path: Path) -> None:
    settings = load_settings(env="test", tls="off", data_dir=tmp_path, _env_file=None)
    assert prepare_tls(settings, NAMES) is None
    assert not (tmp_path / "tls").exists()


def test_auto_makes_the_home_ca_then_keeps_it(tmp_path: Path) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, _env_file=None)
    first = prepare_tls(settings, NAMES)
    assert first is not None and first.created_authority and first.renewed == "there was none"
    second = prepare_tls(settings, NAMES)
    assert second is not None and not second.created_authority and second.renewed is None
    assert second.authority is not None and first.authority is not None
    assert second.authority.fingerprint() == first.authority.fingerprint()


def test_own_certificate_is_used_as_given(tmp_path: Path) -> None:
    cert, key = _own_files(tmp_path / "own")
    before = (cert.read_bytes(), key.read_bytes())
    settings = load_settings(
        env="test", data_dir=tmp_path / "data", tls_cert_file=cert, tls_key_file=key,
        _env_file=None,
    )  # fmt: skip
    served = prepare_tls(settings, NAMES)
    assert served is not None and served.authority is None
    assert (served.files.cert, served.files.key) == (cert, key)
    assert (cert.read_bytes(), key.read_bytes()) == before
    assert not (tmp_path / "data").exists(), "no home CA is made beside the user's certificate"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("missing_cert", r"LIFEWORLD_TLS_CERT_FILE: .*fullchain.pem does not exist"),
        ("missing_key", r"LIFEWORLD_TLS_KEY_FILE: .*privkey.pem does not exist"),
        ("cert_is_a_folder", r"LIFEWORLD_TLS_CERT_FILE: .* cannot be read"),
        ("not_pem", r"LIFEWORLD_TLS_CERT_FILE: .* holds no PEM certificate"),
        ("encrypted_key", r"LIFEWORLD_TLS_KEY_FILE: .* is encrypted"),
        ("other_key", r"LIFEWORLD_TLS_KEY_FILE: .* is not the key of LIFEWORLD_TLS_CERT_FILE"),
    ],
)
def test_an_unusable_own_file_is_named(tmp_path: Path, spoil: str, message: str) -> None:
    cert, key = _own_files(tmp_path / "own")
    if spoil == "missing_cert":
        cert.unlink()
    elif spoil == "missing_key":
        key.unlink()
    elif spoil == "cert_is_a_folder":
        cert.unlink()
        cert.mkdir()
    elif spoil == "not_pem":
        cert.write_text("hello")
    elif spoil == "encrypted_key":
        loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
        key.write_bytes(
            loaded.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"passphrase"),
            )
        )
    elif spoil == "other_key":
        _, other_key = _own_files(tmp_path / "other")
        key.write_bytes(other_key.read_bytes())
    settings = load_settings(
        env="test", tls_cert_file=cert, tls_key_file=key, data_dir=tmp_path, _env_file=None
    )
    with pytest.raises(TlsSetupError, match=message):
        prepare_tls(settings, NAMES)
