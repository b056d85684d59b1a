"""Logging activities (§3.1) and reading the history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from lifeworld.accounts.models import User
from lifeworld.activities.models import Activity
from lifeworld.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPageOut,
    ActivityResultOut,
    DayTotalOut,
    MilestoneGainedOut,
    MultipliersOut,
    QuickPreviewOut,
    XPGainedOut,
)
from lifeworld.admin.audit import audit
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField, NotFound
from lifeworld.game.activities import (
    EFFORT_ACTIVITIES,
    ActivityResult,
    energy_cost,
    perform_activity,
)
from lifeworld.game.arrival import Arrival, ArrivalRefused, place_arrival
from lifeworld.game.days import day_start
from lifeworld.game.errors import GameRuleError, HasDependents
from lifeworld.game.milestones import MilestoneAward
from lifeworld.game.resources import NO_CHANGES, ResourceChanges
from lifeworld.game.state import XP, ActivityType, CategoryXP, PlayerState, Season
from lifeworld.game.undo import LoggedActivity, undo_activity
from lifeworld.players.context import PlayerContext, open_player
from lifeworld.players.schemas import CategoriesOut
from lifeworld.players.state_document import build_state
from lifeworld.training.models import TaskCompletion

MAX_PAGE = 200
MAX_ID = 2**63 - 1  # PostgreSQL bigint

activity_listeners: list[Any] = []  # metrics: called with (ActivityType, milestones)
milestone_listeners: list[Any] = []  # metrics: milestones awarded outside an activity


def _inputs(body: ActivityIn) -> tuple[XP | None, ResourceChanges]:
    custom = None
    if body.custom_xp is not None:
        custom = XP(body.custom_xp.overall, CategoryXP(**body.custom_xp.categories.model_dump()))
    changes = NO_CHANGES
    if body.resource_changes is not None:
        changes = ResourceChanges(**body.resource_changes.model_dump())
    return custom, changes


def _arrival(ctx: PlayerContext, body: ActivityIn) -> Arrival:
    """The time the activity counts at (docs/OFFLINE.md); 422 outside the accepted window."""
    started = day_start(ctx.today, ctx.user.timezone, ctx.user.day_start_hour)
    try:
        return place_arrival(body.occurred_at, now=ctx.now, day_started_at=started)
    except ArrivalRefused as exc:
        raise InvalidField("occurred_at", str(exc)) from None


def _perform(ctx: PlayerContext, body: ActivityIn) -> ActivityResult:
    custom, changes = _inputs(body)
    return perform_activity(
        ctx.state,
        body.type,
        today=ctx.today,
        custom_xp=custom,
        resource_changes=changes,
        bonuses=ctx.bonuses,
        active_engines=ctx.active_engines,
        achieved=ctx.achieved,
    )


def changes_json(changes: ResourceChanges) -> dict[str, str | int]:
    """The applied changes as stored: exact decimals as strings, unchanged ones left out."""
    out: dict[str, str | int] = {}
    for name in ("oxygen", "water", "gold", "armor", "keys"):
        value = getattr(changes, name)
        if value is not None:
            out[name] = str(value) if isinstance(value, Decimal) else int(value)
    return out


def set_before_json(state: PlayerState, changes: ResourceChanges) -> dict[str, str | int] | None:
    """Water and armor before an activity set them, for its undo; None when it set neither."""
    before = ResourceChanges(
        water=None if changes.water is None else state.resources.water,
        armor=None if changes.armor is None else state.resources.armor,
    )
    return None if before.is_empty() else changes_json(before)


def _stored_changes(stored: dict[str, Any] | None) -> ResourceChanges:
    if not stored:
        return NO_CHANGES
    return ResourceChanges(**_changes_out(stored))  # type: ignore[arg-type]


def _changes_out(stored: dict[str, Any]) -> dict[str, Decimal | int]:
    return {k: (int(v) if k in ("armor", "keys") else Decimal(str(v))) for k, v in stored.items()}


def activity_values(
    ctx: PlayerContext,
    result: ActivityResult,
    *,
    description: str | None,
    source: str = "activity",
    arrival: Arrival | None = None,
) -> dict[str, Any]:
    """The `activities` columns of a performed activity, as they are stored (at `ctx.now`
    unless `arrival` places it elsewhere)."""
    gained = result.xp_gained
    arrival = arrival or Arrival(ctx.now, late=False)
    return {
        "user_id": ctx.user.id,
        "type": result.activity.value,
        "description": description,
        "occurred_at": arrival.at,
        "late": arrival.late,
        "day": result.day,
        "energy_used": result.energy_cost,
        "xp_overall": gained.overall,
        **{f"xp_{k}": v for k, v in gained.categories.as_dict().items()},
        "season": result.season.value,
        "mult_season": result.multipliers.season,
        "mult_capacity": result.multipliers.capacity,
        "mult_loadout": result.multipliers.loadout,
        "mult_burnout": result.multipliers.burnout,
        "resource_changes": changes_json(result.resource_changes),
        "is_recovery": result.is_recovery,
        "source": source,
        "set_before": set_before_json(ctx.state, result.resource_changes),
    }


def activity_out(row: Activity) -> ActivityOut:
    return stored_activity_out(row.id, vars(row))


def stored_activity_out(activity_id: int | None, v: Mapping[str, Any]) -> ActivityOut:
    """The answer for an activity from its column values (no id: a preview)."""
    return ActivityOut(
        id=activity_id,
        type=ActivityType(v["type"]),
        description=v["description"],
        occurred_at=v["occurred_at"],
        late=v["late"],
        day=v["day"].isoformat(),
        energy_used=v["energy_used"],
        xp_gained=XPGainedOut(
            overall=v["xp_overall"],
            categories=CategoriesOut(
                capacity=v["xp_capacity"],
                engines=v["xp_engines"],
                oxygen=v["xp_oxygen"],
                meaning=v["xp_meaning"],
                optionality=v["xp_optionality"],
            ),
        ),
        season=Season(v["season"]),
        multipliers=MultipliersOut(
            season=v["mult_season"],
            capacity=v["mult_capacity"],
            loadout=v["mult_loadout"],
            burnout=v["mult_burnout"],
        ),
        resource_changes=_changes_out(v["resource_changes"]),
        is_recovery=v["is_recovery"],
        source=v["source"],
    )


def milestones_out(awards: tuple[MilestoneAward, ...]) -> list[MilestoneGainedOut]:
    return [MilestoneGainedOut(type=a.milestone.value, keys=a.keys) for a in awards]


def _result_out(
    ctx: PlayerContext, result: ActivityResult, activity: ActivityOut
) -> ActivityResultOut:
    return ActivityResultOut(
        activity=activity,
        milestones=milestones_out(result.milestones),
        keys_gained=sum(a.keys for a in result.milestones),
        is_recovery=result.is_recovery,
        energy_left=result.state.energy,
        state=build_state(ctx),
    )


async def log_activity(
    scope: Scope, *, user: User, now: datetime, body: ActivityIn
) -> ActivityResultOut:
    """Log an activity in one transaction: rollover, rules, activity row, state, milestones.

    Every statement goes through the player's context, so the transaction may run on a
    connection of its own (`direct`), and the write that ends it commits it in the same round
    trip (`last`), as the request would have right after the answer was made.
    """
    ctx = await open_player(scope, user=user, now=now, direct=True)
    arrival = _arrival(ctx, body)
    result = _perform(ctx, body)
    values = activity_values(ctx, result, description=body.description, arrival=arrival)
    ctx.record_milestones(result.milestones)
    activity_id = await ctx.save(result.state, activity=values, last=True)
    assert activity_id is not None
    for listener in activity_listeners:
        listener(result.activity, result.milestones)
    return _result_out(ctx, result, stored_activity_out(activity_id, values))


async def preview_activity(
    scope: Scope, *, user: User, now: datetime, body: ActivityIn
) -> ActivityResultOut:
    """The same numbers as `log_activity`, nothing written (beyond a due rollover)."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    arrival = _arrival(ctx, body)
    result = _perform(ctx, body)
    values = activity_values(ctx, result, description=body.description, arrival=arrival)
    ctx.state = result.state  # show the state as it would be, without storing it
    return _result_out(ctx, result, stored_activity_out(None, values))


