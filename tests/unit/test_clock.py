"""The app's one clock: real time, or pinned (test environment)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lifeworld.clock import Clock


def test_timestamp_follows_a_pinned_instant() -> None:
    clock = Clock()
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    clock.pin(moment)
    assert clock.now() == moment
    assert clock.timestamp() == moment.timestamp()
    clock.pin(None)
    assert clock.pinned is None


def test_timestamp_is_real_time_when_not_pinned() -> None:
    clock = Clock()
    before = time.time()
    stamp = clock.timestamp()
    after = time.time()
    assert before <= stamp <= after
    assert abs(clock.now().timestamp() - stamp) < 5


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock().pin(datetime(2026, 1, 1))
    assert Clock().now().tzinfo is UTC
