"""A player's loadouts; at most one is active."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, IdMixin


class Loadout(IdMixin, Base):
    __tablename__ = "loadouts"
    __table_args__ = (
        Index("uq_loadouts_one_active", "user_id", unique=True, postgresql_where=text("active")),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    preset_id: Mapped[str | None] = mapped_column(String(32))  # set for presets: not editable
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    slots: Mapped[dict[str, str]] = mapped_column(JSONB)  # slot name → item id
    created_at: Mapped[datetime]
