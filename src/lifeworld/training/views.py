"""The training center page: modules (locked or open, and why), tasks, completing with notes.

Same services as `training/api.py`: `overview` and `complete`. A refusal (locked, already done,
energy short) is shown next to that task's form with the notes kept, status 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.game.errors import GameRuleError
from lifeworld.game.training_catalogue import TASKS_BY_ID
from lifeworld.training import service
from lifeworld.training.schemas import CompleteIn, CompleteOut
from lifeworld.web import formats, submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.formats import plural
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.labels import label, signed
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

TaskId = Annotated[str, Path(max_length=64)]


def _section(task_id: str) -> str:
    return f"task-{task_id}"


async def training_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    *,
    status: int = 200,
    task_forms: dict[str, PageForm] | None = None,
) -> Response:
    """Every module with its tasks; available tasks carry a completion form."""
    overview = await service.overview(scope, user=viewer.user, now=clock.now())
    forms = {t: PageForm.blank() for t in TASKS_BY_ID} | (task_forms or {})
    return render(
        request,
        "training/index.html",
        viewer=viewer,
        status=status,
        sections=tuple(_section(t) for t in TASKS_BY_ID),
        training=overview,
        forms=forms,
    )


@router.get("/training")
async def training(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await training_page(request, viewer, scope)


def done_message(title: str, result: CompleteOut) -> str:
    """What completing a task brought, for the message after it."""
    text = f"“{title}” done: {formats.xp(result.xp_gained.overall)}."
    rewards = [f"{label(name).lower()} {signed(value)}" for name, value in result.resources.items()]
    if rewards:
        text += " Reward: " + ", ".join(rewards) + "."
    for milestone in result.milestones:
        text += f" Milestone reached: {label(milestone.type)} (+{plural(milestone.keys, 'key')})!"
    return text


@router.post("/training/tasks/{task_id}/complete")
async def complete(
    task_id: TaskId, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    body = form.validate(
        CompleteIn, optional=("notes",), messages={"notes": "Use at most 2000 characters."}
    )
    if body is None:
        raise ShowPage(
            await training_page(request, viewer, scope, status=422, task_forms={task_id: form})
        )
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        result = await service.complete(
            scope, user=viewer.user, now=clock.now(), task_id=task_id, notes=body.notes
        )
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        page = await training_page(request, viewer, scope, status=409, task_forms={task_id: form})
        raise ShowPage(page) from None
    section = _section(task_id)
    flash = Flash("success", done_message(TASKS_BY_ID[task_id].title, result), section=section)
    return await submissions.done(request, scope, form, to=f"/training#{section}", flash=flash)


@router.get("/training/{part:path}")
async def training_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/training")
