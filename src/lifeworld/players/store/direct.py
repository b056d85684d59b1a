"""A request's transaction on a connection of the store's write pool, not the session's."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from psycopg import AsyncClientCursor
from psycopg.pq import TransactionStatus

from lifeworld.db.pgpool import PgPool
from lifeworld.players.store.statements import Prepared

log = logging.getLogger(__name__)

POOL_WAIT_S = 10.0  # as the engine's pool_timeout


class DirectTransaction:
    """For a player's busiest write (logging an activity): SQLAlchemy's checkout, begin, commit
    and return of a connection would cost more than its statements. The connection is in
    autocommit, so the statements carry their own BEGIN and COMMIT and ride in the round trips
    of the read and the write. Whoever ends the request calls `end` if the write did not."""

    __slots__ = ("_prepared", "conn", "open", "pool")

    def __init__(self, pool: PgPool, conn: Any, prepared: set[str]) -> None:
        self.pool = pool
        self.conn = conn  # a psycopg AsyncConnection in autocommit mode
        self.open = False  # BEGIN sent, no COMMIT or ROLLBACK yet
        self._prepared = prepared  # the names PREPAREd on `conn` (it keeps them for life)

    def cursor(self) -> AsyncClientCursor[Any]:
        return AsyncClientCursor(self.conn)

    async def prepare(self, statements: tuple[Prepared, ...]) -> None:
        """PREPARE on the connection what it has not yet (once in its life: a round trip)."""
        for statement in statements:
            if statement.name not in self._prepared:
                await self.conn.execute(f"PREPARE {statement.name} AS {statement.body}")
                self._prepared.add(statement.name)

    async def replace_broken(self, prepared_on: Callable[[Any], set[str]]) -> None:
        """Before anything was sent: the kept connection had broken (the server restarted, say),
        so this and every other kept one make way for a new one."""
        assert not self.open
        await self.pool.release(self.conn, healthy=False)
        await self.pool.drop_idle()
        self.conn = await self.pool.acquire(wait_s=POOL_WAIT_S)
        self._prepared = prepared_on(self.conn)

    async def end(self, *, commit: bool, sent: bool = False) -> None:
        """COMMIT (or ROLLBACK) unless `sent` says the last statement carried it, and give the
        connection back (closed if it broke)."""
        conn, healthy = self.conn, False
        try:
            if not sent and conn.info.transaction_status != TransactionStatus.IDLE:
                await conn.execute("COMMIT" if commit else "ROLLBACK")
            healthy = conn.info.transaction_status == TransactionStatus.IDLE
        except Exception:
            if commit:
                raise
            log.warning("rolling back a direct transaction failed", exc_info=True)
        finally:
            await self.pool.release(conn, healthy=healthy)
