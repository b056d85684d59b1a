"""GET /metrics: who may scrape, what it holds (checked by promtool), labels by route template."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection

from lifeworld.settings import Settings
from tests.conftest import make_app
from tests.integration.factories import set_up_household
from tests.integration.ops.support import PLACES, look_up, promtool_check, samples, scrape, value

TOKEN = "scrape-token-" + "s" * 30
# Every family the issue asks for: requests, database, pool, cache, sessions, game, process.
FAMILIES = (
    "lifeworld_http_request_duration_seconds histogram",
    "lifeworld_db_query_duration_seconds histogram",
    "lifeworld_db_pool_checkout_seconds histogram",
    "lifeworld_db_pool_connections gauge",
    "lifeworld_db_pool_limit_connections gauge",
    "lifeworld_cache_operations_total counter",
    "lifeworld_cache_errors_total counter",
    "lifeworld_cache_operation_seconds_total counter",
    "lifeworld_cache_operation_duration_seconds histogram",
    "lifeworld_cache_computes_total counter",
    "lifeworld_active_sessions gauge",
    "lifeworld_day_rollovers_total counter",
    "lifeworld_rollover_steps_total counter",
    "lifeworld_activities_total counter",
    "lifeworld_milestones_total counter",
    "lifeworld_burnouts_total counter",
    "lifeworld_process_cpu_seconds_total counter",
    "lifeworld_process_resident_memory_bytes gauge",
    "lifeworld_workers gauge",
    "lifeworld_query_latency_mean_seconds gauge",
    "lifeworld_query_latency_p95_seconds gauge",
    "lifeworld_cache_hit_ratio gauge",
    "lifeworld_database_cpu_ratio gauge",
    "lifeworld_concurrent_users gauge",
    "lifeworld_queries_per_day gauge",
    "lifeworld_advice_trigger_fired gauge",
    "lifeworld_advice_trigger_value gauge",
    "lifeworld_advice_trigger_threshold gauge",
    "lifeworld_advice_phase gauge",
    "lifeworld_advice_redis_needed gauge",
)


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_exposition_passes_promtool_and_has_every_family(
    committed_client: httpx.AsyncClient, test_settings: Settings
) -> None:
    client = committed_client
    await set_up_household(client)
    for place in PLACES * 3:
        await look_up(client, place)
    assert (await client.get("/api/v1/me/state")).status_code == 200
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    promtool_check(response.text)
    types = {" ".join(line.split()[2:4]) for line in response.text.splitlines() if "# TYPE" in line}
    assert set(FAMILIES) <= types
    text = response.text
    assert value(text, "lifeworld_active_sessions") == 1
    assert value(text, "lifeworld_workers") == 1
    assert value(text, "lifeworld_process_resident_memory_bytes") > 10_000_000
    pool = test_settings.db_pool_size + test_settings.db_max_overflow
    assert value(text, "lifeworld_db_pool_limit_connections") == pool
    assert value(text, "lifeworld_db_query_duration_seconds_count") > 0
    assert value(text, "lifeworld_db_pool_checkout_seconds_count") > 0
    assert value(text, "lifeworld_advice_phase", phase="mvp") == 1
    assert value(text, "lifeworld_advice_phase", phase="release_3_scale") == 0
    assert value(text, "lifeworld_advice_trigger_threshold", trigger="query_latency") == 1000


async def test_cache_counts_per_namespace_tier_and_result(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    await set_up_household(client)
    before = await scrape(client)
    for place in PLACES * 4:  # 8 lookups of 2 places: 2 computed, 6 answered from memory
        await look_up(client, place)
    after = await scrape(client)

    def gained(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "lifeworld_cache_operations_total"
    assert gained(ops, namespace="place", tier="memory", result="hit") == 6
    assert gained(ops, namespace="place", tier="memory", result="miss") == 2
    assert gained(ops, namespace="place", tier="postgres", result="miss") == 2
    assert gained(ops, namespace="place", tier="postgres", result="write") == 2
    assert gained("lifeworld_cache_computes_total", namespace="place") == 2
    histogram = "lifeworld_cache_operation_duration_seconds_count"
    assert gained(histogram, namespace="place", tier="postgres") == 4  # 2 reads, 2 writes
    assert gained(histogram, namespace="place", tier="memory") == 0  # not observed one by one
    assert gained("lifeworld_cache_operation_seconds_total", namespace="place", tier="postgres") > 0


async def test_requests_are_labelled_by_route_template_never_the_raw_path(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    await set_up_household(client)
    before = await scrape(client)
    for place in PLACES:
        await look_up(client, place)
    assert (await client.get("/api/v1/places/no-such-place")).status_code == 404  # no route
    assert (await client.get("/definitely/not/here/42")).status_code == 404
    bad = await client.post("/api/v1/me/activities", json={"type": "NAPPING"})
    assert bad.status_code == 422
    after = await scrape(client)
    count = "lifeworld_http_request_duration_seconds_count"

    def gained(**labels: str) -> float:
        return value(after, count, **labels) - value(before, count, **labels)

    detail = {"method": "GET", "route": "/api/v1/places/{place_id}", "status": "200"}
    assert gained(**detail) == 2
    assert gained(method="GET", route="unmatched", status="404") == 2
    assert gained(method="POST", route="/api/v1/me/activities", status="422") == 1
    assert gained(method="GET", route="/metrics", status="200") == 1
    routes = {dict(labels).get("route") for (_, labels) in samples(after)}
    assert not any(r and ("geo:" in r or "/definitely" in r) for r in routes)


@pytest.fixture
async def token_app(test_settings: Settings, connection: AsyncConnection) -> AsyncIterator[FastAPI]:
    settings = test_settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    yield make_app(settings, connection)


async def test_without_a_token_only_this_machine_may_scrape(app: FastAPI) -> None:
    for address in ("127.0.0.1", "::1"):
        async with client_from(app, address) as local:
            assert (await local.get("/metrics")).status_code == 200
    for address in ("192.168.1.20", "2001:db8::5", "testclient"):
        async with client_from(app, address) as remote:
            response = await remote.get("/metrics")
            assert response.status_code == 403
            assert "LIFEWORLD_METRICS_TOKEN" in response.text
            assert "lifeworld_" not in response.text
    async with client_from(app, "127.0.0.1") as proxied:  # a proxy on this machine forwarded it
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            response = await proxied.get("/metrics", headers={header: "127.0.0.1"})
            assert response.status_code == 403, header


async def test_with_a_token_every_scrape_must_carry_it(token_app: FastAPI) -> None:
    async with client_from(token_app, "192.168.1.20") as remote:
        missing = await remote.get("/metrics")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        wrong = await remote.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = await remote.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 401
        right = await remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "lifeworld_http_request_duration_seconds" in right.text
    async with client_from(token_app, "127.0.0.1") as local:  # the token applies here too
        assert (await local.get("/metrics")).status_code == 401
        await set_up_household(local)  # a signed-in admin is not a scraper
        assert (await local.get("/metrics")).status_code == 401
