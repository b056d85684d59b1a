"""Tables of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifeworld.db.base import Base, CreatedAtMixin, IdMixin


class Household(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "households"

    name: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), server_default="USD")  # ISO 4217


class User(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_username_lower", func.lower(text("username")), unique=True),
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        CheckConstraint("day_start_hour BETWEEN 0 AND 23", name="day_start_hour_range"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    day_start_hour: Mapped[int] = mapped_column(SmallInteger, default=0)
    password_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())


def named(login: str) -> ColumnElement[bool]:
    """The condition on `User` for the account a sign-in names: username or email, any case."""
    name = login.strip().lower()
    return (func.lower(User.username) == name) | (func.lower(User.email) == name)


class Session(CreatedAtMixin, Base):
    """A browser sign-in; the cookie holds a random token, the table only its keyed digest."""

    __tablename__ = "sessions"

    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))


class ApiToken(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None]


class Invite(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "invites"

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    code_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )


class LoginFailure(IdMixin, Base):
    """One failed sign-in; counted per account and per address over a sliding window."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_at", "account", "failed_at"),
        Index("ix_login_failures_address_at", "address", "failed_at"),
    )

    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime]


class PasswordReset(IdMixin, CreatedAtMixin, Base):
    """A one-time link an admin made for a member to set a new password (its token's digest)."""

    __tablename__ = "password_resets"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
