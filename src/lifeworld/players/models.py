"""The `players` table: the game state of GAME_RULES.md §1, one row per user."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


def _range(column: str, low: int, high: int) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {low} AND {high}", name=f"{column}_range")


class Player(Base):
    __tablename__ = "players"
    __table_args__ = (
        *(_range(c, 0, 100) for c in ("capacity", "engines", "oxygen", "meaning", "optionality")),
        _range("water", 0, 100),
        _range("armor", 0, 100),
        _range("energy", 0, 110),
        CheckConstraint("res_oxygen >= 0", name="res_oxygen_nonneg"),
        CheckConstraint("gold >= 0", name="gold_nonneg"),
        CheckConstraint("keys >= 0", name="keys_nonneg"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    # clouds
    capacity: Mapped[int] = mapped_column(SmallInteger)
    engines: Mapped[int] = mapped_column(SmallInteger)
    oxygen: Mapped[int] = mapped_column(SmallInteger)
    meaning: Mapped[int] = mapped_column(SmallInteger)
    optionality: Mapped[int] = mapped_column(SmallInteger)
    # resources (exact decimals, never float)
    res_oxygen: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    water: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    gold: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    armor: Mapped[int] = mapped_column(SmallInteger)
    keys: Mapped[int] = mapped_column(Integer)
    energy: Mapped[int] = mapped_column(SmallInteger)
    season: Mapped[str] = mapped_column(String(8))
    season_started_on: Mapped[date]
    # XP
    xp_overall: Mapped[int] = mapped_column(BigInteger)
    xp_capacity: Mapped[int] = mapped_column(BigInteger)
    xp_engines: Mapped[int] = mapped_column(BigInteger)
    xp_oxygen: Mapped[int] = mapped_column(BigInteger)
    xp_meaning: Mapped[int] = mapped_column(BigInteger)
    xp_optionality: Mapped[int] = mapped_column(BigInteger)
    # the day rollover's bookkeeping
    created_day: Mapped[date]
    last_rolled_day: Mapped[date]
    last_weekly_eval_day: Mapped[date]
    burnout_active: Mapped[bool]
    burnout_since: Mapped[date | None]
    consecutive_high_effort_days: Mapped[int] = mapped_column(Integer)
    consecutive_low_capacity_days: Mapped[int] = mapped_column(Integer)
    recovery_actions_since_burnout: Mapped[int] = mapped_column(Integer)
    last_effort_activity_day: Mapped[date | None]
    last_activity_day: Mapped[date | None]
    energy_spent_today: Mapped[int] = mapped_column(Integer)
    energy_restored_at: Mapped[datetime | None]
    questionnaire_done: Mapped[bool]
    # bumped on every write: cache keys and ETags
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class MilestoneRecord(Base):
    """A milestone a player reached (GAME_RULES.md §8); the primary key makes it once only."""

    __tablename__ = "milestones"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    keys: Mapped[int] = mapped_column(Integer)
    achieved_at: Mapped[datetime]


class QuestionnaireRecord(Base):
    """The onboarding answers (§10), kept for the export and the player's own reference."""

    __tablename__ = "questionnaires"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    answers: Mapped[dict[str, object]] = mapped_column(JSONB)
    completed_at: Mapped[datetime]
