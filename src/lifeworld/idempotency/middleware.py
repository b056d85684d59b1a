"""The `Idempotency-Key` middleware: the key, the work and the answer commit together.

For an unsafe `/api/` request carrying the header, the request's transaction (see
`lifeworld.db.session.RequestTransaction`) is handed over to `KeyedRequest` instead of being
committed when the handler returns. Once the complete answer is known, it is stored with the key
in that same transaction, committed, and only then sent. So a crash can never keep the work
without the key or the key without the work, and a client that saw a success knows both are
durable.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import get_args

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from lifeworld.accounts.deps import PrincipalDep, needs_sign_in
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import TRANSACTION_HOOK
from lifeworld.errors import error_body
from lifeworld.idempotency import service
from lifeworld.routes import literal_route_methods

log = logging.getLogger(__name__)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED = "Idempotent-Replayed"
# The callable behind `PrincipalDep`: it signs the caller in.
AUTHENTICATE = get_args(PrincipalDep)[1].dependency


class Replay(Exception):
    """The key's earlier answer, to be sent instead of doing the work again."""

    def __init__(self, answer: service.StoredAnswer) -> None:
        super().__init__("idempotent replay")
        self.answer = answer


class KeyedRequest:
    """One keyed request: reserves the key, then owns the transaction until the answer is sent."""

    def __init__(self, key: str, ttl: timedelta) -> None:
        self.key = key
        self.ttl = ttl
        self.user_id: int | None = None
        self.adopted: Scope | None = None
        self.buffer: list[Message] = []

    async def begin(self, request: Request, scope: Scope) -> None:
        """Reserve the key as the request's first write; raise `Replay` for a repeat."""
        if not needs_sign_in(request.scope.get("route")):
            return  # sign-in, setup, register: nothing to scope a key to
        literal = literal_route_methods(request)
        if literal and request.method not in literal:
            return  # `PATCH /me/investments/growth` fell through to a route it is not: a 405
        principal = await AUTHENTICATE(
            request=request,
            scope=scope,
            security=request.app.state.security,
            settings=request.app.state.settings,
        )
        digest = service.request_hash(
            request.method, request.url.path, request.scope["query_string"], await request.body()
        )
        earlier = await service.reserve(
            scope,
            user_id=principal.user.id,
            key=service.check_key(self.key),
            digest=digest,
            now=clock.now(),
            ttl=self.ttl,
        )
        if earlier is not None:
            raise Replay(earlier)
        self.user_id = principal.user.id

    def adopt(self, scope: Scope) -> bool:
        """Take over the handler's uncommitted transaction (only when a key was reserved)."""
        if self.user_id is None:
            return False
        self.adopted = scope
        return True

    def wrap(self, send: Send) -> Send:
        async def send_after_commit(message: Message) -> None:
            if self.adopted is None:
                await send(message)
                return
            self.buffer.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                await self._finish(send)

        return send_after_commit

    async def _finish(self, send: Send) -> None:
        scope, self.adopted = self.adopted, None
        assert scope is not None and self.user_id is not None
        start, *parts = self.buffer
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in parts)
        answer = service.StoredAnswer(start["status"], headers.get("content-type"), body)
        try:
            await service.record(scope, user_id=self.user_id, key=self.key, answer=answer)
            await scope.commit_work()
        except (OperationalError, PoolTimeoutError):
            log.warning("database unavailable while committing a keyed request")
            await _send_error(send, 503, "database_unavailable", "Try again in a few seconds.")
            return
        except Exception:
            log.exception("committing a keyed request failed")
            await _send_error(send, 500, "internal_error", "Something went wrong on our side.")
            return
        else:
            await scope.committed()
        finally:
            await _close(scope)
        for message in self.buffer:
            await send(message)

    async def discard(self) -> None:
        """Roll back a transaction that was adopted but never finished (the answer failed)."""
        if self.adopted is not None:
            scope, self.adopted = self.adopted, None
            await _close(scope)


async def _close(scope: Scope) -> None:
    try:
        await scope.session.close()
    except Exception:  # the connection is gone: nothing left to roll back
        log.warning("closing a keyed request's session failed", exc_info=True)


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 503:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    """Give keyed unsafe `/api/` requests a `KeyedRequest`; everything else passes untouched."""

    def __init__(self, app: ASGIApp, *, ttl: timedelta) -> None:
        self.app = app
        self.ttl = ttl

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        key = _keyed(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        keyed = KeyedRequest(key, self.ttl)
        scope.setdefault("state", {})[TRANSACTION_HOOK] = keyed
        try:
            await self.app(scope, receive, keyed.wrap(send))
        finally:
            await keyed.discard()


def _keyed(scope: AsgiScope) -> str | None:
    if scope["type"] != "http" or scope["method"] not in UNSAFE:
        return None
    if not scope["path"].startswith("/api/"):
        return None
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            return bytes(value).decode("latin-1")
    return None


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    answer = exc.answer
    response = Response(answer.body, status_code=answer.status_code, headers={REPLAYED: "true"})
    if answer.content_type:
        response.headers["content-type"] = answer.content_type
    return response


def install_idempotency(app: FastAPI, *, ttl_hours: float) -> None:
    """Add the middleware (call before the other middleware: it must sit innermost)."""
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(IdempotencyMiddleware, ttl=timedelta(hours=ttl_hours))
