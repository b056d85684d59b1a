"""The training page over HTTP: completing with notes, refusals next to the task, twice, 404."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.training.models import TaskCompletion
from tests.integration.factories import set_up_household
from tests.integration.pages import (
    field_error,
    follow,
    form_error,
    hidden_fields,
    ready_player,
    text,
)

FIRST = "/training/tasks/emergency-fund-1/complete"
SECOND = "/training/tasks/emergency-fund-2/complete"


async def _count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(TaskCompletion)) or 0)


async def test_training_page_shows_locks_and_reasons(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/training")
    assert page.status_code == 200
    words = text(page.text)
    assert "0 of 23 tasks done." in words
    assert "Locked: complete 2 training tasks (0 done)." in words
    assert "Locked: complete the previous task of this module first." in words
    assert f'action="{FIRST}"' in page.text and f'action="{SECOND}"' not in page.text


async def test_completing_a_task_once_with_notes(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/training")
    form = {**hidden_fields(page.text, FIRST), "notes": "2,150 a month"}
    first = await client.post(FIRST, data=form)
    second = await client.post(FIRST, data=form)
    assert first.headers["location"] == "/training#task-emergency-fund-1"
    shown = await follow(client, second)
    assert "“Work out your monthly survival number” done: +17 XP." in shown  # 15 × 1.10 → 17
    assert "Your notes: 2,150 a month" in shown
    assert "recorded once" in shown
    assert await _count(db_session) == 1


async def test_refusals_are_shown_next_to_the_task_with_the_notes_kept(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/training")
    fields = hidden_fields(page.text, FIRST)
    locked = await client.post(SECOND, data={**fields, "notes": "jumping ahead"})
    assert locked.status_code == 409
    assert form_error(locked.text) == (
        "This task is locked: complete the previous task of this module first"
    )
    too_long = await client.post(FIRST, data={**fields, "notes": "x" * 2001})
    assert too_long.status_code == 422
    assert (
        field_error(too_long.text, "notes-emergency-fund-1")
        == "Error: Use at most 2000 characters."
    )
    assert "x" * 2001 in too_long.text
    for _ in range(4):  # 4 × 23 energy (25 × 0.9, The Balanced): 8 left, too few for a task (20)
        await client.post("/api/v1/me/activities", json={"type": "EXERCISE"})
    tired = await client.post(FIRST, data={**fields, "notes": "kept"})
    assert tired.status_code == 409
    assert form_error(tired.text) == "Not enough energy: this needs 20, you have 8 usable."
    assert ">kept</textarea>" in tired.text
    assert await _count(db_session) == 0


async def test_an_unknown_task_is_the_404_page(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = await client.get("/training")
    response = await client.post(
        "/training/tasks/no-such-task/complete", data=hidden_fields(page.text, FIRST)
    )
    assert response.status_code == 404
    assert "Page not found" in text(response.text)
