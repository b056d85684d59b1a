"""What the chain needs from a shared tier (PostgreSQL or Redis)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lifeworld.cache.entry import Entry


class SharedTier(Protocol):
    name: str
    ok: bool

    async def get(self, key: str, now: float) -> Entry | None: ...

    async def get_many(self, keys: Sequence[str], now: float) -> dict[str, Entry]: ...

    async def set(self, key: str, entry: Entry, now: float) -> None: ...

    async def delete(self, keys: Sequence[str]) -> None: ...

    async def clear(self, prefix: str | None) -> int: ...
