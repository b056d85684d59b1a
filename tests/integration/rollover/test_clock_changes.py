"""Day boundaries over DST nights and timezone moves, through the API (GAME_RULES.md §6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lifeworld.clock import clock
from lifeworld.players import context
from tests.integration.factories import set_up_household


@pytest.fixture
def applied() -> Iterator[list[int]]:
    seen: list[int] = []

    def listener(user_id: int, days: int, events: list[Any]) -> None:
        seen.append(days)

    context.rollover_listeners.append(listener)
    yield seen
    context.rollover_listeners.remove(listener)


async def _walk(client: httpx.AsyncClient, start: datetime, hours: int) -> list[str]:
    """GET the state every 15 minutes for `hours` hours; the game day seen at each step."""
    seen = []
    for step in range(hours * 4 + 1):
        clock.pin(start + timedelta(minutes=15 * step))
        response = await client.get("/api/v1/me/state")
        assert response.status_code == 200, response.text
        seen.append(response.json()["day"]["today"])
    return seen


@pytest.mark.parametrize(
    ("timezone", "night_utc", "hour"),
    [
        ("America/New_York", datetime(2026, 3, 8, 4, tzinfo=UTC), 2),  # spring forward 02:00→03:00
        ("America/New_York", datetime(2026, 11, 1, 3, tzinfo=UTC), 1),  # fall back 02:00→01:00
        ("Europe/London", datetime(2026, 3, 29, 0, tzinfo=UTC), 1),  # spring forward 01:00→02:00
        ("Europe/London", datetime(2026, 10, 25, 0, tzinfo=UTC), 1),  # fall back 02:00→01:00
    ],
)
async def test_dst_nights_neither_skip_nor_double_a_day(
    client: httpx.AsyncClient,
    applied: list[int],
    timezone: str,
    night_utc: datetime,
    hour: int,
) -> None:
    start = night_utc - timedelta(hours=6)
    clock.pin(start)
    await set_up_household(client, timezone=timezone)
    assert (await client.patch("/api/v1/me", json={"day_start_hour": hour})).status_code == 200
    days = await _walk(client, start, 30)
    distinct = sorted(set(days))
    # Days only move forward, one at a time, and each is applied exactly once.
    assert days == sorted(days)
    first = datetime.fromisoformat(distinct[0]).date()
    assert [datetime.fromisoformat(d).date() for d in distinct] == [
        first + timedelta(days=i) for i in range(len(distinct))
    ]
    assert sum(applied) == len(distinct) - 1
    assert all(n == 1 for n in applied if n)


async def test_moving_from_tokyo_to_los_angeles_never_replays_a_day(
    client: httpx.AsyncClient, applied: list[int]
) -> None:
    start = datetime(2026, 6, 10, 1, tzinfo=UTC)  # 10:00 in Tokyo, 18:00 the day before in LA
    clock.pin(start)
    await set_up_household(client, timezone="Asia/Tokyo")
    tokyo_day = (await client.get("/api/v1/me/state")).json()["day"]["today"]
    assert tokyo_day == "2026-06-10"
    moved = await client.patch("/api/v1/me", json={"timezone": "America/Los_Angeles"})
    assert moved.status_code == 200
    # In Los Angeles it is still 9 June: the open day stays 10 June, nothing is replayed.
    days = await _walk(client, start, 40)
    assert days[0] == "2026-06-10"
    assert days == sorted(days)
    assert sum(applied) == len(set(days)) - 1
    # 40 hours later it is 11 June 11:00 in LA: exactly one new day has begun.
    assert days[-1] == "2026-06-11"
    assert sum(applied) == 1
