"""The PostgreSQL cache tier's table: UNLOGGED (a cache need not survive a crash), swept by age."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class CacheEntry(Base):
    __tablename__ = "cache_entries"
    __table_args__ = (
        Index("ix_cache_entries_expires_at", "expires_at"),
        Index("ix_cache_entries_tags", "tags", postgresql_using="gin"),
        {"prefixes": ["UNLOGGED"]},
    )

    key: Mapped[str] = mapped_column(Text, primary_key=True)  # "<namespace>:<key>"
    value: Mapped[bytes] = mapped_column(LargeBinary)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    expires_at: Mapped[datetime]
