"""Hybrid mode with our own Redis stopped mid-test: PostgreSQL carries on, Redis comes back."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import pytest

from lifeworld.app import create_app
from lifeworld.cache import Cache
from lifeworld.db import migrate

from ..factories import set_up_household
from .conftest import OwnRedis, cache_settings


async def _until(condition: Any, what: str, limit_s: float = 15.0) -> None:
    deadline = time.monotonic() + limit_s  # a bound for a failing test, not a speed claim
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.1)


async def test_reads_and_writes_fall_back_to_postgres_and_redis_is_used_again(
    make_cache: Any, own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    cache: Cache = await make_cache("hybrid", redis=own_redis.url, cache_memory_enabled=False)
    assert cache.redis is not None
    ns = cache.namespace("place", ttl=60)
    await ns.set("before", b"1")
    assert await ns.get("before") == b"1"
    assert cache.stats()["namespaces"]["place"]["tiers"]["redis"]["hits"] == 1
    assert cache.health() == ("hybrid", True)

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="lifeworld.cache"):
        for i in range(30):
            await ns.set(f"during{i}", b"written while Redis was down")
            assert await ns.get(f"during{i}") == b"written while Redis was down"
        assert await ns.get("before") == b"1"  # PostgreSQL still has it
        await ns.delete("before")  # invalidation falls back to NOTIFY
        assert await ns.get("before") is None
    assert cache.health() == ("hybrid", False)
    down = [r for r in caplog.records if "not answering" in r.getMessage()]
    assert len(down) == 1, "the outage is logged once per minute, not per request"
    assert cache.stats()["namespaces"]["place"]["tiers"]["postgres"]["hits"] >= 31

    own_redis.start()

    async def redis_in_use() -> bool:
        await ns.set("after", b"2")
        return cache.redis is not None and cache.redis.ok

    await _until(redis_in_use, "the cache used Redis again")
    assert await cache.redis.client.get(cache.redis.prefix + "place:after") is not None
    await asyncio.wait_for(cache._ready["redis"].wait(), 15)  # the listener is back too
    assert cache.health() == ("hybrid", True)


async def test_keys_invalidated_while_redis_was_unreachable_are_not_served_afterwards(
    make_cache: Any,
) -> None:
    cache: Cache = await make_cache("hybrid", cache_memory_enabled=False)
    assert cache.redis is not None and cache.postgres is not None
    ns = cache.namespace("place", ttl=3600)
    await ns.set("k", b"old", tags=["place:k"])
    # A partition: this process cannot reach Redis, but Redis keeps its data.
    cache.redis._mark_down(ConnectionError("partitioned"))
    await ns.delete_tag("place:k")  # reaches PostgreSQL only
    assert await cache.redis.client.get(cache.redis.prefix + "place:k") is not None

    async def back() -> bool:
        await ns.get("k")
        return cache.redis is not None and cache.redis.ok

    await _until(back, "Redis was used again")
    assert await ns.get("k") is None  # the stale Redis copy was purged on the way back


async def test_the_app_answers_and_reports_degraded_while_redis_is_down(
    create_database: Any, own_redis: OwnRedis
) -> None:
    url = create_database("lifeworld_faults")
    migrate.upgrade(url)
    settings = cache_settings("hybrid", own_redis.url, secret_key="k" * 40)
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await set_up_household(client)
            place = (await client.get("/api/v1/places/geo:78877")).json()
            assert place["name"] == "Lyon" and place["cached"] is False
            assert (await client.get("/api/v1/health")).json()["status"] == "ok"

            own_redis.stop()
            for _ in range(10):
                response = await client.get("/api/v1/places/geo:78877")
                assert response.status_code == 200
                assert response.json()["name"] == "Lyon"
            saved = await client.post("/api/v1/me/saved-places", json={"place_id": "geo:78877"})
            assert saved.status_code == 201
            health = await client.get("/api/v1/health")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"
            assert health.json()["cache"] == {"backend": "hybrid", "ok": False}

            own_redis.start()

            async def healthy() -> bool:
                await client.get("/api/v1/places/geo:78877")
                return (await client.get("/api/v1/health")).json()["status"] == "ok"

            await _until(healthy, "the app reported ok again")
