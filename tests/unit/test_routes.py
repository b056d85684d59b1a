"""Every module's routes sit on the app's own router (see lifeworld/routes.py), and the result
serves and documents exactly what `include_router` would; routes served lean answer as FastAPI
would."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute, Match

from lifeworld.accounts.deps import needs_sign_in
from lifeworld.app import create_app
from lifeworld.internals import dispatch, request_response
from lifeworld.routes import (
    RouteIndex,
    add_routes,
    json_body,
    lean_routes,
    literal_prefix,
    read_json,
    validated,
)
from lifeworld.settings import Settings

URL = "postgresql://nobody@127.0.0.1:1/never_connected"


def test_routes_are_the_apps_own_and_the_document_is_what_include_router_gives() -> None:
    app = create_app(Settings(env="test"), database_url=URL)
    kinds = {type(route).__name__ for route in app.router.routes}
    assert "_IncludedRouter" not in kinds, "a router was included: use add_routes"
    api_routes = [r for r in app.router.routes if isinstance(r, APIRoute)]
    assert len(api_routes) > 100
    assert len({id(r) for r in api_routes}) == len(api_routes), "a route was added twice"

    # The same routes through FastAPI's own include_router: the same OpenAPI document.
    reference = FastAPI(title=app.title, version=app.version, openapi_url=app.openapi_url)
    flat = FastAPI(title=app.title, version=app.version, openapi_url=app.openapi_url)
    everything = APIRouter()
    for route in api_routes:
        everything.routes.append(route)
    reference.include_router(everything)
    add_routes(flat, everything)
    assert json.dumps(flat.openapi(), sort_keys=True) == json.dumps(
        reference.openapi(), sort_keys=True
    )


def _linear(app: FastAPI, scope: dict[str, object]) -> BaseRoute | None:
    for route in app.router.routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def _indexed(index: RouteIndex, scope: dict[str, object]) -> BaseRoute | None:
    for route in index.candidates(str(scope["path"])).routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def _example_paths(app: FastAPI) -> list[str]:
    paths = ["/", "//", "/nothing", "/api", "/api/v1", "/api/v1/", "/api/v1/me/", "/static/app.css",
             "/static", "/activities/", "/activities/x/y", "/api/v1/places/search",
             "/api/v1/places/local:1", "/api/v1/places/nominatim:N123", "/api/v1/places/bad id",
             "/settings/tokens", "/loadouts/7/edit", "/loadouts/x/edit", "/api/v1/me/engines/0",
             "/api/v1/me/engines/abc", "/places/saved/3/delete", "/ÄÖ/%20"]  # fmt: skip
    for route in app.router.routes:
        path = getattr(route, "path", "")
        paths.append(re.sub(r"\{[^}]*\}", "12", path))
        paths.append(re.sub(r"\{[^}]*\}", "local:12", path))
        paths.append(path + "/")
    return paths


def test_the_index_finds_the_route_a_linear_scan_finds() -> None:
    app = create_app(Settings(env="test"), database_url=URL)
    index = dispatch(app.router)
    assert isinstance(index, RouteIndex)
    checked = 0
    for path in _example_paths(app):
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
            scope = {"type": "http", "method": method, "path": path, "root_path": "",
                     "headers": [], "query_string": b""}  # fmt: skip
            assert _indexed(index, scope) is _linear(app, scope), (method, path)
            checked += 1
    assert checked > 1000
    # Few candidates for the busy routes: that is the point.
    assert len(index.candidates("/api/v1/places/local:1").routes) <= 8
    assert len(index.candidates("/").routes) <= 3


def test_a_route_added_later_is_found() -> None:
    app = create_app(Settings(env="test"), database_url=URL)
    index = dispatch(app.router)
    assert isinstance(index, RouteIndex)
    scope = {"type": "http", "method": "GET", "path": "/api/v1/late", "root_path": ""}
    assert _indexed(index, scope) is None

    @app.get("/api/v1/late")
    def late() -> dict[str, bool]:
        return {"late": True}

    found = _indexed(index, scope)
    assert found is not None and getattr(found, "path", "") == "/api/v1/late"


def test_literal_prefixes() -> None:
    from fastapi.routing import APIRoute

    def endpoint() -> None: ...

    assert literal_prefix(APIRoute("/api/v1/places/{place_id}", endpoint)) == (
        "api",
        "v1",
        "places",
    )
    assert literal_prefix(APIRoute("/", endpoint)) == ()
    assert literal_prefix(APIRoute("/files/v{n}/x", endpoint)) == ("files",)


def test_only_routes_needing_nothing_of_fastapi_are_served_lean() -> None:
    app = create_app(Settings(env="test"), database_url=URL)
    lean = {(next(iter(r.methods)), r.path) for r in lean_routes(app)}
    assert ("GET", "/api/v1/me/state") in lean
    assert ("GET", "/api/v1/places/{place_id:place_id}") in lean
    assert ("GET", "/api/v1/ping") not in lean  # answers a dict: FastAPI serialises it
    assert ("POST", "/api/v1/me/activities") in lean  # it reads its own body
    assert ("POST", "/api/v1/me/activities/preview") not in lean  # a body and dependencies
    assert ("GET", "/api/v1/me/activities") not in lean


def _twin_app() -> FastAPI:
    """The same handler twice: once as FastAPI serves it, once lean."""

    async def echo(
        request: Request,
        item: Annotated[str, Path(max_length=5)],
        n: Annotated[int, Query(ge=1, le=10)] = 3,
        flag: bool = False,
        tag: str | None = None,
        need: Annotated[int | None, Query()] = None,
    ) -> Response:
        return JSONResponse(
            {"item": item, "n": n, "flag": flag, "tag": tag, "need": need, "path": request.url.path}
        )

    async def required(count: int) -> Response:
        return JSONResponse({"count": count})

    app = FastAPI()
    app.add_api_route("/plain/{item}", echo, methods=["GET"])
    app.add_api_route("/lean/{item}", echo, methods=["GET"])
    app.add_api_route("/plain-required", required, methods=["GET"])
    app.add_api_route("/lean-required", required, methods=["GET"])
    served = lean_routes(app)
    assert len(served) == 4, "this test's premise: every route here can be served lean"
    # lean_routes serves every eligible route: put the plain twins back as FastAPI made them.
    for route in served:
        if "plain" in route.path:
            route.app = request_response(route.get_route_handler())
    return app


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(_twin_app()), base_url="http://test")


@pytest.mark.parametrize(
    "query",
    ["", "?n=7", "?n=0", "?n=11", "?n=x", "?n=", "?flag=yes", "?flag=off", "?flag=2",
     "?tag=a&tag=b", "?n=2&n=5", "?need=4", "?need=nope", "?n=0&flag=maybe"],
)  # fmt: skip
@pytest.mark.parametrize("item", ["abc", "toolong"])
async def test_a_lean_route_answers_exactly_as_fastapi_would(query: str, item: str) -> None:
    async with _client() as client:
        plain = await client.get(f"/plain/{item}{query}")
        lean = await client.get(f"/lean/{item}{query}")
    assert lean.status_code == plain.status_code
    expected = plain.json()
    if plain.status_code == 200:
        expected["path"] = f"/lean/{item}"
    assert lean.json() == expected


@pytest.mark.parametrize("query", ["", "?count=2", "?count=two"])
async def test_a_missing_required_parameter_is_the_same_error(query: str) -> None:
    async with _client() as client:
        plain = await client.get(f"/plain-required{query}")
        lean = await client.get(f"/lean-required{query}")
    assert (lean.status_code, lean.json()) == (plain.status_code, plain.json())


class _Item(BaseModel):
    name: str = Field(max_length=5)
    count: int = Field(ge=1)


class _Out(BaseModel):
    name: str
    count: int
    caller: str


async def _caller(request: Request) -> str:
    who = request.headers.get("x-caller")
    if not who:
        raise HTTPException(401, "who are you?")
    return who


async def _create(body: _Item, who: Annotated[str, Depends(_caller)]) -> _Out:
    return _Out(name=body.name, count=body.count, caller=who)


async def _create_own(request: Request) -> Response:
    """The same endpoint reading its own body, as `POST /api/v1/me/activities` does."""
    document = await read_json(request)
    who = await _caller(request)
    body = validated(document, _Item)
    out = _Out(name=body.name, count=body.count, caller=who)
    return Response(out.model_dump_json(), 201, {"x-served": "own"}, "application/json")


def _body_twin_app() -> FastAPI:
    """One endpoint with a JSON body and a dependency as FastAPI serves it at /plain, and the
    same reading its own body at /own (served lean, like the app's)."""
    app = FastAPI()
    app.add_api_route("/plain", _create, methods=["POST"], status_code=201, response_model=_Out)
    app.add_api_route("/own", _create_own, methods=["POST"], status_code=201,
                      response_model=_Out, openapi_extra=json_body(_Item))  # fmt: skip
    assert [r.path for r in lean_routes(app)] == ["/own"]
    return app


JSON_TYPE = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers", "ok"),
    [
        (b'{"name": "ab", "count": 2}', {**JSON_TYPE, "x-caller": "ada"}, True),
        (b'{"name": "ab", "count": 2}', JSON_TYPE, False),  # signed in first: 401
        (b'{"name": "abcdef", "count": 0}', {**JSON_TYPE, "x-caller": "ada"}, False),
        (b'{"name": "abcdef", "count": 0}', JSON_TYPE, False),  # still 401 before the fields
        (b'{"name": "ab", "count": 2', {**JSON_TYPE, "x-caller": "ada"}, False),  # broken JSON
        (b'{"name": "ab", "count": 2', JSON_TYPE, False),  # JSON is read before the sign-in
        (b"", {**JSON_TYPE, "x-caller": "ada"}, False),
        (b"[1, 2]", {**JSON_TYPE, "x-caller": "ada"}, False),
        (b"[" * 100_000 + b"]" * 100_000, {**JSON_TYPE, "x-caller": "ada"}, False),  # too deep
        (b'{"name": "\xff\xfe"}', {**JSON_TYPE, "x-caller": "ada"}, False),  # not UTF-8
        (b'{"name": "ab", "count": 2}', {"content-type": "text/plain", "x-caller": "a"}, False),
        (b'{"name": "ab", "count": 2}', {"content-type": "application/x+json", "x-caller": "a"},
         True),
        (b'{"name": "ab", "count": "2"}', {**JSON_TYPE, "x-caller": "ada"}, True),  # lax int
    ],
)  # fmt: skip
async def test_a_handler_reading_its_own_body_answers_exactly_as_fastapi_would(
    content: bytes, headers: dict[str, str], ok: bool
) -> None:
    transport = httpx.ASGITransport(_body_twin_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        plain = await client.post("/plain", content=content, headers=headers)
        served = await client.post("/own", content=content, headers=headers)
    assert (served.status_code, served.json()) == (plain.status_code, plain.json())
    assert (served.status_code == 201) is ok


async def test_a_body_without_a_length_is_read_too() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "ab",'
        yield b' "count": 2}'

    transport = httpx.ASGITransport(_body_twin_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        headers = {**JSON_TYPE, "x-caller": "ada"}
        served = await client.post("/own", content=chunks(), headers=headers)
    assert served.status_code == 201 and served.headers["x-served"] == "own"
    assert served.json() == {"name": "ab", "count": 2, "caller": "ada"}


def test_the_body_is_documented_as_fastapi_documents_a_body_parameter() -> None:
    document = _body_twin_app().openapi()
    plain, own = (document["paths"][p]["post"] for p in ("/plain", "/own"))
    assert own["requestBody"] == plain["requestBody"]
    assert list(own["responses"]) == list(plain["responses"]) == ["201", "422"]


def test_every_unsafe_api_route_but_the_sign_in_ones_is_known_to_need_a_signed_in_caller() -> None:
    """The `Idempotency-Key` handling scopes a key to its caller on the routes that need one
    (`needs_sign_in`): a route that signs in by itself must say so (`signs_in`), or keys on it
    would be ignored."""
    app = create_app(Settings(env="test"), database_url=URL)
    public = {
        "/api/v1/setup",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/password-reset",  # the member holds a link, not a sign-in
        "/api/v1/testing/clock",
    }
    unmarked = [
        f"{method} {route.path}"
        for route in app.router.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
        for method in route.methods - {"GET", "HEAD"}
        if route.path not in public and not needs_sign_in(route)
    ]
    assert unmarked == []
    log = next(
        r
        for r in app.router.routes
        if isinstance(r, APIRoute) and r.path == "/api/v1/me/activities" and "POST" in r.methods
    )
    assert needs_sign_in(log)  # by its mark, not by a dependency
