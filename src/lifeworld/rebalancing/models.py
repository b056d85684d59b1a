"""A player's rebalancing configuration."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class RebalancingConfig(Base):
    __tablename__ = "rebalancing_configs"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    horizon_years: Mapped[int] = mapped_column(SmallInteger)
    income_stability: Mapped[str] = mapped_column(String(8))
    emotional_tolerance: Mapped[str] = mapped_column(String(8))
    decision_discipline: Mapped[str] = mapped_column(String(8))
    target_stocks: Mapped[int | None] = mapped_column(Integer)
    target_bonds: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[str] = mapped_column(String(16))
    drift_threshold: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    last_rebalanced_on: Mapped[date | None]
    updated_at: Mapped[datetime]
