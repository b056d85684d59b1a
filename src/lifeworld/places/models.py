"""Tables of the places domain: the household's own places, saved places and the provider pacing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, CreatedAtMixin, IdMixin


class HouseholdPlace(IdMixin, CreatedAtMixin, Base):
    """A venue a household entered itself; found by the offline provider as `local:<id>`."""

    __tablename__ = "household_places"

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(2, 1))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(String(500), default="")


class SavedPlace(IdMixin, CreatedAtMixin, Base):
    """A place one player keeps, with a snapshot of what the provider said when it was saved."""

    __tablename__ = "saved_places"
    __table_args__ = (UniqueConstraint("user_id", "place_id"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    place_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float | None] = mapped_column(Float)  # never stored for Google places (its terms)
    lon: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(2, 1))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    favorite: Mapped[bool] = mapped_column(Boolean, default=False)


class ProviderSlot(Base):
    """The next moment a rate-limited provider may be called, shared by every process."""

    __tablename__ = "place_provider_slots"

    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[datetime]
