"""The dashboard state cached per player in each process's memory (issue 5).

The cached document is exact until the player's next write (every write drops it, in every
instance, before its response is sent), the next day boundary, or the next half hour of the
live energy drain, whichever comes first: its time to live is computed from the state itself.
`hours_until_empty` changes continuously, so a hit recomputes it from the cached `empty_at`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from lifeworld.cache import Cache, Namespace
from lifeworld.db.scope import Scope
from lifeworld.game.rounding import quantize
from lifeworld.players.schemas import StateOut

HUNDREDTH = Decimal("0.01")
STATE_TTL_S = 3600.0


def namespace(cache: Cache) -> Namespace:
    """Where each process keeps players' dashboard states: its own memory only."""
    return cache.namespace("state", tiers=("memory",), ttl=STATE_TTL_S)


def tag(user_id: int) -> str:
    """The cache tag of a player's cached state (dropped on every change of the player)."""
    return f"player:{user_id}"


def forget(scope: Scope, user_id: int) -> None:
    """Drop every cached copy of the player's state, here and in every other instance, once
    the scope's transaction has committed (before the answer is sent)."""
    if scope.cache is not None:
        # Scoped to the namespace: no shared tier holds it, so a process alone sends nothing.
        drop = partial(namespace(scope.cache).delete_tag, tag(user_id))
        scope.after_commit(drop, once=("state", user_id))


async def recall(scope: Scope, user_id: int, now: datetime) -> bytes | None:
    """The cached state of the player as JSON bytes, its countdown brought to `now`."""
    if scope.cache is None:
        return None
    cached = await namespace(scope.cache).get(str(user_id))
    return _from_cache(cached, now) if cached is not None else None


async def remember(scope: Scope, user_id: int, built: StateOut, body: bytes, *, ttl: float) -> None:
    """Keep a state just built (one this request committed nothing of) for `ttl` seconds."""
    if scope.cache is not None and ttl > 0:
        value = _for_cache(built, body)
        await namespace(scope.cache).set(str(user_id), value, ttl=ttl, tags=[tag(user_id)])


# Cached as b"<empty_at in µs since the epoch, or ->\n<json with a placeholder countdown>": a
# hit fills in the countdown (exactly, in integer microseconds) without decoding the document.
PLACEHOLDER = b'"hours_until_empty":"@"'
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_HOUR = Decimal(3_600_000_000)


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _for_cache(built: StateOut, body: bytes) -> bytes:
    key = b'"hours_until_empty":'
    start = body.find(key)
    if start < 0 or built.energy.empty_at is None:
        return b"-\n" + body
    end = body.index(b",", start)
    stamp = str(_micros(built.energy.empty_at)).encode()
    return stamp + b"\n" + body[:start] + PLACEHOLDER + body[end:]


def _from_cache(cached: bytes, now: datetime) -> bytes:
    stamp, _, body = cached.partition(b"\n")
    if stamp == b"-":
        return body
    left = max(0, int(stamp) - _micros(now))
    hours = quantize(Decimal(left) / _US_PER_HOUR, HUNDREDTH)
    return body.replace(PLACEHOLDER, b'"hours_until_empty":' + str(float(hours)).encode(), 1)
