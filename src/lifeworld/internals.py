"""Every private name of FastAPI, Starlette, SQLAlchemy and the event loops the app relies on.

The app's speed work (routes.py, the sign-in cache) needs a few things these frameworks do not
promise to keep. They are reached only through this module, so a release that moves one breaks
here, with a message naming the framework, its version and the name, instead of somewhere deep
in a request. `pyproject.toml` allows only the releases this module was tested with;
tests/unit/test_internals.py checks each name against the installed versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from importlib.metadata import version
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

_M = TypeVar("_M")


class InternalsMoved(ImportError):
    """A framework release no longer has a private name this version of the app uses."""

    def __init__(self, framework: str, name: str, problem: object) -> None:
        installed = version(framework)
        super().__init__(
            f"{framework} {installed} no longer provides {name} ({problem}); Life World OS "
            "uses it through lifeworld/internals.py and was not tested with this release. "
            "Install the locked versions (requirements/app.txt) or a release pyproject.toml "
            "allows."
        )
        self.framework, self.installed, self.name = framework, installed, name


def _take(framework: str, module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise InternalsMoved(framework, f"{module}.{name}", exc) from exc


# FastAPI: the parameter fields a route validates, and how it turns a handler into an ASGI app.
ModelField: Any = _take("fastapi", "fastapi._compat", "ModelField")
field_annotation_is_sequence: Callable[[Any], bool] = _take(
    "fastapi", "fastapi._compat", "field_annotation_is_sequence"
)
get_missing_field_error: Callable[[tuple[str, ...]], dict[str, Any]] = _take(
    "fastapi", "fastapi._compat", "get_missing_field_error"
)
request_response: Callable[[Callable[..., Any]], ASGIApp] = _take(
    "fastapi", "fastapi.routing", "request_response"
)
_iter_route_contexts: Callable[[list[BaseRoute]], Iterator[Any]] = _take(
    "fastapi", "fastapi.routing", "iter_route_contexts"
)

# The dependant's parts that decide whether a route needs FastAPI's request handling at all.
DEPENDANT_FIELDS = (
    "path_params",
    "query_params",
    "header_params",
    "cookie_params",
    "body_params",
    "dependencies",
    "call",
    "request_param_name",
    "websocket_param_name",
    "http_connection_param_name",
    "response_param_name",
    "background_tasks_param_name",
    "security_scopes_param_name",
)


def dependant(route: APIRoute) -> Any:
    """What FastAPI solved of a route's signature (`fastapi.dependencies.models.Dependant`)."""
    return route.dependant


def routes_changed(router: APIRouter) -> None:
    """Tell the router its route list was extended in place (the OpenAPI document is rebuilt)."""
    router._mark_routes_changed()


def set_dispatch(router: APIRouter, app: ASGIApp) -> None:
    """Make `app` the router's dispatch, in place of trying every route in order."""
    router.middleware_stack = app  # type: ignore[assignment]  # any ASGI app serves


def dispatch(router: APIRouter) -> ASGIApp | None:
    """The router's dispatch (None until the first request or `set_dispatch`)."""
    app: ASGIApp | None = router.middleware_stack
    return app


def router_of(route: BaseRoute, like: APIRouter) -> APIRouter:
    """A router holding `route` alone that handles requests as `like` does."""
    solo = APIRouter(routes=[route])
    solo.form_limits = like.form_limits
    return solo


def route_contexts(routes: list[BaseRoute]) -> Iterator[Any]:
    """Every route with its effective path and methods, included routers flattened."""
    return _iter_route_contexts(routes)


def new_instance(model: type[_M]) -> _M:
    """An instance of a mapped class made without its constructor (as loading a row does)."""
    instance: _M = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    return instance


def tls_layer(loop: object) -> Any:
    """The event loop's own TLS protocol class (uvloop's, or asyncio's).

    `loop.start_tls` would do, but it cannot be given bytes already read from the connection,
    and uvloop starts reading a new connection right after `connection_made` (tls/listener.py
    reads the first bytes to tell TLS from plain HTTP). Both classes take
    (loop, app_protocol, sslcontext, waiter, server_side, …) and are fed with
    get_buffer/buffer_updated.
    """
    if type(loop).__module__.startswith("uvloop"):
        return _take("uvloop", "uvloop.loop", "SSLProtocol")
    import asyncio.sslproto

    return asyncio.sslproto.SSLProtocol


def problems() -> list[str]:
    """What the installed frameworks lack of the names above (empty when all is in place)."""
    found = []
    probes: list[tuple[str, str, Callable[[], object]]] = [
        ("fastapi", "APIRouter._mark_routes_changed", lambda: APIRouter._mark_routes_changed),
        ("fastapi", "APIRouter().middleware_stack", lambda: APIRouter().middleware_stack),
        ("fastapi", "APIRouter().form_limits", lambda: APIRouter().form_limits),
        ("fastapi", "APIRoute.dependant", _dependant_fields),
        ("sqlalchemy", "mapped class ._sa_class_manager.new_instance", _sa_new_instance),
        ("uvloop", "uvloop.loop.SSLProtocol", _uvloop_tls_layer),
    ]
    for framework, name, probe in probes:
        try:
            probe()
        except Exception as exc:
            found.append(str(InternalsMoved(framework, name, exc)))
    return found


def _dependant_fields() -> None:
    async def endpoint() -> None:
        return None

    solved = dependant(APIRoute("/probe", endpoint))
    missing = [name for name in DEPENDANT_FIELDS if not hasattr(solved, name)]
    if missing:
        raise AttributeError(f"Dependant has no {', '.join(missing)}")


def _sa_new_instance() -> None:
    from sqlalchemy import Column, Integer, MetaData, Table
    from sqlalchemy.orm import registry

    class Probe:
        id: int

    table = Table("probe", MetaData(), Column("id", Integer, primary_key=True))
    mapper = registry()
    mapper.map_imperatively(Probe, table)
    mapper.configure()
    made = new_instance(Probe)
    made.__dict__["id"] = 1
    if made.id != 1:
        raise AttributeError("an instance made so does not read its attributes")


def _uvloop_tls_layer() -> None:
    import uvloop

    loop = uvloop.new_event_loop()
    try:
        layer = tls_layer(loop)
        for name in ("connection_made", "get_buffer", "buffer_updated"):
            if not hasattr(layer, name):
                raise AttributeError(f"SSLProtocol has no {name}")
    finally:
        loop.close()
