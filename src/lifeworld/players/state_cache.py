"""The dashboard state cached per player in each process's memory (issue 5).

The cached document is exact until the player's next write (every write drops it, in every
instance, before its response is sent), the next day boundary, or the next half hour of the
live energy drain, whichever comes first: its time to live is computed from the state itself.
`hours_until_empty` changes continuously, so a hit recomputes it from the cached `empty_at`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import User
from lifeworld.cache import Cache
from lifeworld.game.rounding import quantize
from lifeworld.players.context import STATE_TTL_S, open_player, player_tag, state_namespace
from lifeworld.players.dashboard import build_state, valid_until
from lifeworld.players.schemas import StateOut

HUNDREDTH = Decimal("0.01")


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


async def state_json(
    session: AsyncSession, cache: Cache | None, *, user: User, now: datetime
) -> bytes:
    """`GET /api/v1/me/state` as JSON bytes, from this process's memory when still exact."""
    ns = state_namespace(cache) if cache is not None else None
    key = str(user.id)
    if ns is not None:
        cached = await ns.get(key)
        if cached is not None:
            return _from_cache(cached, now)
    ctx = await open_player(session, user=user, now=now, for_update=False)
    built = build_state(ctx)
    body = built.model_dump_json().encode()
    # A state this request rolled over is not committed yet: let the next read cache it.
    ttl = min(STATE_TTL_S, (valid_until(ctx, built) - now).total_seconds())
    if ns is not None and ctx.days_rolled == 0 and ttl > 0:
        await ns.set(key, _for_cache(built, body), ttl=ttl, tags=[player_tag(user.id)])
    return body
