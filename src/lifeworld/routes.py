"""Putting a module's routes on the app, and finding a request's route without trying them all."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_type_hints

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

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
from lifeworld.json_body import decode, is_json_type


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes, as they are, on the app's own router.

    `app.include_router` keeps the router as one entry that scans each of its routes, with scope
    bookkeeping, for every request passing by; on the app's router each route is one regular
    expression. Every router here carries its own prefix, tags and dependencies and is included
    without options, so nothing changes but the cost (the OpenAPI document is the same:
    tests/unit/test_routes.py).
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

    Starlette and FastAPI try every route in order until one matches, so the last routes paid
    for all the others. A route can only match
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
    answers with a `Response` it made itself (the busiest reads: the dashboard state, place
    details; and logging an activity, which reads its own body) still paid for FastAPI's
    dependency solving, a large share of a read served from memory. Such a route gets a
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


# -- a JSON body read by the handler itself ----------------------------------------------

M = TypeVar("M", bound=BaseModel)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI entries of a route whose handler reads a `model` JSON body itself
    (`read_json`, then `validated`): documented as FastAPI documents a body parameter."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {"422": {"description": "Validation Error"}},
    }


_is_json = is_json_type


async def read_json(request: Request) -> Any:
    """The body as FastAPI reads a JSON body: parsed when sent as JSON, the raw bytes when sent
    as something else, None when empty. Malformed JSON is refused here, before anything else
    (as FastAPI does; a repeated key is malformed too, json_body.py); whether it fits the
    model is `validated`'s question."""
    raw = await request.body()
    content_type = request.headers.get("content-type")
    if not raw or not content_type or not _is_json(content_type):
        return raw or None
    try:
        return decode(raw)
    except json.JSONDecodeError as exc:
        problem = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                   "input": {}, "ctx": {"error": exc.msg}}  # fmt: skip
        raise RequestValidationError([problem]) from exc
    except Exception as exc:  # invalid UTF-8, nesting too deep: unreadable, like FastAPI says
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


def validated(document: Any, model: type[M]) -> M:
    """`document` (from `read_json`) as `model`, or the validation errors FastAPI would give."""
    if document is None:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        return model.model_validate(document, from_attributes=True)  # as FastAPI validates
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


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
