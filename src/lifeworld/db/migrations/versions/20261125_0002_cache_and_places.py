"""cache (UNLOGGED cache_entries) and places (household places, saved places, provider pacing)

Revision ID: 0002
Revises: 0001
Created: 2026-11-25 19:39:19.731740
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cache_entries",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column(
            "tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cache_entries")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_cache_entries_expires_at", "cache_entries", ["expires_at"], unique=False)
    op.create_index(
        "ix_cache_entries_tags", "cache_entries", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "place_provider_slots",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_place_provider_slots")),
    )
    op.create_table(
        "household_places",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("rating", sa.Numeric(precision=2, scale=1), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_household_places_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_places_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_places")),
    )
    op.create_index(
        op.f("ix_household_places_household_id"), "household_places", ["household_id"], unique=False
    )
    op.create_table(
        "saved_places",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("place_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("rating", sa.Numeric(precision=2, scale=1), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("favorite", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_places_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_places")),
        sa.UniqueConstraint("user_id", "place_id", name=op.f("uq_saved_places_user_id")),
    )
    op.create_index(op.f("ix_saved_places_user_id"), "saved_places", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_places_user_id"), table_name="saved_places")
    op.drop_table("saved_places")
    op.drop_index(op.f("ix_household_places_household_id"), table_name="household_places")
    op.drop_table("household_places")
    op.drop_table("place_provider_slots")
    op.drop_index("ix_cache_entries_tags", table_name="cache_entries", postgresql_using="gin")
    op.drop_index("ix_cache_entries_expires_at", table_name="cache_entries")
    op.drop_table("cache_entries")
