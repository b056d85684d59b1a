"""Small pools of autocommit psycopg connections (prepared statements stay warm).

The app's SQLAlchemy pool serves request transactions. Work that is one statement outside any
transaction takes a connection from one of these instead, for a few microseconds rather than
the CPU a SQLAlchemy session's checkout, commit and return cost: the cache's reads
and writes, its locks and listener, and the players' reads outside a transaction
(`Database.reads`, players/store.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus

from lifeworld.db.urls import libpq_url


class PgPool:
    """At most `size` connections, opened on demand, dropped when they break."""

    def __init__(
        self,
        url: str,
        *,
        size: int,
        connect_timeout_s: float = 2.0,
        statement_timeout_ms: int = 2_000,
        application_name: str = "lifeworld-cache",
        prepare_threshold: int | None = 5,
        generic_plans: bool = False,
    ) -> None:
        self.url = libpq_url(url)
        self.size = size
        self._connect_timeout = max(1, round(connect_timeout_s))
        self._options = f"-c statement_timeout={statement_timeout_ms}"
        if generic_plans:
            # A prepared statement is planned once, whatever its values: PostgreSQL's own
            # choice planned `user_id = ANY($1)` anew on every call.
            self._options += " -c plan_cache_mode=force_generic_plan"
        self._application_name = application_name
        self._prepare_threshold = prepare_threshold  # psycopg's; None: it prepares nothing
        self._idle: list[AsyncConnection] = []
        self._slots = asyncio.Semaphore(size)
        self._closed = False
        # Idle connections are kept only between `keep_connections()` and `close()` (the app
        # lifespan); before that each use opens and closes its own, so nothing leaks.
        self._retain = False

    def keep_connections(self) -> None:
        self._retain = True

    async def connect(self, application_name: str | None = None) -> AsyncConnection:
        """A new autocommit connection (also used for the listener's dedicated connection)."""
        conn = await AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            application_name=application_name or self._application_name,
            options=self._options,
        )
        conn.prepare_threshold = self._prepare_threshold
        return conn

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """Borrow a connection; a broken one is closed instead of returned."""
        conn = await self.acquire()
        healthy = False
        try:
            yield conn
            healthy = True
        finally:
            await self.release(conn, healthy=healthy)

    async def acquire(self, wait_s: float | None = None) -> AsyncConnection:
        """A connection held until `release` (for work that spans several calls): a kept one,
        or a new one. With `wait_s`, waiting longer than that for a free slot raises
        `psycopg.OperationalError` (answered 503 like a database that is down)."""
        self._check_open()
        if wait_s is None:
            await self._slots.acquire()
        else:
            try:
                await asyncio.wait_for(self._slots.acquire(), wait_s)
            except TimeoutError:
                raise psycopg.OperationalError(
                    f"no connection of the pool came free within {wait_s:g} s"
                ) from None
        try:
            return self._idle.pop() if self._idle else await self.connect()
        except BaseException:
            self._slots.release()
            raise

    async def release(self, conn: AsyncConnection, *, healthy: bool) -> None:
        """Give back what `acquire` gave: kept if `healthy` and idle, else closed."""
        try:
            await self._give_back(conn, healthy=healthy)
        finally:
            self._slots.release()

    async def fetchone(self, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of one statement (prepared), or None (see `fetchall`)."""
        rows = await self._fetch(sql, params, many=False)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of one statement (prepared).

        Only for statements that change nothing: when one fails on a connection the pool had
        kept (closed by a restart of the server meanwhile, say), the pool drops every kept
        connection and the statement runs once more on a new one instead of failing.
        """
        return await self._fetch(sql, params, many=True)

    async def _fetch(
        self, sql: str, params: Mapping[str, Any], *, many: bool
    ) -> list[tuple[Any, ...]]:
        self._check_open()
        async with self._slots:
            for retry in (True, False):
                reused = bool(self._idle)
                conn = self._idle.pop() if reused else await self.connect()
                healthy = False
                try:
                    cur = await conn.execute(sql, params, prepare=True)
                    if many:
                        rows = await cur.fetchall()
                    else:
                        row = await cur.fetchone()
                        rows = [row] if row is not None else []
                    healthy = True
                    return rows
                except psycopg.OperationalError:
                    if not (retry and reused):
                        raise
                    await self.drop_idle()
                finally:
                    await self._give_back(conn, healthy=healthy)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _check_open(self) -> None:
        if self._closed:
            raise psycopg.OperationalError("the connection pool is closed")

    async def _give_back(self, conn: AsyncConnection, *, healthy: bool) -> None:
        if (
            healthy
            and self._retain
            and not conn.closed
            and not self._closed
            and conn.info.transaction_status == TransactionStatus.IDLE
        ):
            self._idle.append(conn)
        else:
            await _close_quietly(conn)

    async def drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await _close_quietly(conn)

    async def close(self) -> None:
        self._closed = True
        await self.drop_idle()


async def _close_quietly(conn: AsyncConnection) -> None:
    with suppress(psycopg.Error):
        await conn.close()
