"""The memory tier and the entry frame, without any server."""

from __future__ import annotations

import pytest

from lifeworld.cache.entry import Entry, decode, encode
from lifeworld.cache.errors import CorruptEntry
from lifeworld.cache.memory import ENTRY_OVERHEAD, MemoryTier


def test_frames_round_trip_and_detect_damage() -> None:
    entry = Entry(b"\x00value\xff", 1_800_000_000.5, ("player:1", "place:osm:N1"))
    data = encode(entry)
    assert decode(data) == entry
    assert decode(encode(Entry(b"", 1.0))) == Entry(b"", 1.0, ())
    flipped = bytearray(data)
    flipped[-1] ^= 0x01
    for bad in (bytes(flipped), data[:-1], b"", b"\x02" + data[1:], b"garbage"):
        with pytest.raises(CorruptEntry):
            decode(bad)


def test_ttl_on_the_callers_clock() -> None:
    tier = MemoryTier(max_entries=10, max_bytes=10_000)
    tier.set("a", Entry(b"1", expires_at=100.0))
    assert tier.get("a", now=99.9) == Entry(b"1", 100.0)
    assert tier.get("a", now=100.0) is None
    assert len(tier) == 0 and tier.size_bytes == 0


def test_least_recently_used_entries_go_first_when_full() -> None:
    tier = MemoryTier(max_entries=3, max_bytes=10_000)
    for key in "abc":
        tier.set(key, Entry(b"x", 1e12))
    assert tier.get("a", 0) is not None  # a is now the most recent
    tier.set("d", Entry(b"x", 1e12))
    assert [k for k in "abcd" if tier.get(k, 0)] == ["a", "c", "d"]


def test_the_byte_budget_holds_and_huge_values_are_not_kept() -> None:
    per = 100 + 1 + ENTRY_OVERHEAD
    tier = MemoryTier(max_entries=1000, max_bytes=per * 4)
    for key in "abcdef":
        tier.set(key, Entry(b"x" * 100, 1e12))
    assert len(tier) == 4 and tier.size_bytes == per * 4
    tier.set("big", Entry(b"x" * per * 2, 1e12))  # over a quarter of the budget
    assert tier.get("big", 0) is None and len(tier) == 4


def test_tags_and_prefixes() -> None:
    tier = MemoryTier(max_entries=100, max_bytes=100_000)
    tier.set("state:1", Entry(b"s", 1e12, ("player:1",)))
    tier.set("place:1", Entry(b"p", 1e12, ("player:1",)))
    tier.set("state:2", Entry(b"t", 1e12, ("player:2",)))
    assert tier.delete_tags(["player:1"], prefix="state:") == 1
    assert tier.get("place:1", 0) is not None
    assert tier.delete_tags(["player:1"]) == 1
    assert [k for k in ("state:1", "place:1", "state:2") if tier.get(k, 0)] == ["state:2"]
    assert tier.clear("place:") == 0 and tier.clear() == 1


def test_the_journal_knows_what_was_invalidated_since_a_mark() -> None:
    tier = MemoryTier(max_entries=100, max_bytes=100_000)
    mark = tier.mark()
    assert not tier.invalidated_since(mark, "state:1", ["player:1"])
    tier.delete_tags(["player:2"])
    assert not tier.invalidated_since(mark, "state:1", ["player:1"])
    assert tier.invalidated_since(mark, "state:2", ["player:2"])
    tier.delete(["state:1"])
    assert tier.invalidated_since(mark, "state:1", [])
    later = tier.mark()
    assert not tier.invalidated_since(later, "state:1", ["player:2"])
    tier.clear()
    assert tier.invalidated_since(later, "anything", [])
