"""Two real app processes on one database: a change made through one is never read stale
through the other after the change's response (places deleted through A, read through B)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from lifeworld.db import migrate

from .conftest import free_port

PASSWORD = "correct horse battery"
ITERATIONS = 40


class AppProcess:
    def __init__(self, database_url: str, env: dict[str, str]) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "lifeworld.asgi:app_from_environment",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env={**os.environ, "LIFEWORLD_ENV": "production", "LIFEWORLD_SECRET_KEY": "t" * 40,
                 "LIFEWORLD_DATABASE_URL": database_url, "LIFEWORLD_PUBLIC_URL": self.base,
                 "LIFEWORLD_DATA_DIR": tempfile.mkdtemp(prefix="lifeworld-2apps-"), **env},
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("an app process did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(params=["postgres", "hybrid"])
def two_apps(request: Any, create_database: Any, redis_url: str) -> Iterator[list[AppProcess]]:
    url = create_database("lifeworld_two_apps")
    migrate.upgrade(url)
    env = {"LIFEWORLD_CACHE": request.param, "LIFEWORLD_REDIS_URL": redis_url,
           "LIFEWORLD_CACHE_REDIS_PREFIX": f"lw2apps{os.getpid()}:"}  # fmt: skip
    apps: list[AppProcess] = []
    try:
        apps.append(AppProcess(url, env))
        apps.append(AppProcess(url, env))
        yield apps
    finally:
        for app in apps:
            app.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=env["LIFEWORLD_CACHE_REDIS_PREFIX"] + "*"):
            client.unlink(key)
        client.close()


def test_a_deleted_place_is_never_served_stale_by_the_other_instance(
    two_apps: list[AppProcess],
) -> None:
    first, second = two_apps
    with httpx.Client(base_url=first.base, timeout=10) as a:
        setup = a.post(
            "/api/v1/setup",
            json={"household_name": "Two", "timezone": "UTC", "username": "ada",
                  "email": "ada@example.org", "password": PASSWORD},
        )  # fmt: skip
        assert setup.status_code == 201, setup.text
        a.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        token = a.post("/api/v1/auth/tokens", json={"name": "t"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    stale = []
    with (
        httpx.Client(base_url=first.base, headers=bearer, timeout=10) as a,
        httpx.Client(base_url=second.base, headers=bearer, timeout=10) as b,
    ):
        for i in range(ITERATIONS):
            place = a.post(
                "/api/v1/places", json={"name": f"Place {i}", "category": "cafe", "city": "Lyon"}
            ).json()
            path = f"/api/v1/places/{place['id']}"
            assert b.get(path).json()["cached"] is False
            assert b.get(path).json()["cached"] is True  # now in B's memory
            assert a.delete(path).status_code == 204
            seen = b.get(path)
            if seen.status_code != 404:
                stale.append((i, seen.status_code))
        assert b.get("/api/v1/health").json()["status"] == "ok"
    assert stale == []
