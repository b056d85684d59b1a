"""Fixtures for the cache tests: a committed database, the shared Redis, Redis servers we own."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from lifeworld.cache import Cache
from lifeworld.cache.factory import build_cache
from lifeworld.db import migrate
from lifeworld.settings import Settings

REDIS_SERVER = "/usr/bin/redis-server"


@pytest.fixture(scope="session")
def cache_db_url(create_database: Any) -> str:
    """A migrated database whose writes are committed (listeners and other processes see them)."""
    url: str = create_database("lifeworld_cache")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; a test run without one fails loudly instead of skipping."""
    url = os.environ.get("LIFEWORLD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"the cache tests need a real Redis at {url} ({exc}); run ./scripts/test.sh, which "
            "starts one, or set LIFEWORLD_TEST_REDIS_URL"
        )
    return url


def cache_settings(mode: str, redis_url: str | None = None, **overrides: Any) -> Settings:
    """Test settings for one cache mode, with a Redis key prefix no other test uses."""
    return Settings(  # type: ignore[arg-type]
        env="test",
        cache=mode,
        redis_url=redis_url,
        cache_redis_prefix=f"lwtest{secrets.token_hex(4)}:",
        **overrides,
    )


@pytest.fixture
async def make_cache(cache_db_url: str, redis_url: str) -> AsyncIterator[Any]:
    """Build started caches of a mode ("memory", "postgres", "hybrid"); all closed at the end."""
    made: list[Cache] = []

    async def make(
        mode: str, *, start: bool = True, url: str | None = None, **overrides: Any
    ) -> Cache:
        settings = cache_settings(mode, overrides.pop("redis", redis_url), **overrides)
        cache = build_cache(settings, url or cache_db_url)
        made.append(cache)
        if start:
            await cache.start()
        return cache

    yield make
    for cache in made:
        if cache.redis is not None:
            with contextlib.suppress(Exception):
                await cache.redis.purge()
        await cache.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnRedis:
    """A redis-server of this test's own, stopped and started again by its pid."""

    def __init__(self) -> None:
        if not os.path.exists(REDIS_SERVER):
            pytest.fail(
                f"{REDIS_SERVER} is needed for the Redis fault tests (apt install redis-server)"
            )
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lifeworld-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    pytest.fail("our own redis-server did not start")
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)
