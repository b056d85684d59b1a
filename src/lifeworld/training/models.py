"""Completed training tasks; the catalogue itself lives in `lifeworld.game.training_catalogue`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class TaskCompletion(Base):
    __tablename__ = "training_completions"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("training_tasks.id", ondelete="RESTRICT"), primary_key=True
    )
    completed_at: Mapped[datetime]
    notes: Mapped[str | None] = mapped_column(String(2000))
    xp_gained: Mapped[int] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("activities.id", ondelete="SET NULL")
    )
