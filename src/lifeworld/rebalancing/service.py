"""Rebalancing configuration and advice (§15)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField
from lifeworld.game import rebalancing as rules
from lifeworld.game.investments import InvestmentType
from lifeworld.investments.models import Investment
from lifeworld.players.context import open_player
from lifeworld.rebalancing.models import RebalancingConfig
from lifeworld.rebalancing.schemas import (
    ClassStatusOut,
    MixOut,
    RebalancingIn,
    RebalancingOut,
    RebalancingStatusOut,
    RecommendationOut,
)

DEFAULT = RebalancingIn(horizon_years=10)


async def _row(scope: Scope, user: User) -> RebalancingConfig | None:
    return await scope.session.get(RebalancingConfig, user.id)


def _out(config: RebalancingIn, *, configured: bool) -> RebalancingOut:
    return RebalancingOut(configured=configured, **config.model_dump())


def _stored(row: RebalancingConfig) -> RebalancingIn:
    return RebalancingIn(
        horizon_years=row.horizon_years,
        income_stability=rules.Level(row.income_stability),
        emotional_tolerance=rules.Level(row.emotional_tolerance),
        decision_discipline=rules.Level(row.decision_discipline),
        target_stocks=row.target_stocks,
        target_bonds=row.target_bonds,
        frequency=rules.Frequency(row.frequency),
        drift_threshold=Decimal(row.drift_threshold),
        last_rebalanced_on=row.last_rebalanced_on,
    )


async def get_config(scope: Scope, *, user: User, now: datetime) -> RebalancingOut:
    await open_player(scope, user=user, now=now, for_update=False)
    row = await _row(scope, user)
    return _out(_stored(row), configured=True) if row else _out(DEFAULT, configured=False)


async def put_config(
    scope: Scope, *, user: User, now: datetime, body: RebalancingIn
) -> RebalancingOut:
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    if body.last_rebalanced_on is not None and body.last_rebalanced_on > ctx.today:
        raise InvalidField("last_rebalanced_on", "The date is in the future.")
    row = await _row(scope, user)
    values = body.model_dump()
    values.update(
        income_stability=body.income_stability.value,
        emotional_tolerance=body.emotional_tolerance.value,
        decision_discipline=body.decision_discipline.value,
        frequency=body.frequency.value,
    )
    if row is None:
        row = RebalancingConfig(user_id=user.id, updated_at=now, **values)
        scope.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
    await scope.session.flush()
    return _out(body, configured=True)


def _rules_config(config: RebalancingIn) -> rules.RebalancingConfig:
    return rules.RebalancingConfig(
        horizon_years=config.horizon_years,
        income_stability=config.income_stability,
        emotional_tolerance=config.emotional_tolerance,
        decision_discipline=config.decision_discipline,
        target_stocks_pct=Decimal(config.target_stocks)
        if config.target_stocks is not None
        else None,
        target_bonds_pct=Decimal(config.target_bonds) if config.target_bonds is not None else None,
        frequency=config.frequency,
        drift_threshold=config.drift_threshold,
    )


async def status(scope: Scope, *, user: User, now: datetime) -> RebalancingStatusOut:
    """Current mix against the target, drift and what to buy, sell or contribute."""
    ctx = await open_player(scope, user=user, now=now, for_update=False)
    row = await _row(scope, user)
    config = _stored(row) if row else DEFAULT
    holdings = await scope.session.execute(
        select(Investment.type, Investment.current_value).where(Investment.user_id == user.id)
    )
    advice = rules.advise(
        [(InvestmentType(kind), value) for kind, value in holdings],
        _rules_config(config),
        today=ctx.today,
        last_rebalanced_on=config.last_rebalanced_on,
        contributions=ctx.state.resources.gold,
    )

    def status_out(s: rules.ClassStatus) -> ClassStatusOut:
        return ClassStatusOut(
            name=s.name,
            value=s.value,
            share_pct=s.share_pct,
            target_pct=s.target_pct,
            drift=s.drift,
        )

    return RebalancingStatusOut(
        recommended=MixOut(
            stocks_pct=advice.recommended.stocks_pct, bonds_pct=advice.recommended.bonds_pct
        ),
        target=MixOut(stocks_pct=advice.target.stocks_pct, bonds_pct=advice.target.bonds_pct),
        total=advice.total,
        stocks=status_out(advice.stocks),
        bonds=status_out(advice.bonds),
        needs_rebalancing=advice.needs_rebalancing,
        recommendations=[
            RecommendationOut(
                asset_class=r.asset_class,
                action=r.action.value,
                amount=r.amount,
                priority=r.priority.value,
                drift=r.drift,
                investment_types=list(r.investment_types),
            )
            for r in advice.recommendations
        ],
    )
