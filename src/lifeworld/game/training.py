"""Training-center rules: unlocking, availability and completing a task (GAME_RULES.md §12)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.activities import (
    BURNOUT_XP_FACTOR,
    activity_day,
    add_xp,
    charge_energy,
    scale_xp,
)
from lifeworld.game.capacity import xp_efficiency
from lifeworld.game.errors import AlreadyCompleted, TaskLocked, TaskNotFound
from lifeworld.game.milestones import Milestone, MilestoneAward, award_milestones
from lifeworld.game.ranks import rank_for
from lifeworld.game.resources import ResourceChanges, apply_reward
from lifeworld.game.state import CATEGORIES, XP, ActivityType, Category, CategoryXP, PlayerState
from lifeworld.game.training_catalogue import MODULES, MODULES_BY_ID, TASKS_BY_ID, Module, Task

TASK_ENERGY_COST = 20
MAIN_WEIGHT, OTHER_WEIGHT = Decimal("0.6"), Decimal("0.1")


class TaskState(StrEnum):
    COMPLETED = "completed"
    AVAILABLE = "available"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class TrainingResult:
    task: Task
    day: date  # the game day of the LEARNING activity the service records
    activity: ActivityType
    energy_cost: int
    xp_gained: XP
    resource_changes: ResourceChanges  # as applied (see resources.applied_changes)
    milestones: tuple[MilestoneAward, ...]
    state: PlayerState


@dataclass(frozen=True, slots=True)
class TaskStatus:
    task: Task
    state: TaskState
    lock_reason: str | None


@dataclass(frozen=True, slots=True)
class ModuleStatus:
    module: Module
    unlocked: bool
    lock_reason: str | None
    tasks: list[TaskStatus]


def completed_count(completed: Set[str]) -> int:
    """Completed tasks across all modules (unknown ids ignored)."""
    return sum(1 for task_id in completed if task_id in TASKS_BY_ID)


def module_lock_reason(module: Module, overall_xp: int, completed: Set[str]) -> str | None:
    """Why a module is locked, or None when its rank and completed-task count are reached."""
    if not rank_for(overall_xp).at_least(module.required_rank):
        return f"reach the rank {module.required_rank.value}"
    done = completed_count(completed)
    if done < module.required_tasks:
        noun = "training task" if module.required_tasks == 1 else "training tasks"
        return f"complete {module.required_tasks} {noun} ({done} done)"
    return None


def task_state(task: Task, overall_xp: int, completed: Set[str]) -> TaskState:
    """Completed, available (module unlocked and the previous task done) or locked."""
    if task.id in completed:
        return TaskState.COMPLETED
    if task_lock_reason(task, overall_xp, completed) is None:
        return TaskState.AVAILABLE
    return TaskState.LOCKED


def task_lock_reason(task: Task, overall_xp: int, completed: Set[str]) -> str | None:
    """Why a task cannot be done now, or None."""
    reason = module_lock_reason(MODULES_BY_ID[task.module_id], overall_xp, completed)
    if reason is None and task.order > 1 and f"{task.module_id}-{task.order - 1}" not in completed:
        reason = "complete the previous task of this module first"
    return reason


def training_overview(overall_xp: int, completed: Set[str]) -> list[ModuleStatus]:
    """Every module with its unlock state and every task with its status, in catalogue order."""
    overview: list[ModuleStatus] = []
    for module in MODULES:
        reason = module_lock_reason(module, overall_xp, completed)
        tasks: list[TaskStatus] = []
        for task in module.tasks:
            status = task_state(task, overall_xp, completed)
            why = task_lock_reason(task, overall_xp, completed)
            tasks.append(TaskStatus(task, status, why if status is TaskState.LOCKED else None))
        overview.append(ModuleStatus(module, reason is None, reason, tasks))
    return overview


def category_weights(module: Module) -> dict[Category, Decimal]:
    """0.6 for the module's main category, 0.1 for each other."""
    return {c: MAIN_WEIGHT if c is module.main_category else OTHER_WEIGHT for c in CATEGORIES}


def task_xp(task: Task, capacity: int, burnout: bool) -> XP:
    """(10 + order × 5) split by weights × capacity efficiency × 0.3 in burnout, each rounded."""
    base = 10 + task.order * 5
    factors = (xp_efficiency(capacity), BURNOUT_XP_FACTOR if burnout else Decimal(1))
    weights = category_weights(MODULES_BY_ID[task.module_id])
    parts = {c.value: scale_xp(base, (weights[c], *factors)) for c in CATEGORIES}
    return XP(scale_xp(base, factors), CategoryXP(**parts))


def complete_task(
    state: PlayerState,
    task_id: str,
    *,
    completed: Set[str],
    today: date,
    active_engines: int = 0,
    achieved: Set[Milestone] = frozenset(),
) -> TrainingResult:
    """Complete a task: 20 energy, XP, its reward, a LEARNING activity and a milestone check.

    No season or loadout multiplier applies; training is allowed in burnout (it is LEARNING, a
    recovery action, and counts toward leaving burnout).
    """
    task = TASKS_BY_ID.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    if task_id in completed:
        raise AlreadyCompleted(task_id)
    reason = task_lock_reason(task, state.xp.overall, completed)
    if reason is not None:
        raise TaskLocked(task_id, reason)
    day = activity_day(state, today)
    charged = charge_energy(state, ActivityType.LEARNING, TASK_ENERGY_COST, day)
    gained = task_xp(task, state.clouds.capacity, state.burnout_active)
    resources, applied = apply_reward(state.resources, task.reward, state.clouds.capacity)
    charged = replace(charged, xp=add_xp(state.xp, gained), resources=resources)
    final, awards = award_milestones(charged, active_engines, achieved)
    return TrainingResult(
        task, day, ActivityType.LEARNING, TASK_ENERGY_COST, gained, applied, awards, final
    )
