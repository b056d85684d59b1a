"""A load that crosses a threshold flips the advice; when it subsides the advice flips back,
after the hysteresis — on real traffic, real rows and the app's clock moved forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from lifeworld.clock import clock
from tests.integration.factories import set_up_household
from tests.integration.ops.support import PLACES, look_up, scrape, value

T = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
QUIET = "You are in the MVP phase: PostgreSQL cache is enough. Nothing to do."
LOAD = 1001  # place lookups: one more than the seed's "> 1,000 queries/day"


def at(minutes: float) -> None:
    clock.pin(T + timedelta(minutes=minutes))


async def advice(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/api/v1/ops/advice", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def trigger(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in body["triggers"] if t["name"] == name)
    return found


async def test_queries_per_day_flip_the_advice_and_back(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    client = committed_client
    at(0)
    await committed_app.state.ops.flush()  # the recorder's minute moves with the clock
    await set_up_household(client)  # the admin's browser session
    quiet = await advice(client)
    assert quiet["recommendation"] == QUIET
    assert (quiet["phase"], quiet["action"]) == ("mvp", "nothing")
    assert quiet["cost_per_month"] == {"min": 0, "max": 0, "currency": "USD", "text": "$0/month"}
    assert not any(t["fired"] for t in quiet["triggers"])

    for index in range(LOAD):
        await look_up(client, PLACES[index % 2])
    await committed_app.state.ops.flush()

    at(3)  # four minutes past the threshold: one short of firing
    almost = trigger(await advice(client), "queries_per_day")
    assert (almost["value"], almost["threshold"], almost["fired"]) == (LOAD, 1000, False)
    assert (almost["minutes_in_a_row"], almost["minutes_needed"]) == (4, 5)

    at(4)
    busy = await advice(client)
    assert busy["action"] == "add_redis"
    assert busy["recommendation"].startswith(
        "Add Redis: queries per day is past the threshold. Set LIFEWORLD_CACHE=hybrid"
    )
    assert [t["name"] for t in busy["triggers"] if t["fired"]] == ["queries_per_day"]
    page = await client.get("/system")
    assert page.status_code == 200
    assert "Add Redis: queries per day is past the threshold." in page.text
    assert page.text.count('<span class="tag tag-warn">Fired</span>') == 1
    text = await scrape(client)
    assert value(text, "lifeworld_advice_redis_needed") == 1
    assert value(text, "lifeworld_advice_trigger_fired", trigger="queries_per_day") == 1
    assert value(text, "lifeworld_queries_per_day") == LOAD

    # a day later the lookups have left the 24-hour window; calm must last 60 minutes
    at(24 * 60 + 58)
    holding = trigger(await advice(client), "queries_per_day")
    assert (holding["value"], holding["fired"]) == (0, True)
    # calm since T + 24 h (the first minute without the load): 59 minutes, one short of 60
    assert (holding["minutes_in_a_row"], holding["minutes_needed"]) == (59, 60)
    at(24 * 60 + 59)
    back = await advice(client)
    assert back["recommendation"] == QUIET
    assert not any(t["fired"] for t in back["triggers"])
    page = await client.get("/system")
    assert QUIET in page.text
    assert "tag-warn" not in page.text


async def test_simulated_figures_and_bad_simulations(committed_client: httpx.AsyncClient) -> None:
    client = committed_client
    await set_up_household(client)
    pretend = await advice(client, simulate="users=120,queries_per_day=5000")
    assert pretend["simulated"] is True
    assert (pretend["phase"], pretend["action"]) == ("release_3_phase_2", "add_redis")
    assert pretend["cost_per_month"]["text"] == "$18–80/month"
    assert {t["name"] for t in pretend["triggers"] if t["fired"]} == {
        "concurrent_users",
        "queries_per_day",
    }
    scale = await advice(client, simulate="accounts=500")
    assert scale["phase"] == "release_3_scale"
    assert scale["recommendation"].startswith(
        "You are in the Release 3 Scale phase (500 users): the decision matrix requires Redis."
    )
    for bad, message in (
        ("users=lots", "users must be a whole number of 0 or more"),
        ("visitors=3", "unknown figure 'visitors'"),
        ("hit_rate=140", "hit_rate must be a number from 0 to 100"),
    ):
        response = await client.get("/api/v1/ops/advice", params={"simulate": bad})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_simulation"
        assert message in error["message"]
        assert error["details"] == [{"field": "simulate", "reason": error["message"]}]
    assert (await advice(client))["simulated"] is False
