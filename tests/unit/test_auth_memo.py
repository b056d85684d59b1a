"""Cached sign-ins are decoded once and kept, the least recently used dropped first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts import auth_cache
from lifeworld.accounts.models import User
from lifeworld.cache.factory import build_cache
from lifeworld.db.scope import Scope
from lifeworld.players.store import PlayerStore
from lifeworld.settings import Settings


def _scope(cache: Any) -> Scope:
    """A scope with the cache (`recall` and `remember` touch nothing else; nothing connects)."""
    session = AsyncSession()
    return Scope(session, players=PlayerStore().access(session), cache=cache)


def _user(i: int) -> User:
    return User(id=i, household_id=1, username=f"u{i}", email=f"u{i}@example.com",
                display_name=f"U{i}", is_admin=False, timezone="UTC", day_start_hour=0,
                created_at=datetime(2026, 1, 1, tzinfo=UTC), password_hash="")  # fmt: skip


async def test_the_decoded_sign_ins_are_kept_and_the_oldest_goes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth_cache, "_DECODED_MAX", 3)
    monkeypatch.setattr(auth_cache, "_decoded", type(auth_cache._decoded)())
    session = _scope(build_cache(Settings(env="test", cache="memory"), None))
    for i in range(1, 5):
        await auth_cache.remember(session, f"t:{i}", _user(i), None)
    first = await auth_cache.recall(session, "t:1")
    assert first is not None and first[0].username == "u1"
    assert await auth_cache.recall(session, "t:1") is first  # decoded once, then kept
    for i in (2, 3):
        await auth_cache.recall(session, f"t:{i}")
    await auth_cache.recall(session, "t:1")  # 1 is now the most recent
    await auth_cache.recall(session, "t:4")  # one too many: 2, the oldest, goes
    assert list(auth_cache._decoded) == ["t:3", "t:1", "t:4"]
