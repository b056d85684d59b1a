"""the values an activity replaced, so it can be undone (docs/GAME_RULES.md §3.2)

Water and armor are set by an activity, not added: undoing one puts back the value it replaced,
which only the activity itself can remember. Existing activities have none (NULL): undoing them
leaves water and armor as they are.

Revision ID: 0008
Revises: 0007
Created: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("set_before", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("activities", "set_before")
