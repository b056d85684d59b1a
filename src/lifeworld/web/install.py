"""Wire the web layer into the app: static files, the app shell, error pages, page signals."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.errors import translator
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


def install_web(app: FastAPI) -> None:
    """Serve /static, /sw.js and /offline, and answer errors on pages with HTML pages."""
    app.mount(STATIC_PREFIX, VersionedStatic(directory=STATIC_DIR), name="static")
    app.include_router(shell_router)
    translator.page_renderer = render_error_page
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(ShowPage, _show_page)
