"""Errors the cache raises to its callers."""

from __future__ import annotations

from lifeworld.errors import PayloadTooLarge

MAX_VALUE_BYTES = 1024 * 1024


class CacheValueTooLarge(PayloadTooLarge):
    """A value over 1 MiB was offered to the cache; the translator answers 413 `value_too_large`."""

    code = "value_too_large"

    def __init__(self, namespace: str, key: str, size: int) -> None:
        super().__init__(
            f"The cache refuses values over {MAX_VALUE_BYTES} bytes "
            f"({namespace}:{key} is {size} bytes). Store less, or store it elsewhere.",
            details={"namespace": namespace, "size": size, "limit": MAX_VALUE_BYTES},
        )
        self.size = size


class CorruptEntry(ValueError):
    """Stored bytes that do not decode to an entry (treated as a miss and replaced)."""
