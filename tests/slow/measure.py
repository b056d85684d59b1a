"""Measure what one machine serves: dashboard reads through nginx over 1 and 3 instances.

    LIFEWORLD_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m tests.slow.measure [postgres|hybrid] [seconds]

Not a test (no timed assertions anywhere): it prints wrk's figures and each instance's memory,
for docs/deployment-strategy.md. Needs wrk (apt install wrk); loopback only, bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import psycopg

from tests.slow.cluster import Cluster, no_cookies, start_cluster
from tests.slow.processes import require


def _database(server: str) -> str:
    name = f"lifeworld_measure_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def _wrk(url: str, cookie: str, seconds: int) -> str:
    wrk = require("wrk", "/usr/bin/wrk", "apt install wrk")
    out = subprocess.run(
        [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, flags=re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, flags=re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (
        f"{rate.group(1) if rate else '?'} req/s, p50 {p50.group(1) if p50 else '?'}, "
        f"p99 {p99.group(1) if p99 else '?'}, non-2xx {errors.group(1) if errors else 0}"
    )


async def _player(cluster: Cluster) -> str:
    async with no_cookies() as http:
        me = await cluster.new_player(http, "bench")
    return me.headers["Cookie"]


def _measure(mode: str, instances: int, server: str, seconds: int) -> None:
    url = _database(server)
    try:
        _run(mode, instances, url, seconds)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _run(mode: str, instances: int, url: str, seconds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = start_cluster(mode, url, Path(tmp), count=instances)
        try:
            cookie = asyncio.run(_player(cluster))
            path = "/api/v1/me/state"
            print(f"[{mode}, {instances} instance(s)] through nginx: ", end="", flush=True)
            print(_wrk(cluster.proxy + path, cookie, seconds))
            print(f"[{mode}] one instance directly: {_wrk(cluster.apps[0].url + path, cookie, 5)}")
            for app in cluster.apps:
                rss = psutil.Process(app.proc.pid).memory_info().rss / 2**20
                print(f"  {app.name}: {rss:.0f} MiB resident after the load")
        finally:
            cluster.stop_all()


def main() -> None:
    server = os.environ.get("LIFEWORLD_TEST_DATABASE_URL")
    if not server:
        sys.exit("set LIFEWORLD_TEST_DATABASE_URL to a PostgreSQL server this may create on")
    mode = sys.argv[1] if len(sys.argv) > 1 else "postgres"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    for instances in (1, 3):
        _measure(mode, instances, server, seconds)


if __name__ == "__main__":
    main()
