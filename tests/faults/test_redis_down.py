"""Redis stopped in hybrid mode, under load: no request fails, health says `degraded`; Redis back:
health says `ok` again (the cache's fallback to PostgreSQL, seen from outside the app)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from lifeworld.db import migrate
from tests.faults.harness import free_port, running_apps, sign_up
from tests.faults.recorder import Recorder

WORKERS = 6


class RedisServer:
    """A redis-server of this test's own, stopped and started by its pid."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is needed by this test: apt install redis-server")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail("the test's redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


async def _worker(
    recorder: Recorder, client: httpx.AsyncClient, place: str, index: int, stop: asyncio.Event
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        step = n % 4
        if step == 0:
            body = {"type": "LEARNING", "name": f"w{index}-{n}"}
            await recorder.send(client, "write", "POST", "/api/v1/me/engines", json=body)
        elif step == 1:
            await recorder.send(client, "place", "GET", f"/api/v1/places/{place}")
        elif step == 2:
            await recorder.send(client, "state", "GET", "/api/v1/me/state")
        else:
            await recorder.send(client, "refresh", "GET", f"/api/v1/places/{place}?refresh=true")
        await asyncio.sleep(0.01)


async def _health(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/api/v1/health")
    assert answer.status_code == 200, answer.text  # degraded is still 200
    body: dict[str, Any] = answer.json()
    return body


async def _until(client: httpx.AsyncClient, status: str, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if (await _health(client))["status"] == status:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    pytest.fail(f"health did not become {status!r} within {within} s")


async def test_redis_down_in_hybrid_mode_fails_no_request(
    tmp_path: Path, create_database: Any
) -> None:
    url = create_database("lifeworld_redis_down")
    migrate.upgrade(url)
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    try:
        with running_apps(tmp_path, url, cache="hybrid", redis_url=redis_server.url) as (app,):
            token = sign_up(app.url)["token"]
            recorder, stop = Recorder(), asyncio.Event()
            async with httpx.AsyncClient(
                base_url=app.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                made = await client.post(
                    "/api/v1/places", json={"name": "Cafe", "category": "cafe", "city": "York"}
                )
                place = made.json()["id"]
                assert (await _health(client))["cache"] == {"backend": "hybrid", "ok": True}
                workers = [
                    asyncio.create_task(_worker(recorder, client, place, i, stop))
                    for i in range(WORKERS)
                ]
                await asyncio.sleep(2)
                await asyncio.to_thread(redis_server.stop)
                degraded_after = await _until(client, "degraded", within=10)
                await asyncio.sleep(3)
                outage_health = await _health(client)
                await asyncio.to_thread(redis_server.start)
                ok_after = await _until(client, "ok", within=15)
                await asyncio.sleep(2)
                stop.set()
                await asyncio.gather(*workers)
    finally:
        redis_server.stop()
    failed = [(o.name, o.status, o.body) for o in recorder.outcomes if not o.ok]
    assert failed == [], failed[:5]
    assert outage_health["status"] == "degraded"
    assert outage_health["cache"] == {"backend": "hybrid", "ok": False}
    assert outage_health["database"]["ok"] is True
    print(
        f"\nrequests {len(recorder.outcomes)}, failed 0, health degraded "
        f"{degraded_after:.2f} s after Redis stopped, ok {ok_after:.2f} s after it returned"
    )
