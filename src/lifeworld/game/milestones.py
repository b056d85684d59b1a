"""Milestones and the keys they award, each once (GAME_RULES.md §8)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from lifeworld.game.state import PlayerState, Resources


class Milestone(StrEnum):
    SIX_MONTHS_EXPENSES = "SIX_MONTHS_EXPENSES"
    ONE_YEAR_EXPENSES = "ONE_YEAR_EXPENSES"
    FIRST_ASSET = "FIRST_ASSET"
    REDUCED_FRAGILITY = "REDUCED_FRAGILITY"


SIX_MONTHS = 6  # months of expenses covered (oxygen)
ONE_YEAR = 12
ENGINES_FOR_REDUCED_FRAGILITY = 2  # ACTIVE engines
MILESTONE_KEYS: dict[Milestone, int] = {
    Milestone.SIX_MONTHS_EXPENSES: 1,
    Milestone.ONE_YEAR_EXPENSES: 2,
    Milestone.FIRST_ASSET: 1,
    Milestone.REDUCED_FRAGILITY: 1,
}


@dataclass(frozen=True, slots=True)
class MilestoneAward:
    milestone: Milestone
    keys: int


def reached(resources: Resources, active_engines: int) -> set[Milestone]:
    """Every milestone whose condition holds now."""
    found: set[Milestone] = set()
    if resources.oxygen >= SIX_MONTHS:
        found.add(Milestone.SIX_MONTHS_EXPENSES)
    if resources.oxygen >= ONE_YEAR:
        found.add(Milestone.ONE_YEAR_EXPENSES)
    if resources.gold > Decimal(0):
        found.add(Milestone.FIRST_ASSET)
    if active_engines >= ENGINES_FOR_REDUCED_FRAGILITY:
        found.add(Milestone.REDUCED_FRAGILITY)
    return found


def newly_reached(
    resources: Resources, active_engines: int, achieved: Set[Milestone]
) -> tuple[MilestoneAward, ...]:
    """Milestones reached now and never before, in rule-book order."""
    now = reached(resources, active_engines)
    return tuple(MilestoneAward(m, MILESTONE_KEYS[m]) for m in Milestone if m in now - achieved)


def award_milestones(
    state: PlayerState, active_engines: int, achieved: Set[Milestone]
) -> tuple[PlayerState, tuple[MilestoneAward, ...]]:
    """Check milestones and add their keys to the player's resources."""
    awards = newly_reached(state.resources, active_engines, achieved)
    if not awards:
        return state, awards
    keys = state.resources.keys + sum(a.keys for a in awards)
    return replace(state, resources=replace(state.resources, keys=keys)), awards
