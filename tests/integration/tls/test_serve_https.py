"""`lifeworld serve` over HTTPS: one port for TLS and plain HTTP, the Connect a phone page and
its downloads, a renewed certificate served without a restart, the user's own certificate as
given, LIFEWORLD_TLS=off, and a clear message for a certificate file that cannot be used."""

from __future__ import annotations

import plistlib
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from lifeworld.db import migrate
from lifeworld.tls.authority import create_authority, load_or_create_authority, private_pem
from lifeworld.tls.context import CHECK_EVERY_S
from lifeworld.tls.files import TlsPaths
from lifeworld.tls.server_cert import Names, ensure_server_certificate, issue
from tests.faults.harness import SECRET, AppProcess, app_environment, free_port

LIFEWORLD = str(Path(sys.executable).parent / "lifeworld")


def _serve(tmp: Path, url: str, **settings: str) -> AppProcess:
    port = free_port()
    env = app_environment(
        env="test", database_url=url, secret_key=SECRET, data_dir=str(tmp / "data"),
        log_level="warning", mdns="off", **settings,
    )  # fmt: skip
    command = [LIFEWORLD, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    return AppProcess("serve", port, env, tmp / "serve.log", command=command)


def _trusting(ca_file: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def _start_https(app: AppProcess, ca_file: Path | None) -> None:
    """Start and wait for /api/v1/health over HTTPS (the harness waits over plain HTTP)."""
    assert app.command is not None
    with app.log.open("ab") as out:
        app.proc = subprocess.Popen(
            app.command, env=app.env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, cwd="/",
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.proc.poll() is not None:
            pytest.fail(f"serve exited:\n{app.tail()}")
        try:
            verify: Any = _trusting(ca_file) if ca_file else False
            health = httpx.get(f"https://127.0.0.1:{app.port}/api/v1/health", verify=verify)
            if health.status_code == 200:
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"serve did not answer over HTTPS:\n{app.tail()}")


def _peer_certificate(port: int, ca_file: Path, name: str = "localhost") -> x509.Certificate:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        _trusting(ca_file).wrap_socket(raw, server_hostname=name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


@pytest.fixture(scope="module")
def database(create_database: Any) -> str:
    url: str = create_database("lifeworld_https")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[AppProcess]:
    """`lifeworld serve` as a household runs it: the home CA, made at the first start."""
    tmp = tmp_path_factory.mktemp("home")
    app = _serve(tmp, database)
    _start_https(app, tmp / "data" / "tls" / "home-ca.crt")
    try:
        yield app
    finally:
        app.stop()


def _home_ca(app: AppProcess) -> Path:
    return Path(app.env["LIFEWORLD_DATA_DIR"]) / "tls" / "home-ca.crt"


def test_https_with_the_home_ca_and_plain_http_redirected(home: AppProcess) -> None:
    ca = _home_ca(home)
    with httpx.Client(base_url=f"https://localhost:{home.port}", verify=_trusting(ca)) as client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        for _ in range(3):  # keep-alive over TLS
            assert client.get("/api/v1/ping").status_code == 200
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"https://localhost:{home.port}/api/v1/ping")  # the system's trust only
    plain = f"http://localhost:{home.port}"
    answer = httpx.get(f"{plain}/settings?tab=tokens")
    assert answer.status_code == 307
    assert answer.headers["location"] == f"https://localhost:{home.port}/settings?tab=tokens"
    posted = httpx.post(f"{plain}/api/v1/auth/login", json={"login": "x", "password": "y"})
    assert posted.status_code == 307, "the method and body are kept for the HTTPS retry"


def test_the_connect_page_and_its_downloads_over_plain_http(home: AppProcess) -> None:
    ca_pem = _home_ca(home).read_bytes()
    ca = x509.load_pem_x509_certificate(ca_pem)
    with httpx.Client(base_url=f"http://127.0.0.1:{home.port}") as plain:
        page = plain.get("/connect")
        assert page.status_code == 200
        assert "<svg" in page.text and "QR code of this page" in page.text
        assert f"https://127.0.0.1:{home.port}/connect/check" in page.text
        assert "Certificate Trust Settings" in page.text and "CA certificate" in page.text
        assert ca.fingerprint(hashes.SHA256()).hex(":").upper() in page.text
        assert plain.get("/static/app.css").status_code == 200
        crt = plain.get("/connect/lifeworld-home-ca.crt")
        assert crt.headers["content-type"] == "application/x-x509-ca-cert"
        assert x509.load_der_x509_certificate(crt.content) == ca
        profile = plain.get("/connect/lifeworld-home-ca.mobileconfig")
        assert profile.headers["content-type"] == "application/x-apple-aspen-config"
        (payload,) = plistlib.loads(profile.content)["PayloadContent"]
        assert payload["PayloadType"] == "com.apple.security.root"
        assert x509.load_der_x509_certificate(payload["PayloadContent"]) == ca
        assert b"PRIVATE KEY" not in crt.content + profile.content
        assert plain.get("/connect/check").json() == {"trusted": False}
    secure = httpx.get(
        f"https://127.0.0.1:{home.port}/connect/check", verify=_trusting(_home_ca(home))
    )
    assert secure.json() == {"trusted": True}
    assert secure.headers["access-control-allow-origin"] == f"http://127.0.0.1:{home.port}"


def test_a_renewed_certificate_is_served_without_a_restart(home: AppProcess) -> None:
    paths = TlsPaths.under(Path(home.env["LIFEWORLD_DATA_DIR"]))
    before = _peer_certificate(home.port, paths.ca_cert)
    authority, created = load_or_create_authority(paths)
    assert not created
    # As the keeper does when the machine gets a new address (expiry: tests/unit/tls).
    names = Names.of(["localhost", "127.0.0.1", "10.254.0.1"])
    reason = ensure_server_certificate(paths, authority, names)
    assert reason == "it does not cover 10.254.0.1"
    renewed = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    deadline = time.monotonic() + CHECK_EVERY_S + 10
    while _peer_certificate(home.port, paths.ca_cert).serial_number == before.serial_number:
        assert time.monotonic() < deadline, "the renewed certificate was never served"
        time.sleep(0.5)
    assert _peer_certificate(home.port, paths.ca_cert) == renewed


def test_the_users_own_certificate_is_served_as_given(tmp_path: Path, database: str) -> None:
    authority = create_authority(machine="elsewhere")
    cert, key = issue(authority, Names.of(["localhost", "127.0.0.1"]))
    own = tmp_path / "own"
    own.mkdir()
    (own / "ca.pem").write_bytes(authority.cert.public_bytes(serialization.Encoding.PEM))
    (own / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (own / "key.pem").write_bytes(private_pem(key))
    app = _serve(
        tmp_path, database, tls_cert_file=str(own / "cert.pem"), tls_key_file=str(own / "key.pem")
    )
    _start_https(app, own / "ca.pem")
    try:
        assert _peer_certificate(app.port, own / "ca.pem") == cert
        assert not (tmp_path / "data" / "tls").exists(), "no home CA beside the user's own"
        page = httpx.get(f"http://127.0.0.1:{app.port}/connect")
        assert "LIFEWORLD_TLS_CERT_FILE" in page.text and "lifeworld-home-ca.crt" not in page.text
        assert (
            httpx.get(f"http://127.0.0.1:{app.port}/connect/lifeworld-home-ca.crt").status_code
            == 404
        )
    finally:
        app.stop()


def test_tls_off_serves_plain_http(tmp_path: Path, database: str) -> None:
    app = _serve(tmp_path, database, tls="off")
    app.start()  # waits on plain HTTP
    try:
        assert httpx.get(f"{app.url}/api/v1/ping").status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{app.port}/api/v1/ping", verify=False)
        assert not (tmp_path / "data" / "tls").exists()
    finally:
        app.stop()


def test_a_missing_certificate_file_is_named_without_a_traceback(
    tmp_path: Path, database: str
) -> None:
    app = _serve(
        tmp_path, database, tls_cert_file=str(tmp_path / "nope.pem"),
        tls_key_file=str(tmp_path / "nope.key"),
    )  # fmt: skip
    assert app.command is not None
    done = subprocess.run(app.command, env=app.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert f"LIFEWORLD_TLS_CERT_FILE: {tmp_path / 'nope.pem'} does not exist" in message
    assert "Traceback" not in done.stdout + done.stderr
