"""The practice portfolio (§14): funded by gold, grown monthly, sold back into gold."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.activities.schemas import MilestoneGainedOut, XPGainedOut
from lifeworld.activities.service import milestone_listeners, milestones_out
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField
from lifeworld.game.investments import (
    DEFAULT_YIELDS,
    InvestmentType,
    PortfolioChange,
    after_growth,
    check_growth_allowed,
    create_investment,
    grown_value,
    sell,
    top_up,
    total_return,
)
from lifeworld.investments.models import GrowthStep, Investment
from lifeworld.investments.schemas import (
    GrowthOut,
    InvestmentChangeOut,
    InvestmentCreatedOut,
    InvestmentIn,
    InvestmentOut,
    InvestmentPatch,
    SaleOut,
)
from lifeworld.players.context import PlayerContext, open_player
from lifeworld.players.schemas import CategoriesOut
from lifeworld.players.state_document import build_state


def investment_out(row: Investment) -> InvestmentOut:
    return InvestmentOut(
        id=row.id,
        type=InvestmentType(row.type),
        name=row.name,
        amount_invested=row.amount_invested,
        current_value=row.current_value,
        total_return=total_return(row.current_value, row.amount_invested),
        expected_yield=row.expected_yield,
        created_at=row.created_at,
    )


async def _save(ctx: PlayerContext, change: PortfolioChange) -> list[MilestoneGainedOut]:
    """Store the state after a sale, top-up or growth with the milestones checked after it."""
    ctx.record_milestones(change.milestones)
    await ctx.save(change.state)
    for listener in milestone_listeners:
        listener(change.milestones)
    return milestones_out(change.milestones)


async def list_investments(scope: Scope, *, user: User, now: datetime) -> list[InvestmentOut]:
    await open_player(scope, user=user, now=now, for_update=False)
    rows = await scope.session.scalars(
        select(Investment).where(Investment.user_id == user.id).order_by(Investment.id)
    )
    return [investment_out(r) for r in rows]


async def create(
    scope: Scope, *, user: User, now: datetime, body: InvestmentIn
) -> InvestmentCreatedOut:
    """Fund a new investment from gold (20 energy, XP by amount and type)."""
    ctx = await open_player(scope, user=user, now=now)
    result = create_investment(
        ctx.state, body.amount, body.type, active_engines=ctx.active_engines, achieved=ctx.achieved
    )
    expected = body.expected_yield if body.expected_yield is not None else DEFAULT_YIELDS[body.type]
    row = Investment(
        user_id=user.id,
        type=body.type.value,
        name=body.name,
        amount_invested=body.amount,
        current_value=body.amount,
        expected_yield=Decimal(expected),
        created_at=now,
        updated_at=now,
    )
    scope.session.add(row)
    ctx.record_milestones(result.milestones)
    await ctx.save(result.state)
    for listener in milestone_listeners:
        listener(result.milestones)
    gained = result.xp_gained
    return InvestmentCreatedOut(
        investment=investment_out(row),
        xp_gained=XPGainedOut(
            overall=gained.overall, categories=CategoriesOut(**gained.categories.as_dict())
        ),
        energy_used=result.energy_cost,
        milestones=milestones_out(result.milestones),
        state=build_state(ctx),
    )


async def patch(
    scope: Scope, *, user: User, now: datetime, investment_id: int, body: InvestmentPatch
) -> InvestmentChangeOut:
    """Rename, change the expected yield, or top up (the difference is charged to gold, then
    milestones are checked: a top-up is a purchase, §8)."""
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.owned(
        Investment, investment_id, user_id=user.id, missing="No such investment."
    )
    awards: list[MilestoneGainedOut] = []
    if body.amount is not None and body.amount != row.amount_invested:
        extra = body.amount - row.amount_invested
        if extra < 0:
            raise InvalidField(
                "amount", "An investment can only be topped up; sell it to take money out."
            )
        checked = top_up(ctx.state, extra, active_engines=ctx.active_engines, achieved=ctx.achieved)
        awards = await _save(ctx, checked)
        row.amount_invested = body.amount
        row.current_value = row.current_value + extra
    if body.name is not None:
        row.name = body.name
    if body.expected_yield is not None:
        row.expected_yield = body.expected_yield
    row.updated_at = now
    await scope.session.flush()
    return InvestmentChangeOut(
        investment=investment_out(row), gold=ctx.state.resources.gold, milestones=awards
    )


async def sell_investment(
    scope: Scope, *, user: User, now: datetime, investment_id: int
) -> SaleOut:
    """Sell: its current value goes back to gold, the investment is closed, milestones are
    checked (§8)."""
    ctx = await open_player(scope, user=user, now=now)
    row = await scope.owned(
        Investment, investment_id, user_id=user.id, missing="No such investment."
    )
    value = row.current_value
    sold = sell(ctx.state, value, active_engines=ctx.active_engines, achieved=ctx.achieved)
    awards = await _save(ctx, sold)
    await scope.session.delete(row)
    return SaleOut(
        id=investment_id, sold_for=value, gold=ctx.state.resources.gold, milestones=awards
    )


async def grow(scope: Scope, *, user: User, now: datetime) -> GrowthOut:
    """The monthly growth step: every investment's value grows; gold does not change; milestones
    are checked after it (§8)."""
    ctx = await open_player(scope, user=user, now=now)
    last = await scope.session.scalar(
        select(GrowthStep.month)
        .where(GrowthStep.user_id == user.id)
        .order_by(GrowthStep.month.desc())
        .limit(1)
    )
    check_growth_allowed(last, ctx.today)
    rows = list(
        await scope.session.scalars(
            select(Investment)
            .where(Investment.user_id == user.id)
            .order_by(Investment.id)
            .with_for_update()
        )
    )
    total = Decimal(0)
    for row in rows:
        new_value = grown_value(row.current_value, row.expected_yield)
        total += new_value - row.current_value
        row.current_value = new_value
        row.updated_at = now
    month = date(ctx.today.year, ctx.today.month, 1)
    scope.session.add(GrowthStep(user_id=user.id, month=month, applied_at=now, total_growth=total))
    checked = after_growth(ctx.state, active_engines=ctx.active_engines, achieved=ctx.achieved)
    awards = await _save(ctx, checked) if checked.milestones else []
    await scope.session.flush()
    return GrowthOut(
        month=month,
        total_growth=total,
        investments=[investment_out(r) for r in rows],
        milestones=awards,
    )
