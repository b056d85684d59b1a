"""DELETE /api/v1/me/activities/{id}: undoing an activity of today (GAME_RULES.md §3.2)."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.admin.models import AuditEntry
from tests.integration.game.helpers import (
    NewClient,
    activities,
    add_member,
    at,
    dec,
    error,
    log,
    start,
    state,
)


async def undo(client: httpx.AsyncClient, activity_id: object) -> httpx.Response:
    return await client.delete(f"/api/v1/me/activities/{activity_id}")


async def test_undo_gives_back_energy_xp_and_gold_and_keeps_the_milestone(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await start(client)
    before = await state(client)
    # SAVE_EXPENSES with 250 put aside: gold +250 (capacity 50: reward efficiency 1.00)
    saved = await log(client, "SAVE_EXPENSES", resource_changes={"gold": 250})
    assert [m["type"] for m in saved["milestones"]] == ["FIRST_ASSET"]
    assert dec(saved["state"]["resources"]["gold"]) == 250
    answer = await undo(client, saved["activity"]["id"])
    assert answer.status_code == 204 and answer.content == b""
    after = await state(client)
    assert after["energy"]["usable"] == before["energy"]["usable"]
    assert after["xp"] == before["xp"]
    assert after["rank"] == before["rank"]
    assert dec(after["resources"]["gold"]) == 0
    assert after["resources"]["keys"] == before["resources"]["keys"] + 1  # First asset's key stays
    assert (await client.get("/api/v1/me/milestones")).json()[0]["type"] == "FIRST_ASSET"
    assert await activities(client) == []  # no trace in the history
    [entry] = (await db_session.scalars(select(AuditEntry))).all()
    assert entry.action == "undo_activity"
    assert entry.changes["resources.gold"] == {"from": "250.00", "to": "0.00"}


async def test_undo_twice_is_not_found(client: httpx.AsyncClient) -> None:
    await start(client)
    logged = await log(client, "EXERCISE")
    assert (await undo(client, logged["activity"]["id"])).status_code == 204
    assert error(await undo(client, logged["activity"]["id"]), 404)["code"] == "not_found"


async def test_energy_comes_back_and_the_day_is_free_again(client: httpx.AsyncClient) -> None:
    await start(client)
    first = await log(client, "WORK_PROJECT")  # 27 (The Balanced: cost × 0.9)
    second = await log(client, "WORK_PROJECT")
    assert second["energy_left"] == 100 - 54
    assert (await undo(client, second["activity"]["id"])).status_code == 204
    assert (await state(client))["energy"]["stored"] == 73
    assert [a["id"] for a in await activities(client)] == [first["activity"]["id"]]


async def test_an_earlier_day_is_closed(client: httpx.AsyncClient) -> None:
    await start(client)
    logged = await log(client, "LEARNING")
    at(days=1)
    refused = error(await undo(client, logged["activity"]["id"]), 409)
    assert refused["code"] == "day_closed"
    assert len(await activities(client)) == 1


async def test_a_training_activity_has_dependents(client: httpx.AsyncClient) -> None:
    await start(client)
    training = (await client.get("/api/v1/me/training")).json()
    task = training["modules"][0]["tasks"][0]["id"]
    done = await client.post(f"/api/v1/me/training/tasks/{task}/complete")
    assert done.status_code == 200, done.text
    [activity] = await activities(client)
    before = await state(client)
    refused = error(await undo(client, activity["id"]), 409)
    assert refused["code"] == "has_dependents"
    assert await state(client) == before


async def test_another_players_activity_is_not_found(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    ada = await start(client)
    bob = await add_member(ada, new_client)
    logged = await log(client, "EXERCISE")
    before = await state(client)
    for missing in (logged["activity"]["id"], 0, -4, 2**63, 10**30):
        assert error(await undo(bob.client, missing), 404)["code"] == "not_found"
    assert await state(client) == before
    assert len(await activities(client)) == 1
    assert error(await undo(client, "abc"), 422)["code"] == "invalid_field"


async def test_undo_needs_a_sign_in_and_csrf_for_cookies(client: httpx.AsyncClient) -> None:
    await start(client)
    logged = await log(client, "REST")
    del client.headers["Authorization"]
    client.cookies.clear()
    assert error(await undo(client, logged["activity"]["id"]), 401)["code"] == "not_authenticated"
