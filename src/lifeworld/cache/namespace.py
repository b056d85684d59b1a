"""A namespace: keys with one default TTL, read through a chain of tiers, computed once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from lifeworld.cache import codec
from lifeworld.cache.entry import Entry
from lifeworld.cache.errors import MAX_VALUE_BYTES, CacheValueTooLarge, CorruptEntry
from lifeworld.cache.memory import MemoryTier
from lifeworld.cache.stats import CacheStats
from lifeworld.cache.tier import SharedTier
from lifeworld.cache.warn import ThrottledWarning

log = logging.getLogger(__name__)
Compute = Callable[[], Awaitable[bytes]]
TTL = float | timedelta


def seconds(ttl: TTL) -> float:
    return ttl.total_seconds() if isinstance(ttl, timedelta) else float(ttl)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A value with its expiry and whether a cache tier answered (False: freshly computed)."""

    value: bytes
    expires_at: float
    cached: bool


class _LeaderGone(Exception):
    """The caller computing a value was cancelled; the ones waiting for it try again."""


class CacheCore(Protocol):
    """What a namespace uses of the cache that made it (`cache.Cache`)."""

    memory: MemoryTier
    journal: MemoryTier  # remembers recent invalidations
    stats_store: CacheStats
    warn: ThrottledWarning

    @property
    def memory_usable(self) -> bool: ...

    def now(self) -> float: ...

    async def invalidate(
        self,
        *,
        tags: Iterable[str] = (),
        keys: Iterable[str] = (),
        namespace: Namespace | None = None,
    ) -> None: ...

    async def clear(self, namespace: Namespace | None = None) -> int: ...

    def advisory_lock(self, full_key: str) -> AbstractAsyncContextManager[None]: ...


