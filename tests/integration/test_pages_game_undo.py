"""Undo from the pages: after logging, and beside today's activities (GAME_RULES.md §3.2)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.activities.models import Activity
from lifeworld.clock import clock
from tests.integration.factories import set_up_household
from tests.integration.pages import follow, hidden_fields, ready_player, submit, text


async def _activities(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Activity)) or 0)


async def _open(client: httpx.AsyncClient, response: httpx.Response) -> str:
    """The HTML of the page a POST-redirect-GET leads to."""
    assert response.status_code == 303, response.text[:2000]
    return (await client.get(response.headers["location"])).text


def _undo_actions(page: str) -> list[str]:
    return re.findall(r'action="(/activities/\d+/undo)"', page)


async def test_the_message_after_logging_offers_undo(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    logged = await submit(client, "/", "/activities", {"type": "EXERCISE"})
    page = await _open(client, logged)
    assert "Exercise logged: +296 XP, 23 energy used (77 left)." in text(page)
    [action, beside] = _undo_actions(page)  # in the message, and in Recent activities
    assert action == beside
    undone = await client.post(action, data=hidden_fields(page, action))
    assert undone.status_code == 303 and undone.headers["location"] == "/#recent"
    after = await follow(client, undone)
    assert "Exercise undone: its energy, XP and resources are back as they were." in after
    assert "Sleep & boosts 100 of 100" in after  # 77 + 23: capacity 75's cap is 100
    assert "Nothing logged yet today" in after
    assert await _activities(db_session) == 0
    # the household's audit log keeps the only trace of it
    audit = text((await client.get("/admin")).text)
    assert "undid an activity of" in audit and "activity EXERCISE" in audit
    # The same form sent again (a double tap) is recorded once.
    again = await client.post(action, data=hidden_fields(page, action))
    assert "recorded once" in await follow(client, again)


async def test_only_todays_activities_offer_undo(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    start = clock.now()
    await client.post("/api/v1/me/activities", json={"type": "LEARNING"})
    clock.pin(start + timedelta(days=1))
    await client.post("/api/v1/me/activities", json={"type": "REST"})
    today = (await client.get("/")).text
    history = (await client.get("/activities")).text
    assert len(_undo_actions(today)) == len(_undo_actions(history)) == 1
    # yesterday's, sent by hand: refused with the rule's message, nothing changed
    yesterday = (await db_session.scalars(select(Activity.id).order_by(Activity.id))).first()
    form = hidden_fields(history, _undo_actions(history)[0]) | {"next": "/activities"}
    refused = await client.post(f"/activities/{yesterday}/undo", data=form)
    assert refused.headers["location"] == "/activities#history"
    assert "a closed day" in await follow(client, refused)
    assert await _activities(db_session) == 2


async def test_undo_of_nothing_is_a_404_page(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    today = (await client.get("/")).text
    form = hidden_fields(today, "/activities")
    missing = await client.post("/activities/999999/undo", data=form | {"next": "/"})
    assert missing.status_code == 404
