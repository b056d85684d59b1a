"""§12 training center: catalogue, unlocking, availability, XP and rewards."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lifeworld.game.errors import AlreadyCompleted, InsufficientEnergy, TaskLocked, TaskNotFound
from lifeworld.game.milestones import Milestone
from lifeworld.game.ranks import Rank
from lifeworld.game.state import XP, ActivityType, Category, CategoryXP, Clouds, PlayerState
from lifeworld.game.training import (
    TaskState,
    complete_task,
    module_lock_reason,
    task_state,
    task_xp,
    training_overview,
)
from lifeworld.game.training_catalogue import MODULES, MODULES_BY_ID, TASKS_BY_ID

DAY = date(2025, 2, 1)


def player(capacity: int = 50, xp: int = 0, **changes: object) -> PlayerState:
    base = PlayerState.new(DAY)
    return replace(base, clouds=Clouds(capacity=capacity), xp=XP(xp, CategoryXP()), **changes)  # type: ignore[arg-type]


def test_catalogue_shape() -> None:
    shape = [(m.title, len(m.tasks), m.required_rank, m.required_tasks) for m in MODULES]
    assert shape == [
        ("Build Emergency Fund", 5, Rank.RECRUIT, 0),
        ("Increase Income", 4, Rank.RECRUIT, 2),
        ("Reduce Expenses", 3, Rank.RECRUIT, 1),
        ("Automate Savings", 2, Rank.RECRUIT, 2),
        ("Multiple Income Streams", 3, Rank.PRIVATE, 5),
        ("Track Expenses", 3, Rank.RECRUIT, 1),
        ("Avoid Lifestyle Inflation", 3, Rank.PRIVATE, 8),
    ]
    assert len(TASKS_BY_ID) == 23
    assert MODULES_BY_ID["emergency-fund"].main_category is Category.OXYGEN
    for module in MODULES:
        assert [t.order for t in module.tasks] == list(range(1, len(module.tasks) + 1))
        assert module.description
        for task in module.tasks:
            assert task.title and len(task.description) > 40


def _unlocked(xp: int, done: int) -> set[str]:
    completed = set(list(TASKS_BY_ID)[:done])
    return {m.id for m in MODULES if module_lock_reason(m, xp, completed) is None}


def test_unlocking() -> None:
    assert _unlocked(0, 0) == {"emergency-fund"}
    assert _unlocked(0, 1) == {"emergency-fund", "reduce-expenses", "track-expenses"}
    assert _unlocked(0, 2) == {
        "emergency-fund",
        "reduce-expenses",
        "track-expenses",
        "increase-income",
        "automate-savings",
    }
    assert "multiple-income-streams" not in _unlocked(999, 5)  # rank still RECRUIT
    assert "multiple-income-streams" not in _unlocked(1_000, 4)
    assert "multiple-income-streams" in _unlocked(1_000, 5)
    assert "avoid-lifestyle-inflation" not in _unlocked(1_000, 7)
    assert "avoid-lifestyle-inflation" in _unlocked(1_000, 8)


def test_tasks_open_in_order() -> None:
    assert task_state(TASKS_BY_ID["emergency-fund-1"], 0, set()) is TaskState.AVAILABLE
    assert task_state(TASKS_BY_ID["emergency-fund-2"], 0, set()) is TaskState.LOCKED
    done = {"emergency-fund-1"}
    assert task_state(TASKS_BY_ID["emergency-fund-1"], 0, done) is TaskState.COMPLETED
    assert task_state(TASKS_BY_ID["emergency-fund-2"], 0, done) is TaskState.AVAILABLE
    assert task_state(TASKS_BY_ID["reduce-expenses-1"], 0, done) is TaskState.AVAILABLE
    assert task_state(TASKS_BY_ID["increase-income-1"], 0, done) is TaskState.LOCKED


@pytest.mark.parametrize(
    ("task_id", "capacity", "burnout", "gained"),
    [
        # base 10 + order × 5; main category × .6, others × .1 (rounded), then × efficiency
        ("emergency-fund-1", 50, False, XP(15, CategoryXP(2, 2, 9, 2, 2))),  # 1.5 → 2
        ("emergency-fund-3", 50, False, XP(25, CategoryXP(3, 3, 15, 3, 3))),  # 2.5 → 3
        ("emergency-fund-5", 50, False, XP(35, CategoryXP(4, 4, 21, 4, 4))),  # 3.5 → 4
        ("emergency-fund-2", 90, False, XP(23, CategoryXP(2, 2, 14, 2, 2))),  # 12 × 1.15 = 13.8
        # 30 × .6 = 18 × .3 = 5.4 → 5; oxygen 18 × .6 = 10.8 → 11 × .3 = 3.3 → 3; others 3 → 2 → 1
        ("emergency-fund-4", 15, True, XP(5, CategoryXP(1, 1, 3, 1, 1))),
        ("increase-income-1", 50, False, XP(15, CategoryXP(2, 9, 2, 2, 2))),
        (
            "track-expenses-2",
            30,
            False,
            XP(16, CategoryXP(2, 2, 2, 10, 2)),
        ),  # 20 × .8; 12 × .8 = 9.6
    ],
)
def test_task_xp(task_id: str, capacity: int, burnout: bool, gained: XP) -> None:
    assert task_xp(TASKS_BY_ID[task_id], capacity, burnout) == gained


def test_completing_a_task() -> None:
    result = complete_task(player(), "emergency-fund-1", completed=set(), today=DAY)
    assert result.energy_cost == 20
    assert result.activity is ActivityType.LEARNING
    assert result.state.energy == 80
    assert result.state.energy_spent_today == 20
    assert result.state.last_effort_activity_day == DAY
    assert result.state.xp == result.xp_gained == XP(15, CategoryXP(2, 2, 9, 2, 2))


def test_emergency_fund_rewards_and_milestone() -> None:
    state, done = player(energy=110, capacity=85), set[str]()
    keys_per_task = []
    for order in range(1, 6):
        state = replace(state, energy=110)
        result = complete_task(state, f"emergency-fund-{order}", completed=done, today=DAY)
        state, done = result.state, done | {result.task.id}
        keys_per_task.append(
            (result.resource_changes.oxygen, [a.milestone for a in result.milestones])
        )
    # capacity 85: reward efficiency 1.05 → oxygen +1.05, +2.1, +3.15 = 6.3 ≥ 6 at task 5
    assert keys_per_task == [
        (None, []),
        (None, []),
        (Decimal("1.05"), []),
        (Decimal("2.10"), []),
        (Decimal("3.15"), [Milestone.SIX_MONTHS_EXPENSES]),
    ]
    assert state.resources.oxygen == Decimal("6.3")
    assert state.resources.keys == 2  # task 5's key (1.05 → 1) and the milestone's


def test_reward_at_low_capacity() -> None:
    done = {"emergency-fund-1", "emergency-fund-2", "emergency-fund-3"}
    result = complete_task(player(30), "emergency-fund-4", completed=done, today=DAY)
    assert result.state.resources.oxygen == Decimal("1.8")  # +2 × 0.9


def test_refusals() -> None:
    with pytest.raises(TaskNotFound):
        complete_task(player(), "no-such-task", completed=set(), today=DAY)
    with pytest.raises(AlreadyCompleted) as done:
        complete_task(player(), "emergency-fund-1", completed={"emergency-fund-1"}, today=DAY)
    assert done.value.code == "already_completed"
    with pytest.raises(TaskLocked) as locked:
        complete_task(player(), "emergency-fund-2", completed=set(), today=DAY)
    assert locked.value.code == "task_locked"
    with pytest.raises(TaskLocked):
        complete_task(player(), "increase-income-1", completed={"emergency-fund-1"}, today=DAY)
    with pytest.raises(InsufficientEnergy) as tired:
        complete_task(player(energy=19), "emergency-fund-1", completed=set(), today=DAY)
    assert (tired.value.needed, tired.value.usable) == (20, 19)


def test_training_in_burnout_counts_as_recovery() -> None:
    burnt = player(15, burnout_active=True, burnout_since=DAY)
    result = complete_task(burnt, "emergency-fund-1", completed=set(), today=DAY)
    assert result.state.recovery_actions_since_burnout == 1
    assert result.xp_gained.overall == 3  # 15 × .6 = 9 × .3 = 2.7 → 3


def test_training_overview() -> None:
    overview = training_overview(0, {"emergency-fund-1"})
    assert [(m.module.id, m.unlocked) for m in overview] == [
        ("emergency-fund", True),
        ("increase-income", False),
        ("reduce-expenses", True),
        ("automate-savings", False),
        ("multiple-income-streams", False),
        ("track-expenses", True),
        ("avoid-lifestyle-inflation", False),
    ]
    fund = overview[0]
    assert [t.state for t in fund.tasks] == [
        TaskState.COMPLETED,
        TaskState.AVAILABLE,
        TaskState.LOCKED,
        TaskState.LOCKED,
        TaskState.LOCKED,
    ]
    assert fund.tasks[0].lock_reason is None and fund.tasks[1].lock_reason is None
    assert fund.tasks[2].lock_reason == "complete the previous task of this module first"
    assert overview[1].lock_reason == "complete 2 training tasks (1 done)"
    assert overview[4].lock_reason == "reach the rank PRIVATE"
