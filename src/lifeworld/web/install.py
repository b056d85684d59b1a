"""Wire the web layer into the app: static files, the app shell, error pages, page signals."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.web.assets import STATIC_DIR, STATIC_PREFIX, VersionedStatic
from lifeworld.web.deps import SignInRequired
from lifeworld.web.forms import ShowPage


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse(exc.location, status_code=303)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/")  # it was stale
    return response


async def _show_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShowPage)
    return exc.response


def install_web(app: FastAPI) -> None:
    """Serve /static; sign-in redirects and form pages answered by the pages' own exceptions.

    The pages' routers are listed with every other router in `lifeworld.routers`.
    """
    # Every table must be mapped before the first flush: completing a training task writes a
    # row whose foreign key names the catalogue's table, which nothing on the request path
    # imports (`lifeworld serve` does, a bare `uvicorn --factory lifeworld.asgi:…` did not).
    import lifeworld.db.models  # noqa: F401

    app.mount(STATIC_PREFIX, VersionedStatic(directory=STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(ShowPage, _show_page)