def _cursor(before: str | None) -> tuple[int | None, datetime | None]:
    if before is None or before == "":
        return None, None
    if before.isascii() and before.isdigit():
        # An id past PostgreSQL's bigint would fail in the query: no such id, so a 422.
        if int(before) > MAX_ID:
            raise InvalidField("before", "No activity has an id that large.")
        return int(before), None
    try:
        moment = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidField("before", "Use an activity id or an ISO 8601 timestamp.") from None
    if moment.tzinfo is None:
        raise InvalidField("before", "The timestamp needs a UTC offset, e.g. 2026-11-25T08:00:00Z.")
    return None, moment


async def list_activities(
    scope: Scope, *, user: User, now: datetime, limit: int, before: str | None
) -> ActivityPageOut:
    """Newest first, `limit` at a time; `next` is the cursor for the following page."""
    await open_player(scope, user=user, now=now, for_update=False)
    before_id, before_at = _cursor(before)
    stmt = select(Activity).where(Activity.user_id == user.id)
    if before_id is not None:
        stmt = stmt.where(Activity.id < before_id)
    if before_at is not None:
        stmt = stmt.where(Activity.occurred_at < before_at)
    rows = list(await scope.session.scalars(stmt.order_by(Activity.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return ActivityPageOut(
        items=[activity_out(r) for r in rows], next=str(rows[-1].id) if more and rows else None
    )


async def quick_previews(
    scope: Scope, *, user: User, now: datetime, types: Iterable[ActivityType]
) -> list[QuickPreviewOut]:
    """Each one-tap activity as it would go now (cost and XP, or the refusal); nothing written."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    out: list[QuickPreviewOut] = []
    for kind in types:
        try:
            result = _perform(ctx, ActivityIn(type=kind))
        except GameRuleError as exc:
            cost = energy_cost(kind, ctx.bonuses)
            refusal = QuickPreviewOut(
                type=kind, energy_cost=cost, xp=None, code=exc.code, message=exc.message
            )
            out.append(refusal)
            continue
        preview = QuickPreviewOut(
            type=kind,
            energy_cost=result.energy_cost,
            xp=result.xp_gained.overall,
            code=None,
            message=None,
        )
        out.append(preview)
    return out


async def daily_totals(scope: Scope, *, user: User, since: date) -> list[DayTotalOut]:
    """XP, energy charged and count of the player's activities per game day from `since` on.

    A read of the activity log only (one GROUP BY): callers have already opened the player
    in this request, so the day rollover has run.
    """
    rows = await scope.session.execute(
        select(
            Activity.day,
            func.sum(Activity.xp_overall),
            func.sum(Activity.energy_used),
            func.count(),
        )
        .where(Activity.user_id == user.id, Activity.day >= since)
        .group_by(Activity.day)
        .order_by(Activity.day)
    )
    return [
        DayTotalOut(day=day, xp=int(xp or 0), energy=int(energy or 0), count=int(count))
        for day, xp, energy, count in rows
    ]


def _logged(row: Activity) -> LoggedActivity:
    return LoggedActivity(
        activity=ActivityType(row.type),
        day=row.day,
        energy_used=row.energy_used,
        xp_gained=XP(
            row.xp_overall,
            CategoryXP(
                row.xp_capacity, row.xp_engines, row.xp_oxygen, row.xp_meaning, row.xp_optionality
            ),
        ),
        resource_changes=_stored_changes(row.resource_changes),
        set_before=_stored_changes(row.set_before),
    )


async def _last_day(scope: Scope, user: User, without: int, kinds: Iterable[str]) -> date | None:
    """The latest game day of the player's other activities of these kinds, if any."""
    return await scope.session.scalar(
        select(func.max(Activity.day)).where(
            Activity.user_id == user.id, Activity.id != without, Activity.type.in_(list(kinds))
        )
    )


def _undo_audit(row: Activity, before: PlayerState, after: PlayerState) -> dict[str, Any]:
    """What the undo changed, in the audit log's from → to shape."""
    name = row.description or row.type
    diff: dict[str, Any] = {
        "activity": {"from": f"{name} (#{row.id}, {row.day.isoformat()})", "to": "undone"},
        "energy": {"from": before.energy, "to": after.energy},
        "xp.overall": {"from": before.xp.overall, "to": after.xp.overall},
    }
    for name in ("oxygen", "water", "gold", "armor", "keys"):
        old, new = getattr(before.resources, name), getattr(after.resources, name)
        if old != new:
            diff[f"resources.{name}"] = {"from": str(old), "to": str(new)}
    return diff


async def undo(scope: Scope, *, user: User, now: datetime, activity_id: int) -> ActivityOut:
    """Undo an activity of the current game day in one transaction (GAME_RULES.md §3.2).

    Another player's activity, an unknown one and one already undone are all "not found".
    Investments keep no link to an activity, so training completions are the only dependents.
    Returns the activity as it was, for the message after it.
    """
    if not 0 < activity_id <= MAX_ID:
        raise NotFound("There is no such activity.")
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.session.scalar(
        select(Activity).where(Activity.id == activity_id, Activity.user_id == user.id)
    )
    if row is None:
        raise NotFound("There is no such activity.")
    kinds = [k.value for k in ActivityType]
    state = undo_activity(
        ctx.state,
        _logged(row),
        today=ctx.today,
        last_activity_day=await _last_day(scope, user, row.id, kinds),
        last_effort_activity_day=await _last_day(
            scope, user, row.id, [k.value for k in EFFORT_ACTIVITIES]
        ),
    )
    attached = await scope.session.scalar(
        select(func.count()).where(TaskCompletion.activity_id == row.id)
    )
    if attached:
        raise HasDependents(int(attached))
    changes = _undo_audit(row, ctx.state, state)
    audit(scope, actor=user, target=user, action="undo_activity", changes=changes, now=now)
    undone = activity_out(row)
    await scope.session.delete(row)
    await ctx.save(state)
    return undone
