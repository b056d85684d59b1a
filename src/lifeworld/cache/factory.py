"""Build the configured Cache: memory, memory → postgres, or memory → redis → postgres."""

from __future__ import annotations

from lifeworld.cache.cache import Cache
from lifeworld.cache.memory import MemoryTier
from lifeworld.cache.postgres import PostgresTier
from lifeworld.db.pgpool import PgPool
from lifeworld.settings import CacheMode, Settings


def build_cache(settings: Settings, database_url: str | None) -> Cache:
    """The cache for one process; nothing connects until first use or `start()`.

    Without a database URL only the memory tier exists (invalidation stays in this process).
    Redis is imported only in hybrid mode.
    """
    memory = MemoryTier(
        max_entries=settings.cache_memory_max_entries, max_bytes=settings.cache_memory_max_bytes
    )
    mode = settings.cache
    if mode is CacheMode.MEMORY or not database_url:
        return Cache(backend=CacheMode.MEMORY.value, memory=memory)
    pool = PgPool(
        database_url,
        size=settings.cache_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
    )
    locks = PgPool(
        database_url,
        size=settings.cache_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=60_000,  # waiting for another process's external lookup
        application_name="lifeworld-cache-lock",
    )
    redis = None
    if mode is CacheMode.HYBRID:
        from lifeworld.cache.redis_tier import RedisTier

        assert settings.redis_url is not None  # the settings refuse hybrid without a URL
        redis = RedisTier(settings.redis_url, prefix=settings.cache_redis_prefix)
    return Cache(
        backend=mode.value,
        memory=memory,
        postgres=PostgresTier(pool),
        redis=redis,
        lock_pool=locks,
        memory_in_chain=settings.cache_memory_enabled,
        sweep_interval_s=settings.cache_sweep_interval_s,
        ack_timeout_s=settings.cache_invalidation_wait_ms / 1000,
    )
