"""Checks across the parts of an export document, run before anything is written."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from lifeworld.errors import InvalidField
from lifeworld.game.loadouts import ITEMS_BY_ID, PRESETS
from lifeworld.game.training_catalogue import TASKS_BY_ID
from lifeworld.portability.schemas import ExportDocument

PRESET_IDS = frozenset(p.id for p in PRESETS)


def _unique(field: str, values: Iterable[Hashable]) -> None:
    seen: set[Hashable] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise InvalidField(f"{field}.{index}", f"{value} appears twice.")
        seen.add(value)


def _check_loadouts(doc: ExportDocument) -> None:
    if sum(1 for loadout in doc.loadouts if loadout.active) > 1:
        raise InvalidField("loadouts", "At most one loadout can be active.")
    _unique("loadouts", (lo.preset_id for lo in doc.loadouts if lo.preset_id is not None))
    for index, loadout in enumerate(doc.loadouts):
        if loadout.preset_id is not None and loadout.preset_id not in PRESET_IDS:
            raise InvalidField(f"loadouts.{index}.preset_id", "There is no such preset.")
        for slot, item_id in loadout.slots.items():
            item = ITEMS_BY_ID.get(item_id)
            if item is None or item.slot is not slot:
                raise InvalidField(
                    f"loadouts.{index}.slots.{slot.value}", f"{item_id!r} is not a {slot} item."
                )


def _check_training(doc: ExportDocument) -> None:
    _unique("training_completions", (c.task_id for c in doc.training_completions))
    _unique(
        "training_completions",
        (c.activity for c in doc.training_completions if c.activity is not None),
    )
    for index, completion in enumerate(doc.training_completions):
        if completion.task_id not in TASKS_BY_ID:
            raise InvalidField(f"training_completions.{index}.task_id", "No such training task.")
        if completion.activity is not None and completion.activity >= len(doc.activities):
            raise InvalidField(
                f"training_completions.{index}.activity",
                "It must be the position of an activity in `activities`.",
            )


def _ordered(field: str, first: Any, then: Any, what: str) -> None:
    if then < first:
        raise InvalidField(field, what)


def _check_intervals(doc: ExportDocument) -> None:
    """What began before something else in the game is in that order in the document."""
    player = doc.player
    _ordered(
        "player.last_rolled_day",
        player.created_day,
        player.last_rolled_day,
        "The last day rolled over cannot come before the player was created.",
    )
    for name in (
        "season_started_on",
        "last_weekly_eval_day",
        "burnout_since",
        "last_effort_activity_day",
        "last_activity_day",
    ):
        value = getattr(player, name)
        if value is not None:
            _ordered(
                f"player.{name}",
                value,
                player.last_rolled_day,
                "It cannot come after the last day rolled over.",
            )
    stamped = [("engines", i, e.created_at, e.updated_at) for i, e in enumerate(doc.engines)]
    stamped += [
        ("investments", i, v.created_at, v.updated_at) for i, v in enumerate(doc.investments)
    ]
    for part, index, created, updated in stamped:
        _ordered(
            f"{part}.{index}.updated_at",
            created,
            updated,
            "It cannot be updated before it was created.",
        )


def check_document(doc: ExportDocument) -> None:
    """Refuse a document whose parts disagree (422 naming the field); writes nothing."""
    _check_loadouts(doc)
    _check_training(doc)
    _unique("sleep_logs", (s.date for s in doc.sleep_logs))
    _unique("investment_growth", (g.month for g in doc.investment_growth))
    _unique("milestones", (m.type for m in doc.milestones))
    _unique("saved_places", (p.place_id for p in doc.saved_places))
    for index, step in enumerate(doc.investment_growth):
        if step.month.day != 1:
            raise InvalidField(f"investment_growth.{index}.month", "Use the month's first day.")
    _check_intervals(doc)
    for index, season in enumerate(doc.seasons):
        if season.ended_on < season.started_on:
            raise InvalidField(f"seasons.{index}.ended_on", "A season cannot end before it began.")
    config = doc.rebalancing
    targets = (config.target_stocks, config.target_bonds) if config is not None else (None, None)
    if None not in targets and sum(t or 0 for t in targets) != 100:
        raise InvalidField("rebalancing.target_stocks", "The targets must sum to 100.")
