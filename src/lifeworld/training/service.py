"""The training center: unlocks, task completion (§12)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.activities.schemas import XPGainedOut
from lifeworld.activities.service import activity_listeners, activity_values, milestones_out
from lifeworld.db.scope import Scope
from lifeworld.errors import NotFound
from lifeworld.game.activities import ActivityResult, Multipliers, multipliers_for
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.training import TASK_ENERGY_COST, complete_task, training_overview
from lifeworld.game.training_catalogue import TASKS_BY_ID
from lifeworld.players.context import open_player
from lifeworld.players.schemas import CategoriesOut
from lifeworld.players.state_document import build_state
from lifeworld.training.models import TaskCompletion
from lifeworld.training.schemas import CompleteOut, ModuleOut, TaskOut, TrainingOut


def _changes(changes: ResourceChanges) -> dict[str, Decimal | int]:
    names = ("oxygen", "water", "gold", "armor", "keys")
    return {n: getattr(changes, n) for n in names if getattr(changes, n) is not None}


async def _completed(scope: Scope, user: User) -> dict[str, str | None]:
    rows = await scope.session.execute(
        select(TaskCompletion.task_id, TaskCompletion.notes).where(
            TaskCompletion.user_id == user.id
        )
    )
    return {task_id: notes for task_id, notes in rows}


async def overview(scope: Scope, *, user: User, now: datetime) -> TrainingOut:
    """Every module with its unlock state and every task with its status."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    completed = await _completed(scope, user)
    modules = training_overview(ctx.state.xp.overall, set(completed))
    return TrainingOut(
        completed_tasks=len(completed),
        total_tasks=len(TASKS_BY_ID),
        modules=[
            ModuleOut(
                id=m.module.id,
                order=m.module.order,
                title=m.module.title,
                description=m.module.description,
                required_rank=m.module.required_rank.value,
                required_tasks=m.module.required_tasks,
                main_category=m.module.main_category.value,
                unlocked=m.unlocked,
                lock_reason=m.lock_reason,
                completed_tasks=sum(1 for t in m.tasks if t.task.id in completed),
                tasks=[
                    TaskOut(
                        id=t.task.id,
                        order=t.task.order,
                        title=t.task.title,
                        description=t.task.description,
                        status=t.state.value,
                        lock_reason=t.lock_reason,
                        reward=_changes(t.task.reward),
                        energy_cost=TASK_ENERGY_COST,
                        notes=completed.get(t.task.id),
                    )
                    for t in m.tasks
                ],
            )
            for m in modules
        ],
    )


async def complete(
    scope: Scope, *, user: User, now: datetime, task_id: str, notes: str | None
) -> CompleteOut:
    """Complete a task: energy, XP, its reward, a LEARNING activity, milestones."""
    if task_id not in TASKS_BY_ID:
        raise NotFound("There is no such training task.")
    ctx = await open_player(scope, user=user, now=now)
    completed = await _completed(scope, user)
    result = complete_task(
        ctx.state,
        task_id,
        completed=set(completed),
        today=ctx.today,
        active_engines=ctx.active_engines,
        achieved=ctx.achieved,
    )
    # Training XP takes no season or loadout multiplier (§12): record what really applied.
    multipliers = multipliers_for(ctx.state)
    as_activity = ActivityResult(
        activity=result.activity,
        day=result.day,
        energy_cost=result.energy_cost,
        xp_gained=result.xp_gained,
        multipliers=Multipliers(
            season=Decimal(1),
            capacity=multipliers.capacity,
            loadout=Decimal(1),
            burnout=multipliers.burnout,
        ),
        season=ctx.state.season,
        resource_changes=result.resource_changes,
        milestones=result.milestones,
        is_recovery=True,
        state=result.state,
    )
    title = TASKS_BY_ID[task_id].title
    activity = activity_values(
        ctx, as_activity, description=f"Training: {title}", source="training"
    )
    ctx.record_milestones(result.milestones)
    activity_id = await ctx.save(result.state, activity=activity)
    scope.session.add(
        TaskCompletion(
            user_id=user.id,
            task_id=task_id,
            completed_at=now,
            notes=notes,
            xp_gained=result.xp_gained.overall,
            activity_id=activity_id,
        )
    )
    for listener in activity_listeners:
        listener(result.activity, result.milestones)
    gained = result.xp_gained
    return CompleteOut(
        task_id=task_id,
        xp_gained=XPGainedOut(
            overall=gained.overall, categories=CategoriesOut(**gained.categories.as_dict())
        ),
        resources=_changes(result.resource_changes),
        milestones=milestones_out(result.milestones),
        state=build_state(ctx),
    )
