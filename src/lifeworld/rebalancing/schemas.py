"""Rebalancing bodies and answers (API.md rebalancing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from lifeworld.game.investments import InvestmentType
from lifeworld.game.rebalancing import Frequency, Level
from lifeworld.schemas_common import IsoDate, Number, StrictIn

Percent = Annotated[int, Field(ge=0, le=100)]


class RebalancingIn(StrictIn):
    horizon_years: Annotated[int, Field(ge=1, le=100)]
    income_stability: Level = Level.MEDIUM
    emotional_tolerance: Level = Level.MEDIUM
    decision_discipline: Level = Level.MEDIUM
    target_stocks: Percent | None = None
    target_bonds: Percent | None = None
    frequency: Frequency = Frequency.THRESHOLD_BASED
    drift_threshold: Annotated[Decimal, Field(ge=0, le=50, max_digits=5, decimal_places=2)] = (
        Decimal(5)
    )
    last_rebalanced_on: IsoDate | None = None

    @model_validator(mode="after")
    def _targets_sum_to_100(self) -> RebalancingIn:
        stocks, bonds = self.target_stocks, self.target_bonds
        if stocks is not None and bonds is not None and stocks + bonds != 100:
            raise ValueError("target_stocks and target_bonds must sum to 100")
        return self


class RebalancingOut(BaseModel):
    configured: bool
    horizon_years: int
    income_stability: Level
    emotional_tolerance: Level
    decision_discipline: Level
    target_stocks: int | None
    target_bonds: int | None
    frequency: Frequency
    drift_threshold: Number
    last_rebalanced_on: date | None


class MixOut(BaseModel):
    stocks_pct: Number
    bonds_pct: Number


class ClassStatusOut(BaseModel):
    name: str
    value: Number
    share_pct: Number
    target_pct: Number
    drift: Number


class RecommendationOut(BaseModel):
    asset_class: str
    action: str
    amount: Number
    priority: str
    drift: Number
    investment_types: list[InvestmentType] = Field(
        description="The kinds of investment to buy (one) or to sell from (largest first)"
    )


class RebalancingStatusOut(BaseModel):
    recommended: MixOut
    target: MixOut
    total: Number
    stocks: ClassStatusOut
    bonds: ClassStatusOut
    needs_rebalancing: bool
    recommendations: list[RecommendationOut]
