"""Invalidation acknowledgements that come back before the broadcast call returns still count."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from lifeworld.cache.broadcast import Broadcaster
from lifeworld.cache.stats import CacheStats
from lifeworld.cache.tier import SharedTier
from lifeworld.cache.warn import ThrottledWarning


class FastPeers(Broadcaster):
    """Another process answers while our NOTIFY is still on its way back (a loaded machine)."""

    async def _via_redis(self, *args: object) -> int | None:
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
        msg_id = payload.split('"m":"', 1)[1].split('"', 1)[0]
        self.on_ack(f"{msg_id} the-other-instance")
        return 2  # us and the other instance received it


async def test_an_early_acknowledgement_is_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.cache.acks")
    peers = FastPeers(
        instance_id="me",
        channel="lw_cache",
        postgres=None,
        redis=None,
        ack_timeout_s=0.05,
        warn=ThrottledWarning(log),
        stats=CacheStats(),
    )
    peers.listening.add("postgres")
    with caplog.at_level(logging.WARNING, logger="test.cache.acks"):
        await peers.send({"t": ["player:1"]}, tags=["player:1"], keys=[], prefix=None, shared=())
    assert not caplog.records  # without the fix: "1 of 1 cache instances did not confirm…"


class Counted(Broadcaster):
    """Broadcasts that PostgreSQL counts `receivers` for; `during` runs while one is on its way."""

    receivers = 1
    during: object = None

    async def _via_redis(self, *args: object) -> int | None:
        return None  # as when Redis is down

    async def _via_postgres(self, *args: object) -> int | None:
        if callable(self.during):
            self.during()
        return self.receivers


def counted(*, redis: object = None) -> Counted:
    peers = Counted(
        instance_id="me",
        channel="lw_cache",
        postgres=None,
        redis=redis,  # type: ignore[arg-type]
        ack_timeout_s=0.05,
        warn=ThrottledWarning(logging.getLogger("test.cache.acks")),
        stats=CacheStats(),
    )
    peers.listening.update({"postgres", "redis"})
    return peers


async def send(peers: Broadcaster) -> bool:
    return await peers.send({"h": "postgres"}, tags=[], keys=[], prefix=None, shared=())


async def test_a_count_of_only_ourselves_means_alone() -> None:
    peers = counted()
    assert not peers.alone  # unknown until counted
    assert await send(peers)
    assert peers.alone


async def test_a_peer_heard_during_the_count_keeps_us_broadcasting() -> None:
    peers = counted()
    peers.during = peers.peer_seen  # a newcomer's announcement arrived meanwhile
    await send(peers)
    assert not peers.alone  # the count may predate the newcomer
    peers.during = None
    await send(peers)
    assert peers.alone  # a count taken after it is trusted


async def test_a_count_over_the_fallback_transport_never_means_alone() -> None:
    peers = counted(redis=object())  # hybrid, with Redis down: PostgreSQL carried it
    assert peers.primary == "redis"
    await send(peers)
    assert not peers.alone


async def test_unanswered_broadcasts_report_it() -> None:
    peers = counted()
    peers.receivers = 2  # another instance listens but does not answer
    assert not await send(peers)
    assert not peers.alone
