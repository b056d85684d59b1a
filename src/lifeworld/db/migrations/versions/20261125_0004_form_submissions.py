"""form submissions (double-submit protection of HTML forms)

Revision ID: 0004
Revises: 0003
Created: 2026-11-25 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redirect_to", sa.String(length=500), nullable=True),
        sa.Column("flash_kind", sa.String(length=16), nullable=True),
        sa.Column("flash_text", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_form_submissions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_form_submissions")),
    )
    op.create_index(
        op.f("ix_form_submissions_expires_at"), "form_submissions", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_form_submissions_expires_at"), table_name="form_submissions")
    op.drop_table("form_submissions")
