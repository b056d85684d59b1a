"""PUT /api/v1/testing/clock moves the app's one clock, and exists only in the test environment."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from lifeworld.app import create_app
from lifeworld.clock import clock
from lifeworld.db.session import Database
from lifeworld.settings import Settings
from tests.integration.game.helpers import T0, NewClient, day, error, log, start, state


async def put_clock(client: httpx.AsyncClient, now: str | None) -> httpx.Response:
    return await client.put("/api/v1/testing/clock", json={"now": now})


async def test_the_endpoint_moves_time_for_the_whole_app(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await start(client)
    await log(client, "WORK_PROJECT")  # 100 → 70 on day 0
    # no authentication needed: a browser that never signed in
    response = await put_clock(new_client(), "2026-03-03T08:30:00+01:00")
    assert response.status_code == 200, response.text
    assert response.json() == {"now": "2026-03-03T07:30:00Z", "pinned": True}
    assert clock.now().isoformat() == "2026-03-03T07:30:00+00:00"
    # the rollover ran for day 1: energy back to 100, the day is 2026-03-03
    body = await state(client)
    assert body["day"]["today"] == day(1)
    assert body["energy"]["stored"] == 100
    # 7.5 h since the day began at 00:00 UTC: 85 − 15 = 70 live
    assert body["energy"]["live"] == 70

    # 28 days later, by the endpoint again: the season may change
    response = await put_clock(client, "2026-03-30T12:00:00Z")
    assert response.status_code == 200
    changed = await client.post("/api/v1/me/season", json={"season": "SUMMER"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["season"]["started_on"] == day(28)

    # back to real time
    response = await put_clock(client, None)
    assert response.status_code == 200
    assert response.json()["pinned"] is False
    assert clock.pinned is None


async def test_bad_clock_bodies(client: httpx.AsyncClient) -> None:
    clock.pin(T0)
    for body in ({"now": "2026-03-03T08:30:00"}, {"now": "soon"}, {}, {"now": None, "x": 1}):
        response = await client.put("/api/v1/testing/clock", json=body)
        assert error(response, 422)["code"] == "invalid_field"
    assert clock.now() == T0  # unchanged


async def test_the_endpoint_does_not_exist_in_production(connection: AsyncConnection) -> None:
    settings = Settings(
        env="production",
        secret_key="a-production-secret-that-is-long-enough-0123456789",
        data_dir=Path(tempfile.gettempdir()),
    )
    sessions = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
    app = create_app(settings, db=Database(engine=connection.engine, sessionmaker=sessions))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as prod:
        response = await prod.put("/api/v1/testing/clock", json={"now": "2030-01-01T00:00:00Z"})
        assert error(response, 404) == {
            "code": "not_found",
            "message": "There is nothing at this address.",
            "details": None,
        }
        # the app itself answers (this is not a refused host or a dead app)
        assert (await prod.get("/api/v1/setup")).status_code == 200
    assert clock.pinned is None


async def test_clock_refuses_years_far_out_of_range(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/testing/clock", json={"now": "9999-12-31T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "now"
