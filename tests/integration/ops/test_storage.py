"""ops_minutes: a minute's row rewritten as it grows, 30 days kept, swept in batches; DB CPU."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from lifeworld.db import migrate
from lifeworld.db.urls import sqlalchemy_url
from lifeworld.ops import service
from lifeworld.ops.dbcpu import DbCpu, Sample
from lifeworld.ops.models import OpsMinute
from lifeworld.ops.window import MinuteWindow

T = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)


@pytest.fixture
async def ops_engine(create_database: Any) -> AsyncIterator[AsyncEngine]:
    url = create_database("lifeworld_ops")
    migrate.upgrade(url)
    engine = create_async_engine(sqlalchemy_url(url), pool_size=3)
    yield engine
    await engine.dispose()


async def rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        result = await conn.execute(select(OpsMinute.__table__).order_by(OpsMinute.minute))
        return list(result.all())


async def test_a_minute_is_rewritten_as_it_grows(ops_engine: AsyncEngine) -> None:
    window = MinuteWindow(T)
    window.requests, window.lookups, window.user_ids = 5, 3, {7}
    window.db.observe(0.002)

    async def write(cpu: float | None, source: str) -> None:
        await service.write_minute(
            ops_engine, instance="i1", window=window, cpu_pct=cpu, cpu_source=source, now=T
        )

    await write(None, "unknown: measuring")
    await write(12.5, "psutil: PostgreSQL (pid 1) on this machine")
    window.requests, window.lookups, window.user_ids = 9, 4, {7, 8}
    window.db.observe(0.030)
    await write(None, "unknown: measuring")  # a failed reading keeps the known one
    [row] = await rows(ops_engine)
    assert (row.minute, row.instance, row.requests, row.lookups) == (T, "i1", 9, 4)
    assert sorted(row.user_ids) == [7, 8]
    assert (row.db_count, row.db_seconds) == (2, pytest.approx(0.032))
    assert sum(row.db_buckets) == 2
    assert (row.db_cpu_pct, row.db_cpu_source) == (
        12.5,
        "psutil: PostgreSQL (pid 1) on this machine",
    )
    other = MinuteWindow(T)
    await service.write_minute(
        ops_engine, instance="i2", window=other, cpu_pct=None, cpu_source="unknown: x", now=T
    )
    assert len(await rows(ops_engine)) == 2  # one row per instance and minute


async def test_minutes_older_than_the_retention_are_swept_in_batches(
    ops_engine: AsyncEngine,
) -> None:
    old = 2 * service.SWEEP_BATCH + 500
    async with ops_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO ops_minutes (minute, instance, written_at) "
                "SELECT :start - n * interval '1 minute', 'old', :start "
                "FROM generate_series(1, :count) AS n"
            ),
            {"start": T - timedelta(days=30), "count": old},
        )
        await conn.execute(
            text(
                "INSERT INTO ops_minutes (minute, instance, written_at) "
                "SELECT :start - n * interval '1 minute', 'new', :start "
                "FROM generate_series(0, 2) AS n"
            ),
            {"start": T},
        )
    # two instances sweep at once: every old row goes exactly once, the recent ones stay
    swept = await asyncio.gather(
        service.sweep(ops_engine, now=T, days=30), service.sweep(ops_engine, now=T, days=30)
    )
    assert sum(swept) == old
    left = await rows(ops_engine)
    assert [r.instance for r in left] == ["new"] * 3
    assert await service.sweep(ops_engine, now=T, days=30) == 0
    assert await service.sweep(ops_engine, now=T + timedelta(days=1, minutes=1), days=1) == 3


async def test_load_totals_reads_the_minutes_of_the_window(ops_engine: AsyncEngine) -> None:
    for minute, instance, lookups in ((T, "a", 2), (T, "b", 3), (T - timedelta(minutes=5), "a", 7)):
        window = MinuteWindow(minute)
        window.lookups = lookups
        await service.write_minute(
            ops_engine, instance=instance, window=window, cpu_pct=None, cpu_source="-", now=T
        )
    async with ops_engine.connect() as conn:
        totals = await service.load_totals(conn, since=T - timedelta(minutes=5), until=T)
        assert {m: t.lookups for m, t in totals.items()} == {T: 5}
        wider = await service.load_totals(conn, since=T - timedelta(minutes=6), until=T)
        assert sorted(t.lookups for t in wider.values()) == [5, 7]
        count = await conn.scalar(select(func.count()).select_from(OpsMinute))
    assert count == 3


async def test_the_database_cpu_on_this_machine(ops_engine: AsyncEngine) -> None:
    probe = DbCpu()
    first = await probe.sample(ops_engine)
    assert first is not None
    assert probe.source.startswith("psutil: PostgreSQL (pid ")
    assert probe.postmaster is not None and probe.postmaster.name().startswith("postgres")
    async with ops_engine.connect() as conn:  # make the server work for a while
        await conn.execute(text("SELECT count(*) FROM generate_series(1, 3000000)"))
    await asyncio.sleep(1.05)  # a share needs readings at least a second apart
    second = await probe.sample(ops_engine)
    assert second is not None and second.cpu > first.cpu
    share = probe.percent(first, second)
    assert share is not None and 0 < share <= 100


async def test_a_database_that_cannot_be_measured_is_unknown(ops_engine: AsyncEngine) -> None:
    off = DbCpu(mode="off")
    assert await off.sample(ops_engine) is None
    assert off.source == "unknown: switched off"
    async with ops_engine.connect() as conn:
        preload = str(await conn.scalar(text("SHOW shared_preload_libraries")))
    remote = DbCpu(mode="statements")  # as if the server were on another machine
    sample = await remote.sample(ops_engine)
    if "pg_stat_statements" in preload:
        assert sample is not None and remote.source.startswith("pg_stat_statements")
    else:
        assert sample is None
        assert remote.source.startswith("unknown: the database is on another machine")


def test_a_share_needs_a_second_of_readings_and_never_goes_negative() -> None:
    probe = DbCpu()
    probe.cores = 2
    assert probe.percent(None, Sample(10.0, 5.0)) is None
    assert probe.percent(Sample(10.0, 5.0), Sample(10.5, 6.0)) is None  # half a second
    assert probe.percent(Sample(10.0, 5.0), Sample(14.0, 7.0)) == 25.0  # 2 s of 8 core-seconds
    assert probe.percent(Sample(10.0, 5.0), Sample(12.0, 1.0)) == 0.0  # statistics were reset
    assert probe.percent(Sample(10.0, 0.0), Sample(11.0, 9.0)) == 100.0
