"""Benchmark: cached place details over HTTP, per cache tier, against the app's no-op endpoint.

    .venv/bin/python bench/places_cache.py [--seconds 10] [--connections 16]

Starts the app with uvicorn (production mode, one worker, uvloop + httptools, no access log) on
127.0.0.1 once per configuration, against a fresh database on the PostgreSQL at
LIFEWORLD_BENCH_DATABASE_URL / LIFEWORLD_TEST_DATABASE_URL (else the embedded one), and drives
`GET /api/v1/places/{id}` (a signed-in player's request: Bearer token) with `wrk` when
/usr/bin/wrk exists, else an async httpx load generator in a separate process.

Which tier serves is forced by configuration, honestly: "memory" is the default chain with the
memory tier in front; "postgres" and "hybrid" switch the memory tier off
(LIFEWORLD_CACHE_MEMORY_ENABLED=false), so every request reads PostgreSQL, or Redis first.
The script checks that the answers say `cached: true` before it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url
from places_load import LoadResult, run_load, tier_reads

TARGETS = {"memory": 0.70, "postgres": 0.35, "hybrid": 0.35}
PASSWORD = "correct horse battery"


def database_server() -> tuple[str, object | None]:
    url = os.environ.get("LIFEWORLD_BENCH_DATABASE_URL") or os.environ.get(
        "LIFEWORLD_TEST_DATABASE_URL"
    )
    if url:
        return libpq_url(url), None
    from lifeworld.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="lifeworld-bench-pg-")) / "data")
    server.ensure_started()
    return libpq_url(server.url("postgres")), server


def fresh_database(server_url: str) -> str:
    name = f"lifeworld_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    return url


def redis_url() -> str | None:
    import redis

    url = os.environ.get("LIFEWORLD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


class Server:
    """One uvicorn process of the app."""

    def __init__(self, database_url: str, port: int, env: dict[str, str]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        full_env = {
            **os.environ,
            "LIFEWORLD_ENV": "production",
            "LIFEWORLD_SECRET_KEY": "b" * 48,
            "LIFEWORLD_DATABASE_URL": database_url,
            "LIFEWORLD_PUBLIC_URL": self.base,
            "LIFEWORLD_DATA_DIR": tempfile.mkdtemp(prefix="lifeworld-bench-"),
            "LIFEWORLD_LOG_LEVEL": "warning",
            **env,
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "lifeworld.asgi:app_from_environment",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--loop", "uvloop",
             "--http", "httptools", "--log-level", "warning"],
            env=full_env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise SystemExit("the app did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def prepare(base: str) -> tuple[str, str]:
    """Create the household, an API token and a place; returns (token, place id)."""
    with httpx.Client(base_url=base, timeout=10) as client:
        setup = client.post(
            "/api/v1/setup",
            json={"household_name": "Bench", "timezone": "UTC", "username": "bench",
                  "email": "bench@example.org", "password": PASSWORD},
        )  # fmt: skip
        setup.raise_for_status()
        client.headers["X-CSRF-Token"] = setup.json()["csrf_token"]
        token = client.post("/api/v1/auth/tokens", json={"name": "bench"}).json()["token"]
        place = client.post(
            "/api/v1/places",
            json={"name": "Café Moka", "category": "cafe", "city": "Lyon", "rating": 4.5,
                  "description": "quiet cafe with wifi to work from"},
        )  # fmt: skip
        place.raise_for_status()
        return str(token), str(place.json()["id"])


def warm(base: str, path: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for _ in range(3):
            response = client.get(path)
            response.raise_for_status()
        if path != "/api/v1/ping" and response.json().get("cached") is not True:
            raise SystemExit(f"{path} is not served from the cache: {response.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18_473)
    args = parser.parse_args()

    server_url, embedded = database_server()
    database_url = fresh_database(server_url)
    redis = redis_url()
    configs: list[tuple[str, str, dict[str, str]]] = [
        ("no-op (GET /api/v1/ping)", "ping", {}),
        ("memory tier", "memory", {"LIFEWORLD_CACHE": "postgres"}),
        ("postgres tier", "postgres",
         {"LIFEWORLD_CACHE": "postgres", "LIFEWORLD_CACHE_MEMORY_ENABLED": "false"}),
    ]  # fmt: skip
    if redis:
        configs.append(
            ("hybrid (redis) tier", "hybrid", {"LIFEWORLD_CACHE": "hybrid",
             "LIFEWORLD_REDIS_URL": redis, "LIFEWORLD_CACHE_MEMORY_ENABLED": "false"})
        )  # fmt: skip
    else:
        print("no Redis answers at LIFEWORLD_TEST_REDIS_URL or 127.0.0.1:6379: hybrid skipped")
    token = place = ""
    results: dict[str, LoadResult] = {}
    try:
        for label, kind, env in configs:
            server = Server(database_url, args.port, env)
            try:
                if not token:
                    token, place = prepare(server.base)
                path = "/api/v1/ping" if kind == "ping" else f"/api/v1/places/{place}"
                warm(server.base, path, token)
                results[kind] = run_load(
                    server.base + path, token, seconds=args.seconds, connections=args.connections
                )
                print(f"  {label}: {results[kind].summary()}", flush=True)
            finally:
                server.stop()
    finally:
        if embedded is not None:
            embedded.stop()  # type: ignore[attr-defined]
    tiers = asyncio.run(
        tier_reads(database_url, redis, seconds=min(args.seconds, 3), concurrency=args.connections)
    )
    report(results, configs, args)
    print(f"\nOne cached place read through each tier alone, in-process, {args.connections} tasks")
    for label, r in tiers.items():
        print(f"  {label:9} {r.rps:9.0f} reads/s  p50 {r.p50_ms:.3f} ms  p99 {r.p99_ms:.3f} ms")


def report(
    results: dict[str, LoadResult],
    configs: list[tuple[str, str, dict[str, str]]],
    args: argparse.Namespace,
) -> None:
    base = results["ping"].rps
    print()
    print(f"GET /api/v1/places/{{id}}, {args.connections} connections, {args.seconds:.0f} s each, "
          f"one uvicorn worker, load by {results['ping'].tool}")  # fmt: skip
    print(f"{'configuration':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  goal")
    for label, kind, _ in configs:
        r = results[kind]
        goal = ""
        if kind in TARGETS:
            ok = r.rps / base >= TARGETS[kind] and r.p99_ms <= 4 * r.p50_ms
            goal = f"≥{TARGETS[kind]:.0%}, p99≤4×p50: {'met' if ok else 'NOT met'}"
        print(
            f"{label:28} {r.rps:9.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.rps / base:7.0%}  {goal}"
        )
    postgres = results.get("postgres")
    if postgres:
        print(f"\nThe seed expected 10–50 ms and ~100 queries/s from a PostgreSQL cache; the "
              f"postgres tier served {postgres.rps:.0f} req/s ({postgres.rps / 100:.0f}× that) "
              f"at p50 {postgres.p50_ms:.2f} ms end to end over HTTP.")  # fmt: skip


if __name__ == "__main__":
    main()
