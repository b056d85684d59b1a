"""One bench run from start to end: database, Redis, seeding, every server and scenario."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import flood, https, latency, profile, scenarios, tiers
from bench.infra import Postgres, Redis, free_port
from bench.plan import Plan
from bench.results import Report, Row
from bench.scenarios import Bench
from bench.server import AppServer, RssSampler
from bench.world import World, build

ROOT = Path(__file__).resolve().parents[1]
SHARED_TIER = {"postgres": ("place_postgres", "place details: postgres tier hit"),
               "hybrid": ("place_redis", "place details: redis tier hit")}  # fmt: skip


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _git_commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    return out.stdout.strip() or "unknown"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(plan: Plan) -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "load_before": _load(),
        "python": platform.python_version(),
        "commit": _git_commit(),
        "run": f"{'quick' if plan.quick else 'full'} run, {plan.seconds} s per wrk run, "
        f"connections {'/'.join(map(str, plan.connections))}, one uvicorn worker"
        + "".join(f", {name}={value}" for name, value in plan.settings),
    }


def _env(mode: str, redis: Redis | None, memory: bool) -> dict[str, str]:
    env = {"LIFEWORLD_CACHE": mode, "LIFEWORLD_CACHE_MEMORY_ENABLED": str(memory).lower()}
    if mode == "hybrid":
        assert redis is not None
        env["LIFEWORLD_REDIS_URL"] = redis.url
    return env


def _mib(key: str, label: str, server: str, value: float, note: str = "") -> Row:
    return Row(key=key, label=label, server=server, value=value, unit=" MiB", note=note,
               metric="value", higher_better=False)  # fmt: skip


class Run:
    def __init__(self, plan: Plan, out_dir: Path) -> None:
        self.plan, self.out_dir = plan, out_dir
        self.report = Report(started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                             machine=machine(plan))  # fmt: skip
        self.startups: list[float] = []
        self.profiles: list[str] = []

    def start(self, database_url: str, env: dict[str, str], *, tls: bool = False) -> AppServer:
        settings = {**env, **dict(self.plan.settings)}
        server = AppServer(database_url, free_port(), settings, tls=tls)
        self.startups.append(server.startup_s)
        return server

    def mode(self, mode: str, pg: Postgres, redis: Redis | None, world: World, first: bool) -> None:
        say(f"{mode}: household scenarios")
        server = self.start(pg.url, _env(mode, redis, memory=True))
        bench = Bench(server, mode, self.plan, world, self.out_dir, db_cpu=pg.cpu_seconds)
        failed = True
        try:
            idle = server.rss_mib()
            with RssSampler(server) as sampler:
                scenarios.household_scenarios(bench)
            if first:
                say(f"{mode}: HTTPS beside HTTP")
                bench.rows += self._https(bench, pg, redis, world, mode)
                say(f"{mode}: ping while sign-ins are flooded")
                bench.rows.append(self._flood(pg, redis, world, mode))
                say(f"{mode}: rollover and growth")
                latency.rollover(bench, pg.url)
                latency.growth(bench, pg.url)
            say(f"{mode}: cold reads and logs")
            scenarios.crowd_scenarios(bench, pg.url)
            crowded = server.rss_mib()
            failed = False
        finally:
            server.stop(failed=failed)
        bench.rows += [
            _mib(f"{mode}/rss_idle", "server memory (RSS), idle", mode, idle, "after start-up"),
            _mib(
                f"{mode}/rss_load",
                "server memory (RSS), under load",
                mode,
                sampler.peak_mib,
                "peak during the household scenarios",
            ),
            _mib(
                f"{mode}/rss_crowd",
                "server memory (RSS), after the crowds",
                mode,
                crowded,
                f"{len(world.cold) + len(world.log):,} synthetic players cached",
            ),
        ]
        say(f"{mode}: shared cache tier alone")
        scenario, label = SHARED_TIER[mode]
        bare = self.start(pg.url, _env(mode, redis, memory=False))
        nomem = Bench(bare, f"{mode}-nomem", self.plan, world, self.out_dir, db_cpu=pg.cpu_seconds)
        failed = True
        try:
            scenarios.shared_tier_scenario(nomem, scenario, label)
            failed = False
        finally:
            bare.stop(failed=failed)
        self.report.rows += bench.rows + nomem.rows
        self.profiles += bench.profiles + nomem.profiles

    def _https(
        self, plain: Bench, pg: Postgres, redis: Redis | None, world: World, mode: str
    ) -> list[Row]:
        """A second server of the same configuration over HTTPS, beside the plain one."""
        server = self.start(pg.url, _env(mode, redis, memory=True), tls=True)
        tls = Bench(server, f"{mode}-https", self.plan, world, self.out_dir)
        failed = True
        try:
            rows = https.https_rows(plain, tls)
            failed = False
        finally:
            server.stop(failed=failed)
        return rows

    def _flood(self, pg: Postgres, redis: Redis | None, world: World, mode: str) -> Row:
        """A server of the same configuration with the sign-in throttle opened wide."""
        server = self.start(pg.url, {**_env(mode, redis, memory=True), **flood.WIDE_OPEN})
        bench = Bench(server, mode, self.plan, world, self.out_dir)
        failed = True
        try:
            row = flood.flood_row(bench, pg.url)
            failed = False
        finally:
            server.stop(failed=failed)
        return row

    def execute(self) -> Report:
        plan, report = self.plan, self.report
        say("starting PostgreSQL" + (" and Redis" if "hybrid" in plan.modes else ""))
        pg = Postgres()
        report.machine["postgres"] = f"{pg.version} ({pg.where})"
        redis = Redis() if "hybrid" in plan.modes else None
        try:
            seeder = self.start(pg.url, _env("postgres", None, memory=True))
            failed = True
            try:
                say("seeding the household and the crowds")
                world = build(plan, seeder.base, pg.url)
                failed = False
            finally:
                seeder.stop(failed=failed)
            report.notes.append(
                f"Seeded in {world.seconds:.0f} s: {world.activities:,} activities; household of "
                f"{len(world.members)} with {plan.history_days} days of play each; timezone "
                f"{world.tz} (about noon during the run)."
            )
            for n, mode in enumerate(plan.modes):
                self.mode(mode, pg, redis, world, first=n == 0)
            if world.today_now() != world.today:
                report.notes.append("WARNING: the players' day changed during the run.")
            say("cache tiers in-process")
            report.rows += tiers.tier_rows(pg.url, redis.url if redis else None, plan.tier_seconds)
        finally:
            if redis is not None:
                redis.close()
            pg.close()
        report.rows.append(self._startup_row())
        report.notes += tiers.expectations(report.rows)
        report.notes += self._profile_notes()
        report.machine["load_after"] = _load()
        return report

    def _startup_row(self) -> Row:
        s = self.startups
        return Row(key="startup", label="start-up: `lifeworld serve` until /api/v1/health",
                   server="all", value=statistics.median(s), unit=" s",
                   note=f"median of {len(s)} starts, {min(s):.2f}–{max(s):.2f} s",
                   metric="value", higher_better=False)  # fmt: skip

    def _profile_notes(self) -> list[str]:
        notes = []
        for path in self.profiles:
            text = Path(path).read_text() if Path(path).exists() else ""
            frames = profile.summarise(text, top=8)
            top = "; ".join(f"{f.name} {f.self_pct:.0f}% self / {f.total_pct:.0f}%" for f in frames)
            notes.append(f"Profile {Path(path).name}: {top or 'no samples'}")
        return notes
