"""household currency (issue 21 §4): the ISO 4217 code a household's amounts are shown in

Households made before this revision get US dollars; their admin can choose another in Settings.

Revision ID: 0011
Revises: 0010
Created: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "households", sa.Column("currency", sa.String(3), nullable=False, server_default="USD")
    )


def downgrade() -> None:
    op.drop_column("households", "currency")
