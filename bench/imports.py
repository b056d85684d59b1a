"""The size of a five-year export, and ping latency while an import of the largest size runs.

`python -m bench.imports` starts `lifeworld serve` (production mode) on a fresh database, as
the bench does, and:

1. builds the history of a keen player over five years (five activities, a sleep log and a
   boost every day, a month's investment growth every month), imports it into an empty member
   and exports it back: the export's size is what the import limit must hold
   (docs/PERFORMANCE.md);
2. grows that history to just under the import limit, imports it into another member, and
   times `GET /api/v1/ping` on 4 connections (one each 10 ms) while the import runs, against
   the same pings just before. It prints both, their ratio, how long the import took and the
   server's memory before and after.

Figures are printed, never asserted: the tests check behaviour, the bench measures.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from bench.client import Connection
from bench.infra import Postgres, free_port
from bench.server import AppServer

YEARS = 5
ACTIVITIES_PER_DAY = 5
PINGERS = 4
PING_EVERY_S = 0.01
QUIET_S = 3.0
PASSWORD = "correct horse battery"
ACTIVITY_TYPES = ("WORK_PROJECT", "EXERCISE", "LEARNING", "REST", "SAVE_EXPENSES")


def _member(base: str, code: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    answer = client.post(
        "/api/v1/auth/register",
        json={
            "invite_code": code,
            "username": name,
            "email": f"{name}@example.org",
            "password": PASSWORD,
            "timezone": "UTC",
        },
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _template(admin: httpx.Client) -> dict[str, Any]:
    """An export holding one of each kind of row the history repeats."""
    for kind in ACTIVITY_TYPES:
        admin.post("/api/v1/me/activities", json={"type": kind}).raise_for_status()
    today = admin.get("/api/v1/me/state").json()["day"]["today"]
    admin.post(
        "/api/v1/me/sleep", json={"date": today, "hours": "7.5", "quality": 8}
    ).raise_for_status()
    boost = {"type": "caffeine", "amount": 10, "duration_min": 60, "decay_per_hour": "2"}
    admin.post("/api/v1/me/boosts", json=boost).raise_for_status()
    document: dict[str, Any] = admin.get("/api/v1/me/export").json()
    return document


def _history(template: dict[str, Any], days: int, per_day: int) -> dict[str, Any]:
    """`days` days of play ending today, built from the template's rows."""
    doc = copy.deepcopy(template)
    today = date.fromisoformat(doc["player"]["last_rolled_day"])
    first = today - timedelta(days=days - 1)
    kinds = doc["activities"]
    sleep, boost = doc["sleep_logs"][0], doc["boosts"][0]
    activities, sleeps, boosts, growth = [], [], [], []
    for n in range(days):
        day = first + timedelta(days=n)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        for i in range(per_day):
            item = copy.deepcopy(kinds[(n + i) % len(kinds)])
            item["day"] = day.isoformat()
            item["occurred_at"] = (noon + timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
            item["description"] = f"day {n}, entry {i}: an ordinary note about what was done"
            activities.append(item)
        night = copy.deepcopy(sleep)
        night["date"] = day.isoformat()
        night["logged_at"] = noon.isoformat().replace("+00:00", "Z")
        sleeps.append(night)
        coffee = copy.deepcopy(boost)
        coffee["started_at"] = noon.isoformat().replace("+00:00", "Z")
        boosts.append(coffee)
        if day.day == 1:
            growth.append(
                {
                    "month": day.isoformat(),
                    "applied_at": noon.isoformat().replace("+00:00", "Z"),
                    "total_growth": "12.34",
                }
            )
    doc["activities"], doc["sleep_logs"], doc["boosts"] = activities, sleeps, boosts
    doc["investment_growth"], doc["training_completions"] = growth, []
    doc["player"]["created_day"] = first.isoformat()
    return doc


def _filled_to(template: dict[str, Any], limit: int) -> bytes:
    """A history whose body is just under `limit` bytes."""
    per_day = ACTIVITIES_PER_DAY
    days = 365 * YEARS
    body = json.dumps(_history(template, days, per_day)).encode()
    while len(body) < limit * 0.97:
        per_day = max(per_day + 1, int(per_day * limit * 0.97 / len(body)))
        body = json.dumps(_history(template, days, per_day)).encode()
    while len(body) > limit:
        per_day -= 1
        body = json.dumps(_history(template, days, per_day)).encode()
    return body


async def _pings(port: int, until: Any) -> list[float]:
    latencies: list[float] = []

    async def pinger() -> None:
        conn = Connection(port)
        try:
            while not until():
                answer = await conn.request("GET", "/api/v1/ping", {})
                if answer.status == 200:
                    latencies.append(answer.ms)
                await asyncio.sleep(PING_EVERY_S)
        finally:
            await conn.close()

    await asyncio.gather(*(pinger() for _ in range(PINGERS)))
    return latencies


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def main() -> int:
    pg = Postgres()
    server = AppServer(pg.url, free_port(), {})
    try:
        from lifeworld.settings import Settings

        limit = int(Settings.model_fields["max_import_bytes"].default)
        admin = httpx.Client(base_url=server.base, timeout=600)
        setup = admin.post(
            "/api/v1/setup",
            json={
                "household_name": "Bench",
                "timezone": "UTC",
                "username": "ada",
                "email": "ada@example.org",
                "password": PASSWORD,
            },
        )
        setup.raise_for_status()
        admin.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        template = _template(admin)
        invite = lambda: admin.post("/api/v1/household/invites").json()["code"]  # noqa: E731

        five = _member(server.base, invite(), "five")
        history = json.dumps(_history(template, 365 * YEARS, ACTIVITIES_PER_DAY)).encode()
        answer = five.post(
            "/api/v1/me/import", content=history, headers={"content-type": "application/json"}
        )
        answer.raise_for_status()
        exported = five.get("/api/v1/me/export").content
        print(
            f"five years ({ACTIVITIES_PER_DAY} activities, a sleep log and a boost a day): "
            f"export {len(exported):,} bytes ({len(exported) / 2**20:.1f} MiB); "
            f"the import limit {limit / 2**20:.0f} MiB is {limit / len(exported):.1f}× that"
        )

        big = _member(server.base, invite(), "big")
        body = _filled_to(template, limit)
        server.settle()
        deadline = time.monotonic() + QUIET_S
        quiet = asyncio.run(_pings(server.port, lambda: time.monotonic() > deadline))
        rss_before = server.rss_mib()
        with ThreadPoolExecutor(1) as pool:
            started = time.perf_counter()
            running = pool.submit(
                big.post,
                "/api/v1/me/import",
                content=body,
                headers={"content-type": "application/json"},
            )
            during = asyncio.run(_pings(server.port, running.done))
            took = time.perf_counter() - started
            status = running.result().status_code
        rss_after = server.rss_mib()
        print(
            f"import of {len(body):,} bytes: {status} in {took:.1f} s; server RSS "
            f"{rss_before:.0f} → {rss_after:.0f} MiB"
        )
        print(
            f"ping p50/p99: quiet {_pct(quiet, 50):.1f}/{_pct(quiet, 99):.1f} ms, during the "
            f"import {_pct(during, 50):.1f}/{_pct(during, 99):.1f} ms "
            f"(p99 ratio {_pct(during, 99) / max(_pct(quiet, 99), 0.01):.1f}×, "
            f"max {max(during or [0.0]):.0f} ms, {len(during)} pings)"
        )
        return 0 if status == 200 else 1
    finally:
        server.stop()
        pg.close()


if __name__ == "__main__":
    sys.exit(main())
