"""Routes: household admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status

from lifeworld.accounts.api import absolute
from lifeworld.accounts.deps import AdminUser, SecurityDep
from lifeworld.accounts.models import User
from lifeworld.accounts.schemas import HandOverOut, ResetLinkOut
from lifeworld.admin import members, service
from lifeworld.admin.schemas import AdminPlayerIn, AuditEntryOut
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.players.schemas import StateOut
from lifeworld.portability.schemas import ExportDocument
from lifeworld.schemas_common import IdPath

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
household_router = APIRouter(prefix="/api/v1/household/members", tags=["accounts"])

EXPORT_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": ExportDocument, "description": "The member's export document"}
}


def _download(user: User, document: bytes, now: datetime) -> Response:
    filename = f"lifeworld-export-{user.username}-{now.date().isoformat()}.json"
    return Response(
        document,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@household_router.get("/{user_id}/export", response_class=Response, responses=EXPORT_DOC)
async def member_export(user_id: IdPath, admin: AdminUser, scope: ScopeDep) -> Response:
    """(admin) A member's export document, as they would download it themselves."""
    now = clock.now()
    user, document = await members.member_export(scope, admin=admin, user_id=user_id, now=now)
    return _download(user, document, now)


@household_router.delete("/{user_id}", response_class=Response, responses=EXPORT_DOC)
async def remove_member(user_id: IdPath, admin: AdminUser, scope: ScopeDep) -> Response:
    """(admin) Remove a member and all they own; the answer is their export document, made
    just before. 409 `own_account` for yourself; 404 for anyone outside the household."""
    now = clock.now()
    user, document = await members.remove_member(scope, admin=admin, user_id=user_id, now=now)
    return _download(user, document, now)


@household_router.post("/{user_id}/hand-over", response_model=HandOverOut)
async def hand_over(
    user_id: IdPath, request: Request, admin: AdminUser, scope: ScopeDep
) -> HandOverOut:
    """(admin) Make a member the household admin and step down (the instance owner stays)."""
    target, stays = await members.hand_over_admin(
        scope, admin=admin, owner=request.app.state.owner, user_id=user_id, now=clock.now()
    )
    return HandOverOut(admin_id=target.id, you_stay_admin=stays)


@household_router.post(
    "/{user_id}/password-reset", status_code=status.HTTP_201_CREATED, response_model=ResetLinkOut
)
async def password_reset(
    user_id: IdPath, request: Request, admin: AdminUser, scope: ScopeDep, security: SecurityDep
) -> ResetLinkOut:
    """(admin) A one-time link (24 h) for a member to set a new password; shown only here."""
    link = await members.create_password_reset(
        scope, security, admin=admin, user_id=user_id, now=clock.now()
    )
    return ResetLinkOut(link=absolute(request, link.path), expires_at=link.expires_at)


@router.put("/players/{user_id}", response_model=StateOut)
async def set_player(
    user_id: IdPath, body: AdminPlayerIn, admin: AdminUser, scope: ScopeDep
) -> StateOut:
    return await service.set_player(scope, admin=admin, now=clock.now(), user_id=user_id, body=body)


@router.get("/audit", response_model=list[AuditEntryOut])
async def audit(admin: AdminUser, scope: ScopeDep) -> list[AuditEntryOut]:
    return await service.audit_log(scope, admin=admin)
