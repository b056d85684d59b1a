"""The activity log: every action with what it gained, as recorded at the time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy import false as sa_false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, IdMixin


class Activity(IdMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_user_id_id", "user_id", "id"),
        Index("ix_activities_user_id_day", "user_id", "day"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(500))
    occurred_at: Mapped[datetime]
    # Sent after its game day had closed (an offline queue): recorded at arrival instead.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    day: Mapped[date]  # the player's game day it belongs to (GAME_RULES.md §6)
    energy_used: Mapped[int] = mapped_column(Integer)
    xp_overall: Mapped[int] = mapped_column(Integer)
    xp_capacity: Mapped[int] = mapped_column(Integer)
    xp_engines: Mapped[int] = mapped_column(Integer)
    xp_oxygen: Mapped[int] = mapped_column(Integer)
    xp_meaning: Mapped[int] = mapped_column(Integer)
    xp_optionality: Mapped[int] = mapped_column(Integer)
    season: Mapped[str] = mapped_column(String(8))
    mult_season: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    mult_capacity: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    mult_loadout: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    mult_burnout: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    resource_changes: Mapped[dict[str, str]] = mapped_column(JSONB)
    is_recovery: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16), default="activity")  # activity | training
    # water and armor as they were before the activity set them (undo puts them back)
    set_before: Mapped[dict[str, str | int] | None] = mapped_column(JSONB, default=None)
