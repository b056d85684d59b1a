"""Whether the online place provider answers, decided by the searches themselves.

No probe of its own: a search that finds the provider unreachable makes the next searches go
offline for `retry_s`, and the first search after that asks the provider again. So a machine
without internet pays one failed request per `retry_s`, and online search comes back by itself.
The verdict is per process (each worker learns on its own), which costs at most one extra try.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Reachability:
    def __init__(self, provider: str, *, retry_s: float, now: Callable[[], float] = time.monotonic):
        self.provider = provider
        self.retry_s = retry_s
        self._now = now
        self._down_until: float | None = None

    @property
    def down(self) -> bool:
        """The provider failed within the last `retry_s`: search offline without asking it."""
        return self._down_until is not None and self._now() < self._down_until

    def failed(self, reason: str) -> None:
        if self._down_until is None:
            log.warning(
                "place search goes offline: %s is not answering (%s); asking again in %.0f s",
                self.provider, reason, self.retry_s,
            )  # fmt: skip
        self._down_until = self._now() + self.retry_s

    def answered(self) -> None:
        if self._down_until is not None:
            log.info("place search is online again: %s answers", self.provider)
        self._down_until = None
