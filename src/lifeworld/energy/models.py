"""Sleep logs (one per player per date) and boosts."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, IdMixin


class SleepLog(IdMixin, Base):
    __tablename__ = "sleep_logs"
    __table_args__ = (UniqueConstraint("user_id", "date", name="uq_sleep_logs_user_date"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    quality: Mapped[int] = mapped_column(SmallInteger)
    bed_time: Mapped[time | None]
    wake_time: Mapped[time | None]
    notes: Mapped[str | None] = mapped_column(String(1000))
    restored: Mapped[int] = mapped_column(Integer)  # energy this log added (for replacements)
    logged_at: Mapped[datetime]


class BoostRecord(IdMixin, Base):
    __tablename__ = "boosts"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    duration_min: Mapped[int] = mapped_column(Integer)
    decay_per_hour: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    started_at: Mapped[datetime]
