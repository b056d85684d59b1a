"""A household admin sets a member's figures directly (§17); every change is audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifeworld.accounts.models import User
from lifeworld.admin.audit import audit
from lifeworld.admin.models import AuditEntry
from lifeworld.admin.schemas import AdminPlayerIn, AuditEntryOut
from lifeworld.db.scope import Scope
from lifeworld.errors import NotFound
from lifeworld.game.seasons import EndedSeason
from lifeworld.game.state import XP, CategoryXP, Clouds, PlayerState, Resources
from lifeworld.players import service as players
from lifeworld.players.context import open_player
from lifeworld.players.schemas import StateOut
from lifeworld.players.state_document import build_state
from lifeworld.seasons.service import record_ended


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else getattr(value, "value", value)


def _set(current: Any, given: dict[str, Any], diff: dict[str, Any], prefix: str) -> Any:
    """Apply the given fields to a frozen dataclass, noting each real change in `diff`."""
    for name, value in given.items():
        before = getattr(current, name)
        if value != before:
            diff[f"{prefix}.{name}"] = {"from": _plain(before), "to": _plain(value)}
    return replace(current, **given) if given else current


def _changed(state: PlayerState, body: AdminPlayerIn) -> tuple[PlayerState, dict[str, Any]]:
    diff: dict[str, Any] = {}
    clouds: Clouds = state.clouds
    resources: Resources = state.resources
    xp: XP = state.xp
    if body.clouds is not None:
        clouds = _set(clouds, body.clouds.model_dump(exclude_none=True), diff, "clouds")
    if body.resources is not None:
        resources = _set(resources, body.resources.model_dump(exclude_none=True), diff, "resources")
    if body.xp is not None:
        categories: CategoryXP = xp.categories
        if body.xp.categories is not None:
            categories = _set(
                categories, body.xp.categories.model_dump(exclude_none=True), diff, "xp.categories"
            )
        overall = xp.overall
        if body.xp.overall is not None and body.xp.overall != xp.overall:
            diff["xp.overall"] = {"from": xp.overall, "to": body.xp.overall}
            overall = body.xp.overall
        xp = XP(overall, categories)
    return replace(state, clouds=clouds, resources=resources, xp=xp), diff


async def set_player(
    scope: Scope, *, admin: User, now: datetime, user_id: int, body: AdminPlayerIn
) -> StateOut:
    """Set any subset of a member's clouds, resources, XP and season; fields not given stay."""
    target = await scope.session.scalar(
        select(User).where(User.id == user_id, User.household_id == admin.household_id)
    )
    if target is None:
        raise NotFound("There is no such member in your household.")
    ctx = await open_player(scope, user=target, now=now)
    state, diff = _changed(ctx.state, body)
    if body.season is not None and body.season != state.season:
        diff["season"] = {"from": state.season.value, "to": body.season.value}
        record_ended(
            ctx,
            EndedSeason(
                state.season,
                state.season_started_on,
                ctx.today,
                "set by the household admin",
                state.resources,
            ),
        )
        state = replace(state, season=body.season, season_started_on=ctx.today)
    if diff:
        await ctx.save(state)
        audit(scope, actor=admin, target=target, action="set_player", changes=diff, now=now)
    return build_state(ctx)


async def audit_log(scope: Scope, *, admin: User, limit: int = 200) -> list[AuditEntryOut]:
    """The household's audit log, newest first."""
    actor, target = aliased(User), aliased(User)
    rows = await scope.session.execute(
        select(AuditEntry, actor.username, target.username)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(target, target.id == AuditEntry.target_user_id)
        .where(AuditEntry.household_id == admin.household_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        AuditEntryOut(
            id=e.id,
            actor_id=e.actor_id,
            actor=actor_name,
            target_user_id=e.target_user_id,
            target=target_name,
            action=e.action,
            changes=e.changes,
            created_at=e.created_at,
        )
        for e, actor_name, target_name in rows
    ]


async def member_state(
    scope: Scope, *, admin: User, now: datetime, user_id: int
) -> tuple[User, StateOut]:
    """A member of the admin's household and their state (404 for anyone else)."""
    target = await scope.session.scalar(
        select(User).where(User.id == user_id, User.household_id == admin.household_id)
    )
    if target is None:
        raise NotFound("There is no such member in your household.")
    return target, await players.get_state(scope, user=target, now=now)
