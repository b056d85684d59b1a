"""Pages of a person's settings: profile, password, API tokens, their data, and (for the admin)
invites, members and (for the instance owner) backups.

Same pattern as `accounts/views.py`: the API's schemas, the same service functions, and
POST-redirect-GET with the message next to the form it belongs to (`/settings#<section>`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from lifeworld.accounts import households, schemas, sessions, tokens
from lifeworld.accounts.api import absolute, join_link
from lifeworld.accounts.deps import (
    SESSION_COOKIE,
    SecurityDep,
    SettingsDep,
    client_address,
    owner_only,
)
from lifeworld.accounts.models import User
from lifeworld.accounts.views import ACCOUNT_MESSAGES, show_wait
from lifeworld.admin import members
from lifeworld.backup import manage
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import AppError, InvalidField, Throttled
from lifeworld.players import service as players
from lifeworld.portability import service as portability
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
from lifeworld.web.templating import local_time, redirect, redirect_response, render

router = APIRouter(include_in_schema=False)

SETTINGS_SECTIONS = (
    "profile", "password", "tokens", "data", "invites", "currency", "members", "backups",
)  # fmt: skip


async def _settings_page(
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
    return await _settings_page(request, viewer, scope)


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
        raise ShowPage(await _settings_page(request, viewer, scope, status=422, profile=form))
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
        page = await _settings_page(
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
        raise ShowPage(await _settings_page(request, viewer, scope, status=422, token=form))
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
            await _settings_page(request, viewer, scope, status=422, currency=form)
        ) from None
    formats.set_currency(code)
    text = f"Amounts are now shown in {code}: {formats.money(1234.5)}."
    return redirect(request, "/settings#currency", Flash("success", text, section="currency"))


@router.post("/settings/invites")
async def create_invite(
    request: Request,
    viewer: AdminFormViewer,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    code, expires = await households.create_invite(
        scope, security, settings, admin=viewer.user, now=clock.now()
    )
    until = local_time(expires, viewer)
    return await submissions.done(
        request,
        scope,
        form,
        to="/settings#invites",
        flash=Flash(
            "success",
            f"Invite created. It works once, until {until}.",
            section="invites",
            secret=code,
            secret_label="Invite code",
            link=join_link(request, code),
            link_label="Invite link (opens Join with the code filled in)",
        ),
        replay_flash=Flash(
            "success",
            "Invite created. If you did not copy the code, create another one.",
            section="invites",
        ),
    )


@router.post("/settings/invites/{invite_id}/revoke")
async def revoke_invite(
    invite_id: int, request: Request, viewer: AdminFormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await households.revoke_invite(scope, admin=viewer.user, invite_id=invite_id, now=clock.now())
    flash = Flash("success", "Invite revoked: its code and link no longer work.", section="invites")
    return await submissions.done(request, scope, form, to="/settings#invites", flash=flash)


# --- members (the household admin) ---------------------------------------------------------


def _export_download(user: User, document: bytes) -> Response:
    filename = f"lifeworld-export-{user.username}-{clock.now().date().isoformat()}.json"
    return Response(
        document,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/settings/members/{user_id}/export")
async def export_member(
    user_id: int, request: Request, viewer: AdminFormViewer, scope: ScopeDep
) -> Response:
    """A member's data as a download, the first step of removing them."""
    user, document = await members.member_export(
        scope, admin=viewer.user, user_id=user_id, now=clock.now()
    )
    return _export_download(user, document)


