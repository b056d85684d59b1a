"""One instance's recorder: counts into the current minute's window and Prometheus, writes the
minute to `ops_minutes` every 15 s (the row is rewritten as it grows), sweeps old rows hourly.

Everything on a request's path is a few additions: the middleware calls `request()`, SQLAlchemy
events and the app's own psycopg statements (players/store.py) `statement()`, the pool wrapper
`checkout()`, the cache `cache_call()` (shared tiers only). Reading the cache's counters, the
pool, the process and the database server's CPU happens on the background tick, never on a
request. The recorder's own queries use a separate one-connection engine, so they are not
counted as the app's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

import psutil
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from lifeworld.accounts.security import Security
from lifeworld.cache import Cache
from lifeworld.clock import clock
from lifeworld.db.session import Database
from lifeworld.db.urls import sqlalchemy_url
from lifeworld.ops import credentials, metrics, service
from lifeworld.ops.cache_counters import CacheCounters
from lifeworld.ops.dbcpu import DbCpu, Sample
from lifeworld.ops.figures import minute_of
from lifeworld.ops.window import MinuteWindow
from lifeworld.settings import Settings

log = logging.getLogger(__name__)
TICK_S = 5.0  # cache counters, pool and process gauges
FLUSH_S = 15.0  # the current minute's row is rewritten this often
SWEEP_S = 3600.0
MAX_CREDENTIALS = 10_000  # distinct cookies/tokens kept per minute (a flood of bad ones stops here)


class Recorder:
    """Counts for one app instance; `start()`/`stop()` run with the app's lifespan."""

    def __init__(self, settings: Settings, *, security: Security, url: str | None) -> None:
        self.settings = settings
        self.security = security
        self.url = url
        self.instance = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.window = MinuteWindow(minute_of(clock.now()))
        self.engine: AsyncEngine | None = None
        self.cpu = DbCpu(cores=settings.db_cpu_cores)
        self._cpu_base: Sample | None = None
        self._requests: dict[tuple[str, str, int], Any] = {}
        self._undo: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._cache: CacheCounters | None = None
        self._pool: Any = None  # the app's SQLAlchemy pool, once attached
        self._process = psutil.Process()
        self._process_cpu = self._cpu_seconds()
        self._due: dict[str, float] = {}
        self._known: dict[bytes, int | None] = {}

    # --- on the request path -------------------------------------------------------------

    def request(self, method: str, route: str, status: int, seconds: float, cred: bytes) -> None:
        """One answered request (route is the template, never the raw path)."""
        key = (method, route, status)
        child = self._requests.get(key)
        if child is None:
            child = self._requests[key] = metrics.HTTP_DURATION.labels(method, route, str(status))
        child.observe(seconds)
        window = self.window
        window.requests += 1
        if status >= 500:
            window.server_errors += 1
        if cred and status != 401:  # 401: nobody was signed in
            if len(window.credentials) < MAX_CREDENTIALS:
                window.credentials.add(cred)
            else:
                window.credentials_overflow = True

    def statement(self, seconds: float) -> None:
        metrics.DB_QUERY.observe(seconds)
        self.window.db.observe(seconds)

    def checkout(self, seconds: float) -> None:
        metrics.POOL_WAIT.observe(seconds)
        self.window.pool.observe(seconds)

    # --- hooks -----------------------------------------------------------------------------

    def attach(self, *, db: Database, cache: Cache) -> None:
        """Instrument the app's engine, pool, player store and cache (undone by `detach`)."""
        sync, players = db.engine.sync_engine, db.players

        def before(conn: Any, *_: Any) -> None:
            conn.info["lw_ops_t0"] = time.perf_counter()

        def after(conn: Any, *_: Any) -> None:
            started = conn.info.pop("lw_ops_t0", None)
            if started is not None:
                self.statement(time.perf_counter() - started)

        event.listen(sync, "before_cursor_execute", before)
        event.listen(sync, "after_cursor_execute", after)
        self._undo.append(lambda: event.remove(sync, "before_cursor_execute", before))
        self._undo.append(lambda: event.remove(sync, "after_cursor_execute", after))
        self._undo.append(players.time_statements(self.statement))  # the player store's own

        pool = sync.pool
        original = pool.connect

        def timed_connect() -> Any:
            started = time.perf_counter()
            try:
                return original()
            finally:
                self.checkout(time.perf_counter() - started)

        setattr(pool, "connect", timed_connect)  # noqa: B010 - shadows the method on this pool
        self._undo.append(lambda: pool.__dict__.pop("connect", None) and None)
        self._pool = pool
        self._cache = CacheCounters(cache, lambda: self.window)
        cache.stats_store.observer = self._cache.observe
        self._undo.append(lambda: setattr(cache.stats_store, "observer", None))

    def detach(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    # --- the background tick ---------------------------------------------------------------

    async def start(self, *, db: Database, cache: Cache) -> None:
        """Instrument and start the tick; the recorder's own engine connects lazily."""
        self.attach(db=db, cache=cache)
        if self.url:
            self.engine = create_async_engine(
                sqlalchemy_url(self.url),
                pool_size=1,
                max_overflow=1,
                pool_recycle=1800,
                connect_args={"application_name": "lifeworld-ops", "connect_timeout": 2},
            )
        metrics.WORKERS.set(1)
        self._task = asyncio.create_task(self._run(), name="lifeworld-ops")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self.flush()
        except Exception as exc:  # the database may already be gone at shutdown
            log.info("the last minute's figures were not written (%s)", exc)
        self.detach()
        if self.engine is not None:
            await self.engine.dispose()
        metrics.worker_exiting()

    async def _run(self) -> None:
        next_flush = time.monotonic() + FLUSH_S
        next_sweep = time.monotonic() + 60
        if self.engine is not None:
            try:
                self._cpu_base = await self.cpu.sample(self.engine)  # the first minute's start
            except Exception as exc:
                log.warning("the database CPU cannot be read yet (%s)", exc)
        while True:
            await asyncio.sleep(TICK_S)
            try:
                self.tick()
                if minute_of(clock.now()) != self.window.minute or time.monotonic() >= next_flush:
                    await self.flush()
                    next_flush = time.monotonic() + FLUSH_S
                if time.monotonic() >= next_sweep and self.engine is not None:
                    await service.sweep(self.engine, now=clock.now(), days=self.retention_days)
                    next_sweep = time.monotonic() + SWEEP_S
            except Exception as exc:  # the figures pause; the app carries on
                log.warning("ops figures not recorded this time (%s: %s)", type(exc).__name__, exc)

    @property
    def retention_days(self) -> int:
        return int(self.settings.ops_retention_days)

    def _cpu_seconds(self) -> float:
        times = self._process.cpu_times()
        return float(times.user + times.system)

    def tick(self) -> None:
        """Move the cache's counters and sample the pool and this process (no I/O)."""
        if self._cache is not None:
            self._cache.sync(self.window)
        pool = self._pool
        if pool is not None and hasattr(pool, "checkedout"):  # a QueuePool
            in_use, idle = pool.checkedout(), pool.checkedin()
            metrics.POOL_CONNECTIONS.labels("in_use").set(in_use)
            metrics.POOL_CONNECTIONS.labels("idle").set(idle)
            metrics.POOL_LIMIT.set(self.settings.db_pool_size + self.settings.db_max_overflow)
        cpu = self._cpu_seconds()
        metrics.PROCESS_CPU.inc(max(cpu - self._process_cpu, 0.0))
        self._process_cpu = cpu
        metrics.PROCESS_MEMORY.set(self._process.memory_info().rss)

    async def flush(self) -> None:
        """Write the current minute's row; start a new window when the minute has passed."""
        if self.engine is None:
            return
        self.tick()
        window = self.window
        now_minute = minute_of(clock.now())
        if now_minute != window.minute:
            self.window = MinuteWindow(now_minute)  # counts from here on go to the new minute
        sample = await self.cpu.sample(self.engine)
        cpu_pct = self.cpu.percent(self._cpu_base, sample)
        if now_minute != window.minute or self._cpu_base is None:
            self._cpu_base = sample
        if window.credentials_overflow:
            log.warning(
                "over %d sign-ins in a minute: concurrent users is a lower bound", MAX_CREDENTIALS
            )
            window.credentials_overflow = False
        pending, window.credentials = window.credentials, set()
        try:
            found = await credentials.resolve(self.engine, self.security, pending, self._known)
        except BaseException:
            window.credentials |= pending  # read again at the next flush
            raise
        window.user_ids |= found
        source = self.cpu.source
        if cpu_pct is None and not source.startswith("unknown"):
            source = "unknown: measuring (the first reading of this process)"
        await service.write_minute(
            self.engine,
            instance=self.instance,
            window=window,
            cpu_pct=cpu_pct,
            cpu_source=source,
            now=clock.now(),
        )

    def due(self, what: str, every_s: float) -> bool:
        """True at most once every `every_s` seconds per `what` (gauges read from the database)."""
        now = time.monotonic()
        if now - self._due.get(what, -every_s) < every_s:
            return False
        self._due[what] = now
        return True
