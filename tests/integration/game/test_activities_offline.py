"""`occurred_at` on logging and previews: an activity queued offline (docs/OFFLINE.md).

Within the current game day the time is kept as given; before the day's start (the day closed
while the entry waited) it is recorded at its arrival, on the current day, with `late: true`;
more than 5 minutes ahead or 7 days back is a 422. The household is in UTC with the day starting
at midnight, so the game day of T0 (12:00) began at 00:00 the same date.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.integration.factories import invite_code, join
from tests.integration.game.helpers import T0, activities, at, day, error, log, start, state


def iso(offset: timedelta) -> str:
    return (T0 + offset).isoformat().replace("+00:00", "Z")


async def test_a_time_within_the_day_is_kept_as_given(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await log(client, "EXERCISE", occurred_at="2026-03-02T09:30:00Z")
    assert body["activity"]["occurred_at"] == "2026-03-02T09:30:00Z"
    assert body["activity"]["late"] is False
    assert body["activity"]["day"] == day(0)
    # Same XP as logged now (EXERCISE in spring at capacity 50 with The Balanced: 269).
    assert body["activity"]["xp_gained"]["overall"] == 269
    [stored] = await activities(client)
    assert stored["occurred_at"] == "2026-03-02T09:30:00Z" and stored["late"] is False


async def test_another_offset_names_the_same_instant(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await log(client, "REST", occurred_at="2026-03-02T10:30:00+01:00")
    assert body["activity"]["occurred_at"] == "2026-03-02T09:30:00Z"
    assert body["activity"]["late"] is False


async def test_without_a_time_it_is_now_and_not_late(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await log(client, "REST")
    assert body["activity"]["occurred_at"] == "2026-03-02T12:00:00Z"
    assert body["activity"]["late"] is False


async def test_a_time_before_the_day_start_counts_at_arrival_on_the_current_day(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    now = at(hours=12, minutes=30)  # 00:30 on day 1: day 0 closed half an hour ago
    body = await log(client, "LEARNING", occurred_at=iso(timedelta(hours=11)))  # 23:00, day 0
    activity = body["activity"]
    assert activity["late"] is True
    assert activity["occurred_at"] == now.isoformat().replace("+00:00", "Z")
    assert activity["day"] == day(1)
    assert activity["xp_gained"]["overall"] == 538  # LEARNING as logged now (spring, capacity 50)
    [stored] = await activities(client)
    assert stored["late"] is True and stored["day"] == day(1)
    # Counted on the current day: today's XP holds it.
    assert (await state(client))["xp"]["overall"] == 538


async def test_the_first_instant_of_the_day_is_in_it(client: httpx.AsyncClient) -> None:
    await start(client)
    body = await log(client, "REST", occurred_at="2026-03-02T00:00:00Z")
    assert body["activity"]["late"] is False
    assert body["activity"]["occurred_at"] == "2026-03-02T00:00:00Z"


async def test_exactly_five_minutes_ahead_and_seven_days_back_are_accepted(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    ahead = await log(client, "REST", occurred_at=iso(timedelta(minutes=5)))
    assert ahead["activity"]["occurred_at"] == "2026-03-02T12:05:00Z"
    assert ahead["activity"]["late"] is False
    back = await log(client, "REST", occurred_at=iso(-timedelta(days=7)))
    assert back["activity"]["late"] is True
    assert back["activity"]["occurred_at"] == "2026-03-02T12:00:00Z"


@pytest.mark.parametrize(
    ("occurred_at", "says"),
    [
        (iso(timedelta(minutes=5, seconds=1)), "5 minutes in the future"),
        (iso(-timedelta(days=7, seconds=1)), "7 days back"),
    ],
)
async def test_too_far_ahead_or_back_is_a_422_and_nothing_is_written(
    client: httpx.AsyncClient, occurred_at: str, says: str
) -> None:
    await start(client)
    before = await state(client)
    for path in ("/api/v1/me/activities", "/api/v1/me/activities/preview"):
        response = await client.post(path, json={"type": "REST", "occurred_at": occurred_at})
        err = error(response, 422)
        assert err["code"] == "invalid_field"
        assert says in err["message"]
        assert err["details"] == [{"field": "occurred_at", "reason": err["message"]}]
    assert await activities(client) == []
    assert (await state(client))["energy"] == before["energy"]


@pytest.mark.parametrize("occurred_at", ["2026-03-02T09:30:00", "yesterday", 1772443800, ""])
async def test_a_time_without_an_offset_or_not_a_time_is_a_422(
    client: httpx.AsyncClient, occurred_at: Any
) -> None:
    await start(client)
    response = await client.post(
        "/api/v1/me/activities", json={"type": "REST", "occurred_at": occurred_at}
    )
    err = error(response, 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == ["occurred_at"]
    assert await activities(client) == []


async def test_a_preview_says_late_and_writes_nothing(client: httpx.AsyncClient) -> None:
    await start(client)
    at(hours=12, minutes=30)
    response = await client.post(
        "/api/v1/me/activities/preview",
        json={"type": "EXERCISE", "occurred_at": iso(timedelta(hours=11))},
    )
    assert response.status_code == 200, response.text
    assert response.json()["activity"]["late"] is True
    assert response.json()["activity"]["id"] is None
    kept = await client.post(
        "/api/v1/me/activities/preview",
        json={"type": "EXERCISE", "occurred_at": iso(timedelta(hours=12, minutes=10))},
    )
    assert kept.json()["activity"]["late"] is False
    assert kept.json()["activity"]["occurred_at"] == "2026-03-03T00:10:00Z"
    assert await activities(client) == []


async def test_a_replayed_late_entry_answers_the_same_and_records_once(
    client: httpx.AsyncClient,
) -> None:
    await start(client)
    at(hours=12, minutes=30)
    body = {"type": "EXERCISE", "occurred_at": iso(timedelta(hours=11))}
    key = {"Idempotency-Key": "queued-1"}
    first = await client.post("/api/v1/me/activities", json=body, headers=key)
    assert first.status_code == 201 and first.json()["activity"]["late"] is True
    at(hours=20)  # the retry comes hours later: the first answer stands, nothing recomputed
    again = await client.post("/api/v1/me/activities", json=body, headers=key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert len(await activities(client)) == 1


async def test_an_export_carries_late_and_an_import_keeps_it(
    client: httpx.AsyncClient, new_client: Any
) -> None:
    await start(client)
    at(hours=12, minutes=30)
    await log(client, "LEARNING", occurred_at=iso(timedelta(hours=11)))  # late
    await log(client, "EXERCISE")  # on time
    original = (await client.get("/api/v1/me/export")).content
    doc = json.loads(original)
    # Only the late one says so: an on-time activity's part is what it was before `late` existed.
    assert [a.get("late") for a in doc["activities"]] == [True, None]

    bob = new_client()
    await join(bob, await invite_code(client), username="bob")
    response = await bob.post(
        "/api/v1/me/import", content=original, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert [a["late"] for a in await activities(bob)] == [False, True]  # newest first
    back = json.loads((await bob.get("/api/v1/me/export")).content)
    assert back["activities"] == doc["activities"]
