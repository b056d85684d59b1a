"""`ops_minutes`: what each app instance observed each minute (30 days kept, swept in batches).

One row per (minute, instance): an instance rewrites its current minute's row as its counts grow
and never touches another instance's rows, so several instances never contend; the figures add
the rows of a minute up when they are read (see `ops/figures.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Double, Integer, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base

EMPTY_ARRAY = text("'{}'")


class OpsMinute(Base):
    __tablename__ = "ops_minutes"

    minute: Mapped[datetime] = mapped_column(primary_key=True)
    instance: Mapped[str] = mapped_column(String(32), primary_key=True)
    written_at: Mapped[datetime]
    requests: Mapped[int] = mapped_column(Integer, server_default="0")
    server_errors: Mapped[int] = mapped_column(Integer, server_default="0")
    # latency histograms: count, total and largest seconds, counts per bucket (ops/window.py)
    db_count: Mapped[int] = mapped_column(Integer, server_default="0")
    db_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    db_max_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    db_buckets: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default=EMPTY_ARRAY)
    cache_count: Mapped[int] = mapped_column(Integer, server_default="0")
    cache_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    cache_max_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    cache_buckets: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default=EMPTY_ARRAY)
    read_count: Mapped[int] = mapped_column(Integer, server_default="0")
    read_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    read_max_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    read_buckets: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default=EMPTY_ARRAY)
    pool_count: Mapped[int] = mapped_column(Integer, server_default="0")
    pool_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    pool_max_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    pool_buckets: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default=EMPTY_ARRAY)
    cache_postgres_seconds: Mapped[float] = mapped_column(Double, server_default="0")
    # cached queries: lookups, those answered without recomputing, of them place lookups
    lookups: Mapped[int] = mapped_column(Integer, server_default="0")
    hits: Mapped[int] = mapped_column(Integer, server_default="0")
    place_lookups: Mapped[int] = mapped_column(Integer, server_default="0")
    db_cpu_pct: Mapped[float | None] = mapped_column(Double)
    db_cpu_source: Mapped[str] = mapped_column(String(80), server_default="unknown")
    user_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default=EMPTY_ARRAY)
