"""The Cache: declared namespaces over the configured tiers, invalidation across processes,
and the background tasks (listeners, sweeper) the app lifespan starts and stops."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

from lifeworld.cache.broadcast import Broadcaster
from lifeworld.cache.bus import CHANNEL, listen_postgres
from lifeworld.cache.memory import MemoryTier
from lifeworld.cache.namespace import TTL, Namespace
from lifeworld.cache.postgres import PostgresTier
from lifeworld.cache.stats import CacheStats
from lifeworld.cache.tier import SharedTier
from lifeworld.cache.warn import ThrottledWarning
from lifeworld.clock import clock
from lifeworld.db.pgpool import PgPool

if TYPE_CHECKING:
    from lifeworld.cache.redis_tier import RedisTier

log = logging.getLogger(__name__)
ANNOUNCE_WAIT_S = 5.0  # how long a new listener waits for every process to hear of it
LOCK_CLASS = 0x4C57  # first half of the two-int advisory lock keys the cache takes ("LW")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Cache:
    """One per process. Declare namespaces with `namespace()`; see lifeworld/cache/README.md."""

    def __init__(
        self,
        *,
        backend: str,
        memory: MemoryTier,
        postgres: PostgresTier | None = None,
        redis: RedisTier | None = None,
        lock_pool: PgPool | None = None,
        memory_in_chain: bool = True,
        sweep_interval_s: float = 60.0,
        channel: str = CHANNEL,
        ack_timeout_s: float = 0.05,
    ) -> None:
        self.backend = backend
        self.memory = memory
        self.journal = memory  # the memory tier also remembers recent invalidations
        self.postgres = postgres
        self.redis = redis
        self.lock_pool = lock_pool
        self.memory_in_chain = memory_in_chain
        self.sweep_interval_s = sweep_interval_s
        self.channel = channel
        self.instance_id = secrets.token_hex(8)
        self.stats_store = CacheStats()
        self.warn = ThrottledWarning(log)
        self._namespaces: dict[str, Namespace] = {}
        self._declared: dict[tuple[str, tuple[str, ...] | None], Namespace] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._down: set[str] = set()  # listeners not connected: memory copies cannot be trusted
        self._ready: dict[str, asyncio.Event] = {}
        self._connections: dict[str, int] = {}  # per listener: connections and losses so far
        self._announcing: set[asyncio.Task[None]] = set()
        self.broadcaster = Broadcaster(
            instance_id=self.instance_id,
            channel=channel,
            postgres=postgres,
            redis=redis,
            ack_timeout_s=ack_timeout_s,
            warn=self.warn,
            stats=self.stats_store,
        )

    @staticmethod
    def now() -> float:
        return clock.timestamp()

    @property
    def memory_usable(self) -> bool:
        return not self._down

    @property
    def shared_tiers(self) -> tuple[SharedTier, ...]:
        tiers: list[SharedTier] = []
        if self.redis is not None:
            tiers.append(self.redis)
        if self.postgres is not None:
            tiers.append(self.postgres)
        return tuple(tiers)

    def namespace(self, name: str, *, tiers: Iterable[str] | None = None, ttl: TTL) -> Namespace:
        """Declare (or get again) a namespace; `tiers` None means the configured chain.

        Tiers not configured in this mode are left out (a "redis" tier outside hybrid mode).
        """
        tiers = None if tiers is None else tuple(tiers)
        declared = (name, tiers)
        known = self._declared.get(declared)
        if known is not None:  # declared again on every request by the code that uses it
            return known
        if not _NAME.match(name):
            raise ValueError(f"namespace names are lower-case words, not {name!r}")
        wanted = {"memory", "redis", "postgres"} if tiers is None else set(tiers)
        unknown = wanted - {"memory", "redis", "postgres"}
        if unknown:
            raise ValueError(f"unknown cache tiers {sorted(unknown)}")
        memory = "memory" in wanted and (tiers is not None or self.memory_in_chain)
        shared = [t for t in self.shared_tiers if t.name in wanted]
        existing = self._namespaces.get(name)
        if existing is not None:
            if existing.use_memory != memory or existing.shared != tuple(shared):
                raise ValueError(f"namespace {name!r} was declared with other tiers")
            self._declared[declared] = existing
            return existing
        ns = Namespace(self, name, memory=memory, shared=shared, ttl=ttl)
        self._namespaces[name] = ns
        self._declared[declared] = ns
        return ns

    async def invalidate(
        self,
        *,
        tags: Iterable[str] = (),
        keys: Iterable[str] = (),
        namespace: Namespace | None = None,
    ) -> None:
        """Drop entries by tag or key here at once, in the shared tiers, and in every other
        process (which drop theirs when the broadcast arrives, within milliseconds).

        Without `namespace`, tags apply to every namespace and keys are "namespace:key".
        Returns once PostgreSQL or Redis has accepted the broadcast.
        """
        tags, prefix = list(tags), namespace.prefix if namespace else None
        full_keys = [(prefix or "") + k for k in keys]
        if tags:
            self.memory.delete_tags(tags, prefix)
        if full_keys:
            self.memory.delete(full_keys)
        if not self.shared_tiers:
            return
        shared = namespace.shared if namespace else self._shared_in_use()
        if not shared and self.broadcaster.alone:
            return  # no other process listens, and no shared tier holds such entries
        await self.broadcaster.send(
            {"p": prefix, "t": tags, "k": full_keys},
            tags=tags,
            keys=full_keys,
            prefix=prefix,
            shared=shared,
        )

    async def clear(self, namespace: Namespace | None = None) -> int:
        """Drop every entry (of one namespace) in every tier and every process."""
        prefix = namespace.prefix if namespace else None
        removed = self.memory.clear(prefix)
        for tier in self.shared_tiers:
            try:
                removed += await tier.clear(prefix)
            except Exception as exc:
                self.warn.warn(f"clear:{tier.name}", "clearing %s failed (%s)", tier.name, exc)
        if self.shared_tiers:
            await self.broadcaster.send({"c": prefix}, tags=[], keys=[], prefix=prefix, shared=())
        return removed

    def _shared_in_use(self) -> tuple[SharedTier, ...]:
        used = {id(t) for ns in self._namespaces.values() for t in ns.shared}
        return tuple(t for t in self.shared_tiers if id(t) in used)

    def _on_message(self, transport: str, channel: str, data: str | bytes) -> None:
        if channel == self.broadcaster.ack_channel:
            self.broadcaster.on_ack(data)
            return
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("ignored a malformed cache invalidation message")
            return
        if message.get("o") == self.instance_id:
            return  # this process already dropped its copies before publishing
        self.broadcaster.peer_seen()
        if "c" in message:
            self.memory.clear(message["c"])
        else:
            if message.get("t"):
                self.memory.delete_tags(message["t"], message.get("p"))
            if message.get("k"):
                self.memory.delete(message["k"])
        if message.get("m"):
            self.broadcaster.acknowledge(transport, message["m"])

    def _on_state(self, listener: str, connected: bool) -> None:
        # Either way the memory tier starts over: while a listener was away, invalidations
        # may have been missed, and they are never replayed.
        self.memory.clear()
        self.broadcaster.peer_seen()
        self._connections[listener] = connection = self._connections.get(listener, 0) + 1
        if connected:
            self.broadcaster.listening.add(listener)
            task = asyncio.get_running_loop().create_task(self._announce(listener, connection))
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)
        else:
            self._down.add(listener)
            self.broadcaster.listening.discard(listener)
            self._ready[listener].clear()

    async def _announce(self, listener: str, connection: int) -> None:
        """Say "I listen" to every process and trust memory once all have acknowledged it.

        A process that believed itself alone stops skipping its broadcasts when the message
        arrives, before it acknowledges: so nothing this process caches afterwards can miss
        one of its invalidations. Sent again until every listener has answered, for at most
        `ANNOUNCE_WAIT_S`. A process that has not answered by then is stuck, and memory here
        is used anyway: the risk left is that such a process, believing itself alone, skips a
        broadcast it makes after it wakes and before it reads this message (logged here).
        """
        loop = asyncio.get_running_loop()
        delay, give_up = 0.05, loop.time() + ANNOUNCE_WAIT_S
        while not await self.broadcaster.send(
            {"h": listener}, tags=[], keys=[], prefix=None, shared=()
        ):
            if self._connections.get(listener) != connection:
                return
            if loop.time() >= give_up:
                log.warning(
                    "not every cache instance confirmed this one's arrival within %.0f s; "
                    "using memory anyway", ANNOUNCE_WAIT_S,
                )  # fmt: skip
                break
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 2)
        if self._connections.get(listener) != connection:
            return  # the listener went away meanwhile; its next connection announces again
        self._down.discard(listener)
        self._ready[listener].set()
        if listener == "redis" and self.redis is not None and not self.redis.ok:
            self._spawn(self.redis.probe())  # hits may all come from memory: check now

    @asynccontextmanager
    async def advisory_lock(self, full_key: str) -> AsyncIterator[None]:
        """Hold a PostgreSQL advisory lock for `full_key` (no lock without PostgreSQL)."""
        if self.lock_pool is None:
            yield
            return
        digest = hashlib.blake2b(full_key.encode(), digest_size=4).digest()
        lock = (LOCK_CLASS, int.from_bytes(digest, "big", signed=True))
        async with AsyncExitStack() as stack:
            conn = None
            try:
                conn = await stack.enter_async_context(self.lock_pool.connection())
                await conn.execute("SELECT pg_advisory_lock(%s, %s)", lock)
            except Exception as exc:
                conn = None  # computing twice beats failing the request
                self.warn.warn("lock", "cache lock unavailable (%s); computing anyway", exc)
            yield
            if conn is not None:
                await conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock)

    async def sweep(self) -> int:
        """Delete expired PostgreSQL rows now; returns how many."""
        return await self.postgres.sweep(self.now()) if self.postgres is not None else 0

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                removed = await self.sweep()
                if removed:
                    log.debug("cache sweep removed %d expired rows", removed)
            except Exception as exc:
                self.warn.warn("sweep", "cache sweep failed (%s)", exc)

    async def start(self, *, wait_s: float = 5.0) -> None:
        """Start the listeners and the sweeper; waits (bounded) until the listeners listen."""
        if self._tasks:
            return
        for pool in (self.postgres.pool if self.postgres else None, self.lock_pool):
            if pool is not None:
                pool.keep_connections()
        channels = (self.channel, self.broadcaster.ack_channel)
        if self.postgres is not None:
            self._watch("postgres")
            self._spawn(
                listen_postgres(
                    self.postgres.pool,
                    channels,
                    lambda channel, data: self._on_message("postgres", channel, data),
                    self._on_state,
                    self.warn,
                )
            )
            self._spawn(self._sweep_forever())
        if self.redis is not None:
            from lifeworld.cache.redis_tier import listen_redis

            self._watch("redis")
            self._spawn(
                listen_redis(
                    self.redis,
                    channels,
                    lambda channel, data: self._on_message("redis", channel, data),
                    self._on_state,
                )
            )
        waits = [asyncio.wait_for(e.wait(), wait_s) for e in self._ready.values()]
        for outcome in await asyncio.gather(*waits, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.warning("a cache listener is not connected yet; memory copies wait for it")

    def _watch(self, listener: str) -> None:
        self._down.add(listener)
        self._ready[listener] = asyncio.Event()

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def close(self) -> None:
        """Stop the background tasks and close every connection."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        announcing = list(self._announcing)
        for task in announcing:
            task.cancel()
        await asyncio.gather(*announcing, return_exceptions=True)
        self._down.clear()
        await self.broadcaster.close()
        if self.redis is not None:
            await self.redis.close()
        if self.postgres is not None:
            await self.postgres.pool.close()
        if self.lock_pool is not None:
            await self.lock_pool.close()

    def health(self) -> tuple[str, bool]:
        """(backend, ok) for /api/v1/health: not ok while a tier or a listener is down."""
        return self.backend, all(t.ok for t in self.shared_tiers) and not self._down

    def stats(self) -> dict[str, Any]:
        """Counters per namespace and tier, plus the memory tier's size, as a plain dict."""
        return {
            "backend": self.backend,
            "memory": {"entries": len(self.memory), "bytes": self.memory.size_bytes},
            "namespaces": self.stats_store.as_dict(),
        }
