"""Routes: `GET /api/v1/me/export` and `POST /api/v1/me/import` (API.md, docs/EXPORT_FORMAT.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from lifeworld.accounts.deps import CurrentUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.portability import service
from lifeworld.portability.schemas import ExportDocument, ImportOut

router = APIRouter(prefix="/api/v1/me", tags=["portability"])

IMPORT_PATH = "/api/v1/me/import"


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"model": ExportDocument, "description": "The player's export document"}},
)
async def export(user: CurrentUser, scope: ScopeDep) -> Response:
    """Everything the player owns as one versioned JSON document."""
    now = clock.now()
    body = await service.export_player(scope, user=user, now=now)
    filename = f"lifeworld-export-{user.username}-{now.date().isoformat()}.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# The body is read by the service, after the player is found empty, and parsed off the event
# loop (portability/reading.py); the OpenAPI document still names its schema.
_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExportDocument"}}
        },
    }
}


@router.post(
    "/import",
    response_model=ImportOut,
    openapi_extra=_IMPORT_BODY,
)
async def import_(request: Request, user: CurrentUser, scope: ScopeDep) -> ImportOut:
    """Restore an export into this player, which must have no history yet (409 otherwise)."""
    return await service.import_player(
        scope,
        user=user,
        now=clock.now(),
        read=request.body,
        content_type=request.headers.get("content-type", ""),
    )
