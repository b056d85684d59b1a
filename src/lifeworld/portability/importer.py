"""Importing an export document into an empty player, in the request's one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import delete, exists, insert, select

from lifeworld.accounts import households
from lifeworld.accounts.models import User
from lifeworld.activities.models import Activity
from lifeworld.admin.audit import audit
from lifeworld.db.scope import Scope
from lifeworld.energy.models import BoostRecord, SleepLog
from lifeworld.engines.models import Engine
from lifeworld.errors import Conflict
from lifeworld.game.state import XP, CategoryXP, Clouds, PlayerState, Resources
from lifeworld.investments.models import GrowthStep, Investment
from lifeworld.loadouts.models import Loadout
from lifeworld.loadouts.service import add_presets
from lifeworld.places.models import SavedPlace
from lifeworld.players.context import PlayerContext, open_player
from lifeworld.players.models import MilestoneRecord, QuestionnaireRecord
from lifeworld.portability.reading import Read, read_document, turn
from lifeworld.portability.schemas import ActivityDoc, ExportDocument, ImportOut, PlayerDoc
from lifeworld.rebalancing.models import RebalancingConfig
from lifeworld.seasons.models import SeasonRecord
from lifeworld.training.models import TaskCompletion

T = TypeVar("T")

# What makes a player "not empty": any row of these (the presets a player is born with do not
# count: an import replaces them with the document's loadouts).
OWNED: tuple[tuple[str, Any], ...] = (
    ("activities", Activity),
    ("seasons", SeasonRecord),
    ("engines", Engine),
    ("sleep_logs", SleepLog),
    ("boosts", BoostRecord),
    ("training_completions", TaskCompletion),
    ("investments", Investment),
    ("investment_growth", GrowthStep),
    ("rebalancing", RebalancingConfig),
    ("milestones", MilestoneRecord),
    ("questionnaire", QuestionnaireRecord),
    ("saved_places", SavedPlace),
)


def plain(value: Any) -> Any:
    """Enum members as their values, recursively (JSONB and VARCHAR columns take plain data)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


async def _ensure_empty(scope: Scope, user_id: int) -> None:
    checks = [exists().where(model.user_id == user_id) for _, model in OWNED]
    checks.append(exists().where(Loadout.user_id == user_id, Loadout.preset_id.is_(None)))
    found = (await scope.session.execute(select(*checks))).one()
    names = [name for (name, _), hit in zip(OWNED, found, strict=False) if hit]
    if found[-1]:
        names.append("loadouts")
    if names:
        raise Conflict(
            "An import needs a player with no history yet; this one already has "
            + ", ".join(names)
            + ".",
            code="player_not_empty",
            details={"parts": names},
        )


def _state(player: PlayerDoc) -> PlayerState:
    p = player.model_dump()
    return PlayerState(
        clouds=Clouds(**p.pop("clouds")),
        resources=Resources(**p.pop("resources")),
        xp=XP(player.xp.overall, CategoryXP(**player.xp.categories.model_dump())),
        **{k: v for k, v in p.items() if k != "xp"},
    )


def _activity_row(user_id: int, doc: ActivityDoc) -> dict[str, Any]:
    data = plain(doc.model_dump(exclude={"xp", "multipliers"}))
    data["user_id"] = user_id
    data["xp_overall"] = doc.xp.overall
    data.update({f"xp_{name}": amount for name, amount in doc.xp.categories.items()})
    data.update({f"mult_{name}": v for name, v in doc.multipliers.model_dump().items()})
    return dict(data)


SLICE = 100  # rows made and sent per statement: the event loop runs other requests between


def _slices(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), SLICE):
        yield items[start : start + SLICE]


async def _insert(scope: Scope, model: Any, rows: list[dict[str, Any]]) -> None:
    for part in _slices(rows):
        await scope.session.execute(insert(model), part)


async def _insert_parts(scope: Scope, model: Any, user_id: int, parts: Sequence[Any]) -> None:
    for part in _slices(parts):
        await scope.session.execute(insert(model), _rows(user_id, list(part)))


def _rows(user_id: int, parts: list[Any], **extra: Any) -> list[dict[str, Any]]:
    return [{**plain(part.model_dump()), "user_id": user_id, **extra} for part in parts]


async def import_document(
    scope: Scope, *, user: User, now: datetime, read: Read, content_type: str
) -> ImportOut:
    """Restore a player from the document `read` gives: only into an empty player, all or
    nothing. The player is checked first, so a document for a player with history is never
    read; then it is parsed and checked off the event loop, one import at a time (reading.py)."""
    async with turn():
        ctx = await open_player(scope, user=user, now=now)
        await _ensure_empty(scope, user.id)
        document = await read_document(read, content_type)
        answer = await _write(scope, ctx, user=user, now=now, document=document)
        del document  # freed before the collector runs again (reading.turn)
    return answer


async def _write(
    scope: Scope, ctx: PlayerContext, *, user: User, now: datetime, document: ExportDocument
) -> ImportOut:
    uid = user.id
    # The member's own name stays: a document restores a history, not who is importing it.
    await households.update_profile(
        scope,
        user=user,
        timezone=document.account.timezone,
        day_start_hour=document.account.day_start_hour,
        display_name=None,
    )
    await ctx.save(_state(document.player))
    await scope.session.execute(delete(Loadout).where(Loadout.user_id == uid))
    activity_ids: list[int] = []
    for part in _slices(document.activities):
        result = await scope.session.execute(
            insert(Activity).returning(Activity.id, sort_by_parameter_order=True),
            [_activity_row(uid, a) for a in part],
        )
        activity_ids += result.scalars()
    completions = [
        {
            **plain(c.model_dump(exclude={"activity"})),
            "user_id": uid,
            "activity_id": None if c.activity is None else activity_ids[c.activity],
        }
        for c in document.training_completions
    ]
    await _insert(scope, TaskCompletion, completions)
    for model, parts in (
        (SeasonRecord, document.seasons),
        (Engine, document.engines),
        (SleepLog, document.sleep_logs),
        (BoostRecord, document.boosts),
        (Loadout, document.loadouts),
        (Investment, document.investments),
        (GrowthStep, document.investment_growth),
        (MilestoneRecord, document.milestones),
        (SavedPlace, document.saved_places),
    ):
        await _insert_parts(scope, model, uid, parts)
    # The document's loadouts win, which one is active included; presets it lacks (an export
    # made before players were born with them) are added as the upgrade added them.
    add_presets(
        scope,
        user_id=uid,
        now=now,
        have=[lo.preset_id for lo in document.loadouts],
        has_active=any(lo.active for lo in document.loadouts),
    )
    if document.rebalancing is not None:
        await _insert(scope, RebalancingConfig, _rows(uid, [document.rebalancing]))
    if document.questionnaire is not None:
        await _insert(scope, QuestionnaireRecord, _rows(uid, [document.questionnaire]))
    counts = _counts(document)
    player = document.player
    audit(
        scope,
        actor=user,
        target=user,
        action="import",
        changes={
            "imported": counts,
            "xp.overall": player.xp.overall,
            "resources": plain(player.resources.model_dump(mode="json")),
        },
        now=now,
    )
    await scope.session.flush()
    return ImportOut(imported=counts)


def _counts(document: ExportDocument) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in ExportDocument.model_fields:
        value = getattr(document, name)
        if isinstance(value, list):
            counts[name] = len(value)
        elif name in ("questionnaire", "rebalancing"):
            counts[name] = 0 if value is None else 1
    return counts
