"""The per-process tier: a bounded LRU of serialized bytes with TTL and a tag index.

It also remembers when keys and tags were last invalidated, so a value computed from data that
was invalidated while the computation ran is not stored (the read-then-invalidate race).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from lifeworld.cache.entry import Entry

ENTRY_OVERHEAD = 120  # rough bytes of bookkeeping per entry, so tiny values still count
_MAX_REMEMBERED = 10_000


class MemoryTier:
    name = "memory"

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # Plain tuples (value, expires_at, tags), not `Entry` objects: an exact tuple of bytes,
        # a float and strings drops out of the garbage collector's tracking once a collection
        # has passed it (an instance of a class never does), so 100,000 cached entries add
        # nothing to the full collections that stop the event loop under load.
        self._entries: OrderedDict[str, tuple[bytes, float, tuple[str, ...]]] = OrderedDict()
        # tag → its keys, as a dict (values unused) rather than a set: a dict holding only
        # strings is not tracked by the garbage collector, a set always is, and every tracked
        # object lengthens the full collections that stop the event loop under load
        self._by_tag: dict[str, dict[str, None]] = {}
        self._bytes = 0
        self._generation = 0
        self._floor = 0  # everything invalidated at or before this generation is forgotten
        self._key_gen: dict[str, int] = {}
        self._tag_gen: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str, now: float) -> Entry | None:
        """The live entry under `key`, refreshed as most recently used; expired ones go."""
        stored = self._entries.get(key)
        if stored is None:
            return None
        if stored[1] <= now:  # expires_at
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return Entry._make(stored)

    def set(self, key: str, entry: Entry) -> None:
        """Store, evicting least recently used entries beyond the bounds."""
        cost = len(entry.value) + len(key) + ENTRY_OVERHEAD
        if cost > self.max_bytes // 4:
            return  # one huge value must not flush the whole tier
        self._remove(key)
        self._entries[key] = (entry.value, entry.expires_at, entry.tags)
        self._bytes += cost
        for tag in entry.tags:
            self._by_tag.setdefault(tag, {})[key] = None
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def delete(self, keys: Iterable[str]) -> None:
        self._generation += 1
        for key in keys:
            self._key_gen[key] = self._generation
            self._remove(key)
        self._forget_old()

    def delete_tags(self, tags: Iterable[str], prefix: str | None = None) -> int:
        """Drop entries carrying any of `tags` (only keys starting with `prefix` when given)."""
        self._generation += 1
        dropped = 0
        for tag in tags:
            self._tag_gen[tag] = self._generation
            for key in list(self._by_tag.get(tag, ())):
                if prefix is None or key.startswith(prefix):
                    self._remove(key)
                    dropped += 1
        self._forget_old()
        return dropped

    def clear(self, prefix: str | None = None) -> int:
        """Drop everything (or every key under `prefix`); computations in flight are not stored."""
        self._generation += 1
        self._floor = self._generation
        keys = [k for k in self._entries if prefix is None or k.startswith(prefix)]
        for key in keys:
            self._remove(key)
        return len(keys)

    def mark(self) -> int:
        """A point in the invalidation history, taken before reading lower tiers or computing."""
        return self._generation

    def invalidated_since(self, mark: int, key: str, tags: Iterable[str]) -> bool:
        """True when `key` or one of `tags` was invalidated after `mark`."""
        if self._floor > mark:
            return True
        if self._key_gen.get(key, 0) > mark:
            return True
        return any(self._tag_gen.get(tag, 0) > mark for tag in tags)

    def _remove(self, key: str) -> None:
        stored = self._entries.pop(key, None)
        if stored is None:
            return
        value, _, tags = stored
        self._bytes -= len(value) + len(key) + ENTRY_OVERHEAD
        for tag in tags:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.pop(key, None)
                if not keys:
                    del self._by_tag[tag]

    def _forget_old(self) -> None:
        # Bounded memory of invalidations: forgetting raises the floor, which only makes
        # in-flight computations skip storing (safe), never serves stale data.
        if len(self._key_gen) + len(self._tag_gen) > _MAX_REMEMBERED:
            self._floor = self._generation
            self._key_gen.clear()
            self._tag_gen.clear()
