"""Load drivers for the fault tests: every request's start, end, outcome and body, recorded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Outcome:
    """One request as the client saw it (times from time.monotonic())."""

    name: str
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused or reset, timeout)
    body: Any = None
    error: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Recorder:
    outcomes: list[Outcome] = field(default_factory=list)

    async def send(
        self, client: httpx.AsyncClient, name: str, method: str, url: str, **kwargs: Any
    ) -> Outcome:
        started = time.monotonic()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            outcome = Outcome(name, started, time.monotonic(), None, error=type(exc).__name__)
        else:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            outcome = Outcome(name, started, time.monotonic(), response.status_code, body)
        self.outcomes.append(outcome)
        return outcome

    def between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in self.outcomes if start <= o.started <= end]


def error_code(outcome: Outcome) -> str | None:
    body = outcome.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        return str(code) if code is not None else None
    return None
