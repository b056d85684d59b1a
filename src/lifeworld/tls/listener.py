"""TLS and plain HTTP on one port: the first byte of a connection says which it speaks.

A TLS connection starts with a handshake record (first byte 0x16); an HTTP request starts with
a method's letters. uvicorn takes this class as its HTTP protocol (`http=`): it reads a
connection's first bytes, then hands the connection to uvicorn's httptools protocol either as
it is or through the event loop's own TLS layer (uvloop's native one), fed with the bytes
already read. Plain HTTP reaches the app with scheme "http", which
`lifeworld.connect.plain_http` answers with a redirect to HTTPS, except the Connect a phone
page. The only state shared between connections is the process's TLS context, built from the
files `lifeworld serve` names in the environment.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from lifeworld.internals import tls_layer
from lifeworld.tls.context import CertFiles, ReloadingContext

log = logging.getLogger(__name__)

TLS_HANDSHAKE = 0x16  # the record type every TLS connection starts with
FIRST_BYTES_TIMEOUT_S = 10.0  # a connection that says nothing is closed
HANDSHAKE_TIMEOUT_S = 15.0


@cache
def _context() -> ReloadingContext:
    return ReloadingContext(CertFiles.from_environment())


class TlsOrPlainHttp(asyncio.Protocol):
    """uvicorn's HTTP protocol behind a look at the connection's first bytes."""

    def __init__(self, **uvicorn_arguments: Any) -> None:
        self._http = HttpToolsProtocol(**uvicorn_arguments)
        self._loop = uvicorn_arguments.get("_loop") or asyncio.get_event_loop()
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self._timer = self._loop.call_later(FIRST_BYTES_TIMEOUT_S, transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()

    def eof_received(self) -> bool | None:
        self._cancel_timer()
        return None  # close: it said nothing

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def data_received(self, data: bytes) -> None:
        self._cancel_timer()
        transport = self._transport
        assert transport is not None
        if data[0] == TLS_HANDSHAKE:
            self._start_tls(transport, data)
        else:
            transport.set_protocol(self._http)
            self._http.connection_made(transport)
            self._http.data_received(data)

    def _start_tls(self, transport: asyncio.Transport, first: bytes) -> None:
        """What `loop.start_tls` does, with the handshake's first bytes handed in."""
        handshake: asyncio.Future[None] = self._loop.create_future()
        handshake.add_done_callback(_log_failed_handshake)
        layer = tls_layer(self._loop)(
            self._loop,
            self._http,
            _context().current(),
            handshake,
            server_side=True,
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S,
        )
        transport.set_protocol(layer)
        layer.connection_made(transport)
        view = memoryview(first)
        while view:
            buffer = layer.get_buffer(len(view))
            size = min(len(buffer), len(view))
            buffer[:size] = view[:size]
            layer.buffer_updated(size)
            view = view[size:]


def _log_failed_handshake(handshake: asyncio.Future[None]) -> None:
    # A phone that does not trust the home CA yet ends here: nothing worth more than debug.
    if not handshake.cancelled() and handshake.exception() is not None:
        log.debug("TLS handshake failed: %s", handshake.exception())
