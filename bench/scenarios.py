"""The throughput scenarios: wrk against one server, each ratio to that server's own no-op.

A cyclic scenario (a list of requests sent round and round) is warmed up first; a "once"
scenario (cold reads, logs that spend energy) sends a list that must not run out, and is
marked invalid if it did, or if any request failed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench import profile
from bench.client import Connection, each, expect
from bench.plan import Plan
from bench.results import Row
from bench.seed import Crowd
from bench.server import AppServer
from bench.world import World
from bench.wrk import Load, Req, run_wrk
from lifeworld.accounts.auth_cache import AUTH_TTL_S

LOG_TYPES = ("SAVE_EXPENSES", "REST", "LEARNING", "EXERCISE", "SAVE_EXPENSES")  # 93 energy


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Bearer {token}"),)


@dataclass
class Bench:
    """One server under test and what has been measured on it."""

    server: AppServer
    name: str  # postgres, hybrid; "-nomem" when the memory tier is off for the places chain
    plan: Plan
    world: World
    out_dir: Path
    rows: list[Row] = field(default_factory=list)
    noop: dict[int, float] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    db_cpu: Callable[[], float | None] = lambda: None  # PostgreSQL's CPU seconds so far

    def _cpu(self) -> tuple[float, float | None]:
        t = self.server.process.cpu_times()
        return t.user + t.system, self.db_cpu()

    def check(self, req: Req, status: int, contains: bytes = b"") -> bytes:
        """Send one request of a list and insist on its answer (before measuring)."""
        answer = httpx.request(
            req.method, self.server.base + req.path, headers=dict(req.headers),
            content=req.body.encode() or None, timeout=30, verify=self.server.verify,
        )  # fmt: skip
        if answer.status_code != status or contains not in answer.content:
            raise SystemExit(
                f"{self.name}: {req.method} {req.path} answered {answer.status_code}, wanted "
                f"{status} with {contains!r}: {answer.text[:300]}"
            )
        return answer.content

    def measure(self, scenario: str, label: str, reqs: list[Req]) -> None:
        """wrk at each connection count, sending `reqs` round and round."""
        for conns in self.plan.connections:
            self.run(scenario, label, reqs, conns, once=False)

    def _noop_rps(self, conns: int) -> float:
        self.server.settle()
        noop = [Req("GET", "/api/v1/ping")]
        return run_wrk(
            self.server.base, noop, seconds=self.plan.noop_seconds, connections=conns
        ).rps

    def run(
        self,
        scenario: str,
        label: str,
        reqs: list[Req],
        conns: int,
        *,
        once: bool,
        note: str = "",
        signed_in: SignedIn | None = None,
    ) -> Load:
        plan = self.plan
        base = self.noop.get(conns)
        sandwich = scenario != "noop" and plan.noop_seconds > 0
        if sandwich:
            # The machine is shared and its speed drifts (the no-op ran anywhere from 5,700 to
            # 9,200/s within one run): the base is the mean of no-op runs just before and just
            # after the scenario, so a drift during the run cancels out to first order.
            before = self._noop_rps(conns)
        self.server.settle()
        if not once and plan.warmup_seconds:
            run_wrk(self.server.base, reqs, seconds=plan.warmup_seconds, connections=conns)
            self.server.settle()
        spy = None
        if scenario in plan.profile and conns == 16:
            raw = self.out_dir / f"profile-{self.name}-{scenario}.txt"
            spy = profile.start(self.server.proc.pid, plan.seconds, raw)
        app0, db0 = self._cpu()
        load = run_wrk(self.server.base, reqs, seconds=plan.seconds, connections=conns)
        finished = time.monotonic()
        app1, db1 = self._cpu()
        if spy is not None:
            spy.wait(timeout=plan.seconds + 60)
            self.profiles.append(str(raw))
            note = f"{note} profiled".strip()
        if scenario == "noop":
            self.noop[conns] = base = load.rps
        if sandwich:
            after = self._noop_rps(conns)
            base = (before + after) / 2
            note = f"{note} · no-op {before:,.0f}/{after:,.0f} before/after".strip(" ·")
        problems = []
        if load.errors:
            problems.append(f"{load.errors} failed requests")
        if once and load.beyond_list:
            problems.append(f"list ran out: {load.beyond_list} requests repeated")
        if signed_in is not None:
            oldest = finished - signed_in.oldest_used(load.requests)
            if oldest > AUTH_TTL_S - 5:
                problems.append(
                    f"sign-ins up to {oldest:.0f} s old were used: some may have left the "
                    f"server's cache ({AUTH_TTL_S:.0f} s) and been read from the database"
                )
        self.rows.append(
            Row(
                key=f"{self.name}/{scenario}/c{conns}",
                label=label,
                server=self.name,
                connections=conns,
                rps=load.rps,
                p50_ms=load.p50_ms,
                p99_ms=load.p99_ms,
                requests=load.requests,
                errors=load.errors,
                ratio=load.rps / base if base else None,
                base_rps=base,
                app_cpu=(app1 - app0) / load.seconds if load.seconds else None,
                db_cpu=(db1 - db0) / load.seconds if db0 is not None and db1 is not None else None,
                note="; ".join([*problems, note] if note else problems),
                valid=not problems,
                metric="rps" if scenario == "noop" else "ratio",
            )
        )
        return load


@dataclass(frozen=True)
class SignedIn:
    """When the sign-ins of a list's tokens were cached: the server keeps one `AUTH_TTL_S`, so
    a run that used an older one measured a sign-in read from the database as well."""

    started: float  # time.monotonic() of the first and the last
    ended: float
    tokens: int  # a list's first `tokens` requests use each token once, in order
    reverse: bool  # cached last to first: the list's first tokens are the freshest

    def oldest_used(self, requests: int) -> float:
        """When the oldest sign-in used by the list's first `requests` requests was cached."""
        if not self.reverse or requests > self.tokens:
            return self.started
        share = max(0, requests - 1) / max(1, self.tokens)
        return self.ended - share * (self.ended - self.started)


