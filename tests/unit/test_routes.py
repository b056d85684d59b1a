"""Every module's routes sit on the app's own router (see lifeworld/routes.py), and the result
serves and documents exactly what `include_router` would."""

from __future__ import annotations

import json

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from lifeworld.app import create_app
from lifeworld.routes import add_routes
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
