"""The day rollover under concurrency and after long absences (GAME_RULES.md §6).

These run against a database of their own with real commits: concurrent requests must reach
PostgreSQL through separate connections for the row lock to be what keeps days from doubling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from lifeworld.clock import clock
from lifeworld.players import context
from tests.integration.factories import set_up_household


@pytest.fixture
def rolled_days() -> Iterator[list[int]]:
    """Every rollover's applied day count, as the context reports it to its listeners."""
    seen: list[int] = []

    def listener(user_id: int, days: int, events: list[Any]) -> None:
        seen.append(days)

    context.rollover_listeners.append(listener)
    yield seen
    context.rollover_listeners.remove(listener)


async def _player(client: httpx.AsyncClient) -> int:
    body = await set_up_household(client, timezone="UTC")
    user_id: int = body["user"]["id"]
    # Oxygen 5 months: each day without engines decays it by exactly 0.1 (§6 step 1).
    response = await client.put(
        f"/api/v1/admin/players/{user_id}", json={"resources": {"oxygen": "5"}}
    )
    assert response.status_code == 200, response.text
    return user_id


async def test_twenty_concurrent_requests_after_ten_days_apply_ten_days(
    committed_client: httpx.AsyncClient, rolled_days: list[int]
) -> None:
    start = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    clock.pin(start)
    await _player(committed_client)
    clock.pin(start + timedelta(days=10))

    responses = await asyncio.gather(*(committed_client.get("/api/v1/me/state") for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert sum(rolled_days) == 10
    assert [d for d in rolled_days if d] == [10]
    oxygens = {Decimal(str(r.json()["resources"]["oxygen"])) for r in responses}
    assert oxygens == {Decimal("4.0")}  # 5 − 10 × 0.1, applied once
    assert {r.json()["day"]["today"] for r in responses} == {
        (start + timedelta(days=10)).date().isoformat()
    }


async def test_concurrent_writes_and_reads_share_one_rollover(
    committed_client: httpx.AsyncClient, rolled_days: list[int]
) -> None:
    start = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    clock.pin(start)
    await _player(committed_client)
    clock.pin(start + timedelta(days=3))
    calls = [committed_client.get("/api/v1/me/state") for _ in range(10)] + [
        committed_client.post("/api/v1/me/activities", json={"type": "LEARNING"}) for _ in range(4)
    ]
    responses = await asyncio.gather(*calls)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert sum(rolled_days) == 3
    final = (await committed_client.get("/api/v1/me/state")).json()
    assert Decimal(str(final["resources"]["oxygen"])) == Decimal("4.7")
    # Four LEARNING activities of 20 × 0.9 = 18 energy each (The Balanced: energyCostReduction
    # .10) on the new day's 100 (cap 85 is not exceeded).
    assert final["energy"]["stored"] == 100 - 4 * 18


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


async def _statements_for_gap(app: FastAPI, client: httpx.AsyncClient, days: int) -> int:
    start = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    clock.pin(start)
    await client.post("/api/v1/me/activities", json={"type": "EXERCISE"})
    clock.pin(start + timedelta(days=days))
    counter = StatementCounter()
    sync_engine = app.state.db.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    try:
        response = await client.get("/api/v1/me/state")
    finally:
        event.remove(sync_engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return counter.count


async def test_a_year_away_costs_the_same_round_trips_as_a_day(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, rolled_days: list[int]
) -> None:
    await _player(committed_client)
    # A script's API token: a browser session would expire during a year away (idle expiry).
    token = (await committed_client.post("/api/v1/auth/tokens", json={"name": "t"})).json()["token"]
    committed_client.cookies.clear()
    committed_client.headers["Authorization"] = f"Bearer {token}"
    one_day = await _statements_for_gap(committed_app, committed_client, 1)
    a_year = await _statements_for_gap(committed_app, committed_client, 365)
    assert rolled_days[-2:] == [1, 365]
    assert a_year == one_day
    assert a_year <= 8  # session, player (twice: read then lock), recent activities, update
