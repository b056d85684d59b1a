"""Pages of accounts and the household: setup, sign in and out, join, the members.

Each handler parses its form with the API's own schema, calls the same service function as
`accounts/api.py`, and answers with a redirect (POST-redirect-GET) or the form again with errors.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.accounts import households, schemas, sessions
from lifeworld.accounts.api import sign_in
from lifeworld.accounts.deps import SESSION_COOKIE, SecurityDep, SettingsDep, client_address
from lifeworld.accounts.models import User
from lifeworld.accounts.passwords import Busy
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField, Throttled, Unauthorized
from lifeworld.players import service as players
from lifeworld.web import formats, submissions
from lifeworld.web.choices import timezone_names
from lifeworld.web.deps import (
    AnonForm,
    FormViewer,
    OptionalViewer,
    PageViewer,
    safe_next,
)
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import redirect, redirect_response, render

router = APIRouter(include_in_schema=False)

ACCOUNT_MESSAGES = {
    "username": "Use 3–32 letters, digits, _ or - (no spaces).",
    "email": "Enter an email address like name@example.org.",
    "password": "Use at least 10 characters.",
}


def show_wait(form: PageForm, exc: Throttled) -> None:
    """Say on the form why it was refused and how long to wait (answer it with 429 and the
    error's Retry-After)."""
    if isinstance(exc, Busy):  # a full queue of password checks: "try again in a moment"
        form.fail("__form__", exc.message)
        return
    minutes = max(1, -(-int(exc.details["retry_after_s"]) // 60))
    form.fail(
        "__form__",
        f"{exc.message} You can try again in {formats.plural(minutes, 'minute')}.",
    )


def _welcome(user: User) -> Flash:
    return Flash("success", f"Welcome, {user.display_name}! This is your day.")


# --- first run ---------------------------------------------------------------------------


def _setup_page(request: Request, form: PageForm, status: int = 200) -> Response:
    return render(
        request, "accounts/setup.html", form=form, timezones=timezone_names(), status=status
    )


@router.get("/setup")
async def setup_page(request: Request, scope: ScopeDep, settings: SettingsDep) -> Response:
    if not await households.setup_needed(scope):
        return redirect_response("/login")
    return _setup_page(request, PageForm.blank(timezone=settings.household_timezone))


@router.post("/setup", dependencies=[AnonForm])
async def setup_submit(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(schemas.SetupIn, messages=ACCOUNT_MESSAGES)
    if body is None:
        raise ShowPage(_setup_page(request, form, 422))
    await submissions.once(request, scope, form, user_id=None, now=clock.now())
    if not await households.setup_needed(scope):
        return redirect(request, "/login", Flash("info", "This Life World OS is already set up."))
    user, household = await households.setup_household(scope, security, **body.model_dump())
    await players.create_player(scope, user=user, now=clock.now())
    response = await submissions.done(
        request,
        scope,
        form,
        to="/",
        flash=Flash("success", f"Welcome, {user.display_name}! {household.name} is ready."),
        replay_flash=Flash("success", f"{household.name} is ready. Sign in to continue."),
    )
    await sign_in(request, response, scope, security, settings, user)
    return response


# --- sign in and out ---------------------------------------------------------------------


def _login_page(
    request: Request, form: PageForm, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    page = render(request, "accounts/login.html", form=form, status=status)
    page.headers.update(headers or {})
    return page


@router.get("/login")
async def login_page(
    request: Request, scope: ScopeDep, viewer: OptionalViewer, next: str = "/"
) -> Response:
    if viewer is not None:
        return redirect_response(safe_next(next))
    if await households.setup_needed(scope):
        return redirect_response("/setup")
    return _login_page(request, PageForm.blank(next=safe_next(next)))


@router.post("/login", dependencies=[AnonForm])
async def login_submit(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.LoginIn,
        messages={"login": "Enter your username or email.", "password": "Enter your password."},
    )
    if body is None:
        raise ShowPage(_login_page(request, form, 422))
    try:
        user = await sessions.authenticate(
            scope,
            security,
            settings,
            login=body.login,
            password=body.password,
            address=client_address(request),
            now=clock.now(),
        )
    except Throttled as exc:
        show_wait(form, exc)
        raise ShowPage(_login_page(request, form, 429, headers=exc.headers)) from None
    except Unauthorized as exc:
        form.fail("__form__", exc.message)
        raise ShowPage(_login_page(request, form, 401)) from None
    response = redirect(request, safe_next(form.value("next")))
    await sign_in(request, response, scope, security, settings, user)
    return response


@router.get("/logout")
async def logout_page(request: Request, viewer: OptionalViewer) -> Response:
    if viewer is None:
        return redirect_response("/login")
    return render(request, "accounts/logout.html", viewer=viewer)


@router.post("/logout")
async def logout_submit(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    await sessions.revoke_session(scope, sess=viewer.session)
    response = redirect(request, "/login", Flash("info", "You are signed out. See you tomorrow!"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- joining with an invite --------------------------------------------------------------


def _join_page(
    request: Request, form: PageForm, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    page = render(
        request, "accounts/join.html", form=form, timezones=timezone_names(), status=status
    )
    page.headers.update(headers or {})
    return page


@router.get("/join")
async def join_page(
    request: Request, scope: ScopeDep, viewer: OptionalViewer, code: str = ""
) -> Response:
    if viewer is not None:
        return redirect(request, "/", Flash("info", "You are already a member of this household."))
    if await households.setup_needed(scope):
        return redirect_response("/setup")
    return _join_page(request, PageForm.blank(invite_code=code.strip()[:100]))


@router.post("/join", dependencies=[AnonForm])
async def join_submit(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(schemas.RegisterIn, optional=("timezone",), messages=ACCOUNT_MESSAGES)
    if body is None:
        raise ShowPage(_join_page(request, form, 422))
    await submissions.once(request, scope, form, user_id=None, now=clock.now())
    try:
        user = await households.register(
            scope,
            security,
            settings,
            address=client_address(request),
            now=clock.now(),
            **body.model_dump(),
        )
    except InvalidField as exc:
        form.reject(exc)
        raise ShowPage(_join_page(request, form, 422)) from None
    except Throttled as exc:
        show_wait(form, exc)
        raise ShowPage(_join_page(request, form, 429, headers=exc.headers)) from None
    await players.create_player(scope, user=user, now=clock.now())
    response = await submissions.done(
        request,
        scope,
        form,
        to="/",
        flash=_welcome(user),
        replay_flash=Flash("success", "Your account is ready. Sign in to continue."),
    )
    await sign_in(request, response, scope, security, settings, user)
    return response


# --- the household -----------------------------------------------------------------------


@router.get("/household")
async def household_page(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    detail = await players.household_detail(scope, user=viewer.user)
    return render(request, "accounts/household.html", viewer=viewer, household=detail)


# --- a password reset link from the household admin ---------------------------------------


async def _reset_page(
    request: Request,
    scope: ScopeDep,
    security: SecurityDep,
    form: PageForm,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    member = await sessions.reset_link_user(
        scope, security, token=form.value("token"), now=clock.now()
    )
    page = render(
        request,
        "accounts/reset_password.html",
        form=form,
        member=member,
        invalid=sessions.RESET_INVALID,
        status=status if member is not None else 404,
    )
    page.headers.update(headers or {})
    return page


@router.get("/reset-password")
async def reset_password_page(
    request: Request, scope: ScopeDep, security: SecurityDep, token: str = ""
) -> Response:
    return await _reset_page(request, scope, security, PageForm.blank(token=token.strip()[:200]))


@router.post("/reset-password", dependencies=[AnonForm])
async def reset_password_submit(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.PasswordResetIn, messages={"new_password": ACCOUNT_MESSAGES["password"]}
    )
    if body is None:
        raise ShowPage(await _reset_page(request, scope, security, form, 422))
    await submissions.once(request, scope, form, user_id=None, now=clock.now())
    try:
        await sessions.use_password_reset(
            scope,
            security,
            settings,
            address=client_address(request),
            now=clock.now(),
            **body.model_dump(),
        )
    except InvalidField as exc:
        form.fail("__form__", exc.message)
        raise ShowPage(await _reset_page(request, scope, security, form, 422)) from None
    except Throttled as exc:
        show_wait(form, exc)
        page = await _reset_page(request, scope, security, form, 429, headers=exc.headers)
        raise ShowPage(page) from None
    done = Flash("success", "Your new password is set. Sign in with it.")
    return await submissions.done(request, scope, form, to="/login", flash=done, replay_flash=done)
