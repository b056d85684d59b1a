"""The Jinja2 environment (autoescaped) and `render`, the one way a page is answered."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from lifeworld import __version__
from lifeworld.accounts.security import Security
from lifeworld.game.instants import in_zone
from lifeworld.timezones import zone
from lifeworld.web import formats, labels
from lifeworld.web.assets import TEMPLATES_DIR, static_url
from lifeworld.web.deps import ANON_CSRF_COOKIE, Viewer, anon_csrf_token, new_anon_cookie
from lifeworld.web.flash import Flash, clear_flashes, read_flashes, set_flashes
from lifeworld.web.forms import PageForm, new_nonce
from lifeworld.web.nav import nav_for
from lifeworld.web.qr import qr_svg

APP_NAME = "Life World OS"
PAGE_HEADERS = {"Cache-Control": "no-store"}
ANON_COOKIE_MAX_AGE_S = 90 * 24 * 3600  # a sign-in page left open for days still works


def _title_case(value: str) -> str:
    """RANK_NAME → Rank Name."""
    return value.replace("_", " ").title()


def _blank_form(**values: object) -> PageForm:
    return PageForm.blank(**values)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The process's template environment (autoescape on, undefined variables are errors)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        static=static_url,
        app_name=APP_NAME,
        app_version=__version__,
        new_nonce=new_nonce,
        blank_form=_blank_form,
        labels=labels,
        plural=formats.plural,
        currency_symbol=formats.currency_symbol,
        number_locale=formats.language_tag,
        quality_choices=labels.QUALITY_CHOICES,
        qr_svg=qr_svg,
    )
    env.filters.update(
        title_words=_title_case,
        number=formats.number,
        label=labels.label,
        money=formats.money,
        signed_money=formats.signed_money,
        decimal=formats.decimal,
        signed=formats.signed,
        xp=formats.xp,
        percent=formats.percent,
        benefit=labels.benefit,
        benefit_name=labels.benefit_name,
        hours_minutes=labels.hours_minutes,
        season_choice=labels.season_choice,
        boost_choice=labels.boost_choice,
    )
    return env


def local_time(value: datetime, viewer: Viewer | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """A timestamp in the viewer's own timezone, for people."""
    tz = zone(viewer.user.timezone) if viewer else None
    local = in_zone(value, tz)
    if local is None:  # the local time is past year 1 … 9999: shown in UTC instead
        local = in_zone(value, UTC) or value
        fmt += " UTC"
    return local.strftime(fmt)


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    status: int = 200,
    sections: tuple[str, ...] = (),
    plain: bool = False,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the layout's context: viewer, CSRF token, flashes and navigation.

    `sections` names the parts of the page that show their own flashes (next to a form);
    every other flash is shown at the top. A `plain` page (error, offline) has no forms:
    it neither takes the waiting flashes nor sets a CSRF cookie.
    """
    flashes = [] if plain else read_flashes(request)
    security: Security = request.app.state.security
    new_cookie: str | None = None
    if plain:
        csrf_token = ""
    elif viewer is not None:
        csrf_token = viewer.csrf_token
    else:
        cookie = request.cookies.get(ANON_CSRF_COOKIE)
        if not cookie:
            cookie = new_cookie = new_anon_cookie()
        csrf_token = anon_csrf_token(security, cookie)
    top = [f for f in flashes if f.section is None or f.section not in sections]
    placed = [f for f in flashes if f.section is not None and f.section in sections]
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            viewer=viewer,
            user=viewer.user if viewer else None,
            csrf_token=csrf_token,
            flashes=top,
            placed_flashes=placed,
            nav=nav_for(
                viewer.user if viewer else None,
                request.url.path,
                owns_instance=viewer.owns_instance if viewer else False,
            ),
            local_time=lambda value, fmt="%a %-d %b %Y, %H:%M": local_time(value, viewer, fmt),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
    if not plain:
        clear_flashes(request, response)
    if new_cookie is not None:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            new_cookie,
            max_age=ANON_COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


def redirect(request: Request, to: str, *flashes: Flash) -> RedirectResponse:
    """303 See Other to `to` (POST-redirect-GET), carrying one-time messages."""
    response = RedirectResponse(to, status_code=303)
    set_flashes(request, response, list(flashes))
    return response


def redirect_response(to: str) -> Response:
    """A plain 303 with nothing attached."""
    return RedirectResponse(to, status_code=303)
