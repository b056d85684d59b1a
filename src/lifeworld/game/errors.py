"""Refusals of the rule book: each has a stable snake_case `code` and a human message.

The web layer maps every `GameRuleError` to a 409 answer carrying `code`, `message` and `details`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GameRuleError(Exception):
    """A game rule refused the action; `code` names the rule."""

    code: ClassVar[str] = "game_rule"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class BurnoutBlocksWork(GameRuleError):
    code = "burnout_blocks_work"

    def __init__(self) -> None:
        super().__init__(
            "You are in burnout: work is blocked. Recovery needs EXERCISE, LEARNING or "
            "SAVE_EXPENSES and capacity above 25."
        )


class InsufficientEnergy(GameRuleError):
    code = "insufficient_energy"

    def __init__(self, needed: int, usable: int) -> None:
        super().__init__(
            f"Not enough energy: this needs {needed}, you have {usable} usable.",
            {"needed": needed, "usable": usable},
        )
        self.needed = needed
        self.usable = usable


class StateNotRolled(GameRuleError):
    """A programming error in the caller: run the day rollover (§6) before acting."""

    code = "state_not_rolled"

    def __init__(self, today: object, last_rolled_day: object) -> None:
        super().__init__(
            f"Run the day rollover first: today is {today}, last rolled day {last_rolled_day}.",
            {"today": str(today), "last_rolled_day": str(last_rolled_day)},
        )


class SameSeason(GameRuleError):
    code = "same_season"


class SeasonTooShort(GameRuleError):
    code = "season_too_short"


class WinterOnlyToSpring(GameRuleError):
    code = "winter_only_to_spring"


class WaterRequiresWinter(GameRuleError):
    code = "water_requires_winter"


class WaterBlocksSummer(GameRuleError):
    code = "water_blocks_summer"


class QuestionnaireAlreadyDone(GameRuleError):
    code = "questionnaire_done"

    def __init__(self) -> None:
        super().__init__("The onboarding questionnaire can be answered only once.")


class TaskNotFound(GameRuleError):
    code = "task_not_found"

    def __init__(self, task_id: str) -> None:
        super().__init__(f"There is no training task {task_id!r}.", {"task_id": task_id})


class TaskLocked(GameRuleError):
    code = "task_locked"

    def __init__(self, task_id: str, reason: str) -> None:
        super().__init__(f"This task is locked: {reason}", {"task_id": task_id})


class AlreadyCompleted(GameRuleError):
    code = "already_completed"

    def __init__(self, task_id: str) -> None:
        super().__init__("You have already completed this task.", {"task_id": task_id})


class InsufficientGold(GameRuleError):
    code = "insufficient_gold"

    def __init__(self, needed: object, available: object) -> None:
        super().__init__(
            f"Not enough gold: this needs {needed}, you have {available}.",
            {"needed": str(needed), "available": str(available)},
        )


class GrowthAlreadyApplied(GameRuleError):
    code = "growth_already_applied"

    def __init__(self, month: str) -> None:
        super().__init__(
            f"Growth was already applied in {month}; it can run once per calendar month.",
            {"month": month},
        )


class InvalidTargets(GameRuleError):
    code = "targets_must_sum_to_100"

    def __init__(self, stocks: object, bonds: object) -> None:
        super().__init__(
            f"Target shares must sum to 100 (stocks {stocks} + bonds {bonds}).",
            {"stocks": str(stocks), "bonds": str(bonds)},
        )


class UnknownItem(GameRuleError):
    code = "unknown_item"

    def __init__(self, item_id: str) -> None:
        super().__init__(f"There is no loadout item {item_id!r}.", {"item_id": item_id})


class ItemWrongSlot(GameRuleError):
    code = "item_wrong_slot"

    def __init__(self, item_id: str, slot: str, expected: str) -> None:
        super().__init__(
            f"{item_id!r} belongs in the {expected} slot, not {slot}.",
            {"item_id": item_id, "slot": slot, "expected": expected},
        )


class PresetLocked(GameRuleError):
    code = "preset_locked"

    def __init__(self) -> None:
        super().__init__("Preset loadouts cannot be edited or deleted.")


class DayClosed(GameRuleError):
    code = "day_closed"

    def __init__(self, day: object, open_day: object) -> None:
        super().__init__(
            f"Only today's activities can be undone: this one belongs to {day}, a closed day.",
            {"day": str(day), "today": str(open_day)},
        )


class HasDependents(GameRuleError):
    code = "has_dependents"

    def __init__(self, completions: int) -> None:
        super().__init__(
            "This activity came from a training task: it cannot be undone on its own.",
            {"training_completions": completions},
        )
