"""A process alone sends no invalidation broadcasts; one that joins is known before it caches.

Each test has a database of its own: the PostgreSQL listener count is per database, and a
listener of another test in the same database would make every instance "not alone".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from lifeworld.cache import Cache
from lifeworld.cache import cache as cache_module
from lifeworld.cache.broadcast import LISTENER_NAME
from lifeworld.cache.bus import CHANNEL
from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url


@pytest.fixture
def own_db(create_database: Any) -> str:
    url: str = create_database("lifeworld_alone")
    migrate.upgrade(url)
    return url


@pytest.fixture
async def observer(own_db: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain session listening on the invalidation channel (not counted as an instance)."""
    conn = await psycopg.AsyncConnection.connect(libpq_url(own_db), autocommit=True)
    await conn.execute(f"LISTEN {CHANNEL}")
    yield conn
    await conn.close()


async def heard(conn: psycopg.AsyncConnection[Any], wait_s: float = 0.3) -> list[str]:
    """The notifications that arrive within `wait_s` (NOTIFY arrives within milliseconds)."""
    payloads = []
    gen = conn.notifies(timeout=wait_s)
    async for note in gen:
        payloads.append(note.payload)
    return payloads


async def _until_listeners(url: str, count: int) -> None:
    deadline = time.monotonic() + 5  # a bound for a failing test, not a speed claim
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = %s",
                (LISTENER_NAME,),
            ).fetchone()
            if row == (count,):
                return
            assert time.monotonic() < deadline, f"{row} listener sessions, not {count}"
            await asyncio.sleep(0.02)


async def test_a_lone_instance_broadcasts_nothing_until_another_joins(
    make_cache: Any, own_db: str, observer: psycopg.AsyncConnection[Any]
) -> None:
    first: Cache = await make_cache("postgres", url=own_db)
    assert first.broadcaster.alone  # its own arrival reached no one else
    await heard(observer)  # its announcement, if the observer caught it
    state = first.namespace("state", tiers=("memory",), ttl=60)
    await state.set("1", b"v1", tags=["player:1"])
    await state.delete_tag("player:1")
    assert await state.get("1") is None  # dropped here all the same
    assert await heard(observer) == []  # and nothing was sent

    second: Cache = await make_cache("postgres", url=own_db)  # start() waits for its welcome
    assert not first.broadcaster.alone and not second.broadcaster.alone
    assert any('"h"' in p for p in await heard(observer))  # the newcomer announced itself
    theirs = second.namespace("state", tiers=("memory",), ttl=60)
    await theirs.set("1", b"v1", tags=["player:1"])
    await state.delete_tag("player:1")
    assert await theirs.get("1") is None  # gone there before delete_tag returned
    assert len(await heard(observer)) == 1

    await second.close()
    await _until_listeners(own_db, 1)  # its server process may take a moment to end
    await state.delete_tag("player:1")  # this count finds only the first instance again
    assert len(await heard(observer)) == 1
    assert first.broadcaster.alone
    await state.delete_tag("player:1")
    assert await heard(observer) == []


async def test_a_shared_tier_is_still_cleaned_when_alone(make_cache: Any, own_db: str) -> None:
    cache: Cache = await make_cache("postgres", url=own_db)
    assert cache.broadcaster.alone
    places = cache.namespace("places", ttl=60)  # memory → postgres
    await places.set("p1", b"details", tags=["place:1"])
    await places.delete_tag("place:1")
    with psycopg.connect(libpq_url(own_db)) as conn:
        rows = conn.execute("SELECT count(*) FROM cache_entries WHERE key = 'places:p1'").fetchone()
    assert rows == (0,)


async def test_a_newcomer_trusts_memory_only_once_every_listener_answered(
    make_cache: Any, own_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Far beyond this test: memory can only become usable because every listener answered.
    monkeypatch.setattr(cache_module, "ANNOUNCE_WAIT_S", 60.0)
    # A session that listens under the instances' name but never answers: a stuck instance.
    stuck = await psycopg.AsyncConnection.connect(
        libpq_url(own_db), autocommit=True, application_name=LISTENER_NAME
    )
    try:
        await stuck.execute(f"LISTEN {CHANNEL}")
        cache: Cache = await make_cache("postgres", url=own_db, start=False)
        await cache.start(wait_s=0.5)
        assert not cache.memory_usable
        ns = cache.namespace("state", tiers=("memory",), ttl=60)
        await ns.set("1", b"v1")
        assert await ns.get("1") is None  # nothing kept while unconfirmed
    finally:
        await stuck.close()
    deadline = time.monotonic() + 5  # a bound for a failing test, not a speed claim
    while not cache.memory_usable:  # the next announcement counts only the instance itself
        assert time.monotonic() < deadline, "memory stayed unusable after the stuck one left"
        await asyncio.sleep(0.05)
    await ns.set("1", b"v1")
    assert await ns.get("1") == b"v1"


async def test_a_newcomer_gives_up_waiting_for_a_stuck_listener(
    make_cache: Any, own_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cache_module, "ANNOUNCE_WAIT_S", 0.4)
    stuck = await psycopg.AsyncConnection.connect(
        libpq_url(own_db), autocommit=True, application_name=LISTENER_NAME
    )
    try:
        await stuck.execute(f"LISTEN {CHANNEL}")
        with caplog.at_level(logging.WARNING, logger="lifeworld.cache.cache"):
            cache: Cache = await make_cache("postgres", url=own_db, start=False)
            await cache.start(wait_s=3)
        assert cache.memory_usable
        assert not cache.broadcaster.alone  # it counted the stuck one
        assert any("confirmed this one's arrival" in r.getMessage() for r in caplog.records)
    finally:
        await stuck.close()


async def test_hybrid_instances_count_each_other_over_redis(make_cache: Any, own_db: str) -> None:
    first: Cache = await make_cache("hybrid", url=own_db)
    assert first.redis is not None and first.broadcaster.primary == "redis"
    assert first.broadcaster.alone
    second: Cache = await make_cache("hybrid", url=own_db, start=False)
    assert second.redis is not None
    second.redis.prefix = first.redis.prefix  # the same deployment's channels and keys
    await second.start()
    assert not first.broadcaster.alone and not second.broadcaster.alone
    state = first.namespace("state", tiers=("memory",), ttl=60)
    theirs = second.namespace("state", tiers=("memory",), ttl=60)
    await theirs.set("1", b"v1", tags=["player:1"])
    await state.delete_tag("player:1")
    assert await theirs.get("1") is None
