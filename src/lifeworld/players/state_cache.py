"""The dashboard state cached per player in each process's memory (issue 5).

The cached document is exact until the player's next write (every write drops it, in every
instance, before its response is sent), the next day boundary, or the next half hour of the
live energy drain, whichever comes first: its time to live is computed from the state itself.
`hours_until_empty` changes continuously, so it is recomputed from the cached `empty_at`.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import User
from lifeworld.cache import Cache, Namespace
from lifeworld.game.rounding import quantize
from lifeworld.players.context import open_player, player_tag
from lifeworld.players.dashboard import build_state, valid_until

MAX_TTL_S = 3600.0
HUNDREDTH = Decimal("0.01")


def state_namespace(cache: Cache) -> Namespace:
    return cache.namespace("state", tiers=("memory",), ttl=MAX_TTL_S)


def _with_fresh_countdown(body: bytes, now: datetime) -> bytes:
    doc = json.loads(body)
    energy = doc["energy"]
    if energy["empty_at"] is None:
        return body
    left = (datetime.fromisoformat(energy["empty_at"]) - now).total_seconds() / 3600
    energy["hours_until_empty"] = float(quantize(Decimal(max(0.0, left)), HUNDREDTH))
    return json.dumps(doc, separators=(",", ":")).encode()


async def state_json(
    session: AsyncSession, cache: Cache | None, *, user: User, now: datetime
) -> bytes:
    """`GET /api/v1/me/state` as JSON bytes, from this process's memory when still exact."""
    ns = state_namespace(cache) if cache is not None else None
    key = str(user.id)
    if ns is not None:
        cached = await ns.get(key)
        if cached is not None:
            return _with_fresh_countdown(cached, now)
    ctx = await open_player(session, user=user, now=now, for_update=False)
    built = build_state(ctx)
    body = built.model_dump_json().encode()
    # A state this request rolled over is not committed yet: let the next read cache it.
    ttl = min(MAX_TTL_S, (valid_until(ctx, built) - now).total_seconds())
    if ns is not None and ctx.days_rolled == 0 and ttl > 0:
        await ns.set(key, body, ttl=ttl, tags=[player_tag(user.id)])
    return body
