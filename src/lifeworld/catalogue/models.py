"""Catalogue tables (loaded from `lifeworld.game`, never edited by players)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class TrainingModule(Base):
    __tablename__ = "training_modules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    required_rank: Mapped[str] = mapped_column(String(32))
    required_tasks: Mapped[int] = mapped_column(Integer)
    main_category: Mapped[str] = mapped_column(String(16))


class TrainingTask(Base):
    __tablename__ = "training_tasks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("training_modules.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    reward: Mapped[dict[str, Any]] = mapped_column(JSONB)


class LoadoutItem(Base):
    __tablename__ = "loadout_items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    power: Mapped[int] = mapped_column(Integer)
    benefits: Mapped[dict[str, Any]] = mapped_column(JSONB)


class LoadoutPreset(Base):
    __tablename__ = "loadout_presets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    items: Mapped[list[str]] = mapped_column(JSONB)
