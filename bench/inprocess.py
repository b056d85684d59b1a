"""`python -m bench.inprocess`: CPU time per request of the hot routes, against the no-op.

No HTTP server and no wrk: the app is called through ASGI in this process, one request at a
time, in rounds that alternate the no-op and the route measured. Each round's CPU time
(`time.thread_time`, the event loop's thread) is divided by its requests, and the median round
of each gives the ratio. CPU time does not count the waits for PostgreSQL, and alternating
rounds spread any drift of the machine over both, so on a busy machine these figures move by
a few percent where wrk's move by tens: use it for an A/B of a hot path (run it on each
version). It is not the full bench: no HTTP parsing, no concurrency.

The "PG µs" column is the CPU time of every local `postgres` process (from /proc) during the
route's rounds, per request: what the database server spends on the route, which the full
bench's server shares the machine's cores with. It counts whatever else that server does
meanwhile, and reads "-" when the server is not on this machine.

    python -m bench.inprocess                  # state (cold), state (warm), log, 6 rounds
    python -m bench.inprocess log --rounds 10 --per-round 300

PostgreSQL as for the full bench (`LIFEWORLD_BENCH_DATABASE_URL`, else embedded); the cache
mode is `postgres` (no Redis).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import uvloop

from bench import history, seed
from bench.infra import Postgres
from bench.seed import Crowd
from bench.server import SECRET
from bench.world import noon_timezone
from lifeworld.app import create_app
from lifeworld.game.days import game_day
from lifeworld.settings import Settings

TARGETS = ("state_cold", "state_warm", "log")
LOGGED = ("SAVE_EXPENSES", "REST", "LEARNING", "EXERCISE", "SAVE_EXPENSES")  # 93 energy of 100


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""


App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def send_one(app: App, call: Call) -> tuple[int, bytes]:
    """One request through the app's ASGI interface: (status, body)."""
    path, _, query = call.path.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), *call.headers]
    if call.body:
        headers.append((b"content-length", str(len(call.body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def bearer(token: str) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


def calls_for(target: str, crowd: Crowd) -> list[Call]:
    if target == "log":
        json_type = (b"content-type", b"application/json")
        return [
            Call(
                "POST",
                "/api/v1/me/activities",
                (bearer(t), json_type),
                json.dumps({"type": k}).encode(),
            )
            for k in LOGGED
            for t in crowd.tokens
        ]
    return [Call("GET", "/api/v1/me/state", (bearer(t),)) for t in crowd.tokens]


def postgres_cpu() -> dict[int, int] | None:
    """CPU clock ticks used so far by each of this machine's processes named postgres, by pid
    (None: no /proc, or no such process: the server runs elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks or None


def postgres_cpu_s_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds the postgres processes used from `before` to `after`: each one alive at the
    end counts what it used since the start (all of it if it started meanwhile). One that
    ended meanwhile (an autovacuum worker, a closed connection) is left out: summing totals
    instead made its whole life's CPU vanish from the second sum, a negative figure."""
    used = sum(max(0, t - before.get(pid, 0)) for pid, t in after.items())
    return used / os.sysconf("SC_CLK_TCK")


async def measure(
    app: App, target: str, crowd: Crowd, rounds: int, per_round: int
) -> dict[str, Any]:
    calls = calls_for(target, crowd)
    if target == "state_warm":
        calls = calls[:5] * (rounds * per_round // 5 + 1)  # five players read over and over
        for call in calls[:5]:
            await send_one(app, call)  # now cached
    noop = Call("GET", "/api/v1/ping")
    needed = rounds * per_round
    if len(calls) < needed:
        raise SystemExit(f"{target}: {len(calls)} requests for {needed}: a bigger crowd is needed")
    cpu: dict[str, list[float]] = {"noop": [], target: []}
    postgres_s: float | None = 0.0
    taken = 0
    for _ in range(rounds):
        for kind in ("noop", target):
            batch = [noop] * per_round if kind == "noop" else calls[taken : taken + per_round]
            if kind != "noop":
                taken += per_round
            server_before = postgres_cpu() if kind != "noop" else None
            started = time.thread_time()
            for call in batch:
                status, body = await send_one(app, call)
                if status >= 300:
                    raise SystemExit(
                        f"{target}: {call.method} {call.path} answered {status}: {body[:200]!r}"
                    )
            cpu[kind].append((time.thread_time() - started) / per_round * 1e6)
            if kind != "noop":
                server_after = postgres_cpu()
                if postgres_s is None or server_before is None or server_after is None:
                    postgres_s = None
                else:
                    postgres_s += postgres_cpu_s_between(server_before, server_after)
    noop_us, target_us = statistics.median(cpu["noop"]), statistics.median(cpu[target])
    return {
        "target": target,
        "noop_us": noop_us,
        "target_us": target_us,
        "ratio": noop_us / target_us,
        "spread": (min(cpu[target]), max(cpu[target])),
        "postgres_us": None if postgres_s is None else postgres_s / needed * 1e6,
    }


async def run(targets: list[str], rounds: int, per_round: int) -> list[dict[str, Any]]:
    postgres = Postgres()
    try:
        now = datetime.now(UTC)
        tz = noon_timezone(now)  # no day boundary during the run
        fresh = history.settled(game_day(now, tz, 0), tz)
        players = rounds * per_round + 50
        with psycopg.connect(postgres.url, autocommit=True) as conn:
            home = seed.crowd_household(conn, tz)
            crowds = {
                target: seed.crowd(
                    conn, household_id=home, tz=tz, state=fresh.state, label=target, now=now,
                    count=players // len(LOGGED) + 1 if target == "log" else players,
                    awards=fresh.milestones,
                )
                for target in targets
            }  # fmt: skip
            conn.execute("ANALYZE")
        settings = Settings(
            env="production",
            secret_key=SECRET,
            database_url=postgres.url,
            data_dir=Path(tempfile.mkdtemp(prefix="lifeworld-inprocess-")),
            backup_interval_hours=0,
            cache_memory_max_entries=200_000,
            log_level="warning",
        )
        app = create_app(settings, database_url=postgres.url)
        results = []
        async with app.router.lifespan_context(app):
            for target, crowd in crowds.items():
                for token in crowd.tokens:  # sign-ins cached, as in the full bench
                    await send_one(app, Call("GET", "/api/v1/auth/csrf", (bearer(token),)))
                results.append(await measure(app, target, crowd, rounds, per_round))
        await app.state.db.dispose()
        return results
    finally:
        postgres.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.inprocess", description=__doc__.split("\n")[0]
    )
    parser.add_argument("targets", nargs="*", help=f"any of {', '.join(TARGETS)} (default all)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of each (default 6)")
    parser.add_argument("--per-round", type=int, default=200, help="requests a round (default 200)")
    args = parser.parse_args(argv)
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}: choose from {', '.join(TARGETS)}")
    if not 1 <= args.rounds <= 100 or not 10 <= args.per_round <= 5000:
        parser.error("--rounds takes 1-100 and --per-round 10-5000")
    results = uvloop.run(run(args.targets or list(TARGETS), args.rounds, args.per_round))
    print(
        f"{'route':<12} {'no-op µs':>9} {'route µs':>9} {'× no-op':>8} {'PG µs':>7}"
        "  rounds of the route (µs)"
    )
    for r in results:
        low, high = r["spread"]
        server = "-" if r["postgres_us"] is None else f"{r['postgres_us']:.0f}"
        figures = f"{r['noop_us']:>9.0f} {r['target_us']:>9.0f} {r['ratio']:>8.3f} {server:>7}"
        print(f"{r['target']:<12} {figures}  {low:.0f}–{high:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
