"""The scale advisor: the seed's decision matrix and Redis triggers, as pure functions.

Input: the figures minute by minute (`figures.series`), the number of accounts and whether Redis
is already on. Output: the phase, each trigger (value, threshold, fired), a recommendation in
plain words and the phase's monthly cost. No I/O: the same series always gives the same advice.

The costs are those of docs/deployment-strategy.md ("Costs"), where they are itemised: from the
cheapest layout (one VM with compose) to the managed one (two ECS Fargate tasks behind a load
balancer, with RDS). The seed's own $7–13 and $20–26 priced only the first.

Phase by users (the larger of accounts and concurrent users): 1–9 MVP (the seed's household is
1–5; 6–9 is still a home installation, and nothing in the matrix changes below 10), 10–50
Release 3 Phase 1, 51–200 Phase 2, 201+ Scale (a boundary belongs to the lower phase, as the
"> 50 concurrent users" trigger does).

Hysteresis: a trigger fires once its figure has been past the threshold for `fire_after`
consecutive minutes, and clears only once it has been past the lower `clear` level for
`clear_after` consecutive minutes; in between it keeps its state. A minute without a value (no
traffic, too few samples, CPU unknown) counts as calm: it never helps fire, and helps clear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lifeworld.ops.figures import MinuteFigures


class Phase(StrEnum):
    MVP = "mvp"
    PHASE_1 = "release_3_phase_1"
    PHASE_2 = "release_3_phase_2"
    SCALE = "release_3_scale"


@dataclass(frozen=True, slots=True)
class PhaseInfo:
    """One row of the seed's decision matrix, with the itemised costs (dollars a month)."""

    phase: Phase
    label: str
    users: str
    queries_per_day: str
    redis: str
    cost_min: int
    cost_max: int
    in_words: str  # after "You are in "

    @property
    def cost_text(self) -> str:
        if self.cost_min == self.cost_max:
            return f"${self.cost_min}/month"
        return f"${self.cost_min}–{self.cost_max}/month"


PHASES: tuple[PhaseInfo, ...] = (
    PhaseInfo(Phase.MVP, "MVP", "1–5", "< 100", "Not needed", 0, 0, "the MVP phase"),
    PhaseInfo(
        Phase.PHASE_1, "Release 3 Phase 1", "10–50", "100–500", "Not needed", 11, 68,
        "Release 3 Phase 1",
    ),
    PhaseInfo(
        Phase.PHASE_2, "Release 3 Phase 2", "50–200", "500–2,000", "Monitor first", 18, 80,
        "Release 3 Phase 2",
    ),
    PhaseInfo(
        Phase.SCALE, "Release 3 Scale", "200+", "2,000+", "Required", 18, 80,
        "the Release 3 Scale phase",
    ),
)  # fmt: skip
PHASE_INFO = {p.phase: p for p in PHASES}
REDIS_CLOUD_COST = 12  # ElastiCache cache.t4g.micro (the seed deferred "$13/month")
COSTS_NOTE = (
    "Costs run from one small cloud VM (the low end) to two ECS Fargate tasks behind a load "
    "balancer with a managed database (the high end), itemised in docs/deployment-strategy.md."
)


def phase_for(users: int) -> Phase:
    """The seed's phase for this many users (see the module docstring for 6–9 and boundaries)."""
    if users <= 9:
        return Phase.MVP
    if users <= 50:
        return Phase.PHASE_1
    if users <= 200:
        return Phase.PHASE_2
    return Phase.SCALE


