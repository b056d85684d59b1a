"""Settings of the household admin: invites (link, QR, pending ones revoked) and the members
(removed after their export, the admin role handed over, a one-time password reset link).

The same pattern as `accounts/settings_views.py`, whose page these forms live on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.accounts import households
from lifeworld.accounts.api import absolute, join_link
from lifeworld.accounts.deps import SecurityDep, SettingsDep
from lifeworld.accounts.models import User
from lifeworld.admin import members
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.web import submissions
from lifeworld.web.deps import AdminFormViewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm
from lifeworld.web.templating import local_time, redirect

router = APIRouter(include_in_schema=False)


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
