"""Ping while sign-ins are flooded: the event loop's latency while Argon2 works flat out.

wrk sends wrong passwords to `POST /api/v1/auth/login` over 16 connections while this process
times `GET /api/v1/ping` on 4 other connections, each sending one every 10 ms (a household
using the app during an attack, not a second load). The server has the sign-in throttle
opened wide (`LIFEWORLD_LOGIN_MAX_FAILURES_PER_*`), so every attempt the queue admits is a real
Argon2 check, as it would be from many addresses: with the shipped limits the address is
paused after 20 and the rest are cheap 429s. The same pings without the flood, just before,
are the row's reference (in its note). Target: ping p99 < 50 ms (issue 20).
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from bench.client import Connection
from bench.results import Row
from bench.scenarios import Bench
from bench.wrk import Load, Req, run_wrk

ATTACKERS = 16
PINGERS = 4
PING_EVERY_S = 0.01
RAMP_S = 1.0  # the flood fills the queue of checks before the pings are timed
WIDE_OPEN = {
    "LIFEWORLD_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000000",
    "LIFEWORLD_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000000",
}
WRONG_PASSWORD = "not the password at all"


def flood_row(bench: Bench, database_url: str) -> Row:
    """The row: ping latency under the flood, the quiet pings and the flood's figures noted."""
    seconds = max(3, bench.plan.seconds)
    body = json.dumps({"login": "member0", "password": WRONG_PASSWORD})
    wrong = Req("POST", "/api/v1/auth/login", body, (("Content-Type", "application/json"),))
    bench.check(wrong, 401, b"invalid_credentials")
    bench.server.settle()
    quiet, _ = asyncio.run(_pings(bench.server.port, seconds))
    checks_before = _failures(database_url)
    bench.server.settle()
    with ThreadPoolExecutor(1) as pool:
        flood = pool.submit(
            run_wrk,
            bench.server.base,
            [wrong],
            seconds=int(RAMP_S + seconds + 1),
            connections=ATTACKERS,
        )
        time.sleep(RAMP_S)
        flooded, errors = asyncio.run(_pings(bench.server.port, seconds))
        load: Load = flood.result()
    checks = _failures(database_url) - checks_before
    _clear_failures(database_url)
    quiet_p50, quiet_p99 = _percentile(quiet, 50), _percentile(quiet, 99)
    note = (
        f"{ATTACKERS} connections sent {load.rps:,.0f} wrong passwords/s ({checks:,} checked "
        f"with Argon2, {max(0, load.requests - checks):,} refused busy); ping every "
        f"{PING_EVERY_S * 1000:.0f} ms on {PINGERS} others; without the flood p50 "
        f"{quiet_p50:.2f} ms, p99 {quiet_p99:.2f} ms"
    )
    problems = []
    if errors:
        problems.append(f"{errors} pings failed")
    if len(flooded) < 100:
        problems.append(f"only {len(flooded)} pings")
    if checks == 0:
        problems.append("no password was checked: the flood measured nothing")
    return Row(
        key=f"{bench.name}/ping_sign_in_flood/c{ATTACKERS}",
        label="ping while sign-ins are flooded",
        server=bench.name,
        connections=ATTACKERS,
        p50_ms=_percentile(flooded, 50),
        p99_ms=_percentile(flooded, 99),
        requests=len(flooded),
        errors=errors,
        note="; ".join([*problems, note]),
        valid=not problems,
        metric="p99_ms",
        higher_better=False,
    )


async def _pings(port: int, seconds: float) -> tuple[list[float], int]:
    """Latencies of the pings `PINGERS` connections send for `seconds`, and the failures."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0

    async def pinger() -> None:
        nonlocal errors
        conn = Connection(port)
        try:
            while time.monotonic() < deadline:
                answer = await conn.request("GET", "/api/v1/ping", {})
                if answer.status == 200:
                    latencies.append(answer.ms)
                else:
                    errors += 1
                await asyncio.sleep(PING_EVERY_S)
        finally:
            await conn.close()

    await asyncio.gather(*(pinger() for _ in range(PINGERS)))
    return latencies, errors


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _failures(database_url: str) -> int:
    """Failed sign-ins recorded: one per password the server checked."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM login_failures").fetchone()
    return int(row[0]) if row else 0


def _clear_failures(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM login_failures")
