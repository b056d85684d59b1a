"""Building a player's export document from the database, in the format's fixed order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.activities.models import Activity
from lifeworld.db.scope import Scope
from lifeworld.energy.models import BoostRecord, SleepLog
from lifeworld.engines.models import Engine
from lifeworld.game.state import PlayerState
from lifeworld.investments.models import GrowthStep, Investment
from lifeworld.loadouts.models import Loadout
from lifeworld.places.models import SavedPlace
from lifeworld.players.context import open_player
from lifeworld.players.mapping import PLAIN_FIELDS, row_values
from lifeworld.players.models import MilestoneRecord, QuestionnaireRecord
from lifeworld.portability.schemas import FORMAT, VERSION, ExportDocument
from lifeworld.portability.types import EXPORTING, sorted_json
from lifeworld.rebalancing.models import RebalancingConfig
from lifeworld.seasons.models import SeasonRecord
from lifeworld.training.models import TaskCompletion

CATEGORY_NAMES = ("capacity", "engines", "oxygen", "meaning", "optionality")


def columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def player_part(state: PlayerState) -> dict[str, Any]:
    """The player's state as the document holds it (the version counter is not data)."""
    values = row_values(state)
    return {
        "clouds": {name: values[name] for name in CATEGORY_NAMES},
        "resources": {
            "oxygen": values["res_oxygen"],
            "water": values["water"],
            "gold": values["gold"],
            "armor": values["armor"],
            "keys": values["keys"],
        },
        "xp": {
            "overall": values["xp_overall"],
            "categories": {name: values[f"xp_{name}"] for name in CATEGORY_NAMES},
        },
        "season": values["season"],
        **{name: values[name] for name in PLAIN_FIELDS},
    }


def activity_part(row: Activity) -> dict[str, Any]:
    return {
        **columns(row, ("type", "description", "occurred_at", "day", "energy_used")),
        "xp": {
            "overall": row.xp_overall,
            "categories": {name: getattr(row, f"xp_{name}") for name in CATEGORY_NAMES},
        },
        "season": row.season,
        "multipliers": {
            "season": row.mult_season,
            "capacity": row.mult_capacity,
            "loadout": row.mult_loadout,
            "burnout": row.mult_burnout,
        },
        "resource_changes": row.resource_changes,
        "is_recovery": row.is_recovery,
        "source": row.source,
        "late": row.late,
    }


async def _all(scope: Scope, model: Any, user_id: int, *order: Any) -> list[Any]:
    query = select(model).where(model.user_id == user_id).order_by(*order)
    return list(await scope.session.scalars(query))


async def build_document(scope: Scope, *, user: User, now: datetime) -> ExportDocument:
    """Everything the player owns, after the day rollover, as a validated document."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    uid = user.id
    activities = await _all(scope, Activity, uid, Activity.id)
    position = {row.id: index for index, row in enumerate(activities)}
    questionnaire = await scope.session.get(QuestionnaireRecord, uid)
    rebalancing = await scope.session.get(RebalancingConfig, uid)
    completions = await _all(
        scope, TaskCompletion, uid, TaskCompletion.completed_at, TaskCompletion.task_id
    )
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "account": columns(user, ("display_name", "timezone", "day_start_hour")),
        "player": player_part(ctx.state),
        "questionnaire": None
        if questionnaire is None
        else {
            "answers": sorted_json(questionnaire.answers),
            "completed_at": questionnaire.completed_at,
        },
        "activities": [activity_part(row) for row in activities],
        "seasons": [
            {
                **columns(r, ("season", "started_on", "ended_on", "reason")),
                "resources_at_end": r.resources_at_end,
                "recorded_at": r.recorded_at,
            }
            for r in await _all(scope, SeasonRecord, uid, SeasonRecord.id)
        ],
        "engines": [columns(r, ENGINE_FIELDS) for r in await _all(scope, Engine, uid, Engine.id)],
        "sleep_logs": [
            columns(r, SLEEP_FIELDS) for r in await _all(scope, SleepLog, uid, SleepLog.date)
        ],
        "boosts": [
            columns(r, BOOST_FIELDS) for r in await _all(scope, BoostRecord, uid, BoostRecord.id)
        ],
        "training_completions": [
            {
                **columns(r, ("task_id", "completed_at", "notes", "xp_gained")),
                "activity": position.get(r.activity_id) if r.activity_id is not None else None,
            }
            for r in completions
        ],
        "loadouts": [
            {
                **columns(r, ("name", "preset_id", "active")),
                "slots": r.slots,
                "created_at": r.created_at,
            }
            for r in await _all(scope, Loadout, uid, Loadout.id)
        ],
        "investments": [
            columns(r, INVESTMENT_FIELDS) for r in await _all(scope, Investment, uid, Investment.id)
        ],
        "investment_growth": [
            columns(r, ("month", "applied_at", "total_growth"))
            for r in await _all(scope, GrowthStep, uid, GrowthStep.month)
        ],
        "rebalancing": None if rebalancing is None else columns(rebalancing, REBALANCING_FIELDS),
        "milestones": [
            columns(r, ("type", "keys", "achieved_at"))
            for r in await _all(
                scope, MilestoneRecord, uid, MilestoneRecord.achieved_at, MilestoneRecord.type
            )
        ],
        "saved_places": [
            columns(r, SAVED_PLACE_FIELDS)
            for r in await _all(scope, SavedPlace, uid, SavedPlace.id)
        ],
    }
    return ExportDocument.model_validate(document, context={EXPORTING: True})


def render(document: ExportDocument) -> bytes:
    """The document's bytes: fixed key order, two-space indentation, UTF-8, a final newline.

    `late` is written only when true, so a history without late entries reads as it did before
    the field existed.
    """
    on_time = {i: {"late"} for i, a in enumerate(document.activities) if not a.late}
    return document.model_dump_json(indent=2, exclude={"activities": on_time}).encode() + b"\n"


ENGINE_FIELDS = (
    "type",
    "name",
    "description",
    "fragility",
    "monthly_output",
    "status",
    "created_at",
    "updated_at",
)
SLEEP_FIELDS = (
    "date",
    "hours",
    "quality",
    "bed_time",
    "wake_time",
    "notes",
    "restored",
    "logged_at",
)
BOOST_FIELDS = ("type", "amount", "duration_min", "decay_per_hour", "started_at")
INVESTMENT_FIELDS = (
    "type",
    "name",
    "amount_invested",
    "current_value",
    "expected_yield",
    "created_at",
    "updated_at",
)
REBALANCING_FIELDS = (
    "horizon_years",
    "income_stability",
    "emotional_tolerance",
    "decision_discipline",
    "target_stocks",
    "target_bonds",
    "frequency",
    "drift_threshold",
    "last_rebalanced_on",
    "updated_at",
)
SAVED_PLACE_FIELDS = (
    "place_id",
    "name",
    "category",
    "city",
    "country",
    "lat",
    "lon",
    "rating",
    "website",
    "notes",
    "favorite",
    "created_at",
)
