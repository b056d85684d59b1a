"""ops figures (one row per minute and app instance, 30 days kept)

Revision ID: 0006
Revises: 0005
Created: 2026-11-25 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _histogram(name: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{name}_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(f"{name}_seconds", sa.Double(), server_default="0", nullable=False),
        sa.Column(f"{name}_max_seconds", sa.Double(), server_default="0", nullable=False),
        sa.Column(
            f"{name}_buckets",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "ops_minutes",
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance", sa.String(length=32), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), server_default="0", nullable=False),
        sa.Column("server_errors", sa.Integer(), server_default="0", nullable=False),
        *_histogram("db"),
        *_histogram("cache"),
        *_histogram("read"),
        *_histogram("pool"),
        sa.Column("cache_postgres_seconds", sa.Double(), server_default="0", nullable=False),
        sa.Column("lookups", sa.Integer(), server_default="0", nullable=False),
        sa.Column("hits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("place_lookups", sa.Integer(), server_default="0", nullable=False),
        sa.Column("db_cpu_pct", sa.Double(), nullable=True),
        sa.Column("db_cpu_source", sa.String(length=80), server_default="unknown", nullable=False),
        sa.Column(
            "user_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("minute", "instance", name=op.f("pk_ops_minutes")),
    )


def downgrade() -> None:
    op.drop_table("ops_minutes")