@router.post("/settings/members/{user_id}/remove")
async def remove_member(
    user_id: int, request: Request, viewer: AdminFormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    target = await members.member(scope, admin=viewer.user, user_id=user_id)
    if form.value("confirm_username").strip().lower() != target.username.lower():
        flash = Flash(
            "error",
            f"Not removed: type {target.username} in the box to confirm.",
            section="members",
        )
        return redirect(request, "/settings#members", flash)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    await members.remove_member(scope, admin=viewer.user, user_id=user_id, now=clock.now())
    flash = Flash(
        "success",
        f"{target.display_name} ({target.username}) was removed with everything they had "
        "logged. The removal is in the audit log.",
        section="members",
    )
    return await submissions.done(request, scope, form, to="/settings#members", flash=flash)


@router.post("/settings/members/{user_id}/hand-over")
async def hand_over(
    user_id: int, request: Request, viewer: AdminFormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    target, stays = await members.hand_over_admin(
        scope, admin=viewer.user, owner=request.app.state.owner, user_id=user_id, now=clock.now()
    )
    if stays:
        text = (
            f"{target.display_name} is now a household admin. You stay admin too, as the "
            "owner of this Life World."
        )
        to = "/settings#members"
    else:
        text = f"{target.display_name} is now the household admin; you are a member."
        to = "/settings"
    flash = Flash("success", text, section="members" if stays else None)
    return await submissions.done(request, scope, form, to=to, flash=flash)


@router.post("/settings/members/{user_id}/password-reset")
async def password_reset(
    user_id: int, request: Request, viewer: AdminFormViewer, scope: ScopeDep, security: SecurityDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    link = await members.create_password_reset(
        scope, security, admin=viewer.user, user_id=user_id, now=clock.now()
    )
    until = local_time(link.expires_at, viewer)
    return await submissions.done(
        request,
        scope,
        form,
        to="/settings#members",
        flash=Flash(
            "success",
            f"Give this link to {link.user.display_name}. It works once, until {until}, and "
            "signs them out everywhere.",
            section="members",
            link=absolute(request, link.path),
            link_label=f"Password reset link for {link.user.username}",
        ),
        replay_flash=Flash(
            "success",
            "Reset link made. If you did not copy it, make another one (the first stops working).",
            section="members",
        ),
    )


# --- one's own data --------------------------------------------------------------------------


async def _bytes(raw: bytes) -> bytes:
    return raw


IMPORT_PAGE = "/settings/import"


@router.post(IMPORT_PAGE)
async def import_data(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    """Restore an export file into this player (only while it has no history)."""
    form = await PageForm.read(request)
    async with request.form() as submitted:  # closed after: a large upload is a temporary file
        upload = submitted.get("document")
        raw = await upload.read() if isinstance(upload, UploadFile) else b""
    if not raw:
        form.fail("document", "Choose an export file (.json) to import.")
        raise ShowPage(await _settings_page(request, viewer, scope, status=422, upload=form))
    try:
        # the file is read as JSON whatever type the browser gave it; parsed off the event
        # loop, after the player is found empty (portability/reading.py)
        await portability.import_player(
            scope,
            user=viewer.user,
            now=clock.now(),
            read=lambda: _bytes(raw),
            content_type="application/json",
        )
    except AppError as exc:
        unreadable = exc.code in ("invalid_field", "malformed_json")
        form.fail(
            "document",
            "This file is not a Life World export (or it was changed): nothing was imported."
            if unreadable
            else exc.message,
        )
        page = await _settings_page(request, viewer, scope, status=exc.status_code, upload=form)
        raise ShowPage(page) from None
    flash = Flash("success", "Your data was imported.", section="data")
    return redirect(request, "/settings#data", flash)


# --- backups (the instance owner) --------------------------------------------------------------


@router.post("/settings/backups")
async def create_backup(request: Request, viewer: AdminFormViewer, scope: ScopeDep) -> Response:
    if not viewer.owns_instance:
        raise owner_only()
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    made = await manage.make_backup(
        request.app.state.settings, request.app.state.backup_url, now=clock.now()
    )
    flash = Flash("success", f"Backup {made.name} made.", section="backups")
    return await submissions.done(request, scope, form, to="/settings#backups", flash=flash)


RESTORE_WORD = "RESTORE"


@router.post("/settings/backups/restore")
async def restore_backup(request: Request, viewer: AdminFormViewer, scope: ScopeDep) -> Response:
    """Put a backup in place of everything (confirmed by typing RESTORE)."""
    if not viewer.owns_instance:
        raise owner_only()
    form = await PageForm.read(request)
    name = form.value("name")
    if form.value("confirm").strip().upper() != RESTORE_WORD:
        flash = Flash(
            "error", f"Nothing was restored: type {RESTORE_WORD} to confirm.", section="backups"
        )
        return redirect(request, "/settings#backups", flash)
    restored = await manage.restore(
        scope, request.app.state.settings, request.app.state.backup_url, name=name, now=clock.now()
    )
    flash = Flash(
        "success",
        f"Restored {restored.name}. Everything is as it was then; what was here just before is "
        f"kept as {restored.safety}.",
        section="backups",
    )
    return redirect(request, "/settings#backups", flash)


@router.get("/settings/backups/download")
async def download_backup(viewer: PageViewer, request: Request, name: str = "") -> Response:
    if not viewer.owns_instance:
        raise owner_only()
    path = manage.backup_file(request.app.state.settings, name)
    return FileResponse(path, media_type="application/x-tar", filename=path.name)


@router.get("/settings/{part:path}")
async def settings_form_address(part: str) -> Response:
    """A form's address opened directly (say, from history after an error): the page itself."""
    return redirect_response("/settings")