class Namespace:
    """Keys under one prefix. Methods are coroutines; values are bytes (see the *_json helpers)."""

    def __init__(
        self, cache: CacheCore, name: str, *, memory: bool, shared: Sequence[SharedTier], ttl: TTL
    ) -> None:
        self.cache = cache
        self.name = name
        self.prefix = f"{name}:"
        self.use_memory = memory
        self.shared = tuple(shared)
        self.ttl = seconds(ttl)
        self.tiers = (("memory",) if memory else ()) + tuple(t.name for t in self.shared)
        self._flights: dict[str, asyncio.Future[Fetched]] = {}
        self._counters = cache.stats_store.namespace(name)

    # reads

    async def get(self, key: str) -> bytes | None:
        """The cached value, or None."""
        entry = await self._read(self.prefix + key, self.cache.now(), self.cache.journal.mark())
        return entry.value if entry else None

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The cached values of those keys that have one."""
        now, mark = self.cache.now(), self.cache.journal.mark()
        wanted = {self.prefix + k: k for k in keys}
        found: dict[str, bytes] = {}
        memory = self.cache.memory if self.use_memory and self.cache.memory_usable else None
        if memory is not None:
            for full in list(wanted):
                entry = self._timed_memory_get(full, now)
                if entry is not None:
                    found[wanted.pop(full)] = entry.value
        for index, tier in enumerate(self.shared):
            if not wanted:
                break
            started = time.perf_counter()
            try:
                entries = await tier.get_many(list(wanted), now)
            except Exception as exc:
                self._tier_failed(tier.name, exc)
                continue
            took = time.perf_counter() - started
            for full in list(wanted):
                entry = entries.get(full)
                self.cache.stats_store.record(
                    self.name, tier.name, hit=entry is not None, seconds=0
                )
                if entry is not None:
                    found[wanted.pop(full)] = entry.value
                    await self._populate(full, entry, index, now, mark)
            self._counters.tier(tier.name).seconds += took
        return found

    async def fetch(
        self,
        key: str,
        compute: Compute,
        *,
        ttl: TTL | None = None,
        tags: Iterable[str] = (),
        cross_process: bool = False,
        refresh: bool = False,
    ) -> Fetched:
        """The value under `key`, computed (once per key at a time) and stored when missing.

        `refresh` skips the cached copy; `cross_process` also makes other processes wait for
        this computation (a PostgreSQL advisory lock), for expensive external lookups.
        """
        full = self.prefix + key
        mark = self.cache.journal.mark()
        if not refresh and self.use_memory and self.cache.memory_usable:
            entry = self._timed_memory_get(full, self.cache.now())
            if entry is not None:
                return Fetched(entry.value, entry.expires_at, cached=True)
        flight = self._flights.get(full)
        if flight is not None:
            self._counters.shared_waits += 1
            try:
                return await asyncio.shield(flight)
            except _LeaderGone:
                return await self.fetch(
                    key, compute, ttl=ttl, tags=tags, cross_process=cross_process, refresh=refresh
                )
        future: asyncio.Future[Fetched] = asyncio.get_running_loop().create_future()
        self._flights[full] = future
        try:
            result = await self._compute(
                full, compute, ttl, tuple(tags), cross_process, refresh, mark
            )
        except asyncio.CancelledError:
            future.set_exception(_LeaderGone())
            raise
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._flights[full]
            if future.done() and not future.cancelled():
                future.exception()  # marks it retrieved, so asyncio does not report it

    async def get_or_compute(
        self,
        key: str,
        compute: Compute,
        ttl: TTL | None = None,
        tags: Iterable[str] = (),
        cross_process: bool = False,
    ) -> bytes:
        """The cached value, or compute it (single-flight), store it and return it."""
        fetched = await self.fetch(key, compute, ttl=ttl, tags=tags, cross_process=cross_process)
        return fetched.value

    # writes

    async def set(
        self, key: str, value: bytes, ttl: TTL | None = None, tags: Iterable[str] = ()
    ) -> None:
        """Store `value` in every tier of the namespace; CacheValueTooLarge over 1 MiB."""
        await self._store(self.prefix + key, value, ttl, tuple(tags), self.cache.journal.mark())

    async def delete(self, key: str) -> None:
        """Drop the key here, in the shared tiers and in every other process's memory."""
        await self.cache.invalidate(keys=[key], namespace=self)

    async def delete_tag(self, tag: str) -> None:
        """Drop every entry of this namespace carrying `tag`, everywhere."""
        await self.cache.invalidate(tags=[tag], namespace=self)

    async def clear(self) -> None:
        """Drop every entry of this namespace, everywhere."""
        await self.cache.clear(namespace=self)

    # JSON helpers

    async def get_json(self, key: str) -> Any | None:
        data = await self.get(key)
        if data is None:
            return None
        try:
            return codec.loads(data)
        except ValueError:
            self._bad_value(key)
            return None

    async def set_json(
        self, key: str, value: Any, ttl: TTL | None = None, tags: Iterable[str] = ()
    ) -> None:
        await self.set(key, codec.dumps(value), ttl=ttl, tags=tags)

    async def get_or_compute_json(
        self,
        key: str,
        compute: Callable[[], Awaitable[Any]],
        ttl: TTL | None = None,
        tags: Iterable[str] = (),
        cross_process: bool = False,
    ) -> Any:
        """Like get_or_compute for JSON values; a cached value that is not JSON is recomputed."""

        async def encoded() -> bytes:
            return codec.dumps(await compute())

        args: dict[str, Any] = {"ttl": ttl, "tags": tags, "cross_process": cross_process}
        fetched = await self.fetch(key, encoded, **args)
        try:
            return codec.loads(fetched.value)
        except ValueError:
            self._bad_value(key)
            fetched = await self.fetch(key, encoded, refresh=True, **args)
            return codec.loads(fetched.value)

    # the chain

    def _timed_memory_get(self, full: str, now: float) -> Entry | None:
        started = time.perf_counter()
        entry = self.cache.memory.get(full, now)
        self.cache.stats_store.record(
            self.name, "memory", hit=entry is not None, seconds=time.perf_counter() - started
        )
        return entry

    async def _read(self, full: str, now: float, mark: int) -> Entry | None:
        if self.use_memory and self.cache.memory_usable:
            entry = self._timed_memory_get(full, now)
            if entry is not None:
                return entry
        return await self._read_shared(full, now, mark)

    async def _read_shared(self, full: str, now: float, mark: int) -> Entry | None:
        for index, tier in enumerate(self.shared):
            started = time.perf_counter()
            try:
                entry = await tier.get(full, now)
            except CorruptEntry:
                self.cache.stats_store.error(self.name, tier.name)
                log.warning("cache entry %s in %s was damaged; treated as a miss", full, tier.name)
                entry = None
            except Exception as exc:
                self._tier_failed(tier.name, exc)
                continue
            took = time.perf_counter() - started
            self.cache.stats_store.record(self.name, tier.name, hit=entry is not None, seconds=took)
            if entry is not None:
                await self._populate(full, entry, index, now, mark)
                return entry
        return None

    async def _populate(self, full: str, entry: Entry, index: int, now: float, mark: int) -> None:
        """Copy an entry found in a lower tier into the tiers above it (unless invalidated)."""
        if self.cache.journal.invalidated_since(mark, full, entry.tags):
            return
        for upper in self.shared[:index]:
            try:
                await upper.set(full, entry, now)
            except Exception as exc:
                self._tier_failed(upper.name, exc)
        if self.use_memory and self.cache.memory_usable:
            self.cache.memory.set(full, entry)

    async def _compute(
        self,
        full: str,
        compute: Compute,
        ttl: TTL | None,
        tags: tuple[str, ...],
        cross_process: bool,
        refresh: bool,
        mark: int,
    ) -> Fetched:
        if not refresh:
            entry = await self._read_shared(full, self.cache.now(), mark)
            if entry is not None:
                return Fetched(entry.value, entry.expires_at, cached=True)
        if not cross_process:
            value = await compute()
            self._counters.computes += 1
            return await self._store(full, value, ttl, tags, mark)
        async with self.cache.advisory_lock(full):
            if not refresh:
                # another process may have computed it while this one waited for the lock
                entry = await self._read_shared(full, self.cache.now(), mark)
                if entry is not None:
                    return Fetched(entry.value, entry.expires_at, cached=True)
            value = await compute()
            self._counters.computes += 1
            return await self._store(full, value, ttl, tags, mark)

    async def _store(
        self, full: str, value: bytes, ttl: TTL | None, tags: tuple[str, ...], mark: int
    ) -> Fetched:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"cache values are bytes, got {type(value).__name__} (use *_json)")
        value = bytes(value)
        if len(value) > MAX_VALUE_BYTES:
            raise CacheValueTooLarge(self.name, full[len(self.prefix) :], len(value))
        now = self.cache.now()
        entry = Entry(value, now + (self.ttl if ttl is None else seconds(ttl)), tags)
        if self.cache.journal.invalidated_since(mark, full, tags):
            # invalidated while it was being computed: hand it out once, keep no copy
            return Fetched(value, entry.expires_at, cached=False)
        if self.use_memory and self.cache.memory_usable:
            self.cache.memory.set(full, entry)
        for tier in self.shared:
            started = time.perf_counter()
            try:
                await tier.set(full, entry, now)
            except Exception as exc:
                self._tier_failed(tier.name, exc)
                continue
            self.cache.stats_store.record(
                self.name, tier.name, hit=None, seconds=time.perf_counter() - started
            )
        return Fetched(value, entry.expires_at, cached=False)

    def _tier_failed(self, tier: str, exc: BaseException) -> None:
        self.cache.stats_store.error(self.name, tier)
        self.cache.warn.warn(
            f"tier:{tier}", "cache tier %s failed (%s: %s); carrying on without it", tier,
            type(exc).__name__, exc,
        )  # fmt: skip

    def _bad_value(self, key: str) -> None:
        self.cache.stats_store.error(self.name, "decode")
        log.warning("cache value %s%s is not valid JSON; treated as a miss", self.prefix, key)
