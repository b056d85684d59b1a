"""The Settings page of a person: profile, password, API tokens, the household's currency.

Its other forms live beside it: the household admin's invites and members
(`accounts/members_views.py`), one's own data and the owner's backups (`accounts/care_views.py`).
Same pattern as `accounts/views.py`: the API's schemas, the same service functions, and
POST-redirect-GET with the message next to the form it belongs to (`/settings#<section>`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.accounts import households, schemas, sessions, tokens
from lifeworld.accounts.deps import (
    SESSION_COOKIE,
    SecurityDep,
    SettingsDep,
    client_address,
)
from lifeworld.accounts.views import ACCOUNT_MESSAGES, show_wait
from lifeworld.backup import manage
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField, Throttled
from lifeworld.players import service as players
from lifeworld.web import formats, submissions
from lifeworld.web.choices import day_start_hours, timezone_names
from lifeworld.web.deps import (
    AdminFormViewer,
    FormViewer,
    PageViewer,
    Viewer,
)
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import redirect, redirect_response, render

router = APIRouter(include_in_schema=False)

SETTINGS_SECTIONS = (
    "profile", "password", "tokens", "data", "invites", "currency", "members", "backups",
)  # fmt: skip


async def render_settings(
    request: Request,
    viewer: Viewer,
    scope: ScopeDep,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **forms: PageForm,
) -> Response:
    user = viewer.user
    blank = {
        "profile": PageForm.blank(
            display_name=user.display_name,
            timezone=user.timezone,
            day_start_hour=user.day_start_hour,
        ),
        "password": PageForm.blank(revoke_tokens="on"),
        "token": PageForm.blank(),
        "invite": PageForm.blank(),
        "upload": PageForm.blank(),
        "backup": PageForm.blank(),
        "currency": PageForm.blank(
            currency=await households.currency_of(scope, household_id=user.household_id)
        ),
    }
    admin = user.is_admin
    page = render(
        request,
        "accounts/settings.html",
        viewer=viewer,
        status=status,
        sections=SETTINGS_SECTIONS,
        forms={**blank, **forms},
        tokens=await tokens.list_api_tokens(scope, user=user),
        timezones=timezone_names(),
        hours=day_start_hours(),
        pending=await households.pending_invites(scope, admin=user, now=clock.now())
        if admin
        else [],
        members=await households.members(scope, household_id=user.household_id) if admin else [],
        backups=manage.list_backups(request.app.state.settings) if viewer.owns_instance else [],
        owns_instance=viewer.owns_instance,
        currencies=formats.currency_choices(),
    )
    page.headers.update(headers or {})
    return page


@router.get("/settings")
async def settings_page(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await render_settings(request, viewer, scope)


@router.post("/settings/profile")
async def save_profile(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.MeIn, messages={"day_start_hour": "Choose an hour between 0 and 23."}
    )
    if body is not None:
        for name in ("display_name", "timezone", "day_start_hour"):
            if getattr(body, name) is None:
                form.fail(name, "Fill this in.")
    if body is None or not form.ok:
        raise ShowPage(await render_settings(request, viewer, scope, status=422, profile=form))
    # Through the players service: the old clock's days close first, cached states drop.
    await players.update_profile(scope, user=viewer.user, now=clock.now(), **body.model_dump())
    return redirect(request, "/settings#profile", Flash("success", "Saved.", section="profile"))


@router.post("/settings/password")
async def change_password(
    request: Request,
    viewer: FormViewer,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> Response:
    form = await PageForm.read(request)
    # An unticked box is not sent at all: its absence is the answer "no".
    revoke_tokens = "revoke_tokens" in form.raw
    form.values["revoke_tokens"] = "on" if revoke_tokens else ""
    body = form.validate_data(
        schemas.PasswordChangeIn,
        {**_sent(form, "current_password", "new_password"), "revoke_tokens": revoke_tokens},
        messages={"current_password": "Enter your current password.", **ACCOUNT_MESSAGES},
    )
    status, headers = 422, {}
    if body is not None:
        try:
            await sessions.change_password(
                scope,
                security,
                settings,
                user=viewer.user,
                address=client_address(request),
                now=clock.now(),
                **body.model_dump(),
            )
        except InvalidField as exc:
            form.reject(exc)
        except Throttled as exc:
            show_wait(form, exc)
            status, headers = 429, exc.headers
    if body is None or not form.ok:
        page = await render_settings(
            request, viewer, scope, status=status, headers=headers, password=form
        )
        raise ShowPage(page)
    tokens_too = " Your API tokens were deleted too." if body.revoke_tokens else ""
    response = redirect(
        request,
        "/login",
        Flash(
            "success",
            f"Password changed. Sign in again with the new one, on every device.{tokens_too}",
        ),
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _sent(form: PageForm, *names: str) -> dict[str, str]:
    """The named fields as the browser sent them (a missing one stays missing)."""
    return {name: form.raw[name] for name in names if name in form.raw}


@router.post("/settings/tokens")
async def create_token(
    request: Request, viewer: FormViewer, scope: ScopeDep, security: SecurityDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        schemas.TokenIn, messages={"name": "Give the token a name (1–80 characters)."}
    )
    if body is None:
        raise ShowPage(await render_settings(request, viewer, scope, status=422, token=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    row, token = await tokens.create_api_token(
        scope, security, user=viewer.user, name=body.name, now=clock.now()
    )
    created = f"API token “{row.name}” created."
    return await submissions.done(
        request,
        scope,
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
    token_id: int, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await tokens.delete_api_token(scope, user=viewer.user, token_id=token_id)
    flash = Flash("success", "Token revoked: scripts using it are now refused.", section="tokens")
    return await submissions.done(request, scope, form, to="/settings#tokens", flash=flash)


@router.post("/settings/currency")
async def save_currency(request: Request, viewer: AdminFormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    try:
        code = await households.set_currency(
            scope, admin=viewer.user, currency=form.value("currency")
        )
    except InvalidField as exc:
        form.fail("currency", exc.message)
        raise ShowPage(
            await render_settings(request, viewer, scope, status=422, currency=form)
        ) from None
    formats.set_currency(code)
    text = f"Amounts are now shown in {code}: {formats.money(1234.5)}."
    return redirect(request, "/settings#currency", Flash("success", text, section="currency"))


@router.get("/settings/{part:path}")
async def settings_form_address(part: str) -> Response:
    """A form's address opened directly (say, from history after an error): the page itself."""
    return redirect_response("/settings")