def prewarm_sign_ins(bench: Bench, tokens: list[str], *, reverse: bool = False) -> SignedIn:
    """One cheap signed-in request per token (no player read): their sign-ins are cached.

    `reverse`: the last token first. A list read once, first to last, then uses the freshest
    sign-ins first: prewarming 40,000 takes tens of seconds, longer than the last of a run's
    reads would otherwise stay cached.
    """
    started = time.monotonic()
    asyncio.run(sign_in_all(bench.server.port, tokens[::-1] if reverse else tokens))
    return SignedIn(started, time.monotonic(), len(tokens), reverse=reverse)


async def sign_in_all(port: int, tokens: list[str]) -> None:
    async def step(conn: Connection, i: int) -> None:
        answer = await conn.request("GET", "/api/v1/auth/csrf", bearer_headers(tokens[i]))
        expect(answer, (200,), "signing in")

    await each(port, len(tokens), step, concurrency=16)


def bearer_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def household_scenarios(bench: Bench) -> None:
    """Framework floor, health, and the household's own reads (warm caches)."""
    w, members = bench.world, bench.world.members
    bench.measure("noop", "no-op (GET /api/v1/ping)", [Req("GET", "/api/v1/ping")])
    bench.check(Req("GET", "/api/v1/health"), 200, b'"status":"ok"')
    bench.measure("health", "health", [Req("GET", "/api/v1/health")])
    state = [Req("GET", "/api/v1/me/state", headers=bearer(m.token)) for m in members]
    for req in state:
        bench.check(req, 200, b'"questionnaire_done":true')
    bench.measure("dashboard_warm", "dashboard state (warm)", state)
    history = [
        Req("GET", "/api/v1/me/activities?limit=50", headers=bearer(m.token)) for m in members
    ]
    assert json.loads(bench.check(history[0], 200))["next"], "the history has a second page"
    bench.measure("activity_history", "activity history page (50)", history)
    page = [Req("GET", "/", headers=(("Cookie", f"lw_session={m.cookie}"),)) for m in members]
    for req in page:
        bench.check(req, 200, b"</html>")
    bench.measure("page_dashboard", "page render: dashboard (HTML)", page)
    place = [Req("GET", f"/api/v1/places/{w.place_id}", headers=bearer(m.token)) for m in members]
    bench.check(place[0], 200)
    bench.check(place[0], 200, b'"cached":true')
    bench.measure("place_memory", "place details: memory tier hit", place)
    miss = [Req("GET", f"/api/v1/places/{w.place_id}?refresh=true", headers=bearer(m.token))
            for m in members]  # fmt: skip
    bench.check(miss[0], 200, b'"cached":false')
    bench.measure("place_miss", "place details: miss (provider + store)", miss)


