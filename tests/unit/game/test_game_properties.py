"""Property tests: thousands of random histories keep every invariant of the rule book."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from lifeworld.game.activities import perform_activity
from lifeworld.game.days import game_day, next_boundary
from lifeworld.game.errors import GameRuleError
from lifeworld.game.investments import InvestmentType, create_investment
from lifeworld.game.loadouts import LoadoutBonuses
from lifeworld.game.milestones import Milestone, MilestoneAward
from lifeworld.game.questionnaire import Answers, Experience, Strength, StressManagement, evaluate
from lifeworld.game.ranks import RANKS, overall_level, progress_pct, rank_for, xp_for_next
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.rollover import DayActivity, RolloverEvent, roll_over
from lifeworld.game.seasons import change_season
from lifeworld.game.sleep import apply_sleep
from lifeworld.game.state import (
    CATEGORIES,
    XP,
    ActivityType,
    CategoryXP,
    Clouds,
    PlayerState,
    Resources,
    Season,
)
from lifeworld.game.training import TaskState, complete_task, task_state
from lifeworld.game.training_catalogue import TASKS_BY_ID

HISTORIES = settings(max_examples=500, deadline=None)
START = date(2024, 1, 1)


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    scale = 10**places
    return st.integers(low * scale, high * scale).map(lambda n: Decimal(n) / scale)


def category_xp(high: int) -> st.SearchStrategy[CategoryXP]:
    return st.builds(CategoryXP, *[st.integers(0, high)] * 5)


@st.composite
def players(draw: st.DrawFn) -> PlayerState:
    today = START + timedelta(days=draw(st.integers(0, 1000)))
    burnout = draw(st.booleans())

    def recent_day() -> date | None:
        return draw(st.none() | st.integers(0, 30).map(lambda n: today - timedelta(days=n)))

    return PlayerState(
        clouds=Clouds(*[draw(st.integers(0, 100)) for _ in CATEGORIES]),
        resources=Resources(
            oxygen=draw(decimals(0, 20, 4)),
            water=draw(decimals(0, 100, 2)),
            gold=draw(decimals(0, 20_000, 2)),
            armor=draw(st.integers(0, 100)),
            keys=draw(st.integers(0, 10)),
        ),
        energy=draw(st.integers(0, 110)),
        season=draw(st.sampled_from(Season)),
        season_started_on=today - timedelta(days=draw(st.integers(0, 60))),
        xp=XP(draw(st.integers(0, 200_000)), draw(category_xp(60_000))),
        created_day=today - timedelta(days=draw(st.integers(0, 400))),
        last_rolled_day=today,
        last_weekly_eval_day=today - timedelta(days=draw(st.integers(0, 6))),
        burnout_active=burnout,
        burnout_since=today if burnout else None,
        consecutive_high_effort_days=draw(st.integers(0, 30)),
        consecutive_low_capacity_days=0 if burnout else draw(st.integers(0, 2)),
        recovery_actions_since_burnout=draw(st.integers(0, 3)) if burnout else 0,
        last_effort_activity_day=recent_day(),
        last_activity_day=recent_day(),
        energy_spent_today=draw(st.integers(0, 150)),
    )


def _optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


resource_changes = st.builds(
    ResourceChanges,
    oxygen=_optional(decimals(-5, 15, 4)),
    water=_optional(decimals(-10, 120, 2)),
    gold=_optional(decimals(-1_000, 10_000, 2)),
    armor=_optional(st.integers(-10, 120)),
    keys=_optional(st.integers(-3, 5)),
)


@dataclass(frozen=True)
class Act:
    kind: ActivityType
    custom: XP
    changes: ResourceChanges
    bonuses: LoadoutBonuses


ACTIVITIES = st.builds(
    Act,
    st.sampled_from(ActivityType),
    st.builds(XP, st.integers(-100, 6_000), category_xp(6_000)),
    resource_changes,
    st.builds(LoadoutBonuses, decimals(0, 1, 2), decimals(0, 1, 2)),
)
OTHERS = st.one_of(
    st.tuples(st.just("roll"), st.integers(1, 7)),
    st.tuples(st.just("roll"), st.integers(1, 400)),
    st.tuples(st.just("sleep"), decimals(0, 24, 1), st.integers(1, 10)),
    st.tuples(st.just("train"), st.integers(0, 22)),  # picks among the available tasks
    st.tuples(st.just("engines"), st.integers(0, 4)),
    st.tuples(st.just("invest"), decimals(0, 5_000, 2), st.sampled_from(InvestmentType)),
    st.tuples(st.just("season"), st.sampled_from(Season)),
)
# about 40 % of the operations are activities
OPERATIONS = st.integers(0, 9).flatmap(lambda n: ACTIVITIES if n < 4 else OTHERS)


@dataclass
class World:
    state: PlayerState
    engines: int = 0
    achieved: set[Milestone] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    activities: list[DayActivity] = field(default_factory=list)

    def award(self, awards: tuple[MilestoneAward, ...]) -> None:
        reached = {a.milestone for a in awards}
        for milestone in reached:
            event(f"milestone {milestone.value}")
        assert not reached & self.achieved, "a milestone was awarded twice"
        self.achieved |= reached


def check_invariants(state: PlayerState) -> None:
    for category in CATEGORIES:
        assert 0 <= state.clouds.get(category) <= 100
    r = state.resources
    assert 0 <= r.water <= 100 and 0 <= r.armor <= 100
    assert r.oxygen >= 0 and r.gold >= 0 and r.keys >= 0
    assert 0 <= state.energy <= 110
    assert state.burnout_active == (state.burnout_since is not None)
    xp = state.xp.overall
    rank = rank_for(xp)
    assert rank.threshold <= xp
    upcoming = RANKS[rank.order + 1] if rank.order + 1 < len(RANKS) else None
    assert upcoming is None or xp < upcoming.threshold
    assert xp_for_next(xp) == (None if upcoming is None else upcoming.threshold - xp)
    assert 0 <= progress_pct(xp) <= 100
    level = overall_level(xp)
    assert (level - 1) * 5_000 <= xp < level * 5_000


def check_xp_never_decreases(before: XP, after: XP) -> None:
    assert after.overall >= before.overall
    for category in CATEGORIES:
        assert after.categories.get(category) >= before.categories.get(category)


def do_activity(world: World, op: Act) -> None:
    before = world.state
    kwargs = {
        "today": before.last_rolled_day,
        "custom_xp": op.custom,
        "resource_changes": op.changes,
        "bonuses": op.bonuses,
        "active_engines": world.engines,
        "achieved": frozenset(world.achieved),
    }
    try:
        preview = perform_activity(before, op.kind, **kwargs)  # type: ignore[arg-type]
    except GameRuleError as refused:
        assert refused.code in {"burnout_blocks_work", "insufficient_energy"}
        event(f"activity refused: {refused.code}")
        return
    logged = perform_activity(before, op.kind, **kwargs)  # type: ignore[arg-type]
    assert preview == logged
    after = logged.state
    # what the result reports is exactly what the recorded state changed by
    assert after.xp.overall == before.xp.overall + logged.xp_gained.overall
    assert after.xp.categories == before.xp.categories.plus(logged.xp_gained.categories)
    assert after.energy == max(0, before.energy - logged.energy_cost)
    assert after.energy_spent_today == before.energy_spent_today + logged.energy_cost
    applied, milestone_keys = logged.resource_changes, sum(a.keys for a in logged.milestones)
    assert after.resources.gold == before.resources.gold + (applied.gold or 0)
    assert after.resources.oxygen == before.resources.oxygen + (applied.oxygen or 0)
    assert after.resources.keys == before.resources.keys + (applied.keys or 0) + milestone_keys
    if op.kind is ActivityType.REST:
        assert logged.xp_gained == XP()
    world.award(logged.milestones)
    event(f"activity logged, burnout={before.burnout_active}")
    world.activities.append(DayActivity(logged.day, op.kind, logged.energy_cost))
    world.state = after


def do_roll(world: World, days: int) -> None:
    before = world.state
    since = before.last_rolled_day - timedelta(days=7)
    recent = [a for a in world.activities if a.day >= since]
    result = roll_over(before, today=before.last_rolled_day + timedelta(days=days),
                       recent_activities=recent, active_engines=world.engines)  # fmt: skip
    assert result.days_applied == days
    assert result.state.energy == 100 and result.state.energy_spent_today == 0
    for kind in {e.kind.value for e in result.events}:
        event(f"rollover event: {kind}")
    world.state = result.state


def do_other(world: World, op: tuple[object, ...]) -> None:
    state, today = world.state, world.state.last_rolled_day
    try:
        if op[0] == "sleep":
            now = datetime.combine(today, time(8), tzinfo=UTC)
            world.state = apply_sleep(state, op[1], op[2], now=now)[0]  # type: ignore[arg-type]
            assert world.state.energy >= state.energy
        elif op[0] == "train":
            available = [
                t
                for t in sorted(TASKS_BY_ID)
                if task_state(TASKS_BY_ID[t], state.xp.overall, world.completed)
                is TaskState.AVAILABLE
            ]
            task = available[int(op[1]) % len(available)] if available else "emergency-fund-1"  # type: ignore[call-overload]
            result = complete_task(
                state,
                task,
                completed=world.completed,
                today=today,
                active_engines=world.engines,
                achieved=world.achieved,
            )
            world.award(result.milestones)
            world.completed.add(task)
            world.activities.append(DayActivity(result.day, ActivityType.LEARNING, 20))
            world.state = result.state
        elif op[0] == "engines":
            world.engines = int(op[1])  # type: ignore[call-overload]
        elif op[0] == "invest":
            invested = create_investment(state, op[1], op[2], active_engines=world.engines,  # type: ignore[arg-type]
                                         achieved=world.achieved)  # fmt: skip
            world.award(invested.milestones)
            world.state = invested.state
        elif op[0] == "season":
            world.state = change_season(state, op[1], today=today)[0]  # type: ignore[arg-type]
        event(f"{op[0]} done")
    except GameRuleError as refused:
        assert refused.code  # a refusal leaves the state as it was
        event(f"{op[0]} refused: {refused.code}")
        world.state = state


@HISTORIES
@given(players(), st.lists(OPERATIONS, min_size=10, max_size=50))
def test_random_histories_keep_every_invariant(
    start: PlayerState, operations: list[object]
) -> None:
    world = World(start)
    check_invariants(start)
    for op in operations:
        before = world.state
        if isinstance(op, Act):
            do_activity(world, op)
        elif isinstance(op, tuple) and op[0] == "roll":
            do_roll(world, int(op[1]))
        else:
            do_other(world, op)  # type: ignore[arg-type]
        check_invariants(world.state)
        check_xp_never_decreases(before.xp, world.state.xp)
        assert world.state.last_rolled_day >= before.last_rolled_day


@st.composite
def recent_activities(draw: st.DrawFn, today: date) -> list[DayActivity]:
    days = st.integers(0, 9).map(lambda n: today - timedelta(days=n))
    activity = st.builds(DayActivity, days, st.sampled_from(ActivityType), st.integers(0, 30))
    return draw(st.lists(activity, max_size=25))


@settings(max_examples=300, deadline=None)
@given(st.data(), players(), st.integers(1, 60), st.integers(0, 4))
def test_one_replay_equals_day_by_day(
    data: st.DataObject, start: PlayerState, days: int, engines: int
) -> None:
    acts = data.draw(recent_activities(start.last_rolled_day))
    once = roll_over(start, today=start.last_rolled_day + timedelta(days=days),
                     recent_activities=acts, active_engines=engines)  # fmt: skip
    state, events = start, list[RolloverEvent]()
    for _ in range(days):
        step = roll_over(state, today=state.last_rolled_day + timedelta(days=1),
                         recent_activities=acts, active_engines=engines)  # fmt: skip
        state, events = step.state, events + step.events
    assert once.state == state
    assert once.events == events


ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
    "UTC",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.integers(0, 23),
    st.lists(st.integers(0, 3 * 365 * 24 * 3600), min_size=2, max_size=40),
)
def test_game_days_never_go_backwards(zone: str, hour: int, offsets: list[int]) -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    instants = [base + timedelta(seconds=s) for s in sorted(offsets)]
    days = [game_day(i, zone, hour) for i in instants]
    assert days == sorted(days)
    for instant, day in zip(instants, days, strict=True):
        boundary = next_boundary(instant, zone, hour)
        assert boundary > instant
        assert game_day(boundary, zone, hour) == day + timedelta(days=1)
        assert game_day(boundary - timedelta(seconds=1), zone, hour) == day


ANSWERS = st.builds(
    Answers,
    st.sampled_from(Season),
    decimals(0, 120, 2),
    st.sampled_from(Strength),
    st.integers(1, 10),
    st.sampled_from(Strength),
    st.integers(1, 10),
    st.sampled_from(StressManagement),
    st.sampled_from(Experience),
)


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
def test_questionnaire_outputs_stay_in_range(answers: Answers) -> None:
    result = evaluate(answers, START)
    assert sum(result.xp.categories.as_dict().values()) <= result.xp.overall
    assert all(0 <= result.clouds.get(c) <= 100 for c in CATEGORIES)
    assert result.resources.gold >= 0 and result.resources.keys in range(4)
