"""A bounded load through nginx while instances stop: every outcome is recorded."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from types import TracebackType

import httpx
import pytest

from tests.slow.cluster import no_cookies

MAX_ROUNDS = 400  # per worker: the run ends on its own even if nobody stops it
BROKEN = -1  # the connection to nginx broke: the answer had started, then its instance died
ENGINES = "/api/v1/me/engines"


def engine(name: str) -> dict[str, str]:
    """The POST body for the engine `name` (also its Idempotency-Key)."""
    return {"type": "LEARNING", "name": name}


class LoadRun:
    """`workers` clients, each alternating POST /me/engines (a uniquely named engine, the name
    also its Idempotency-Key) and GET /me/state through the proxy, until the block ends or
    MAX_ROUNDS.

    Each outcome is (phase, method, engine name, status); `phase` is what the test had done
    when the answer arrived (0 nothing yet, then one more for each instance it stopped).
    """

    def __init__(self, proxy: str, headers: dict[str, str], *, workers: int) -> None:
        self.proxy = proxy
        self.headers = headers
        self.workers = workers
        self.outcomes: list[tuple[int, str, str, int]] = []
        self.phase = 0
        self._done = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _work(self, worker: int) -> None:
        async with no_cookies() as client:
            for i in range(MAX_ROUNDS):
                if self._done.is_set():
                    return
                name = f"w{worker}-{i}"
                await self._send(client, "POST", ENGINES, name, engine(name))
                await self._send(client, "GET", "/api/v1/me/state", name, None)

    async def _send(
        self, client: httpx.AsyncClient, method: str, path: str, name: str, body: object
    ) -> None:
        headers = {**self.headers, "Idempotency-Key": name} if method == "POST" else self.headers
        try:
            response = await client.request(
                method, f"{self.proxy}{path}", json=body, headers=headers
            )
            status = response.status_code
        except httpx.TransportError:
            status = BROKEN
        self.outcomes.append((self.phase, method, name, status))

    async def until(self, count: int, within_s: float = 60) -> None:
        """Wait until `count` requests have been answered (bounded)."""
        deadline = time.monotonic() + within_s
        while len(self.outcomes) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"only {len(self.outcomes)} of {count} requests answered in time")
            if all(t.done() for t in self._tasks):
                for task in self._tasks:
                    task.result()  # a worker's exception, if any
                pytest.fail(f"the load ended after {len(self.outcomes)} requests")
            await asyncio.sleep(0.01)

    async def __aenter__(self) -> LoadRun:
        self._tasks = [asyncio.create_task(self._work(w)) for w in range(self.workers)]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        if kind is None:
            for result in results:
                if isinstance(result, BaseException):
                    raise result


_LINE = re.compile(r"^(\S+) (\S+) (\d+) \[([^\]]*)\] \[([^\]]*)\]$")


def retried_requests(access_log: Path) -> list[str]:
    """Requests nginx sent to more than one instance (its upstream_addr lists several)."""
    retried = []
    for line in access_log.read_text().splitlines():
        match = _LINE.match(line)
        if match and "," in match.group(4):
            retried.append(line)
    return retried
