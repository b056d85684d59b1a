"""Putting a module's routes on the app, and finding a request's route without trying them all."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_type_hints

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifeworld.internals import (
    ModelField,
    dependant,
    field_annotation_is_sequence,
    get_missing_field_error,
    request_response,
    route_contexts,
    router_of,
    routes_changed,
    set_dispatch,
)


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes, as they are, on the app's own router.

    `app.include_router` (FastAPI ≥ 0.16x) keeps the router as one entry that, for every request
    passing by, scans each of its routes with scope bookkeeping, and scans the chosen one again:
    reaching `GET /api/v1/places/{id}` cost 277 µs, the Today page 580 µs, against 16 µs for the
    ping. On the app's router each route is one regular expression. Every router here carries
    its own prefix, tags and dependencies and is included without options, so nothing changes
    but the cost (the OpenAPI document is the same: tests/unit/test_routes.py).
    """
    for route in router.routes:
        app.router.routes.append(route)
    routes_changed(app.router)


def literal_prefix(route: BaseRoute) -> tuple[str, ...]:
    """The path segments a route's path starts with before its first parameter
    ("/api/v1/places/{place_id}" → ("api", "v1", "places"); "/" → ())."""
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return ()  # a route without a path could match anything: tried for every request
    segments = path.split("/")[1:]
    if isinstance(route, Mount) and segments and segments[-1] == "":
        segments.pop()
    literal = []
    for segment in segments:
        if "{" in segment:
            break
        literal.append(segment)
    if literal == [""]:
        return ()
    return tuple(literal)


@dataclass
class _Node:
    routes: list[BaseRoute] = field(default_factory=list)  # candidates, in the app's order
    children: dict[str, _Node] = field(default_factory=dict)


class RouteIndex:
    """The app router's dispatch, trying only the routes a path can match.

    Starlette and FastAPI try every route in order until one matches (3 µs each here, so the
    131st route, the Today page, cost 300 µs before its handler ran). A route can only match
    a path that starts with its literal segments, so a trie of those segments gives, for a
    path, the few routes worth trying, still in the app's order. When one of them matches,
    a router holding just that route dispatches the request exactly as the app's router
    would; when none does (404, 405, a trailing-slash redirect) the app's router takes it,
    trying everything as before.
    """

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._size = -1
        self._root = _Node()
        self._solo: dict[int, APIRouter] = {}  # id(route) → a router of that route alone

    def _build(self) -> None:
        routes = list(self.router.routes)
        root = _Node()
        for route in routes:
            node = root
            for segment in literal_prefix(route):
                node = node.children.setdefault(segment, _Node())
            node.routes.append(route)
        position = {id(route): i for i, route in enumerate(routes)}
        self._finish(root, [], position)
        solo = {}
        for route in routes:
            solo[id(route)] = router_of(route, self.router)
        self._root, self._solo, self._size = root, solo, len(routes)

    def _finish(self, node: _Node, above: list[BaseRoute], position: dict[int, int]) -> None:
        """Each node's candidates: its own routes and those of every node above it."""
        mine = sorted([*above, *node.routes], key=lambda route: position[id(route)])
        node.routes = mine
        for child in node.children.values():
            self._finish(child, mine, position)

    def candidates(self, path: str) -> _Node:
        """The deepest node the path's segments lead to."""
        if len(self.router.routes) != self._size:
            self._build()
        node = self._root
        for segment in path.split("/")[1:]:
            child = node.children.get(segment)
            if child is None:
                break
            node = child
        return node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]  # what the routes match against (as Starlette does)
            node = self.candidates(path)
            for route in node.routes:
                match, _ = route.matches(scope)
                if match is Match.FULL:
                    # The first full match is the route the app's router would choose (a
                    # partial match before it only counts when nothing matches fully).
                    scope.setdefault("router", self.router)  # url_for sees every route
                    await self._solo[id(route)].app(scope, receive, send)
                    return
        await self.router.app(scope, receive, send)


def index_routes(app: FastAPI) -> None:
    """Dispatch the app's requests through a `RouteIndex` (after every route is added)."""
    set_dispatch(app.router, RouteIndex(app.router))


_SCALAR_DEFAULTS = (type(None), bool, int, float, str)


def _lean_fields(route: APIRoute) -> list[tuple[ModelField, str, str, bool]] | None:
    """(field, where, name, required) of each parameter when the route can be served lean,
    else None."""
    d = dependant(route)
    if (
        d.dependencies
        or d.body_params
        or d.header_params
        or d.cookie_params
        or d.http_connection_param_name
        or d.websocket_param_name
        or d.response_param_name
        or d.background_tasks_param_name
        or d.security_scopes_param_name
        or not inspect.iscoroutinefunction(d.call)
    ):
        return None
    try:
        answers = get_type_hints(d.call).get("return")
    except Exception:  # an annotation that cannot be resolved: leave the route to FastAPI
        return None
    if not (isinstance(answers, type) and issubclass(answers, Response)):
        return None  # the answer needs FastAPI's response model and serialisation
    fields = []
    for where, params in (("path", d.path_params), ("query", d.query_params)):
        for param in params:
            if field_annotation_is_sequence(param.field_info.annotation):
                return None  # a list parameter (?a=1&a=2) is read by FastAPI
            required = param.field_info.is_required()
            if not required and not isinstance(param.default, _SCALAR_DEFAULTS):
                return None
            fields.append((param, where, param.alias, required))
    return fields


