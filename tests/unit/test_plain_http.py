"""Plain HTTP on a server that speaks HTTPS: redirected, except the connect page and its files."""

from __future__ import annotations

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from lifeworld.connect.plain_http import PlainHttpRedirect


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["scheme"].encode()})


@pytest.fixture
def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=PlainHttpRedirect(_ok))
    return httpx.AsyncClient(transport=transport, base_url="http://lifeworld.local:5173")


@pytest.mark.parametrize(
    "path", ["/connect", "/connect/lifeworld-home-ca.crt", "/static/app.css?v=1", "/favicon.ico"]
)
async def test_what_a_phone_needs_first_stays_plain(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert (answer.status_code, answer.text) == (200, "http")


@pytest.mark.parametrize("path", ["/", "/login?next=/settings", "/api/v1/ping", "/connectx"])
async def test_everything_else_is_redirected(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 307
    assert answer.headers["location"] == f"https://lifeworld.local:5173{path}"
    assert answer.headers["cache-control"] == "no-store"


async def test_https_passes_and_a_strange_host_is_refused(client: httpx.AsyncClient) -> None:
    secure = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=PlainHttpRedirect(_ok)), base_url="https://x.local"
    )
    assert (await secure.get("/")).text == "https"
    bad = await client.get("/", headers={"Host": "evil.example/path"})
    assert bad.status_code == 400
