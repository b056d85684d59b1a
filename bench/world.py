"""Everything the scenarios need in the database, made once per run.

- the household: five members through the API, each with two years of simulated play;
- crowds for reads that must miss the state cache and for logs that spend energy;
- players away for 0, 1, 30 or 365 days: the row's `last_rolled_day` set that many days back
  (production mode has no test clock), with the weeks of play before they left;
- players with 100, 10,000 and 100,000 activities for the growth runs.

Every user lives in a timezone where it is about noon now, so no day boundary falls during a run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import psycopg

from bench import history, seed
from bench.plan import Plan
from bench.seed import Crowd, Member
from lifeworld.game.days import game_day


def noon_timezone(now: datetime) -> str:
    """An IANA fixed-offset zone in which `now` falls between 11:00 and 13:00."""
    offset = 12 - now.astimezone(UTC).hour  # -11 … +12 hours
    if offset == 0:
        return "Etc/GMT"
    # POSIX-style names: Etc/GMT-5 is five hours *ahead* of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class World:
    tz: str
    today: date
    household_id: int
    members: list[Member]
    place_id: str
    cold: Crowd
    log: Crowd
    rollover: dict[int, Crowd] = field(default_factory=dict)  # days away → players
    growth: dict[int, Crowd] = field(default_factory=dict)  # activities in history → players
    activities: int = 0
    seconds: float = 0.0

    def today_now(self) -> date:
        return game_day(datetime.now(UTC), self.tz, 0)


def build(plan: Plan, base: str, database_url: str) -> World:
    """Seed the database behind the server at `base` (which must not serve any of it yet)."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    tz = noon_timezone(now)
    today = game_day(now, tz, 0)
    household_id, members = seed.household(base, tz, plan.household)
    place_id = seed.add_place(base, members[0])
    with psycopg.connect(database_url, autocommit=True) as conn:
        written = 0
        start = today - timedelta(days=plan.history_days)
        for n, member in enumerate(members):
            played = history.play(start=start, end=today, tz=tz, seed=n)
            written += seed.activities(conn, [member.user_id], played.rows)
            seed.set_state(conn, [member.user_id], played.state)
            seed.milestones(conn, member.user_id, played.milestones)
        crowd_home = seed.crowd_household(conn, tz)
        fresh = history.settled(today, tz)

        def crowd(count: int, label: str, played: history.Played = fresh) -> Crowd:
            return seed.crowd(
                conn, household_id=crowd_home, tz=tz, state=played.state, count=count,
                label=label, now=now, awards=played.milestones,
            )  # fmt: skip

        cold = crowd(plan.cold_players, "cold")
        log = crowd(plan.log_players, "log")
        rollover: dict[int, Crowd] = {}
        for days in (0, *plan.rollover_days):
            left = today - timedelta(days=days)
            stint = history.play(start=left - timedelta(days=60), end=left, tz=tz, seed=100 + days)
            rollover[days] = crowd(plan.rollover_players, f"away{days}", stint)
            written += seed.activities(conn, rollover[days].user_ids, stint.rows)
        long = history.play(start=start, end=today, tz=tz, seed=7)
        growth: dict[int, Crowd] = {}
        for size in plan.growth_sizes:
            rows = history.stretch(long.rows, size, plan.history_days)
            state = replace(long.state, created_day=min(long.state.created_day, rows[0][3]))
            growth[size] = crowd(plan.growth_players, f"grow{size}", replace(long, state=state))
            written += seed.activities(conn, growth[size].user_ids, rows)
        conn.execute("ANALYZE")
    return World(
        tz=tz,
        today=today,
        household_id=household_id,
        members=members,
        place_id=place_id,
        cold=cold,
        log=log,
        rollover=rollover,
        growth=growth,
        activities=written,
        seconds=time.perf_counter() - started,
    )