def _lean_handler(
    call: Callable[..., Awaitable[Response]],
    fields: list[tuple[ModelField, str, str, bool]],
    request_name: str | None,
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        values: dict[str, Any] = {}
        errors: list[Any] = []
        no_query = not request.scope.get("query_string")  # most requests: no parsing at all
        for param, where, name, required in fields:
            if where == "path":
                raw = request.path_params.get(name)
            else:
                raw = None if no_query else request.query_params.get(name)
            if raw is None:
                if required:
                    errors.append(get_missing_field_error((where, name)))
                else:
                    values[param.name] = param.default
                continue
            value, problems = param.validate(raw, values, loc=(where, name))
            if problems:
                errors.extend(problems)
            else:
                values[param.name] = value
        if errors:
            raise RequestValidationError(errors)
        if request_name:
            values[request_name] = request
        return await call(**values)

    return handle


def lean_routes(app: FastAPI) -> list[APIRoute]:
    """Serve the routes that need nothing of FastAPI's request handling without it.

    A handler that takes only the request and path or query parameters of plain types, and
    answers with a `Response` it made itself (the busiest cached reads: the dashboard state,
    place details), still cost FastAPI's dependency solving for its parameters: ~25 µs of a
    ~130 µs request served from memory (in process, cProfile; bench/). Such a route gets a
    handler that validates its parameters through the same pydantic fields, so errors are the
    same `RequestValidationError`s, and calls the endpoint. Its OpenAPI entry is unchanged.
    Returns the routes served lean.
    """
    served = []
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        fields = _lean_fields(route)
        if fields is None:
            continue
        solved = dependant(route)
        assert solved.call is not None  # _lean_fields checked it is a coroutine function
        handler = _lean_handler(solved.call, fields, solved.request_param_name)
        route.app = request_response(handler)
        served.append(route)
    return served


M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Callable[..., Any])
FastHandler = Callable[[Request, M], Awaitable[Response]]
_FAST = "__lifeworld_fast__"


def fast_json(model: type[M], handler: FastHandler[M]) -> Callable[[E], E]:
    """Give an endpoint that takes one JSON body a handler for its plain requests.

    The endpoint stays what FastAPI serves, documents and falls back to; `handler` takes the
    request and the body already validated as `model` and answers with a `Response`. See
    `fast_routes` for which requests it gets.
    """

    def mark(endpoint: E) -> E:
        setattr(endpoint, _FAST, (model, handler))
        return endpoint

    return mark


def _plain_json(headers: list[tuple[bytes, bytes]]) -> bool:
    """A JSON body of a declared length (a length over the limit was already refused)."""
    json_type = sized = False
    for name, value in headers:
        if name == b"content-type":
            json_type = value.lower() == b"application/json"
        elif name == b"content-length":
            sized = True
    return json_type and sized


def _replay(body: bytes) -> Receive:
    """A `receive` that gives the body already read, once, then waits for the disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _fast_app(model: type[BaseModel], handler: FastHandler[Any], slow: ASGIApp) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if _plain_json(scope["headers"]):
            request = Request(scope, receive, send)
            raw = await request.body()
            try:
                body = model.model_validate(json.loads(raw))
            except Exception:  # not JSON, too deep, or not valid: FastAPI says why
                receive = _replay(raw)
            else:
                response = await handler(request, body)
                await response(scope, receive, send)
                return
        await slow(scope, receive, send)

    return app


def fast_routes(app: FastAPI) -> list[APIRoute]:
    """Serve the plain requests of the routes marked with `fast_json` by their fast handler.

    Logging an activity through FastAPI's request handling (three nested dependencies with a
    generator and its exit stacks, the body read and validated, the answer validated again
    against the response model and serialised) cost ~300 µs of a ~2.7 ms request (in process,
    py-spy; bench/). A request whose body is `application/json` with a length, and valid, goes
    to the fast handler, which signs the caller in and runs the same service. Every other
    request (another content type, invalid JSON, a body that fails validation) goes to FastAPI
    as before, so errors keep their status, code and order (sign-in before the fields).
    Returns the routes served so.
    """
    served = []
    for route in app.router.routes:
        fast = getattr(getattr(route, "endpoint", None), _FAST, None)
        if isinstance(route, APIRoute) and fast is not None:
            model, handler = fast
            route.app = _fast_app(model, handler, route.app)
            served.append(route)
    return served


# -- which methods a path takes (the 405 answers' Allow header) ---------------------------


def _route_table(request: Request) -> list[tuple[str, Any, set[str]]]:
    """(path, compiled pattern, methods) of every route, included routers flattened."""
    return [
        (route.path, route.path_regex, set(route.methods or ()))
        for route in route_contexts(request.app.router.routes)
        if route.path is not None and route.methods
    ]


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    path = request.url.path
    # A literal path (`/me/investments/growth`) names its own resource, even where a parameter
    # route (`/me/investments/{investment_id}`) would also match the text.
    methods = literal_route_methods(request) or {
        m for _, regex, ms in _route_table(request) if regex.match(path) for m in ms
    }
    methods.discard("HEAD")  # implied by GET
    return ", ".join(sorted(methods))


def literal_route_methods(request: Request) -> set[str]:
    """The methods of routes without path parameters whose path is exactly this one."""
    path = request.url.path
    return {m for route_path, _, ms in _route_table(request) if route_path == path for m in ms}
