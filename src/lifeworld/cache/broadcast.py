"""Telling every other process to drop its memory copies, and waiting until they have.

A message goes out over Redis pub/sub (hybrid mode) or PostgreSQL NOTIFY, together with the
shared tiers' deletions where possible (one round trip). The same round trip says how many
processes listen (PUBLISH's receiver count; the listener sessions in pg_stat_activity). Each of
them drops its copies and answers with an acknowledgement; `invalidate` returns when all have
answered, or after `ack_timeout_s` (a process that does not answer in time is logged). So once
a write's response is sent, no other instance still serves the old copy from memory.

A process alone (the home machine: one instance) need not broadcast at all. It knows it is alone
when its last broadcast reached no listener but its own and nothing has happened since that says
otherwise: a message from another process, or a change in its own listeners (`peer_seen`). A
process whose listener connects announces itself with a broadcast and trusts its memory only
once every listener has acknowledged it, so a process that believes itself alone always learns
of a newcomer before the newcomer caches anything (lifeworld/cache/README.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lifeworld.cache.postgres import PostgresTier
from lifeworld.cache.stats import CacheStats
from lifeworld.cache.tier import SharedTier
from lifeworld.cache.warn import ThrottledWarning

if TYPE_CHECKING:
    from lifeworld.cache.redis_tier import RedisTier

log = logging.getLogger(__name__)
NOTIFY_LIMIT = 7_000  # PostgreSQL refuses payloads of 8000 bytes and more
LISTENER_NAME = "lifeworld-cache-listen"  # the application_name of listener sessions


@dataclass
class _Pending:
    expected: int | None = None  # known once the broadcast returns its receiver count
    acked: set[str] = field(default_factory=set)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Broadcaster:
    def __init__(
        self,
        *,
        instance_id: str,
        channel: str,
        postgres: PostgresTier | None,
        redis: RedisTier | None,
        ack_timeout_s: float,
        warn: ThrottledWarning,
        stats: CacheStats,
    ) -> None:
        self.instance_id = instance_id
        self.channel = channel
        self.ack_channel = f"{channel}_ack"
        self.postgres = postgres
        self.redis = redis
        self.ack_timeout_s = ack_timeout_s
        self.listening: set[str] = set()  # transports whose listener is connected
        self._warn = warn
        self._stats = stats
        self._sequence = 0
        self._pending: dict[str, _Pending] = {}
        self._acks: set[asyncio.Task[None]] = set()
        # The transport broadcasts go by while it works; only its receiver count can say alone.
        self.primary = "redis" if redis is not None else "postgres"
        self.alone = False
        self._epoch = 0  # counts `peer_seen` calls: a count taken before one is out of date

    def peer_seen(self) -> None:
        """Another process may listen that our last count missed: broadcast until a new count
        (taken after this call) says no one else listens."""
        self.alone = False
        self._epoch += 1

    def message(self, body: dict[str, Any]) -> tuple[str, str]:
        """(message id, JSON payload) for a broadcast; too large ones become "clear the prefix"."""
        self._sequence += 1
        msg_id = f"{self.instance_id}.{self._sequence}"
        payload = json.dumps({"o": self.instance_id, "m": msg_id, **body}, separators=(",", ":"))
        if len(payload) > NOTIFY_LIMIT:
            payload = json.dumps({"o": self.instance_id, "m": msg_id, "c": body.get("p")})
        return msg_id, payload

    async def send(
        self,
        body: dict[str, Any],
        *,
        tags: list[str],
        keys: list[str],
        prefix: str | None,
        shared: Sequence[SharedTier],
    ) -> bool:
        """Delete from the shared tiers, broadcast, and wait for the other processes' answers;
        True once every listening process has answered, False when it could not be sent or
        not all did. Also True when this process does not listen on the transport used: it
        cannot receive answers then, and does not wait for them."""
        msg_id, payload = self.message(body)
        # Registered before sending: an acknowledgement can arrive before the send returns.
        self._pending[msg_id] = _Pending()
        try:
            return await self._send(msg_id, payload, tags, keys, prefix, shared, self._epoch)
        finally:
            del self._pending[msg_id]

    async def _send(
        self,
        msg_id: str,
        payload: str,
        tags: list[str],
        keys: list[str],
        prefix: str | None,
        shared: Sequence[SharedTier],
        epoch: int,
    ) -> bool:
        sent = await self._via_redis(payload, tags, keys, prefix, shared)
        transport = "redis"
        if sent is None:
            transport = "postgres"
        sent_pg = await self._via_postgres(payload, tags, keys, prefix, shared, sent is None)
        if sent is None:
            sent = sent_pg
        if sent is None:
            log.warning("a cache invalidation could not be broadcast to other processes")
            return False
        if transport in self.listening:
            others = sent - 1  # our own listener is among the receivers
            if epoch == self._epoch:
                self.alone = others == 0 and transport == self.primary
            return await self._wait_for_acks(msg_id, others)
        return True

    async def _via_redis(
        self,
        payload: str,
        tags: list[str],
        keys: list[str],
        prefix: str | None,
        shared: Sequence[SharedTier],
    ) -> int | None:
        if self.redis is None:
            return None
        try:
            return await self.redis.invalidate(
                tags=tags if self.redis in shared else [],
                keys=keys if self.redis in shared else [],
                prefix=prefix,
                channel=self.channel,
                payload=payload,
            )
        except Exception as exc:
            self._stats.error("_invalidate", "redis")
            self._warn.warn("invalidate:redis", "invalidation via Redis failed (%s)", exc)
            return None

    async def _via_postgres(
        self,
        payload: str,
        tags: list[str],
        keys: list[str],
        prefix: str | None,
        shared: Sequence[SharedTier],
        publish: bool,
    ) -> int | None:
        pg = self.postgres
        if pg is None:
            return None
        try:
            return await pg.invalidate(
                tags=tags if pg in shared else [],
                keys=keys if pg in shared else [],
                prefix=prefix,
                notify=(self.channel, payload, LISTENER_NAME) if publish else None,
            )
        except Exception as exc:
            self._stats.error("_invalidate", "postgres")
            self._warn.warn("invalidate:pg", "invalidation via PostgreSQL failed (%s)", exc)
            return None

    async def _wait_for_acks(self, msg_id: str, expected: int) -> bool:
        if expected <= 0:
            return True
        pending = self._pending[msg_id]
        pending.expected = expected
        if len(pending.acked) >= expected:
            return True
        try:
            await asyncio.wait_for(pending.done.wait(), self.ack_timeout_s)
            return True
        except TimeoutError:
            self._warn.warn(
                "ack",
                "%d of %d cache instances did not confirm an invalidation within %.0f ms",
                expected - len(pending.acked), expected, self.ack_timeout_s * 1000,
            )  # fmt: skip
            return False

    def on_ack(self, data: str | bytes) -> None:
        """An acknowledgement "<message id> <instance>" arrived."""
        text = data.decode() if isinstance(data, bytes) else data
        msg_id, _, instance = text.partition(" ")
        pending = self._pending.get(msg_id)
        if pending is not None:
            pending.acked.add(instance)
            if pending.expected is not None and len(pending.acked) >= pending.expected:
                pending.done.set()

    def acknowledge(self, transport: str, msg_id: str) -> None:
        """Answer a message we acted on, over the transport it came by (in the background)."""
        task = asyncio.get_running_loop().create_task(self._ack(transport, msg_id))
        self._acks.add(task)
        task.add_done_callback(self._acks.discard)

    async def _ack(self, transport: str, msg_id: str) -> None:
        payload = f"{msg_id} {self.instance_id}"
        try:
            if transport == "redis" and self.redis is not None:
                await self.redis.publish(self.ack_channel, payload)
            elif self.postgres is not None:
                await self.postgres.notify(self.ack_channel, payload)
        except Exception as exc:
            self._warn.warn("ack-send", "could not acknowledge an invalidation (%s)", exc)

    async def close(self) -> None:
        for task in list(self._acks):
            task.cancel()
        self._acks.clear()
