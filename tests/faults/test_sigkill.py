"""The app killed with SIGKILL in the middle of a stream of activity logs, then restarted.

Four streams log activities, each with its own Idempotency-Key; the game's energy allows five a
day, so a stream that is refused moves the test clock to the next day. After enough writes the
process is killed by its pid while requests are in flight. Requests that got no answer are sent
again, with the same key, once the app is back: each either replays (it had been committed) or
records now. Afterwards every acknowledged activity exists exactly once, every key has exactly
one activity, and the player's row agrees with the activity log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg

from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url
from tests.faults.harness import AppProcess, running_apps, sign_up

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
STREAMS = 4
KILL_AFTER = 40  # acknowledged writes before the kill
TOTAL = 80  # acknowledged writes in all


@dataclass
class Stream:
    app: AppProcess
    headers: dict[str, str]
    day: int = 0
    day_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → 201 body
    replays: int = 0
    unanswered: int = 0
    up: asyncio.Event = field(default_factory=asyncio.Event)
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    enough: asyncio.Event = field(default_factory=asyncio.Event)  # time to kill

    async def pin(self, client: httpx.AsyncClient) -> None:
        moment = (T0 + timedelta(days=self.day)).isoformat()
        # A connection of its own: a pooled one may date from before the kill.
        async with httpx.AsyncClient(timeout=30) as fresh:
            answer = await fresh.put(self.app.url + "/api/v1/testing/clock", json={"now": moment})
        assert answer.status_code == 200, answer.text

    async def next_day(self, client: httpx.AsyncClient, seen: int) -> None:
        async with self.day_lock:
            if self.day == seen:
                self.day += 1
                while True:
                    try:
                        await self.pin(client)
                        return
                    except httpx.TransportError:  # killed meanwhile: the restart pins the day
                        await self.killed.wait()
                        await self.up.wait()


async def _log(stream: Stream, client: httpx.AsyncClient, key: str, n: int) -> None:
    """Send one activity until it is acknowledged (201, or its replay), across the kill."""
    body = {
        "type": "CUSTOM",
        "description": key,
        "custom_xp": {"overall": 3 + n % 5, "categories": {"engines": n % 3}},
        "resource_changes": {"gold": f"{n}.01"},
    }
    while True:
        await stream.up.wait()
        day = stream.day
        try:
            answer = await client.post(
                stream.app.url + "/api/v1/me/activities",
                json=body,
                headers={**stream.headers, "Idempotency-Key": key},
            )
        except httpx.TransportError:
            stream.unanswered += 1  # killed under us: unknown outcome, send it again
            await stream.killed.wait()
            continue
        if answer.status_code == 201:
            stream.replays += answer.headers.get("idempotent-replayed") == "true"
            stream.acknowledged[key] = answer.json()
            if len(stream.acknowledged) >= KILL_AFTER:
                stream.enough.set()
            return
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"]["code"] == "insufficient_energy"
        await stream.next_day(client, day)


async def _writer(stream: Stream, client: httpx.AsyncClient, index: int, limit: int) -> None:
    n = 0
    while len(stream.acknowledged) < limit:
        n += 1
        await _log(stream, client, f"s{index}-{n}", n)


async def test_sigkill_mid_stream_loses_no_acknowledged_write(
    tmp_path: Path, create_database: Any
) -> None:
    url = create_database("lifeworld_sigkill")
    migrate.upgrade(url)
    with running_apps(tmp_path, url) as (app,):
        stream = Stream(app, {})
        async with httpx.AsyncClient(timeout=30) as client:
            await stream.pin(client)
            stream.headers["Authorization"] = f"Bearer {sign_up(app.url)['token']}"
            stream.up.set()
            writers = [
                asyncio.create_task(_writer(stream, client, i, TOTAL)) for i in range(STREAMS)
            ]
            await stream.enough.wait()
            stream.up.clear()
            await asyncio.to_thread(app.kill)  # SIGKILL, by pid
            acknowledged_before_kill = len(stream.acknowledged)
            await asyncio.to_thread(app.start)
            await stream.pin(client)  # the test clock lives in the process: set it again
            stream.killed.set()
            stream.up.set()
            await asyncio.gather(*writers)
    _check(url, stream, acknowledged_before_kill)


def _check(url: str, stream: Stream, before_kill: int) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT id, description, day, energy_used, xp_overall, xp_engines, "
            "resource_changes->>'gold' FROM activities ORDER BY id"
        ).fetchall()
        player = conn.execute(
            "SELECT xp_overall, xp_engines, gold, energy, energy_spent_today, last_rolled_day "
            "FROM players"
        ).fetchone()
        keys = {k for (k,) in conn.execute("SELECT key FROM idempotency_keys")}
    assert player is not None
    by_key: dict[str, list[Any]] = {}
    for row in rows:
        by_key.setdefault(row[1], []).append(row)
    assert all(len(found) == 1 for found in by_key.values()), "an activity recorded twice"
    acknowledged = {key: body["activity"]["id"] for key, body in stream.acknowledged.items()}
    assert {k: by_key[k][0][0] for k in acknowledged} == acknowledged, "an acknowledged write lost"
    assert set(by_key) == set(acknowledged)  # nothing recorded that nobody was told about
    # Each key still kept (a day's worth, on the test clock) belongs to exactly one activity.
    assert keys and keys <= set(by_key)
    xp, engines, gold, energy, spent, today = player
    assert xp == sum(r[4] for r in rows) and engines == sum(r[5] for r in rows)
    assert gold == sum(Decimal(r[6]) for r in rows)
    todays = [r for r in rows if r[2] == today]
    assert spent == sum(r[3] for r in todays) and energy == 100 - spent
    print(
        f"\nacknowledged {len(acknowledged)} ({before_kill} before the kill), "
        f"{stream.unanswered} requests cut off by the kill, {stream.replays} answered by replay, "
        f"activities in the database {len(rows)}, days {stream.day + 1}"
    )
