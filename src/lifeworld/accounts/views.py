"""Pages of accounts and the household: setup, sign in and out, join, settings, members.

Each handler parses its form with the API's own schema, calls the same service function as
`accounts/api.py`, and answers with a redirect (POST-redirect-GET) or the form again with errors.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.accounts import schemas, service
from lifeworld.accounts.api import set_session_cookie
from lifeworld.accounts.deps import SESSION_COOKIE, SecurityDep, SettingsDep, client_address
from lifeworld.accounts.models import User
from lifeworld.clock import clock
from lifeworld.db.session import SessionDep
from lifeworld.errors import InvalidField, Throttled, Unauthorized
from lifeworld.players import service as players
from lifeworld.web import submissions
from lifeworld.web.choices import day_start_hours, timezone_names
from lifeworld.web.deps import (
    AdminFormViewer,
    AnonForm,
    FormViewer,
    OptionalViewer,
    PageViewer,
    Viewer,
    safe_next,
)
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import local_time, redirect, redirect_response, render

router = APIRouter(include_in_schema=False)

ACCOUNT_MESSAGES = {
    "username": "Use 3–32 letters, digits, _ or - (no spaces).",
    "email": "Enter an email address like name@example.org.",
    "password": "Use at least 10 characters.",
}


def _welcome(user: User) -> Flash:
    return Flash("success", f"Welcome, {user.display_name}! This is your day.")


async def _sign_in(
    request: Request,
    response: Response,
    db: SessionDep,
    security: SecurityDep,
    settings: SettingsDep,
    user: User,
) -> None:
    new = await service.start_session(
        db,
        security,
        settings,
        user=user,
        now=clock.now(),
        user_agent=request.headers.get("user-agent"),
        address=client_address(request),
    )
    set_session_cookie(request, response, new)


# --- first run ---------------------------------------------------------------------------


def _setup_page(request: Request, form: PageForm, status: int = 200) -> Response:
    return render(
        request, "accounts/setup.html", form=form, timezones=timezone_names(), status=status
    )


@router.get("/setup")
async def setup_page(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    if not await service.setup_needed(db):
        return redirect_response("/login")
    return _setup_page(request, PageForm.blank(timezone=settings.household_timezone))


@router.post("/setup", dependencies=[AnonForm])
async def setup_submit(
    request: Request, db: SessionDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(schemas.SetupIn, messages=ACCOUNT_MESSAGES)
    if body is None:
        raise ShowPage(_setup_page(request, form, 422))
    await submissions.once(request, db, form, user_id=None, now=clock.now())
    if not await service.setup_needed(db):
        return redirect(request, "/login", Flash("info", "This Life World is already set up."))
    user, household = await service.setup_household(db, security, **body.model_dump())
    await players.create_player(db, user=user, now=clock.now())
    response = await submissions.done(
        request,
        db,
        form,
        to="/",
        flash=Flash("success", f"Welcome, {user.display_name}! {household.name} is ready."),
        replay_flash=Flash("success", f"{household.name} is ready. Sign in to continue."),
    )
    await _sign_in(request, response, db, security, settings, user)
    return response


# --- sign in and out ---------------------------------------------------------------------


def _login_page(request: Request, form: PageForm, status: int = 200) -> Response:
    return render(request, "accounts/login.html", form=form, status=status)


@router.get("/login")
async def login_page(
    request: Request, db: SessionDep, viewer: OptionalViewer, next: str = "/"
) -> Response:
    if viewer is not None:
        return redirect_response(safe_next(next))
    if await service.setup_needed(db):
        return redirect_response("/setup")
    return _login_page(request, PageForm.blank(next=safe_next(next)))


@router.post("/login", dependencies=[AnonForm])
async def login_submit(
    request: Request, db: SessionDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.LoginIn,
        messages={"login": "Enter your username or email.", "password": "Enter your password."},
    )
    if body is None:
        raise ShowPage(_login_page(request, form, 422))
    try:
        user = await service.authenticate(
            db,
            security,
            settings,
            login=body.login,
            password=body.password,
            address=client_address(request),
            now=clock.now(),
        )
    except Throttled as exc:
        wait = int(exc.details["retry_after_s"])
        minutes = max(1, -(-wait // 60))
        form.fail(
            "__form__",
            f"{exc.message} You can try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        )
        page = _login_page(request, form, 429)
        page.headers.update(exc.headers)
        raise ShowPage(page) from None
    except Unauthorized as exc:
        form.fail("__form__", exc.message)
        raise ShowPage(_login_page(request, form, 401)) from None
    response = redirect(request, safe_next(form.value("next")))
    await _sign_in(request, response, db, security, settings, user)
    return response


@router.get("/logout")
async def logout_page(request: Request, viewer: OptionalViewer) -> Response:
    if viewer is None:
        return redirect_response("/login")
    return render(request, "accounts/logout.html", viewer=viewer)


@router.post("/logout")
async def logout_submit(request: Request, viewer: FormViewer, db: SessionDep) -> Response:
    await service.revoke_session(db, sess=viewer.session)
    response = redirect(request, "/login", Flash("info", "You are signed out. See you tomorrow!"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- joining with an invite --------------------------------------------------------------


def _join_page(request: Request, form: PageForm, status: int = 200) -> Response:
    return render(
        request, "accounts/join.html", form=form, timezones=timezone_names(), status=status
    )


@router.get("/join")
async def join_page(
    request: Request, db: SessionDep, viewer: OptionalViewer, code: str = ""
) -> Response:
    if viewer is not None:
        return redirect(request, "/", Flash("info", "You are already a member of this household."))
    if await service.setup_needed(db):
        return redirect_response("/setup")
    return _join_page(request, PageForm.blank(invite_code=code.strip()[:100]))


@router.post("/join", dependencies=[AnonForm])
async def join_submit(
    request: Request, db: SessionDep, security: SecurityDep, settings: SettingsDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(schemas.RegisterIn, optional=("timezone",), messages=ACCOUNT_MESSAGES)
    if body is None:
        raise ShowPage(_join_page(request, form, 422))
    await submissions.once(request, db, form, user_id=None, now=clock.now())
    try:
        user = await service.register(db, security, now=clock.now(), **body.model_dump())
    except InvalidField as exc:
        form.reject(exc)
        raise ShowPage(_join_page(request, form, 422)) from None
    await players.create_player(db, user=user, now=clock.now())
    response = await submissions.done(
        request,
        db,
        form,
        to="/",
        flash=_welcome(user),
        replay_flash=Flash("success", "Your account is ready. Sign in to continue."),
    )
    await _sign_in(request, response, db, security, settings, user)
    return response


# --- the household -----------------------------------------------------------------------


@router.get("/household")
async def household_page(request: Request, viewer: PageViewer, db: SessionDep) -> Response:
    detail = await players.household_detail(db, user=viewer.user)
    return render(request, "accounts/household.html", viewer=viewer, household=detail)


# --- settings ----------------------------------------------------------------------------

SETTINGS_SECTIONS = ("profile", "password", "tokens", "invites")


async def _settings_page(
    request: Request,
    viewer: Viewer,
    db: SessionDep,
    *,
    status: int = 200,
    **forms: PageForm,
) -> Response:
    user = viewer.user
    blank = {
        "profile": PageForm.blank(
            display_name=user.display_name,
            timezone=user.timezone,
            day_start_hour=user.day_start_hour,
        ),
        "password": PageForm.blank(),
        "token": PageForm.blank(),
        "invite": PageForm.blank(),
    }
    return render(
        request,
        "accounts/settings.html",
        viewer=viewer,
        status=status,
        sections=SETTINGS_SECTIONS,
        forms={**blank, **forms},
        tokens=await service.list_api_tokens(db, user=user),
        timezones=timezone_names(),
        hours=day_start_hours(),
    )


@router.get("/settings")
async def settings_page(request: Request, viewer: PageViewer, db: SessionDep) -> Response:
    return await _settings_page(request, viewer, db)


@router.post("/settings/profile")
async def save_profile(request: Request, viewer: FormViewer, db: SessionDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.MeIn, messages={"day_start_hour": "Choose an hour between 0 and 23."}
    )
    if body is not None:
        for name in ("display_name", "timezone", "day_start_hour"):
            if getattr(body, name) is None:
                form.fail(name, "Fill this in.")
    if body is None or not form.ok:
        raise ShowPage(await _settings_page(request, viewer, db, status=422, profile=form))
    await service.update_profile(db, user=viewer.user, **body.model_dump())
    return redirect(request, "/settings#profile", Flash("success", "Saved.", section="profile"))


@router.post("/settings/password")
async def change_password(
    request: Request, viewer: FormViewer, db: SessionDep, security: SecurityDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.PasswordChangeIn,
        messages={"current_password": "Enter your current password.", **ACCOUNT_MESSAGES},
    )
    if body is not None:
        try:
            await service.change_password(
                db,
                security,
                user=viewer.user,
                current_password=body.current_password,
                new_password=body.new_password,
                now=clock.now(),
            )
        except InvalidField as exc:
            form.reject(exc)
    if body is None or not form.ok:
        raise ShowPage(await _settings_page(request, viewer, db, status=422, password=form))
    response = redirect(
        request,
        "/login",
        Flash("success", "Password changed. Sign in again with the new one, on every device."),
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/settings/tokens")
async def create_token(
    request: Request, viewer: FormViewer, db: SessionDep, security: SecurityDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.TokenIn, messages={"name": "Give the token a name (1–80 characters)."}
    )
    if body is None:
        raise ShowPage(await _settings_page(request, viewer, db, status=422, token=form))
    await submissions.once(request, db, form, user_id=viewer.user.id, now=clock.now())
    row, token = await service.create_api_token(
        db, security, user=viewer.user, name=body.name, now=clock.now()
    )
    created = f"API token “{row.name}” created."
    return await submissions.done(
        request,
        db,
        form,
        to="/settings#tokens",
        flash=Flash(
            "success",
            f"{created} Copy it now: it is shown only this once.",
            section="tokens",
            secret=token,
            secret_label=f"API token “{row.name}”",
        ),
        replay_flash=Flash(
            "success",
            f"{created} If you did not copy it, revoke it and create another.",
            section="tokens",
        ),
    )


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(
    token_id: int, request: Request, viewer: FormViewer, db: SessionDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, db, form, user_id=viewer.user.id, now=clock.now())
    await service.delete_api_token(db, user=viewer.user, token_id=token_id)
    flash = Flash("success", "Token revoked: scripts using it are now refused.", section="tokens")
    return await submissions.done(request, db, form, to="/settings#tokens", flash=flash)


@router.post("/settings/invites")
async def create_invite(
    request: Request,
    viewer: AdminFormViewer,
    db: SessionDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, db, form, user_id=viewer.user.id, now=clock.now())
    code, expires = await service.create_invite(
        db, security, settings, admin=viewer.user, now=clock.now()
    )
    until = local_time(expires, viewer)
    return await submissions.done(
        request,
        db,
        form,
        to="/settings#invites",
        flash=Flash(
            "success",
            f"Invite created. It works once, until {until}.",
            section="invites",
            secret=code,
            secret_label="Invite code",
        ),
        replay_flash=Flash(
            "success",
            "Invite created. If you did not copy the code, create another one.",
            section="invites",
        ),
    )
