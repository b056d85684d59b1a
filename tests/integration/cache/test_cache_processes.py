"""Across processes: invalidation reaches every instance, expensive computes happen once."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from lifeworld.cache import Cache
from lifeworld.db.urls import libpq_url

from .workers import Worker

ITERATIONS = 200


@pytest.fixture
def tables(cache_db_url: str) -> Iterator[str]:
    url = libpq_url(cache_db_url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS test_versions (id int PRIMARY KEY, version int)")
        conn.execute("CREATE TABLE IF NOT EXISTS test_counter (name text PRIMARY KEY, n int)")
    yield url


async def _worker(mode: str, url: str, writer: Cache, redis_url: str) -> Worker:
    prefix = writer.redis.prefix if writer.redis is not None else "unused:"
    return await Worker.started(mode, url, redis_url if mode == "hybrid" else "", prefix)


@pytest.mark.parametrize("mode", ["postgres", "hybrid"])
async def test_a_write_in_one_process_is_never_read_stale_in_another(
    make_cache: Any, tables: str, redis_url: str, mode: str
) -> None:
    writer: Cache = await make_cache(mode)
    player = secrets.randbelow(10**9)
    reader = await _worker(mode, tables, writer, redis_url)
    stale = []
    try:
        with psycopg.connect(tables, autocommit=True) as db:
            db.execute("INSERT INTO test_versions VALUES (%s, 0)", (player,))
            assert await reader.query(f"state {player}") == "0"
            for version in range(1, ITERATIONS + 1):
                db.execute("UPDATE test_versions SET version = %s WHERE id = %s", (version, player))
                await writer.invalidate(tags=[f"player:{player}"])  # what after_commit calls
                seen = await reader.query(f"state {player}")
                if seen != str(version):
                    stale.append((version, seen))
                assert await reader.query(f"has {player}") == "yes"  # and it is cached again
    finally:
        reader.close()
    assert stale == []


@pytest.mark.parametrize("mode", ["postgres", "hybrid"])
async def test_invalidation_reaches_the_other_process(
    make_cache: Any, tables: str, redis_url: str, mode: str
) -> None:
    writer: Cache = await make_cache(mode)
    player = secrets.randbelow(10**9)
    reader = await _worker(mode, tables, writer, redis_url)
    try:
        await reader.query(f"state {player}")
        assert await reader.query(f"has {player}") == "yes"
        await writer.invalidate(tags=[f"player:{player}"])
        deadline = time.monotonic() + 5  # a bound for a failing test, not a speed claim
        while await reader.query(f"has {player}") == "yes":
            assert time.monotonic() < deadline, "the other process kept its copy"
            await asyncio.sleep(0.005)
    finally:
        reader.close()


async def test_an_expensive_compute_runs_once_across_processes(
    make_cache: Any, tables: str, redis_url: str
) -> None:
    writer: Cache = await make_cache("postgres")
    key = f"lookup{secrets.token_hex(4)}"
    with psycopg.connect(tables, autocommit=True) as db:
        db.execute("INSERT INTO test_counter VALUES (%s, 0)", (key,))
        workers = [await _worker("postgres", tables, writer, redis_url) for _ in range(2)]
        try:
            for worker in workers:
                worker.send(f"compute {key} 25")  # 2 processes × 25 concurrent callers
            answers = [await asyncio.to_thread(w.read) for w in workers]
            assert answers == ["computed once", "computed once"]
        finally:
            for worker in workers:
                worker.close()
        row = db.execute("SELECT n FROM test_counter WHERE name = %s", (key,)).fetchone()
    assert row == (1,)


async def test_fifty_concurrent_misses_compute_once_in_a_process(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    ns = cache.namespace("flight", ttl=60)
    calls = 0
    gate = asyncio.Event()

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await gate.wait()
        return b"value"

    callers = [asyncio.create_task(ns.get_or_compute("k", compute)) for _ in range(50)]
    await asyncio.sleep(0.05)
    gate.set()
    assert await asyncio.gather(*callers) == [b"value"] * 50
    assert calls == 1
    assert cache.stats()["namespaces"]["flight"]["shared_waits"] == 49


async def test_waiters_retry_when_the_computing_caller_is_cancelled(make_cache: Any) -> None:
    cache: Cache = await make_cache("memory")
    ns = cache.namespace("flight", ttl=60)
    started = asyncio.Event()
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        started.set()
        if calls == 1:
            await asyncio.sleep(3600)
        return b"second try"

    leader = asyncio.create_task(ns.get_or_compute("k", compute))
    await started.wait()
    follower = asyncio.create_task(ns.get_or_compute("k", compute))
    await asyncio.sleep(0.01)
    leader.cancel()
    assert await follower == b"second try"
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_failed_compute_reaches_every_waiter_and_is_not_cached(make_cache: Any) -> None:
    cache: Cache = await make_cache("memory")
    ns = cache.namespace("flight", ttl=60)

    async def boom() -> bytes:
        await asyncio.sleep(0.01)
        raise RuntimeError("provider down")

    results = await asyncio.gather(
        *(ns.get_or_compute("k", boom) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await ns.get("k") is None


async def test_a_value_invalidated_while_computing_is_not_kept(make_cache: Any) -> None:
    cache: Cache = await make_cache("postgres")
    ns = cache.namespace("race", ttl=60)
    computing = asyncio.Event()
    release = asyncio.Event()

    async def compute() -> bytes:
        computing.set()
        await release.wait()
        return b"computed from data that changed meanwhile"

    task = asyncio.create_task(ns.get_or_compute("k", compute, tags=["player:7"]))
    await computing.wait()
    await cache.invalidate(tags=["player:7"])
    release.set()
    assert await task == b"computed from data that changed meanwhile"  # handed out once
    assert await ns.get("k") is None  # but not kept


async def test_a_listener_that_reconnects_clears_the_memory_tier(
    make_cache: Any, tables: str
) -> None:
    cache: Cache = await make_cache("postgres")
    ns = cache.namespace("state", tiers=("memory",), ttl=60)
    await ns.set("p", b"kept until the listener drops")
    assert await ns.get("p") is not None
    listeners = (
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'lifeworld-cache-listen' "
        "AND datname = current_database()"
    )
    with psycopg.connect(tables, autocommit=True) as db:
        before = {row[0] for row in db.execute(listeners).fetchall()}
        assert before, "no listener connection was found"
        db.execute("SELECT pg_terminate_backend(p) FROM unnest(%s::int[]) AS p", (list(before),))
        deadline = time.monotonic() + 10  # a bound for a failing test, not a speed claim
        while not {row[0] for row in db.execute(listeners).fetchall()} - before:
            assert time.monotonic() < deadline, "the listener did not come back"
            await asyncio.sleep(0.02)
    await asyncio.wait_for(cache._ready["postgres"].wait(), 10)  # it listens again
    assert await ns.get("p") is None
    await ns.set("p", b"cached again")
    assert await ns.get("p") == b"cached again"
