"""A small pool of autocommit psycopg connections held by the cache (prepared statements stay warm).

The app's SQLAlchemy pool serves request transactions; the cache's own few connections keep
cache reads one short round trip each, outside any request transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

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
    ) -> None:
        self.url = libpq_url(url)
        self.size = size
        self._connect_timeout = max(1, round(connect_timeout_s))
        self._options = f"-c statement_timeout={statement_timeout_ms}"
        self._application_name = application_name
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
        return await AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            application_name=application_name or self._application_name,
            options=self._options,
        )

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """Borrow a connection; a broken one is closed instead of returned."""
        if self._closed:
            raise psycopg.OperationalError("the cache's connection pool is closed")
        async with self._slots:
            conn = self._idle.pop() if self._idle else await self.connect()
            healthy = False
            try:
                yield conn
                healthy = True
            finally:
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

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await _close_quietly(conn)


async def _close_quietly(conn: AsyncConnection) -> None:
    with suppress(psycopg.Error):
        await conn.close()
