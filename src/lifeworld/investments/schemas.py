"""Investment bodies and answers (API.md investments)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.activities.schemas import MilestoneGainedOut, XPGainedOut
from lifeworld.game.investments import InvestmentType
from lifeworld.players.schemas import StateOut
from lifeworld.schemas_common import Name120, Number, StrictIn

Amount = Annotated[Decimal, Field(ge=0, le=1_000_000_000, max_digits=14, decimal_places=2)]
Yield = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
Name = Name120


class InvestmentIn(StrictIn):
    type: InvestmentType
    name: Name
    amount: Amount
    expected_yield: Yield | None = None


class GrowthIn(StrictIn):
    """`POST /me/investments/growth` takes no fields: growth is this month's, for every
    investment. No body, or `{}`; anything else is refused rather than ignored."""


class InvestmentPatch(StrictIn):
    name: Name | None = None
    amount: Amount | None = None  # the new total invested: a top-up charges the difference
    expected_yield: Yield | None = None


class InvestmentOut(BaseModel):
    id: int
    type: InvestmentType
    name: str
    amount_invested: Number
    current_value: Number
    total_return: Number
    expected_yield: Number
    created_at: datetime


class InvestmentCreatedOut(BaseModel):
    investment: InvestmentOut
    xp_gained: XPGainedOut
    energy_used: int
    milestones: list[MilestoneGainedOut]
    state: StateOut


class InvestmentChangeOut(BaseModel):
    investment: InvestmentOut
    gold: Number
    milestones: list[MilestoneGainedOut]  # checked after a top-up (§8)


class SaleOut(BaseModel):
    id: int
    sold_for: Number
    gold: Number
    milestones: list[MilestoneGainedOut]  # checked after the sale (§8)


class GrowthOut(BaseModel):
    month: date
    total_growth: Number
    investments: list[InvestmentOut]
    milestones: list[MilestoneGainedOut]  # checked after growth (§8)
