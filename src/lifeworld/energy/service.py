"""Energy status, sleep logs (one per date, a second replaces the first) and boosts (§11)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.energy.models import BoostRecord, SleepLog
from lifeworld.energy.schemas import (
    BoostIn,
    BoostOut,
    EnergyStatusOut,
    SleepIn,
    SleepOut,
    SleepResultOut,
)
from lifeworld.errors import InvalidField
from lifeworld.game.sleep import (
    Boost,
    BoostKind,
    apply_sleep,
    boost_status,
    energy_status,
    quality_label,
    restoration,
)
from lifeworld.players.context import PlayerContext, open_player

OLDEST_SLEEP_DAYS = 366
BOOSTS_SHOWN_FOR = timedelta(days=1)


def _boost_out(row: BoostRecord, now: datetime) -> BoostOut:
    boost = Boost(
        BoostKind(row.type), row.amount, row.duration_min, row.decay_per_hour, row.started_at
    )
    status = boost_status(boost, now)
    return BoostOut(
        id=row.id,
        type=boost.kind,
        amount=row.amount,
        duration_min=row.duration_min,
        decay_per_hour=row.decay_per_hour,
        started_at=row.started_at,
        expires_at=status.expires_at,
        remaining=status.remaining,
        active=status.active,
    )


async def _status(ctx: PlayerContext) -> EnergyStatusOut:
    status = energy_status(ctx.state, ctx.now)
    rows = await ctx.scope.session.scalars(
        select(BoostRecord)
        .where(
            BoostRecord.user_id == ctx.user.id, BoostRecord.started_at > ctx.now - BOOSTS_SHOWN_FOR
        )
        .order_by(BoostRecord.started_at.desc())
    )
    boosts = [b for b in (_boost_out(r, ctx.now) for r in rows) if b.active or b.remaining > 0]
    return EnergyStatusOut(
        stored=status.stored,
        usable=status.usable,
        cap=status.cap,
        live=status.live,
        hours_until_empty=status.hours_until_empty,
        restored_at=ctx.state.energy_restored_at,
        burnout=ctx.state.burnout_active,
        boosts=boosts,
    )


async def energy(scope: Scope, *, user: User, now: datetime) -> EnergyStatusOut:
    """Stored, usable, cap, the live drain and the boosts still worth showing."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    return await _status(ctx)


def sleep_out(row: SleepLog) -> SleepOut:
    return SleepOut(
        id=row.id,
        date=row.date,
        hours=row.hours,
        quality=row.quality,
        quality_label=quality_label(row.quality),
        bed_time=row.bed_time,
        wake_time=row.wake_time,
        notes=row.notes,
        restoration=restoration(row.hours, row.quality),
        logged_at=row.logged_at,
    )


async def log_sleep(scope: Scope, *, user: User, now: datetime, body: SleepIn) -> SleepResultOut:
    """Record a night (replacing an earlier log of the same date) and restore energy.

    Only last night restores energy: a log dated yesterday, today or tomorrow (a day-start
    hour can put the calendar date a day ahead of the game day) counts; older nights are kept
    for the history but restore nothing, so back-dated logs cannot refill energy again and again.
    """
    ctx = await open_player(scope, user=user, now=now)
    if body.date > ctx.today + timedelta(days=1):
        raise InvalidField("date", "The date is in the future.")
    if body.date < ctx.today - timedelta(days=OLDEST_SLEEP_DAYS):
        raise InvalidField("date", "The date is more than a year ago.")
    row = await scope.session.scalar(
        select(SleepLog)
        .where(SleepLog.user_id == user.id, SleepLog.date == body.date)
        .with_for_update()
    )
    credited = row.restored if row is not None else 0
    added = 0
    if body.date >= ctx.today - timedelta(days=1):
        state, added = apply_sleep(
            ctx.state, body.hours, body.quality, now=now, already_restored=credited
        )
        # Credit the best restoration given for this date, so re-logging cannot farm energy.
        credited = max(credited, restoration(body.hours, body.quality))
        await ctx.save(state)
    values = body.model_dump(exclude={"date"})
    if row is None:
        row = SleepLog(user_id=user.id, date=body.date, restored=credited, logged_at=now, **values)
        scope.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.restored = credited
        row.logged_at = now
    await scope.session.flush()
    return SleepResultOut(sleep=sleep_out(row), energy_restored=added, energy=await _status(ctx))


async def list_sleep(
    scope: Scope, *, user: User, now: datetime, start: date | None, end: date | None
) -> list[SleepOut]:
    await open_player(scope, user=user, now=now, for_update=False)
    stmt = select(SleepLog).where(SleepLog.user_id == user.id)
    if start is not None:
        stmt = stmt.where(SleepLog.date >= start)
    if end is not None:
        stmt = stmt.where(SleepLog.date <= end)
    rows = await scope.session.scalars(stmt.order_by(SleepLog.date.desc()).limit(400))
    return [sleep_out(r) for r in rows]


async def add_boost(scope: Scope, *, user: User, now: datetime, body: BoostIn) -> BoostOut:
    """A boost is shown on the energy status; it is never spendable (§11)."""
    await open_player(scope, user=user, now=now, for_update=False)
    row = BoostRecord(
        user_id=user.id,
        type=body.type.value,
        amount=body.amount,
        duration_min=body.duration_min,
        decay_per_hour=body.decay_per_hour,
        started_at=now,
    )
    scope.session.add(row)
    await scope.session.flush()
    return _boost_out(row, now)
