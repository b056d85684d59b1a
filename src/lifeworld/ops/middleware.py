"""`RequestMetrics`: the outermost pure ASGI middleware, timing every HTTP request.

Labels are the method, the status and the route's template (`/api/v1/places/{place_id}`),
read from `scope["route"].path_format` once routing has run — never the raw path, so a scan of
random addresses adds one "unmatched" series, not thousands. It also opens the request's pending
game-event counts (ops/events.py) and hands the request's credential header to the recorder.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifeworld.ops import events
from lifeworld.ops.credentials import credential
from lifeworld.ops.recorder import Recorder

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp, *, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        pending = events.open_request()
        try:
            await self.app(scope, receive, send_status)
        finally:
            events.settle_request(pending, kept=status < 400)
            route = getattr(scope.get("route"), "path_format", None) or UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.recorder.request(
                method, route, status, time.perf_counter() - started, credential(scope["headers"])
            )
