"""An unexpected error is answered by the app and ends there (issue 20, item 1).

Re-raised past the app, it reached the HTTP server, which logged it and closed the keep-alive
connection after the 500 was sent. Served here by a real uvicorn on a real socket, with one
fault injected into the page renderer (and one into the state document): the error page (or
the API's JSON) is answered with 500 and no stack trace, and the same connection answers the
next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from lifeworld.clock import clock
from lifeworld.players import state_document
from lifeworld.web import templating
from tests.integration.factories import set_up_household


@contextlib.asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[int]:
    """The app behind uvicorn on a free local port, in this event loop. The socket listens
    before uvicorn starts, so a connection made at once waits in its backlog."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="critical"))
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield listening.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        listening.close()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, cookie: str
) -> tuple[int, dict[str, str], bytes]:
    """One GET on an open connection: status, headers and body (by Content-Length)."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: testserver\r\nCookie: {cookie}\r\n"
        "Accept: text/html\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


def _broken(*_: Any, **__: Any) -> Any:
    raise RuntimeError("injected fault")


@pytest.mark.parametrize(
    ("target", "name", "path", "kind"),
    [
        (templating, "local_time", "/activities", "text/html"),
        (state_document, "empty_at", "/api/v1/me/state", "application/json"),
    ],
)
async def test_an_unexpected_error_keeps_the_connection(
    app: FastAPI,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    name: str,
    path: str,
    kind: str,
) -> None:
    clock.pin(clock.now())
    await set_up_household(client)
    logged = await client.post("/api/v1/me/activities", json={"type": "REST"})
    assert logged.status_code == 201, logged.text
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    monkeypatch.setattr(target, name, _broken)
    async with _served(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            status, headers, body = await _exchange(reader, writer, path, cookie)
            assert status == 500
            assert headers["content-type"].startswith(kind)
            assert headers.get("connection", "keep-alive") != "close"
            assert b"injected fault" not in body
            assert b"Traceback" not in body
            if kind == "text/html":
                assert b"Something went wrong" in body
            else:
                assert b'"internal_error"' in body
            # the same connection, still open, answers the next request
            status, _, body = await _exchange(reader, writer, "/api/v1/ping", cookie)
            assert status == 200, body
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
