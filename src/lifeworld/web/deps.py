"""Who is looking at a page, and the CSRF check of every form POST.

Pages authenticate with the session cookie only (never a bearer token). Signed-in forms carry
the session's CSRF token in a hidden `csrf_token` field. Forms used before signing in (setup,
sign-in, join) carry a token derived from a random `lw_csrf` cookie with the instance secret
(a signed double-submit cookie), so a foreign site cannot sign a browser into its own account.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from lifeworld.accounts import households, sessions
from lifeworld.accounts.deps import SESSION_COOKIE, SecurityDep, SettingsDep
from lifeworld.accounts.models import Session, User
from lifeworld.accounts.owner import InstanceOwner
from lifeworld.accounts.security import Security, same
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import Forbidden
from lifeworld.web import formats

ANON_CSRF_COOKIE = "lw_csrf"
CSRF_FIELD = "csrf_token"
NOT_NEXT = frozenset({"/login", "/logout", "/setup", "/join"})


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login?next=…"""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = safe_next(next_path)

    @property
    def location(self) -> str:
        if self.next_path == "/":
            return "/login"
        return "/login?next=" + quote(self.next_path, safe="/")


@dataclass(frozen=True)
class Viewer:
    """The signed-in person looking at a page, and their browser session."""

    user: User
    session: Session
    owns_instance: bool = False  # the System page is theirs (accounts/owner.py)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` when it is a path on this site (never another host), else `default`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 33 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in NOT_NEXT:
        return default
    return value


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _referer_path(request: Request) -> str:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    return referer.path + (f"?{referer.query}" if referer.query else "") or "/"


def anon_csrf_token(security: Security, cookie: str) -> str:
    """The form token that goes with a visitor's `lw_csrf` cookie."""
    return base64.urlsafe_b64encode(security.digest("anon-csrf:" + cookie)).decode().rstrip("=")


def new_anon_cookie() -> str:
    return secrets.token_urlsafe(24)


async def _sent_token(request: Request) -> str:
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


def _csrf_refused() -> Forbidden:
    return Forbidden(
        "This form has expired or did not come from this app. "
        "Go back, reload the page and send it again.",
        code="csrf_failed",
    )


async def _optional_viewer(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    resolved = await sessions.resolve_session(
        scope, security, settings, token=token, now=clock.now()
    )
    if resolved is None:
        return None
    user, session = resolved
    owner: InstanceOwner = request.app.state.owner
    owns = user.is_admin and await owner.owns(scope, user)  # members ask nothing more
    formats.set_currency(await households.currency_of(scope, household_id=user.household_id))
    return Viewer(user=user, session=session, owns_instance=owns)


OptionalViewer = Annotated[Viewer | None, Depends(_optional_viewer)]


async def _page_viewer(request: Request, viewer: OptionalViewer) -> Viewer:
    if viewer is None:
        raise SignInRequired(_here(request))
    return viewer


async def _form_viewer(request: Request, viewer: OptionalViewer) -> Viewer:
    if viewer is None:
        raise SignInRequired(_referer_path(request))
    if not same(await _sent_token(request), viewer.csrf_token):
        raise _csrf_refused()
    return viewer


async def _admin_form_viewer(viewer: Annotated[Viewer, Depends(_form_viewer)]) -> Viewer:
    if not viewer.user.is_admin:
        raise Forbidden("Only the household admin can do this.", code="admin_only")
    return viewer


async def _anon_form(request: Request, security: SecurityDep) -> None:
    cookie = request.cookies.get(ANON_CSRF_COOKIE)
    if not cookie:
        raise Forbidden(
            "Your browser did not send this app's security cookie. Allow cookies for this "
            "address, reload the page and try again.",
            code="csrf_failed",
        )
    if not same(await _sent_token(request), anon_csrf_token(security, cookie)):
        raise _csrf_refused()


PageViewer = Annotated[Viewer, Depends(_page_viewer)]
"""GET pages: the signed-in viewer, or a redirect to /login?next=<this page>."""
FormViewer = Annotated[Viewer, Depends(_form_viewer)]
"""POST forms of signed-in people: the viewer, after the CSRF check (403 page when wrong)."""
AdminFormViewer = Annotated[Viewer, Depends(_admin_form_viewer)]
"""POST forms only the household admin may send."""
AnonForm = Depends(_anon_form)
"""POST forms used before signing in: checks the signed double-submit cookie."""
