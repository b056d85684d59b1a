"""Tables of the web layer: the record that makes a form's second submit a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base


class FormSubmission(Base):
    """One accepted form, by the nonce it carried; a repeat of the nonce replays the outcome."""

    __tablename__ = "form_submissions"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    redirect_to: Mapped[str | None] = mapped_column(String(500))
    flash_kind: Mapped[str | None] = mapped_column(String(16))
    flash_text: Mapped[str | None] = mapped_column(String(500))
