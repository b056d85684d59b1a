"""A reference player for the acceptance test: the pure rules of `lifeworld.game`, orchestrated
the way GAME_RULES.md describes, with no database and no web layer in between.

The acceptance test drives the real app over HTTP and this oracle side by side, and compares
every figure. The rules themselves are pinned by exact-number unit tests in tests/unit/game;
what this checks is that the app stores, replays and orders them faithfully over months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from lifeworld.game.activities import perform_activity
from lifeworld.game.days import day_start, game_day
from lifeworld.game.errors import GameRuleError
from lifeworld.game.investments import (
    InvestmentType,
    after_growth,
    create_investment,
    grown_value,
)
from lifeworld.game.loadouts import (
    NO_BONUSES,
    PRESETS,
    LoadoutBonuses,
    preset_items,
    summed_benefits,
)
from lifeworld.game.milestones import Milestone, award_milestones
from lifeworld.game.questionnaire import Answers, apply_questionnaire
from lifeworld.game.resources import NO_CHANGES, ResourceChanges
from lifeworld.game.rollover import DayActivity, roll_over
from lifeworld.game.seasons import change_season
from lifeworld.game.sleep import apply_sleep
from lifeworld.game.state import ActivityType, PlayerState, Season
from lifeworld.game.training import complete_task


def preset_bonuses(name: str) -> LoadoutBonuses:
    preset = next(p for p in PRESETS if p.name == name)
    return summed_benefits(preset_items(preset).values()).bonuses()


@dataclass
class OraclePlayer:
    timezone: str
    state: PlayerState
    activities: list[DayActivity] = field(default_factory=list)
    achieved: set[Milestone] = field(default_factory=set)
    active_engines: int = 0
    bonuses: LoadoutBonuses = NO_BONUSES
    completed: set[str] = field(default_factory=set)
    investments: list[dict[str, Any]] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)

    @classmethod
    def new(cls, timezone: str, now: datetime) -> OraclePlayer:
        """A new account's player (§1), born with the five presets, The Balanced active (§13)."""
        today = game_day(now, timezone, 0)
        return cls(timezone, PlayerState.new(today, now), bonuses=preset_bonuses("The Balanced"))

    def today(self, now: datetime) -> date:
        return max(game_day(now, self.timezone, 0), self.state.last_rolled_day)

    def roll(self, now: datetime) -> None:
        today = game_day(now, self.timezone, 0)
        since = self.state.last_rolled_day - timedelta(days=7)
        result = roll_over(
            self.state,
            today=today,
            recent_activities=[a for a in self.activities if a.day >= since],
            active_engines=self.active_engines,
            day_started_at=day_start(today, self.timezone, 0),
        )
        self.state = result.state
        self.events.extend(result.events)

    def _award(self, awards: tuple[Any, ...]) -> None:
        self.achieved |= {a.milestone for a in awards}

    def questionnaire(self, now: datetime, answers: Answers) -> None:
        self.roll(now)
        self.state = apply_questionnaire(self.state, answers, today=self.today(now))

    def activity(
        self,
        now: datetime,
        kind: ActivityType,
        changes: ResourceChanges = NO_CHANGES,
    ) -> dict[str, Any]:
        """The outcome the API must report: refused with a code, or the numbers gained."""
        self.roll(now)
        try:
            result = perform_activity(
                self.state,
                kind,
                today=self.today(now),
                resource_changes=changes,
                bonuses=self.bonuses,
                active_engines=self.active_engines,
                achieved=self.achieved,
            )
        except GameRuleError as refusal:
            return {"refused": refusal.code}
        self.state = result.state
        self._award(result.milestones)
        self.activities.append(DayActivity(result.day, kind, result.energy_cost))
        return {
            "xp": result.xp_gained.overall,
            "energy_used": result.energy_cost,
            "milestones": [a.milestone.value for a in result.milestones],
        }

    def sleep(self, now: datetime, hours: Decimal, quality: int) -> None:
        self.roll(now)
        self.state, _ = apply_sleep(self.state, hours, quality, now=now)

    def engines_changed(self, now: datetime, active: int) -> None:
        self.roll(now)
        self.active_engines = active
        self.state, awards = award_milestones(self.state, active, self.achieved)
        self._award(awards)

    def season(self, now: datetime, target: Season) -> None:
        self.roll(now)
        self.state, _ = change_season(self.state, target, today=self.today(now))

    def train(self, now: datetime, task_id: str) -> None:
        self.roll(now)
        result = complete_task(
            self.state,
            task_id,
            completed=self.completed,
            today=self.today(now),
            active_engines=self.active_engines,
            achieved=self.achieved,
        )
        self.state = result.state
        self._award(result.milestones)
        self.completed.add(task_id)
        self.activities.append(DayActivity(result.day, ActivityType.LEARNING, result.energy_cost))

    def invest(
        self, now: datetime, amount: Decimal, kind: InvestmentType, yield_pct: Decimal
    ) -> None:
        self.roll(now)
        result = create_investment(
            self.state, amount, kind, active_engines=self.active_engines, achieved=self.achieved
        )
        self.state = result.state
        self._award(result.milestones)
        self.investments.append({"value": amount, "yield": yield_pct})

    def grow(self, now: datetime) -> None:
        self.roll(now)
        for investment in self.investments:
            investment["value"] = grown_value(investment["value"], investment["yield"])
        checked = after_growth(
            self.state, active_engines=self.active_engines, achieved=self.achieved
        )
        self.state = checked.state  # milestones are checked after growth too (§8)
        self._award(checked.milestones)
