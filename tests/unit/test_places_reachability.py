"""`auto`: a failure sends searches offline for a while; the first one after asks again."""

from __future__ import annotations

import logging

import pytest

from lifeworld.places.reachability import Reachability


def test_down_for_retry_seconds_then_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    reach = Reachability("nominatim", retry_s=60, now=lambda: now[0])
    assert not reach.down
    with caplog.at_level(logging.INFO, logger="lifeworld.places.reachability"):
        reach.failed("connection refused")
        now[0] += 59.9
        assert reach.down
        now[0] += 0.2
        assert not reach.down  # worth asking again
        reach.failed("timed out")  # still away: another minute, logged once
        now[0] += 30
        assert reach.down
        now[0] += 30
        reach.answered()
        assert not reach.down
        reach.answered()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "goes offline: nominatim is not answering (connection refused)" in messages[0]
    assert messages[1] == "place search is online again: nominatim answers"
