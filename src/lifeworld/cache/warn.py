"""Warnings that repeat at most once per interval (a down Redis must not flood the log)."""

from __future__ import annotations

import logging
import time


class ThrottledWarning:
    def __init__(self, logger: logging.Logger, interval_s: float = 60.0) -> None:
        self._log = logger
        self._interval = interval_s
        self._last: dict[str, float] = {}

    def warn(self, topic: str, message: str, *args: object) -> None:
        """Log `message` unless `topic` was logged within the interval."""
        now = time.monotonic()
        last = self._last.get(topic)
        if last is not None and now - last < self._interval:
            return
        self._last[topic] = now
        self._log.warning(message, *args)
