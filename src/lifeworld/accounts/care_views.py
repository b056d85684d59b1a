"""Settings for the care of data: importing one's own export, and (the instance owner) backups
made, downloaded and restored.

The same pattern as `accounts/settings_views.py`, whose page these forms live on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from lifeworld.accounts.deps import owner_only
from lifeworld.accounts.settings_views import render_settings
from lifeworld.backup import manage
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import AppError
from lifeworld.portability import service as portability
from lifeworld.portability.schemas import ExportDocument
from lifeworld.web import submissions
from lifeworld.web.deps import AdminFormViewer, FormViewer, PageViewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import redirect

router = APIRouter(include_in_schema=False)


# --- one's own data --------------------------------------------------------------------------


@router.post("/settings/import")
async def import_data(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    """Restore an export file into this player (only while it has no history)."""
    form = await PageForm.read(request)
    upload = (await request.form()).get("document")
    raw = b""
    if isinstance(upload, UploadFile):
        raw = await upload.read()
        await upload.close()  # read whole: its spooled temporary file can go now
    if not raw:
        form.fail("document", "Choose an export file (.json) to import.")
        raise ShowPage(await render_settings(request, viewer, scope, status=422, upload=form))
    try:
        document = ExportDocument.model_validate_json(raw)
    except ValidationError:
        form.fail(
            "document",
            "This file is not a Life World export (or it was changed): nothing was imported.",
        )
        raise ShowPage(
            await render_settings(request, viewer, scope, status=422, upload=form)
        ) from None
    try:
        await portability.import_player(scope, user=viewer.user, now=clock.now(), document=document)
    except AppError as exc:
        form.fail("document", exc.message)
        page = await render_settings(request, viewer, scope, status=exc.status_code, upload=form)
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
