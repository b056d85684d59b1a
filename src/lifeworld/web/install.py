"""Wire the web layer into the app: static files, the app shell, error pages, page signals."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.errors import translator
from lifeworld.routes import add_routes
from lifeworld.web.api_docs import router as api_docs_router
from lifeworld.web.assets import STATIC_DIR, STATIC_PREFIX, VersionedStatic
from lifeworld.web.deps import SignInRequired
from lifeworld.web.error_pages import render_error_page
from lifeworld.web.forms import ShowPage
from lifeworld.web.shell import router as shell_router


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse(exc.location, status_code=303)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/")  # it was stale
    return response


async def _show_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShowPage)
    return exc.response


def page_routers() -> list[APIRouter]:
    """The game's pages, one router per domain (`<domain>/views.py`)."""
    from lifeworld.activities.views import router as activities
    from lifeworld.admin.views import router as admin
    from lifeworld.energy.views import router as energy
    from lifeworld.engines.views import router as engines
    from lifeworld.investments.views import router as investments
    from lifeworld.loadouts.views import router as loadouts
    from lifeworld.places.views import router as places
    from lifeworld.players.views import router as players
    from lifeworld.rebalancing.views import router as rebalancing
    from lifeworld.seasons.views import router as seasons
    from lifeworld.training.views import router as training

    return [
        players,
        activities,
        seasons,
        energy,
        training,
        loadouts,
        investments,
        rebalancing,
        engines,
        places,
        admin,
    ]


def install_web(app: FastAPI) -> None:
    """Serve /static, /sw.js, /offline and the game's pages; answer errors on pages with pages."""
    # Every table must be mapped before the first flush: completing a training task writes a
    # row whose foreign key names the catalogue's table, which nothing on the request path
    # imports (`lifeworld serve` does, a bare `uvicorn --factory lifeworld.asgi:…` did not).
    import lifeworld.db.models  # noqa: F401

    app.mount(STATIC_PREFIX, VersionedStatic(directory=STATIC_DIR), name="static")
    add_routes(app, shell_router)
    add_routes(app, api_docs_router)
    for router in page_routers():
        add_routes(app, router)
    translator.page_renderer = render_error_page
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(ShowPage, _show_page)
