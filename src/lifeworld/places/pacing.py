"""Pacing calls to a rate-limited provider for the whole app, across processes and instances.

Each caller reserves the next free slot in `place_provider_slots` with one atomic upsert (on the
database's clock) and sleeps until its slot; no database lock is held while waiting. A
reservation that would wait too long is refused. Without PostgreSQL the pacing holds within this
process only. Within a process, turns are also kept a full interval apart as actually taken.
"""

from __future__ import annotations

import asyncio
import logging
import time

import psycopg

from lifeworld.db.pgpool import PgPool
from lifeworld.errors import ServiceUnavailable

log = logging.getLogger(__name__)

RESERVE = (
    "INSERT INTO place_provider_slots (provider, next_at) "
    "VALUES (%(p)s, clock_timestamp() + make_interval(secs => %(s)s)) "
    "ON CONFLICT (provider) DO UPDATE SET next_at = "
    "greatest(place_provider_slots.next_at, clock_timestamp()) + make_interval(secs => %(s)s) "
    "RETURNING extract(epoch FROM next_at - clock_timestamp())::float8 - %(s)s"
)


class Pacer:
    def __init__(
        self, provider: str, *, interval_s: float, pool: PgPool | None, max_wait_s: float = 10.0
    ) -> None:
        self.provider = provider
        self.interval_s = interval_s
        self.pool = pool
        self.max_wait_s = max_wait_s
        self._next_local = 0.0
        self._lock = asyncio.Lock()
        self._last_turn = -float("inf")
        self._turn_lock = asyncio.Lock()

    async def wait_turn(self) -> None:
        """Return when this caller may send its request; ServiceUnavailable if the queue is long."""
        if self.interval_s <= 0:
            return
        wait = None
        if self.pool is not None:
            try:
                wait = await self._reserve_shared()
            except (psycopg.Error, OSError) as exc:
                log.warning("provider pacing falls back to this process only (%s)", exc)
        if wait is None:
            wait = await self._reserve_local()
        if wait > self.max_wait_s:
            raise ServiceUnavailable(
                f"Too many place lookups are queued for {self.provider}; try again shortly.",
                code="provider_busy",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        if wait > 0:
            await asyncio.sleep(wait)
        await self._keep_apart()

    async def _keep_apart(self) -> None:
        # A slot says when a turn may start, but a busy event loop can wake the one before
        # late and this one on time, bringing two requests closer than the interval. In this
        # process, a turn also waits for the interval after the last turn actually taken.
        async with self._turn_lock:
            gap = self._last_turn + self.interval_s - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last_turn = time.monotonic()

    async def _reserve_shared(self) -> float:
        assert self.pool is not None
        async with self.pool.connection() as conn:
            cur = await conn.execute(RESERVE, {"p": self.provider, "s": self.interval_s})
            row = await cur.fetchone()
        return float(row[0]) if row else 0.0

    async def _reserve_local(self) -> float:
        async with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_local)
            self._next_local = slot + self.interval_s
            return slot - now
