"""Game state tables and the catalogue (loaded here, refreshed by `lifeworld setup`)

Revision ID: 0003
Revises: 0002
Created: 2026-11-25 19:43:05.959733
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lifeworld.catalogue.sync import sync_on

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loadout_items",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("power", sa.Integer(), nullable=False),
        sa.Column("benefits", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loadout_items")),
    )
    op.create_table(
        "loadout_presets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loadout_presets")),
    )
    op.create_table(
        "training_modules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("required_rank", sa.String(length=32), nullable=False),
        sa.Column("required_tasks", sa.Integer(), nullable=False),
        sa.Column("main_category", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_modules")),
    )
    op.create_table(
        "training_tasks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reward", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["training_modules.id"],
            name=op.f("fk_training_tasks_module_id_training_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_tasks")),
    )
    op.create_index(
        op.f("ix_training_tasks_module_id"), "training_tasks", ["module_id"], unique=False
    )
    op.create_table(
        "activities",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("energy_used", sa.Integer(), nullable=False),
        sa.Column("xp_overall", sa.Integer(), nullable=False),
        sa.Column("xp_capacity", sa.Integer(), nullable=False),
        sa.Column("xp_engines", sa.Integer(), nullable=False),
        sa.Column("xp_oxygen", sa.Integer(), nullable=False),
        sa.Column("xp_meaning", sa.Integer(), nullable=False),
        sa.Column("xp_optionality", sa.Integer(), nullable=False),
        sa.Column("season", sa.String(length=8), nullable=False),
        sa.Column("mult_season", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("mult_capacity", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("mult_loadout", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("mult_burnout", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("resource_changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_recovery", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index("ix_activities_user_id_day", "activities", ["user_id", "day"], unique=False)
    op.create_index("ix_activities_user_id_id", "activities", ["user_id", "id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("target_user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_audit_log_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_user_id"],
            ["users.id"],
            name=op.f("fk_audit_log_target_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_household_id"), "audit_log", ["household_id"], unique=False)
    op.create_table(
        "boosts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("decay_per_hour", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_boosts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boosts")),
    )
    op.create_index(op.f("ix_boosts_user_id"), "boosts", ["user_id"], unique=False)
    op.create_table(
        "engines",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("fragility", sa.SmallInteger(), nullable=False),
        sa.Column("monthly_output", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.CheckConstraint("fragility BETWEEN 0 AND 100", name=op.f("ck_engines_fragility_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_engines_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engines")),
    )
    op.create_index(op.f("ix_engines_user_id"), "engines", ["user_id"], unique=False)
    op.create_table(
        "investment_growth",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_growth", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_investment_growth_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "month", name=op.f("pk_investment_growth")),
    )
    op.create_table(
        "investments",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("amount_invested", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("current_value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("expected_yield", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_investments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investments")),
    )
    op.create_index(op.f("ix_investments_user_id"), "investments", ["user_id"], unique=False)
    op.create_table(
        "loadouts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("preset_id", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("slots", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_loadouts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loadouts")),
    )
    op.create_index(op.f("ix_loadouts_user_id"), "loadouts", ["user_id"], unique=False)
    op.create_index(
        "uq_loadouts_one_active",
        "loadouts",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "milestones",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("keys", sa.Integer(), nullable=False),
        sa.Column("achieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_milestones_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "type", name=op.f("pk_milestones")),
    )
    op.create_table(
        "questionnaires",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_questionnaires_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_questionnaires")),
    )
    op.create_table(
        "rebalancing_configs",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("horizon_years", sa.SmallInteger(), nullable=False),
        sa.Column("income_stability", sa.String(length=8), nullable=False),
        sa.Column("emotional_tolerance", sa.String(length=8), nullable=False),
        sa.Column("decision_discipline", sa.String(length=8), nullable=False),
        sa.Column("target_stocks", sa.Integer(), nullable=True),
        sa.Column("target_bonds", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("drift_threshold", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("last_rebalanced_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_rebalancing_configs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_rebalancing_configs")),
    )
    op.create_table(
        "season_history",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("season", sa.String(length=8), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("resources_at_end", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_season_history_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_history")),
    )
    op.create_index(op.f("ix_season_history_user_id"), "season_history", ["user_id"], unique=False)
    op.create_table(
        "sleep_logs",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("quality", sa.SmallInteger(), nullable=False),
        sa.Column("bed_time", sa.Time(), nullable=True),
        sa.Column("wake_time", sa.Time(), nullable=True),
        sa.Column("notes", sa.String(length=1000), nullable=True),
        sa.Column("restored", sa.Integer(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sleep_logs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sleep_logs")),
        sa.UniqueConstraint("user_id", "date", name="uq_sleep_logs_user_date"),
    )
    op.create_table(
        "training_completions",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("xp_gained", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_training_completions_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["training_tasks.id"],
            name=op.f("fk_training_completions_task_id_training_tasks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_completions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "task_id", name=op.f("pk_training_completions")),
    )
    sync_on(op.get_bind())


def downgrade() -> None:
    op.drop_table("training_completions")
    op.drop_table("sleep_logs")
    op.drop_index(op.f("ix_season_history_user_id"), table_name="season_history")
    op.drop_table("season_history")
    op.drop_table("rebalancing_configs")
    op.drop_table("questionnaires")
    op.drop_table("milestones")
    op.drop_index(
        "uq_loadouts_one_active", table_name="loadouts", postgresql_where=sa.text("active")
    )
    op.drop_index(op.f("ix_loadouts_user_id"), table_name="loadouts")
    op.drop_table("loadouts")
    op.drop_index(op.f("ix_investments_user_id"), table_name="investments")
    op.drop_table("investments")
    op.drop_table("investment_growth")
    op.drop_index(op.f("ix_engines_user_id"), table_name="engines")
    op.drop_table("engines")
    op.drop_index(op.f("ix_boosts_user_id"), table_name="boosts")
    op.drop_table("boosts")
    op.drop_index(op.f("ix_audit_log_household_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_activities_user_id_id", table_name="activities")
    op.drop_index("ix_activities_user_id_day", table_name="activities")
    op.drop_table("activities")
    op.drop_index(op.f("ix_training_tasks_module_id"), table_name="training_tasks")
    op.drop_table("training_tasks")
    op.drop_table("training_modules")
    op.drop_table("loadout_presets")
    op.drop_table("loadout_items")
