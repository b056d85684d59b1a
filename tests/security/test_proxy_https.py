"""Behind a TLS-terminating proxy: `lifeworld serve` believes X-Forwarded-Proto only from the
proxies it trusts, and then marks the session cookie Secure."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lifeworld.db import migrate
from tests.faults.harness import SECRET, AppProcess, app_environment, free_port, sign_up
from tests.integration.factories import PASSWORD

LIFEWORLD = str(Path(sys.executable).parent / "lifeworld")
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, create_database: Any) -> Iterator[str]:
    url = create_database("lifeworld_proxy")
    migrate.upgrade(url)
    tmp = tmp_path_factory.mktemp("proxy")
    port = free_port()
    env = app_environment(
        env="test",
        database_url=url,
        secret_key=SECRET,
        data_dir=str(tmp),
        forwarded_allow_ips="127.0.0.1",
        log_level="warning",
        tls="off",  # deliberately: TLS ends at the proxy in front
        mdns="off",
    )
    command = [LIFEWORLD, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    app = AppProcess("serve", port, env, tmp / "serve.log", command=command)
    app.start()
    try:
        sign_up(app.url)
        yield app.url
    finally:
        app.stop()


def _login(base_url: str, *, source: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=base_url, transport=transport, timeout=30) as client:
        response = client.post(
            "/api/v1/auth/login", json={"login": "ada", "password": PASSWORD}, headers=headers
        )
    assert response.status_code == 200, response.text
    return response


def _cookie(response: httpx.Response) -> str:
    found = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return next(c for c in found if c.startswith("lw_session="))


def test_https_at_a_trusted_proxy_makes_the_cookie_secure(served: str) -> None:
    cookie = _cookie(_login(served, source="127.0.0.1", headers=HTTPS)).lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_the_header_from_anyone_else_is_not_believed(served: str) -> None:
    # 127.0.0.2 is this machine too, but not in LIFEWORLD_FORWARDED_ALLOW_IPS.
    cookie = _cookie(_login(served, source="127.0.0.2", headers=HTTPS)).lower()
    assert "; secure" not in cookie


def test_plain_http_without_a_proxy_keeps_a_working_cookie(served: str) -> None:
    cookie = _cookie(_login(served, source="127.0.0.1", headers={})).lower()
    assert "; secure" not in cookie and "httponly" in cookie
