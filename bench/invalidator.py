"""Dropping a player's cached state in the server from this process, acknowledged.

It sends the message the app's cache broadcasts on a write (PostgreSQL NOTIFY on the cache's
channel, with a message id) and waits for the server's acknowledgement on the ack channel.
The app's own `Cache.invalidate` is not used: it registers the acknowledgement it waits for
only after its NOTIFY has returned, and an acknowledgement that arrives first is dropped, so
it then waits out its timeout (seen in about one invalidation in six here).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from types import TracebackType

import psycopg

from lifeworld.cache.bus import CHANNEL
from lifeworld.players.state_cache import tag as player_tag

ACK_CHANNEL = f"{CHANNEL}_ack"


class Invalidator:
    def __init__(self, database_url: str, timeout_s: float = 5.0) -> None:
        self.database_url = database_url
        self.timeout_s = timeout_s
        self.origin = f"bench-{secrets.token_hex(4)}"
        self._sequence = 0
        self._acked: dict[str, asyncio.Event] = {}

    async def __aenter__(self) -> Invalidator:
        self._listen = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
        await self._listen.execute(f"LISTEN {ACK_CHANNEL}")
        self._send = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
        self._task = asyncio.create_task(self._receive())
        return self

    async def _receive(self) -> None:
        async for note in self._listen.notifies():
            msg_id = note.payload.partition(" ")[0]
            if msg_id in self._acked:
                self._acked[msg_id].set()

    async def drop_state(self, user_id: int) -> bool:
        """Drop the player's cached state in every listening server; False if not acknowledged."""
        self._sequence += 1
        msg_id = f"{self.origin}.{self._sequence}"
        acked = self._acked[msg_id] = asyncio.Event()  # registered before sending
        body = {"o": self.origin, "m": msg_id, "p": None, "t": [player_tag(user_id)], "k": []}
        try:
            await self._send.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(body)))
            await asyncio.wait_for(acked.wait(), self.timeout_s)
            return True
        except TimeoutError:
            return False
        finally:
            del self._acked[msg_id]

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._listen.close()
        await self._send.close()
