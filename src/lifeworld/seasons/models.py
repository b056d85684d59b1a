"""Ended seasons, with the resources the player had when each one ended."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, IdMixin


class SeasonRecord(IdMixin, Base):
    __tablename__ = "season_history"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    season: Mapped[str] = mapped_column(String(8))
    started_on: Mapped[date]
    ended_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(300))
    resources_at_end: Mapped[dict[str, str]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime]
