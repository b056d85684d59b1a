"""The PostgreSQL tier: an UNLOGGED table, upserts, reads skip expired rows, a batched sweep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import psycopg
from psycopg import AsyncConnection

from lifeworld.cache.entry import Entry, decode, encode
from lifeworld.cache.errors import CorruptEntry
from lifeworld.db.pgpool import PgPool

GET = "SELECT value FROM cache_entries WHERE key = %s AND expires_at > to_timestamp(%s)"
GET_MANY = (
    "SELECT key, value FROM cache_entries WHERE key = ANY(%s) AND expires_at > to_timestamp(%s)"
)
UPSERT = (
    "INSERT INTO cache_entries (key, value, tags, expires_at) "
    "VALUES (%s, %s, %s::text[], to_timestamp(%s)) ON CONFLICT (key) DO UPDATE "
    "SET value = EXCLUDED.value, tags = EXCLUDED.tags, expires_at = EXCLUDED.expires_at"
)
DELETE_KEYS = "DELETE FROM cache_entries WHERE key = ANY(%s)"
DELETE_TAGS = "DELETE FROM cache_entries WHERE tags && %s::text[] AND key LIKE %s"
INVALIDATE = "DELETE FROM cache_entries WHERE key = ANY(%s) OR (tags && %s::text[] AND key LIKE %s)"
# One round trip that drops rows, tells every listener (committed together) and counts them.
INVALIDATE_NOTIFY = (
    "WITH gone AS (DELETE FROM cache_entries "
    "WHERE key = ANY(%s) OR (tags && %s::text[] AND key LIKE %s)) "
    "SELECT pg_notify(%s, %s), (SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND application_name = %s)"
)
NOTIFY = "SELECT pg_notify(%s, %s)"
CLEAR = "DELETE FROM cache_entries WHERE key LIKE %s"
SWEEP = (
    "DELETE FROM cache_entries WHERE key IN (SELECT key FROM cache_entries "
    "WHERE expires_at <= to_timestamp(%s) LIMIT %s FOR UPDATE SKIP LOCKED)"
)
COUNT = "SELECT count(*), coalesce(sum(length(value)), 0) FROM cache_entries WHERE key LIKE %s"


def like_prefix(prefix: str | None) -> str:
    """A LIKE pattern matching keys that start with `prefix` (everything for None)."""
    if not prefix:
        return "%"
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


class PostgresTier:
    name = "postgres"

    def __init__(self, pool: PgPool) -> None:
        self.pool = pool
        self.ok = True  # False after a connection failure, until an operation succeeds again

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self.pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, OSError):
            self.ok = False
            raise
        self.ok = True

    async def get(self, key: str, now: float) -> Entry | None:
        """The live entry; a damaged one is deleted and reported as CorruptEntry."""
        async with self._conn() as conn:
            cur = await conn.execute(GET, (key, now), prepare=True)
            row = await cur.fetchone()
            if row is None:
                return None
            try:
                return decode(row[0])
            except CorruptEntry:
                await conn.execute(DELETE_KEYS, ([key],))
                raise

    async def get_many(self, keys: Sequence[str], now: float) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        broken: list[str] = []
        async with self._conn() as conn:
            cur = await conn.execute(GET_MANY, (list(keys), now), prepare=True)
            for key, value in await cur.fetchall():
                try:
                    found[key] = decode(value)
                except CorruptEntry:
                    broken.append(key)
            if broken:
                await conn.execute(DELETE_KEYS, (broken,))
        return found

    async def set(self, key: str, entry: Entry, now: float) -> None:
        async with self._conn() as conn:
            await conn.execute(
                UPSERT, (key, encode(entry), list(entry.tags), entry.expires_at), prepare=True
            )

    async def delete(self, keys: Sequence[str]) -> None:
        async with self._conn() as conn:
            await conn.execute(DELETE_KEYS, (list(keys),))

    async def delete_tags(self, tags: Sequence[str], prefix: str | None) -> None:
        async with self._conn() as conn:
            await conn.execute(DELETE_TAGS, (list(tags), like_prefix(prefix)))

    async def invalidate(
        self,
        *,
        tags: Sequence[str],
        keys: Sequence[str],
        prefix: str | None,
        notify: tuple[str, str, str] | None,
    ) -> int | None:
        """Delete by key and tag and, given (channel, payload, listener name), NOTIFY in the
        same statement; returns how many listener sessions there are (None without notify)."""
        if notify is None:
            if tags or keys:
                async with self._conn() as conn:
                    await conn.execute(INVALIDATE, (list(keys), list(tags), like_prefix(prefix)))
            return None
        params = (list(keys), list(tags), like_prefix(prefix), *notify)
        async with self._conn() as conn:
            cur = await conn.execute(INVALIDATE_NOTIFY, params, prepare=True)
            row = await cur.fetchone()
        return int(row[1]) if row else 0

    async def notify(self, channel: str, payload: str) -> None:
        async with self._conn() as conn:
            await conn.execute(NOTIFY, (channel, payload))

    async def clear(self, prefix: str | None) -> int:
        async with self._conn() as conn:
            cur = await conn.execute(CLEAR, (like_prefix(prefix),))
            return cur.rowcount

    async def sweep(self, now: float, *, batch: int = 1000) -> int:
        """Delete expired rows in batches until none are left; returns how many went."""
        total = 0
        while True:
            async with self._conn() as conn:
                cur = await conn.execute(SWEEP, (now, batch))
                total += max(cur.rowcount, 0)
            if cur.rowcount < batch:
                return total

    async def count(self, prefix: str | None = None) -> tuple[int, int]:
        """(rows, bytes) under `prefix`, expired rows included."""
        async with self._conn() as conn:
            cur = await conn.execute(COUNT, (like_prefix(prefix),))
            row = await cur.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
