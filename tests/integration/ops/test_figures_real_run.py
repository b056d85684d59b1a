"""The five figures from a real run: traffic through two app instances, rows written, read back."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import psycopg
from fastapi import FastAPI

from lifeworld.db.urls import libpq_url
from tests.integration.factories import set_up_household
from tests.integration.ops.conftest import ClientFactory
from tests.integration.ops.support import PLACES, bearer, look_up, member


async def figures_of(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/ops/metrics")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_rows(app: FastAPI) -> list[tuple[str, int, int, int, list[int]]]:
    with psycopg.connect(libpq_url(app.state.database_url)) as conn:
        rows = conn.execute(
            "SELECT instance, requests, lookups, hits, user_ids FROM ops_minutes ORDER BY instance"
        ).fetchall()
    return [(r[0], r[1], r[2], r[3], sorted(r[4])) for r in rows]


async def test_figures_from_traffic_on_two_instances(
    committed_app: FastAPI,
    committed_client: httpx.AsyncClient,
    other_instance: FastAPI,
    browser_of: ClientFactory,
) -> None:
    admin = committed_client
    admin_id = int((await set_up_household(admin))["user"]["id"])  # signed in by cookie
    bob, cara, dave = (
        browser_of(committed_app),
        browser_of(committed_app),
        browser_of(committed_app),
    )
    bob_id = await member(admin, bob, "bob")
    await bearer(bob)  # bob's scripts use an API token
    cara_id = await member(admin, cara, "cara")  # cara's browser keeps its cookie
    await member(admin, dave, "dave")
    dave.cookies.clear()  # dave joined and left: no signed-in request since
    stranger = browser_of(committed_app)
    stranger.headers["Authorization"] = "Bearer lw_not-a-real-token"
    assert (await stranger.get("/api/v1/me/state")).status_code == 401

    # 12 place lookups of 2 places on this instance: 2 computed, 10 answered by the cache
    for client, place, times in ((admin, PLACES[0], 5), (bob, PLACES[1], 4), (cara, PLACES[0], 3)):
        for _ in range(times):
            await look_up(client, place)
    await committed_app.state.ops.flush()

    now = await figures_of(admin)
    assert now["queries_per_day"] == {"count": 12, "place_lookups": 12, "window_hours": 24}
    assert now["cache_hit_rate"] == {"percent": 83.3, "lookups": 12, "window_minutes": 60}
    assert now["concurrent_users"] == {"count": 3, "window_minutes": 5}
    latency = now["query_latency"]
    assert latency["calls"] > 12  # the app's own statements and the cache's reads and writes
    assert 0 < latency["mean_ms"] < 1000
    assert latency["p95_ms"] > 0
    assert now["instances"] == 1
    rows = stored_rows(committed_app)
    assert len(rows) == 1
    assert rows[0][2:] == (12, 10, sorted([admin_id, bob_id, cara_id]))

    # erin works through the other instance: its memory is cold, PostgreSQL has both places
    erin = browser_of(other_instance)
    erin_id = await member(admin, erin, "erin")
    for _ in range(2):
        await look_up(erin, PLACES[1])
    await other_instance.state.ops.flush()
    await committed_app.state.ops.flush()
    both = await figures_of(admin)
    assert both["instances"] == 2
    assert both["queries_per_day"]["count"] == 14
    assert both["cache_hit_rate"] == {"percent": 85.7, "lookups": 14, "window_minutes": 60}
    assert both["concurrent_users"]["count"] == 4  # the rows' players, united
    rows = stored_rows(committed_app)
    assert len(rows) == 2
    other_row = next(r for r in rows if r[0] == other_instance.state.ops.instance)
    assert other_row[2:] == (2, 2, [erin_id])


async def test_database_cpu_is_measured_on_this_machine(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    recorder = committed_app.state.ops
    await recorder.flush()
    await asyncio.sleep(1.1)  # two readings at least a second apart make a share of CPU
    await recorder.flush()
    cpu = (await figures_of(committed_client))["database_cpu"]
    assert cpu["status"] == "measured"
    assert cpu["source"].startswith("psutil: PostgreSQL (pid ")
    assert 0 <= cpu["percent"] <= 100


async def test_only_the_household_admin_reads_the_figures(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, browser_of: ClientFactory
) -> None:
    await set_up_household(committed_client)
    bob = browser_of(committed_app)
    await member(committed_client, bob, "bob")
    for path in ("/api/v1/ops/metrics", "/api/v1/ops/advice"):
        refused = await bob.get(path)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "admin_only"
        anonymous = await browser_of(committed_app).get(path)
        assert anonymous.status_code == 401
