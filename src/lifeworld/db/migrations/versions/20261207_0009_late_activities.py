"""activities.late: an activity sent after its game day had closed (docs/OFFLINE.md)

A phone that logged offline sends its queue when it is back; an entry whose day closed in the
meantime is recorded at its arrival, on the current day, and marked late. Existing rows were
all recorded as they happened: false.

Revision ID: 0009
Revises: 0008
Created: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "activities",
        sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("activities", "late")