Value = Callable[[MinuteFigures], float | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """A trigger: past `threshold` for `fire_after` minutes fires, past `clear` for
    `clear_after` minutes clears. `above` False means "fires below" (the hit rate).

    `gate` is a second figure that must be past its own threshold at the same time (and
    clears the trigger when past its clear level): database CPU for the cache-share trigger.
    """

    name: str
    label: str
    unit: str
    value: Value
    threshold: float
    clear: float
    fire_after: int
    clear_after: int
    above: bool = True
    seed: bool = True
    gate: tuple[Value, float, float] | None = None

    def over(self, m: MinuteFigures) -> bool:
        value = self.value(m)
        if value is None or not (value > self.threshold if self.above else value < self.threshold):
            return False
        if self.gate is None:
            return True
        gate_value = self.gate[0](m)
        return gate_value is not None and gate_value > self.gate[1]

    def calm(self, m: MinuteFigures) -> bool:
        value = self.value(m)
        if value is None or (value < self.clear if self.above else value > self.clear):
            return True
        if self.gate is None:
            return False
        gate_value = self.gate[0](m)
        return gate_value is None or gate_value < self.gate[2]


RULES: tuple[Rule, ...] = (
    Rule(
        "query_latency", "Mean query latency", "ms",
        lambda m: m.latency_mean_ms, 1000, 800, fire_after=5, clear_after=15,
    ),
    Rule(
        "database_cpu", "Database CPU", "%",
        lambda m: m.db_cpu_pct, 70, 60, fire_after=10, clear_after=15,
    ),
    Rule(
        "concurrent_users", "Concurrent users", "users",
        lambda m: m.concurrent_users, 50, 45, fire_after=5, clear_after=30,
    ),
    Rule(
        "cache_hit_rate", "Cache hit rate", "%",
        lambda m: m.cache_hit_rate_pct, 50, 55, fire_after=15, clear_after=30, above=False,
    ),
    Rule(
        "queries_per_day", "Queries per day", "queries/day",
        lambda m: m.queries_per_day, 1000, 900, fire_after=5, clear_after=60,
    ),
    Rule(
        "cache_read_p99", "Cache read p99", "ms",
        lambda m: m.cache_read_p99_ms, 5, 4, fire_after=15, clear_after=15, seed=False,
    ),
    Rule(
        "pool_wait", "Database pool wait", "ms",
        lambda m: m.pool_wait_ms, 1, 0.8, fire_after=5, clear_after=15, seed=False,
    ),
    Rule(
        "cache_share_of_database", "Cache share of database time", "%",
        lambda m: m.cache_db_share_pct, 30, 25, fire_after=10, clear_after=15, seed=False,
        gate=(lambda m: m.db_cpu_pct, 70, 60),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger's state at the end of the series."""

    name: str
    label: str
    unit: str
    value: float | None  # the last minute's figure (None: no data that minute)
    threshold: float
    clear: float
    above: bool
    fired: bool
    seed: bool
    streak: int  # minutes in a row past the threshold (not fired) or calm (fired)
    needed: int  # minutes in a row it takes to change state


def evaluate(rule: Rule, minutes: Sequence[MinuteFigures]) -> Trigger:
    """Run the hysteresis over the minutes, oldest first; the state at the last one."""
    fired, streak = False, 0
    for m in minutes:
        if not fired:
            streak = streak + 1 if rule.over(m) else 0
            if streak >= rule.fire_after:
                fired, streak = True, 0
        else:
            streak = streak + 1 if rule.calm(m) else 0
            if streak >= rule.clear_after:
                fired, streak = False, 0
    return Trigger(
        name=rule.name,
        label=rule.label,
        unit=rule.unit,
        value=rule.value(minutes[-1]) if minutes else None,
        threshold=rule.threshold,
        clear=rule.clear,
        above=rule.above,
        fired=fired,
        seed=rule.seed,
        streak=streak,
        needed=rule.clear_after if fired else rule.fire_after,
    )


class Action(StrEnum):
    NOTHING = "nothing"
    MONITOR = "monitor"
    ADD_REDIS = "add_redis"
    KEEP_REDIS = "keep_redis"


@dataclass(frozen=True, slots=True)
class Advice:
    phase: PhaseInfo
    users: int
    action: Action
    recommendation: str
    triggers: tuple[Trigger, ...]
    redis_in_use: bool = False

    @property
    def fired(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.fired)


HOW_TO_ADD = (
    "Set LIFEWORLD_CACHE=hybrid and LIFEWORLD_REDIS_URL, then restart. At home Redis costs "
    f"nothing; in the cloud ElastiCache adds about ${REDIS_CLOUD_COST} a month."
)


def _names(triggers: Sequence[Trigger]) -> str:
    labels = [t.label.lower() for t in triggers]
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _people(users: int) -> str:
    return f"{users} user" if users == 1 else f"{users} users"


def _action(info: PhaseInfo, fired: Sequence[Trigger], redis: bool) -> Action:
    needed = bool(fired) or info.phase is Phase.SCALE
    if redis:
        return Action.KEEP_REDIS if needed else Action.NOTHING
    if needed:
        return Action.ADD_REDIS
    return Action.MONITOR if info.phase is Phase.PHASE_2 else Action.NOTHING


def _words(
    info: PhaseInfo, users: int, action: Action, fired: Sequence[Trigger], redis: bool
) -> str:
    where = f"You are in {info.in_words}"
    past = f"{_names(fired)} {'is' if len(fired) == 1 else 'are'} past the threshold"
    if action is Action.ADD_REDIS:
        if fired:
            return f"Add Redis: {past}. {HOW_TO_ADD}"
        return f"{where} ({_people(users)}): the decision matrix requires Redis. {HOW_TO_ADD}"
    if action is Action.KEEP_REDIS:
        reason = past if fired else f"the decision matrix requires it at {_people(users)}"
        return f"{where}. Redis is on and needed: {reason}. Keep it."
    if action is Action.MONITOR:
        return (
            f"{where}: PostgreSQL cache is enough for now. Watch the triggers below and add "
            "Redis when one fires."
        )
    if redis:
        return f"{where}. Redis is on and no trigger has fired. Nothing to do."
    return f"{where}: PostgreSQL cache is enough. Nothing to do."


def advise(
    minutes: Sequence[MinuteFigures], *, accounts: int, redis_in_use: bool = False
) -> Advice:
    """The phase, the triggers and what to do, from the figures minute by minute."""
    triggers = tuple(evaluate(rule, minutes) for rule in RULES)
    users = max(accounts, minutes[-1].concurrent_users if minutes else 0)
    info = PHASE_INFO[phase_for(users)]
    fired = [t for t in triggers if t.fired]
    action = _action(info, fired, redis_in_use)
    text = _words(info, users, action, fired, redis_in_use)
    return Advice(info, users, action, text, triggers, redis_in_use)


@dataclass(frozen=True, slots=True)
class PlainWords:
    """The advice for a household admin, before the engineer's detail."""

    headline: str
    detail: str
    fine: bool


def in_plain_words(advice: Advice) -> PlainWords:
    """What the System page says first, from the same decision as the recommendation."""
    people = _people(advice.users)
    if advice.action is Action.ADD_REDIS:
        why = (
            f"{_names(advice.fired)} {'is' if len(advice.fired) == 1 else 'are'} past the limit"
            if advice.fired
            else f"with {people} it needs more than one database"
        )
        return PlainWords(
            "It is time to add Redis.",
            f"Life World is getting busy: {why}. Whoever looks after this machine can turn "
            "Redis on; the details below say how.",
            fine=False,
        )
    if advice.action is Action.KEEP_REDIS:
        return PlainWords(
            "Everything is fine; keep Redis on.",
            f"With {people}, Life World needs the Redis it has. Nothing to do.",
            fine=True,
        )
    if advice.action is Action.MONITOR:
        return PlainWords(
            "Everything is fine; no need for Redis yet.",
            f"With {people}, Life World keeps an eye on how busy it is and will say here when "
            "Redis would help.",
            fine=True,
        )
    if advice.redis_in_use:
        return PlainWords(
            "Everything is fine; nothing to do.",
            "Redis is on, though Life World would manage without it for now.",
            fine=True,
        )
    return PlainWords(
        "Everything is fine; no need for Redis.",
        f"Life World runs on its database alone, and that is plenty for {people}.",
        fine=True,
    )
