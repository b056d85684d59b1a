"""The cache: memory, PostgreSQL and Redis tiers behind one small interface (see README.md)."""

from lifeworld.cache.cache import Cache
from lifeworld.cache.errors import MAX_VALUE_BYTES, CacheValueTooLarge
from lifeworld.cache.namespace import Fetched, Namespace

__all__ = ["MAX_VALUE_BYTES", "Cache", "CacheValueTooLarge", "Fetched", "Namespace"]
