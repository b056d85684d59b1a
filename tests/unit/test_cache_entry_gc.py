"""A memory tier full of entries adds nothing to what the garbage collector tracks, so a large
cache does not lengthen the full collections that pause the event loop under load."""

from __future__ import annotations

import gc

from lifeworld.cache.entry import Entry
from lifeworld.cache.memory import MemoryTier


def test_entries_kept_in_memory_are_not_tracked_by_the_garbage_collector() -> None:
    tier = MemoryTier(max_entries=10_000, max_bytes=64 * 1024 * 1024)
    gc.collect()
    before = len(gc.get_objects())
    for n in range(5_000):
        tier.set(f"state:{n}", Entry(f"document {n}".encode(), 1e12, (f"player:{n}",)))
    gc.collect()  # a tuple of untracked items leaves tracking when a collection passes it
    assert len(gc.get_objects()) - before < 500  # not one (or more) for each of 5,000
    assert tier.get("state:42", now=0.0) == Entry(b"document 42", 1e12, ("player:42",))
