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
