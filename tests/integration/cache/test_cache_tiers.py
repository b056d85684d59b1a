"""Each mode against the real servers: reads, writes, tags, TTL, sweep, damaged and huge values."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from lifeworld.cache import MAX_VALUE_BYTES, Cache, CacheValueTooLarge
from lifeworld.clock import clock
from lifeworld.db.urls import libpq_url

MODES = ["memory", "postgres", "hybrid"]


def key() -> str:
    return secrets.token_hex(6)


@pytest.mark.parametrize("mode", MODES)
async def test_set_get_get_many_and_delete(make_cache: Any, mode: str) -> None:
    cache: Cache = await make_cache(mode)
    ns = cache.namespace("things", ttl=60)
    a, b = key(), key()
    assert await ns.get(a) is None
    await ns.set(a, b"alpha")
    await ns.set(b, b"beta", ttl=timedelta(minutes=5))
    assert await ns.get(a) == b"alpha"
    assert await ns.get_many([a, b, "absent"]) == {a: b"alpha", b: b"beta"}
    await ns.delete(a)
    assert await ns.get(a) is None
    assert await ns.get(b) == b"beta"


@pytest.mark.parametrize("mode", ["postgres", "hybrid"])
async def test_a_second_instance_reads_what_the_first_wrote(make_cache: Any, mode: str) -> None:
    first: Cache = await make_cache(mode)
    second: Cache = await make_cache(mode, redis=first.redis.url if first.redis else None)
    if first.redis is not None and second.redis is not None:
        second.redis.prefix = first.redis.prefix
    k = key()
    await first.namespace("shared", ttl=60).set(k, b"from the first")
    assert await second.namespace("shared", ttl=60).get(k) == b"from the first"


@pytest.mark.parametrize("mode", MODES)
async def test_delete_by_tag_only_touches_tagged_entries(make_cache: Any, mode: str) -> None:
    cache: Cache = await make_cache(mode)
    ns = cache.namespace("tagged", ttl=60)
    other = cache.namespace("other", ttl=60)
    tag = f"player:{key()}"
    await ns.set("one", b"1", tags=[tag])
    await ns.set("two", b"2", tags=[tag, "more"])
    await ns.set("three", b"3", tags=["unrelated"])
    await other.set("one", b"x", tags=[tag])
    await ns.delete_tag(tag)
    assert await ns.get_many(["one", "two", "three"]) == {"three": b"3"}
    assert await other.get("one") == b"x"  # the namespace's delete_tag stays in the namespace
    await cache.invalidate(tags=[tag])  # the cache-wide one does not
    assert await other.get("one") is None


@pytest.mark.parametrize("mode", MODES)
async def test_entries_expire_on_the_app_clock(make_cache: Any, mode: str) -> None:
    cache: Cache = await make_cache(mode)
    ns = cache.namespace("short", ttl=10)
    now = clock.now()
    clock.pin(now)
    k = key()
    await ns.set(k, b"soon gone")
    clock.pin(now + timedelta(seconds=9))
    assert await ns.get(k) == b"soon gone"
    clock.pin(now + timedelta(seconds=11))
    assert await ns.get(k) is None


async def test_the_sweep_deletes_expired_rows_in_batches(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    assert cache.postgres is not None
    ns = cache.namespace(f"sweep{key()}", ttl=5)
    now = clock.now()
    clock.pin(now)
    for i in range(2_500):
        await ns.set(f"old{i}", b"x")
    await ns.set("fresh", b"y", ttl=3600)
    rows_before, _ = await cache.postgres.count(ns.prefix)
    assert rows_before == 2_501
    clock.pin(now + timedelta(seconds=6))
    assert await cache.postgres.sweep(cache.now(), batch=1_000) >= 2_500
    rows_after, _ = await cache.postgres.count(ns.prefix)
    assert rows_after == 1
    assert await ns.get("fresh") == b"y"


@pytest.mark.parametrize("mode", MODES)
async def test_values_over_one_mebibyte_are_refused(make_cache: Any, mode: str) -> None:
    cache: Cache = await make_cache(mode)
    ns = cache.namespace("big", ttl=60)
    await ns.set("limit", b"x" * MAX_VALUE_BYTES)  # exactly 1 MiB is fine
    assert await ns.get("limit") == b"x" * MAX_VALUE_BYTES
    with pytest.raises(CacheValueTooLarge) as refused:
        await ns.set("huge", b"x" * (MAX_VALUE_BYTES + 1))
    assert refused.value.status_code == 413
    assert refused.value.code == "value_too_large"
    assert "1048576" in refused.value.message
    assert await ns.get("huge") is None

    async def compute() -> bytes:
        return b"y" * (MAX_VALUE_BYTES + 1)

    with pytest.raises(CacheValueTooLarge):
        await ns.get_or_compute("computed", compute)


async def test_damaged_postgres_entries_are_misses_and_get_replaced(
    make_cache: Any, cache_db_url: str
) -> None:
    cache: Cache = await make_cache("postgres", cache_memory_enabled=False)
    ns = cache.namespace("fragile", ttl=60)
    k = key()
    await ns.set(k, b"good")
    with psycopg.connect(libpq_url(cache_db_url), autocommit=True) as conn:
        conn.execute(
            "UPDATE cache_entries SET value = %s WHERE key = %s", (b"\x01garbage!!", ns.prefix + k)
        )
    assert await ns.get(k) is None
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        return b"recomputed"

    await ns.set(k, b"\x00")  # put damage back, then let get_or_compute heal it
    with psycopg.connect(libpq_url(cache_db_url), autocommit=True) as conn:
        conn.execute("UPDATE cache_entries SET value = 'bad' WHERE key = %s", (ns.prefix + k,))
    assert await ns.get_or_compute(k, compute) == b"recomputed"
    assert await ns.get_or_compute(k, compute) == b"recomputed"
    assert calls == 1
    assert cache.stats()["namespaces"]["fragile"]["tiers"]["postgres"]["errors"] >= 2


async def test_damaged_redis_entries_are_misses(make_cache: Any) -> None:
    cache: Cache = await make_cache("hybrid", cache_memory_enabled=False)
    assert cache.redis is not None
    ns = cache.namespace("fragile", ttl=60)
    k = key()
    await ns.set(k, b"good")
    await cache.redis.client.set(cache.redis.prefix + ns.prefix + k, b"not a frame")
    assert await ns.get(k) == b"good"  # Redis missed; PostgreSQL still had it
    assert await cache.redis.client.get(cache.redis.prefix + ns.prefix + k) is not None  # refilled
    assert cache.stats()["namespaces"]["fragile"]["tiers"]["redis"]["errors"] == 1


async def test_json_helpers_and_values_that_are_not_json(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    ns = cache.namespace("json", ttl=60)
    await ns.set_json("doc", {"a": [1, 2], "é": None})
    assert await ns.get_json("doc") == {"a": [1, 2], "é": None}
    await ns.set("broken", b"{not json")
    assert await ns.get_json("broken") is None

    async def compute() -> dict[str, int]:
        return {"fresh": 1}

    assert await ns.get_or_compute_json("broken", compute) == {"fresh": 1}
    assert await ns.get_json("broken") == {"fresh": 1}


async def test_counters_per_namespace_and_tier(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    ns = cache.namespace("counted", ttl=60)
    await ns.get("missing")
    await ns.set("here", b"1")
    await ns.get("here")
    tiers = cache.stats()["namespaces"]["counted"]["tiers"]
    assert tiers["memory"]["misses"] == 1 and tiers["memory"]["hits"] == 1
    assert tiers["postgres"]["misses"] == 1
    assert tiers["postgres"]["calls"] == 2  # the miss and the write
    assert tiers["postgres"]["latency_ms_total"] > 0


async def test_namespace_declarations(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    state = cache.namespace("state", tiers=("memory",), ttl=30)
    assert state.tiers == ("memory",)
    assert cache.namespace("state", tiers=("memory",), ttl=30) is state
    assert cache.namespace("chain", ttl=30).tiers == ("memory", "postgres")
    assert cache.namespace("noredis", tiers=("redis", "postgres"), ttl=30).tiers == ("postgres",)
    with pytest.raises(ValueError, match="other tiers"):
        cache.namespace("state", ttl=30)
    with pytest.raises(ValueError, match="unknown"):
        cache.namespace("bad", tiers=("disk",), ttl=30)
    with pytest.raises(ValueError, match="lower-case"):
        cache.namespace("Bad Name", ttl=30)
    with pytest.raises(TypeError, match="bytes"):
        await state.set("x", "text")  # type: ignore[arg-type]
