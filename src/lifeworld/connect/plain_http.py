"""Plain HTTP on a server that speaks HTTPS: a redirect, except what a phone needs before it
trusts the home CA (the Connect a phone page, its downloads and its styles)."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

PLAIN_PATHS = ("/connect/", "/static/")
PLAIN_PAGES = frozenset({"/connect", "/favicon.ico"})
_HOST = re.compile(rb"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def reachable_over_plain_http(path: str) -> bool:
    return path in PLAIN_PAGES or path.startswith(PLAIN_PATHS)


class PlainHttpRedirect:
    """307 to the same address over HTTPS for requests that arrived over plain HTTP.

    307 keeps the method and body, and no browser remembers it: with LIFEWORLD_TLS=off later,
    plain addresses work again at once (no HSTS either, for the same reason).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["scheme"] != "http"
            or reachable_over_plain_http(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"")
        if not _HOST.match(host):
            await _answer(send, 400, [])
            return
        location = b"https://" + host + scope["raw_path"]
        if scope["query_string"]:
            location += b"?" + scope["query_string"]
        await _answer(send, 307, [(b"location", location), (b"cache-control", b"no-store")])


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
