"""Routes: household admin."""

from __future__ import annotations

from fastapi import APIRouter

from lifeworld.accounts.deps import AdminUser
from lifeworld.admin import service
from lifeworld.admin.schemas import AdminPlayerIn, AuditEntryOut
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.players.schemas import StateOut
from lifeworld.schemas_common import IdPath

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.put("/players/{user_id}", response_model=StateOut)
async def set_player(
    user_id: IdPath, body: AdminPlayerIn, admin: AdminUser, scope: ScopeDep
) -> StateOut:
    return await service.set_player(scope, admin=admin, now=clock.now(), user_id=user_id, body=body)


@router.get("/audit", response_model=list[AuditEntryOut])
async def audit(admin: AdminUser, scope: ScopeDep) -> list[AuditEntryOut]:
    return await service.audit_log(scope, admin=admin)
