"""One JSON decoder for every request body: the standard one, refusing a key twice in an object.

Python's `json` keeps the last of two equal keys, other parsers the first, so
`{"amount": 1, "amount": 1000000}` can mean one thing to whatever checked it on the way (a
proxy, a script's own validation, a log) and another to the app. Such a body is malformed:
400 `malformed_json`, like any body that is not JSON. Every body is read through `decode`:
FastAPI's own parsing (routes with a body parameter get a `JsonRequest`, `strict_json_routes`)
and the handlers that read theirs (`routes.read_json`).
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from lifeworld.internals import dependant, request_response

REPEATED = "repeated key"  # how the error names itself (the translator words it for people)


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return found


def decode(raw: bytes | str) -> Any:
    """The document in `raw`; `json.JSONDecodeError` when it is not JSON or repeats a key."""
    try:
        return json.loads(raw, object_pairs_hook=_object)
    except _RepeatedKey as exc:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        spelled = json.dumps(exc.key, ensure_ascii=False)
        position = max(text.find(spelled, text.find(spelled) + 1), 0)  # the second one
        raise json.JSONDecodeError(f"{REPEATED} {exc.key!r}", text, position) from None


def is_json_type(content_type: str) -> bool:
    """Whether a Content-Type names JSON (application/json, application/*+json)."""
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class JsonRequest(Request):
    """A request whose `json()` is `decode` (what FastAPI calls to read a JSON body)."""

    async def json(self) -> Any:
        if not hasattr(self, "_decoded"):
            self._decoded = decode(await self.body())
        return self._decoded


def _handler(
    handle: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def with_strict_json(request: Request) -> Response:
        return await handle(JsonRequest(request.scope, request.receive))

    return with_strict_json


def strict_json_routes(app: FastAPI) -> list[APIRoute]:
    """Give every route that takes a body FastAPI parses a `JsonRequest` (call once, after the
    routes are added). FastAPI builds a route's handler with `get_route_handler`, the way a
    custom route class changes the request; this wraps that handler. Returns the routes."""
    changed = []
    for route in app.router.routes:
        if isinstance(route, APIRoute) and dependant(route).body_params:
            route.app = request_response(_handler(route.get_route_handler()))
            changed.append(route)
    return changed