def shared_tier_scenario(bench: Bench, scenario: str, label: str) -> None:
    """No-op, then place details served by the shared tier (the memory tier is off)."""
    w = bench.world
    bench.measure("noop", "no-op (GET /api/v1/ping)", [Req("GET", "/api/v1/ping")])
    place = [Req("GET", f"/api/v1/places/{w.place_id}", headers=bearer(m.token)) for m in w.members]
    bench.check(place[0], 200)
    bench.check(place[0], 200, b'"cached":true')
    bench.measure(scenario, label, place)


def crowd_scenarios(bench: Bench, database_url: str) -> None:
    """Reads that miss the state cache, and logs that spend energy: fresh players each time."""
    cold, per_run = bench.world.cold, len(bench.world.cold) // len(bench.plan.connections)
    for n, conns in enumerate(bench.plan.connections):
        part = cold.part(n * per_run, (n + 1) * per_run)
        _tokens_just_used(database_url, part)
        signed_in = prewarm_sign_ins(bench, part.tokens, reverse=True)
        reqs = [Req("GET", "/api/v1/me/state", headers=bearer(t)) for t in part.tokens]
        bench.run("dashboard_cold", "dashboard state (cold)", reqs, conns, once=True,
                  note=f"{per_run:,} players, read once each", signed_in=signed_in)  # fmt: skip
    log = bench.world.log
    for conns in bench.plan.connections:
        _top_up(database_url, log)
        _tokens_just_used(database_url, log)
        signed_in = prewarm_sign_ins(bench, log.tokens)
        reqs = [_log_req(kind, t) for kind in LOG_TYPES for t in log.tokens]
        bench.run("log_activity", "log an activity", reqs, conns, once=True,
                  note=f"{len(log):,} players, 5 each", signed_in=signed_in)  # fmt: skip


def _log_req(kind: str, token: str) -> Req:
    headers = (*bearer(token), ("Content-Type", "application/json"))
    return Req("POST", "/api/v1/me/activities", json.dumps({"type": kind}), headers)


def _tokens_just_used(database_url: str, crowd: Crowd) -> None:
    """Mark the crowd's API tokens used a moment ago, as a client's would be.

    A sign-in read from the database writes the token's `last_used_at` when it is older than
    five minutes, and the crowds were seeded longer ago than that: caching 40,000 sign-ins then
    cost a write each and ran at ~425/s, so a run reading 2,000 players a second used sign-ins
    too old to be sure they were still cached (INVALID). Nothing is measured meanwhile.
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE api_tokens SET last_used_at = now() WHERE user_id = ANY(%s)",
            (crowd.user_ids,),
        )


def _top_up(database_url: str, crowd: Crowd) -> None:
    """Give the crowd today's energy again (between runs, never during one)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE players SET energy = 100, energy_spent_today = 0 WHERE user_id = ANY(%s)",
            (crowd.user_ids,),
        )
