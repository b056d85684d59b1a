"""Investments and the once-a-month growth steps."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, IdMixin


class Investment(IdMixin, Base):
    __tablename__ = "investments"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(120))
    amount_invested: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    current_value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    expected_yield: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GrowthStep(Base):
    """One monthly growth per player and calendar month: the key makes a second one impossible."""

    __tablename__ = "investment_growth"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)  # first day of the local month
    applied_at: Mapped[datetime]
    total_growth: Mapped[Decimal] = mapped_column(Numeric(16, 2))
