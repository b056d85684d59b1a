"""The dashboard state cached in each process's memory: exact until a write, the next day or the
next step of the live drain — and never stale across instances once a write has answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from lifeworld.clock import clock
from tests.integration.factories import set_up_household


class Statements:
    def __init__(self, app: FastAPI) -> None:
        self.engine = app.state.db.engine.sync_engine
        self.seen: list[str] = []

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(statement)


def _touches_players(statements: list[str]) -> bool:
    return any("FROM players" in s for s in statements)


async def test_second_read_comes_from_memory_and_a_write_drops_it(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    clock.pin(clock.now().replace(hour=9, minute=0, second=0, microsecond=0))
    await set_up_household(committed_client, timezone="UTC")
    first = (await committed_client.get("/api/v1/me/state")).json()
    with Statements(committed_app) as seen:
        again = (await committed_client.get("/api/v1/me/state")).json()
    assert again == first
    assert not _touches_players(seen), seen

    logged = await committed_client.post("/api/v1/me/activities", json={"type": "EXERCISE"})
    assert logged.status_code == 201
    after = (await committed_client.get("/api/v1/me/state")).json()
    assert after["energy"]["stored"] == first["energy"]["stored"] - 23  # 25 × 0.9, The Balanced
    assert after["xp"]["overall"] == logged.json()["state"]["xp"]["overall"]


async def test_cached_state_ends_at_the_day_boundary_and_at_each_drain_step(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    start = clock.now().replace(hour=9, minute=0, second=0, microsecond=0)
    clock.pin(start)
    await set_up_household(committed_client, timezone="UTC")
    day = (await committed_client.get("/api/v1/me/state")).json()
    restored = day["energy"]["restored_at"]
    assert restored is not None
    # The drain: 2 per hour from the last restore, so one step every half hour.
    restored_at = start.fromisoformat(restored)
    clock.pin(restored_at + timedelta(minutes=29))
    before_step = (await committed_client.get("/api/v1/me/state")).json()
    clock.pin(restored_at + timedelta(minutes=31))
    after_step = (await committed_client.get("/api/v1/me/state")).json()
    assert after_step["energy"]["live"] == before_step["energy"]["live"] - 1
    # The countdown is exact at any moment, even when served from the cache.
    assert after_step["energy"]["hours_until_empty"] < before_step["energy"]["hours_until_empty"]

    clock.pin(start.replace(hour=23, minute=59))
    late = (await committed_client.get("/api/v1/me/state")).json()
    clock.pin(start + timedelta(days=1, minutes=1))
    tomorrow = (await committed_client.get("/api/v1/me/state")).json()
    assert tomorrow["day"]["today"] != late["day"]["today"]
    assert tomorrow["season"]["days_in_season"] == late["season"]["days_in_season"] + 1


async def test_a_write_through_one_instance_is_seen_at_once_through_another(
    committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, timezone="UTC")
    token = (await committed_client.post("/api/v1/auth/tokens", json={"name": "b"})).json()["token"]
    second_instance.headers["Authorization"] = f"Bearer {token}"
    for round_ in range(30):
        seen = (await second_instance.get("/api/v1/me/state")).json()  # cached in instance B
        kind = "REST" if round_ % 2 else "EXERCISE"
        written = await committed_client.post("/api/v1/me/activities", json={"type": kind})
        if written.status_code == 409:  # out of energy: sleep restores and is a write too
            day = seen["day"]["today"]
            written = await committed_client.post(
                "/api/v1/me/sleep", json={"date": day, "hours": 8, "quality": 9}
            )
        assert written.status_code == 201, written.text
        expected = (await committed_client.get("/api/v1/me/state")).json()
        read = (await second_instance.get("/api/v1/me/state")).json()
        assert read["version"] == expected["version"] > seen["version"], round_
        assert read["energy"]["stored"] == expected["energy"]["stored"]


async def test_a_cached_state_equals_a_fresh_one_at_every_moment(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    start = clock.now().replace(hour=9, minute=0, second=0, microsecond=0)
    clock.pin(start)
    user_id = (await set_up_household(committed_client, timezone="UTC"))["user"]["id"]
    await committed_client.get("/api/v1/me/state")  # cached from here on
    cache = committed_app.state.cache
    for seconds in (0, 7, 59, 61, 1799, 1801, 3599, 5 * 3600 + 13):
        clock.pin(start + timedelta(seconds=seconds, microseconds=seconds * 997))
        served = (await committed_client.get("/api/v1/me/state")).json()
        await cache.invalidate(tags=[f"player:{user_id}"])
        fresh = (await committed_client.get("/api/v1/me/state")).json()
        assert served == fresh, seconds
