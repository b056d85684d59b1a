"""Listening for invalidations from other processes over PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from lifeworld.cache.broadcast import LISTENER_NAME
from lifeworld.cache.warn import ThrottledWarning
from lifeworld.db.pgpool import PgPool

log = logging.getLogger(__name__)
CHANNEL = "lifeworld_cache"

OnMessage = Callable[[str, str | bytes], None]
OnState = Callable[[str, bool], None]


async def listen_postgres(
    pool: PgPool,
    channels: Sequence[str],
    on_message: OnMessage,
    on_state: OnState,
    warn: ThrottledWarning,
) -> None:
    """LISTEN on a dedicated connection forever, reconnecting with backoff.

    `on_state("postgres", True)` runs once LISTEN is in place (the cache then clears its memory
    tier: notifications sent while it was not listening are never replayed).
    """
    backoff = 0.1
    while True:
        try:
            conn = await pool.connect(application_name=LISTENER_NAME)
            try:
                for channel in channels:
                    await conn.execute(f"LISTEN {channel}")
                on_state("postgres", True)
                backoff = 0.1
                async for note in conn.notifies():
                    on_message(note.channel, note.payload)
            finally:
                on_state("postgres", False)
                await conn.close()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            warn.warn(
                "listener:postgres",
                "cache invalidation listener lost PostgreSQL (%s); retrying",
                type(exc).__name__,
            )
        await asyncio.sleep(backoff)
        backoff = min(5.0, backoff * 2)
