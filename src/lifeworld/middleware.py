"""Pure ASGI middleware: Host header guard, security headers (and the API's no-store) on every
answer, the body limit."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifeworld.errors import PayloadTooLarge, Respond, error_body
from lifeworld.headers import headers_for
from lifeworld.net import host_of


class HostGuard:
    """Answer 400 to a Host header this instance does not serve (DNS-rebinding defence)."""

    def __init__(self, app: ASGIApp, *, allowed: Callable[[], frozenset[str]]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = ""
            for name, value in scope["headers"]:
                if name == b"host":
                    host = host_of(value.decode("latin-1"))
                    break
            if host not in self.allowed():
                await _send_json(
                    send, 400, "invalid_host", "This server does not answer to that host name."
                )
                return
        await self.app(scope, receive, send)


class HeadAsGet:
    """Answer HEAD as GET without the body (RFC 9110 §9.3.2), for every GET route: FastAPI's
    routes take only the methods they name, so `HEAD /` was a 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class AnswerErrors:
    """Answer an exception no handler took (a page that failed to render, a bug) with the
    translator's 500 and end there: re-raised, it reached the HTTP server, which closed the
    keep-alive connection. Once an answer has started, nothing can be added: re-raised."""

    def __init__(
        self, app: ASGIApp, *, answer: Callable[[Request, Exception], Awaitable[Response]]
    ) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            if started:
                raise
            response = await self.answer(Request(scope), exc)
            await response(scope, receive, send)


class SecurityHeaders:
    """Add the security headers to every HTTP response, and `Cache-Control: no-store` to the
    API's (headers.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        added = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in added if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _size(n: int) -> str:
    """1048576 → "1 MiB"; sizes that are not whole mebibytes in KiB or bytes."""
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    return f"{n // 1024} KiB" if n % 1024 == 0 else f"{n} bytes"


class BodyLimit:
    """413 for request bodies over the limit, by Content-Length or while streaming.

    `limits` gives some paths a limit of their own (the import of a player's whole history);
    the error is answered by `respond` (a page for a page's form, the API's JSON for a script).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        respond: Respond,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.respond = respond
        self.default = max_bytes
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limits.get(scope["path"], self.default)
        message = f"The request body is larger than {_size(max_bytes)}."
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_large = int(value) > max_bytes
                except ValueError:
                    too_large = False
                if too_large:
                    response = await self.respond(Request(scope), 413, "body_too_large", message)
                    await response(scope, receive, send)
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message_in = await receive()
            if message_in["type"] == "http.request":
                received += len(message_in.get("body", b""))
                if received > max_bytes:
                    raise PayloadTooLarge(message)
            return message_in

        await self.app(scope, counting_receive, send)


async def _send_json(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
