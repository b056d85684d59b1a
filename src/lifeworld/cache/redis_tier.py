"""The Redis tier (hybrid mode only; this is the one module that imports redis).

A small BlockingConnectionPool (the default one had a long tail under load). When
Redis stops answering the tier reports itself down, callers fall back to PostgreSQL, and one
probe per second checks whether it is back; on the way back it first drops every key under its
prefix, because invalidations published while it was down never reached it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from lifeworld.cache.entry import Entry, decode, encode
from lifeworld.cache.errors import CorruptEntry
from lifeworld.cache.warn import ThrottledWarning
from lifeworld.db.urls import redact_url

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_AFTER_S = 1.0
POOL_EXHAUSTED = "No connection available"  # BlockingConnectionPool's wait timed out

# Drop every key under ARGV[1] that carries one of the tag sets in KEYS.
_DELETE_TAGS = """
local n = 0
local plen = string.len(ARGV[1])
for _, tagkey in ipairs(KEYS) do
  for _, member in ipairs(redis.call('SMEMBERS', tagkey)) do
    if string.sub(member, 1, plen) == ARGV[1] then
      redis.call('UNLINK', member)
      redis.call('SREM', tagkey, member)
      n = n + 1
    end
  end
end
return n
"""


def _as_bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode()


class TierDown(Exception):
    """The tier is not usable right now (the caller falls back)."""


class RedisTier:
    name = "redis"

    def __init__(
        self, url: str, *, prefix: str = "lw:", max_connections: int = 4, timeout_s: float = 0.5
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_s * 2,  # waiting for a free connection
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
        )
        self.client = aioredis.Redis(connection_pool=self.pool)
        self.ok = True
        self._retry_at = 0.0
        self._recovering = asyncio.Lock()
        self._warn = ThrottledWarning(log)
        self._delete_tags = self.client.register_script(_DELETE_TAGS)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def _tag(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    async def _run(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        if not self.ok:
            await self._recover()
        try:
            return await op(self.client)
        except RedisConnectionError as exc:
            if POOL_EXHAUSTED in str(exc):
                raise TierDown(str(exc)) from exc  # busy, not down: only this call falls back
            self._mark_down(exc)
            raise TierDown(str(exc)) from exc
        except (RedisError, OSError) as exc:
            self._mark_down(exc)
            raise TierDown(str(exc)) from exc

    def _mark_down(self, exc: BaseException) -> None:
        self.ok = False
        self._retry_at = time.monotonic() + RETRY_AFTER_S
        self._warn.warn(
            "down",
            "Redis at %s is not answering (%s); the cache falls back to PostgreSQL",
            redact_url(self.url),
            type(exc).__name__,
        )

    async def _recover(self, *, now: bool = False) -> None:
        if not now and time.monotonic() < self._retry_at:
            raise TierDown("redis is down")
        async with self._recovering:
            if self.ok:
                return
            try:
                await self.client.ping()
                await self.purge()
            except (RedisError, OSError) as exc:
                self._mark_down(exc)
                raise TierDown(str(exc)) from exc
            self.ok = True
            log.warning("Redis at %s answers again; the cache uses it", redact_url(self.url))

    async def probe(self) -> None:
        """Check at once whether Redis is back (the listener calls this when it reconnects)."""
        if not self.ok:
            with contextlib.suppress(TierDown):
                await self._recover(now=True)

    async def purge(self) -> int:
        """Drop every key under the prefix (used after an outage and by `cache clear`)."""
        removed = 0
        batch: list[Any] = []
        async for key in self.client.scan_iter(match=self.prefix + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                removed += await self.client.unlink(*batch)
                batch = []
        if batch:
            removed += await self.client.unlink(*batch)
        return removed

    async def get(self, key: str, now: float) -> Entry | None:
        data = await self._run(lambda r: r.get(self._k(key)))
        if data is None:
            return None
        try:
            entry = decode(_as_bytes(data))
        except CorruptEntry:
            await self._run(lambda r: r.unlink(self._k(key)))
            raise
        return entry if entry.expires_at > now else None

    async def get_many(self, keys: Sequence[str], now: float) -> dict[str, Entry]:
        values = await self._run(lambda r: r.mget([self._k(k) for k in keys]))
        found: dict[str, Entry] = {}
        for key, data in zip(keys, values, strict=True):
            if data is None:
                continue
            try:
                entry = decode(_as_bytes(data))
            except CorruptEntry:
                await self._run(lambda r, k=key: r.unlink(self._k(k)))  # type: ignore[misc]
                continue
            if entry.expires_at > now:
                found[key] = entry
        return found

    async def set(self, key: str, entry: Entry, now: float) -> None:
        ttl_ms = max(1, int((entry.expires_at - now) * 1000))

        async def write(r: aioredis.Redis) -> None:
            pipe = r.pipeline(transaction=False)
            pipe.set(self._k(key), encode(entry), px=ttl_ms)
            for tag in entry.tags:
                pipe.sadd(self._tag(tag), self._k(key))
                pipe.pexpire(self._tag(tag), ttl_ms, nx=True)
                pipe.pexpire(self._tag(tag), ttl_ms, gt=True)
            await pipe.execute()

        await self._run(write)

    async def delete(self, keys: Sequence[str]) -> None:
        await self._run(lambda r: r.unlink(*[self._k(k) for k in keys]))

    async def delete_tags(self, tags: Sequence[str], prefix: str | None) -> None:
        """Drop tagged keys under `prefix`."""
        await self.invalidate(tags=tags, keys=[], prefix=prefix, channel=None, payload="")

    async def invalidate(
        self,
        *,
        tags: Sequence[str],
        keys: Sequence[str],
        prefix: str | None,
        channel: str | None,
        payload: str,
    ) -> int:
        """Drop by tag and key and publish on `channel`, in one round trip; returns how many
        subscribers received the message."""

        async def run(r: aioredis.Redis) -> int:
            pipe = r.pipeline(transaction=False)
            if tags:
                await self._delete_tags(
                    keys=[self._tag(t) for t in tags], args=[self._k(prefix or "")], client=pipe
                )
            if keys:
                pipe.unlink(*[self._k(k) for k in keys])
            if channel is not None:
                pipe.publish(self.prefix + channel, payload)
            results = await pipe.execute()
            return int(results[-1]) if channel is not None and results else 0

        return await self._run(run)

    async def publish(self, channel: str, payload: str) -> int:
        return int(await self._run(lambda r: r.publish(self.prefix + channel, payload)))

    async def clear(self, prefix: str | None) -> int:
        if prefix is None:
            return await self._run(lambda r: self.purge())
        removed = 0
        async for key in self.client.scan_iter(match=self._k(prefix) + "*", count=1000):
            removed += await self._run(lambda r, k=key: r.unlink(k))  # type: ignore[misc]
        return removed

    async def close(self) -> None:
        await self.client.aclose()
        await self.pool.disconnect()


async def listen_redis(
    tier: RedisTier,
    channels: Sequence[str],
    on_message: Callable[[str, str | bytes], None],
    on_state: Callable[[str, bool], None],
) -> None:
    """Subscribe on a connection of its own forever, reconnecting with backoff."""
    backoff = 0.1
    names = {tier.prefix + c: c for c in channels}
    while True:
        client = aioredis.Redis.from_url(
            tier.url, socket_connect_timeout=0.5, health_check_interval=5
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            try:
                await pubsub.subscribe(*names)
                on_state("redis", True)
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None and message.get("type") == "message":
                        channel = message["channel"]
                        channel = channel.decode() if isinstance(channel, bytes) else channel
                        on_message(names.get(channel, channel), message["data"])
            finally:
                on_state("redis", False)
                await pubsub.aclose()
                await client.aclose()
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            tier._warn.warn(
                "listener", "cache invalidation listener lost Redis (%s); retrying",
                type(exc).__name__,
            )  # fmt: skip
        await asyncio.sleep(backoff)
        backoff = min(5.0, backoff * 2)
