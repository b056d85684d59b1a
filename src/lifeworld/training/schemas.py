"""Training center answers (API.md training)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.activities.schemas import MilestoneGainedOut, XPGainedOut
from lifeworld.players.schemas import StateOut
from lifeworld.schemas_common import Number, StrictIn


class TaskOut(BaseModel):
    id: str
    order: int
    title: str
    description: str
    status: str  # completed | available | locked
    lock_reason: str | None
    reward: dict[str, Number | int]
    energy_cost: int
    notes: str | None = None


class ModuleOut(BaseModel):
    id: str
    order: int
    title: str
    description: str
    required_rank: str
    required_tasks: int
    main_category: str
    unlocked: bool
    lock_reason: str | None
    completed_tasks: int
    tasks: list[TaskOut]


class TrainingOut(BaseModel):
    completed_tasks: int
    total_tasks: int
    modules: list[ModuleOut]


class CompleteIn(StrictIn):
    notes: Annotated[str, Field(max_length=2000)] | None = None


class CompleteOut(BaseModel):
    task_id: str
    xp_gained: XPGainedOut
    resources: dict[str, Number | int]
    milestones: list[MilestoneGainedOut]
    state: StateOut
