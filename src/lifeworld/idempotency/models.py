"""The answers to keyed requests, kept for a day so a retry replays instead of repeating."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class IdempotencyKey(Base):
    """One `Idempotency-Key` of one user; written in the same transaction as the request's work."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))  # sha256 of method, path, body
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
