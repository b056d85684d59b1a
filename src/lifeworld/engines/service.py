"""A player's income engines (§9); every change re-checks milestones (§8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from lifeworld.accounts.models import User
from lifeworld.activities.service import milestone_listeners, milestones_out
from lifeworld.db.scope import Scope
from lifeworld.engines.models import Engine
from lifeworld.engines.schemas import EngineChangeOut, EngineIn, EngineOut, EnginePatch
from lifeworld.game.milestones import award_milestones
from lifeworld.players.context import PlayerContext, open_player


async def _after_change(ctx: PlayerContext, engine: Engine | None) -> EngineChangeOut | None:
    """Recount active engines and award what that reaches (REDUCED_FRAGILITY)."""
    await ctx.scope.session.flush()
    active = await ctx.scope.session.scalar(
        select(func.count()).where(Engine.user_id == ctx.user.id, Engine.status == "ACTIVE")
    )
    ctx.active_engines = int(active or 0)
    state, awards = award_milestones(ctx.state, ctx.active_engines, ctx.achieved)
    ctx.record_milestones(awards)
    await ctx.save(state)
    for listener in milestone_listeners:
        listener(awards)
    if engine is None:
        return None
    await ctx.scope.session.refresh(engine)
    out = EngineChangeOut.model_validate(engine, from_attributes=True)
    out.milestones = milestones_out(awards)
    return out


async def list_engines(scope: Scope, *, user: User, now: datetime) -> list[EngineOut]:
    await open_player(scope, user=user, now=now, for_update=False)
    rows = await scope.session.scalars(
        select(Engine).where(Engine.user_id == user.id).order_by(Engine.id)
    )
    return [EngineOut.model_validate(r) for r in rows]


async def create(scope: Scope, *, user: User, now: datetime, body: EngineIn) -> EngineChangeOut:
    ctx = await open_player(scope, user=user, now=now)
    engine = Engine(user_id=user.id, created_at=now, updated_at=now, **body.model_dump())
    scope.session.add(engine)
    out = await _after_change(ctx, engine)
    assert out is not None
    return out


async def update(
    scope: Scope, *, user: User, now: datetime, engine_id: int, body: EnginePatch
) -> EngineChangeOut:
    ctx = await open_player(scope, user=user, now=now)
    engine = await scope.owned(Engine, engine_id, user_id=user.id, missing="No such engine.")
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is None and name != "description":
            continue
        setattr(engine, name, value)
    engine.updated_at = now
    out = await _after_change(ctx, engine)
    assert out is not None
    return out


async def delete(scope: Scope, *, user: User, now: datetime, engine_id: int) -> None:
    ctx = await open_player(scope, user=user, now=now)
    engine = await scope.owned(Engine, engine_id, user_id=user.id, missing="No such engine.")
    await scope.session.delete(engine)
    await _after_change(ctx, None)
