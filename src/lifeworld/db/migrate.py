"""Schema migrations with Alembic, serialised across processes by a PostgreSQL advisory lock."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text

from lifeworld.db.urls import sqlalchemy_url

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 0x4C57_0002
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("postgresql://")).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migration chain must have exactly one head, found {heads}")
    return heads[0]


def current_revision_on(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current_revision(url: str) -> str | None:
    engine = create_engine(sqlalchemy_url(url), poolclass=None)
    try:
        with engine.connect() as conn:
            return current_revision_on(conn)
    finally:
        engine.dispose()


def _take_lock(conn: Connection) -> None:
    """Hold the migration lock, saying so when another process holds it and we wait for it."""
    taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
    if not taken.scalar():
        log.warning(
            "another Life World OS process is migrating this database; waiting for it to finish"
        )
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        log.warning("the other process finished migrating; carrying on")
    conn.commit()


def _locked(url: str, action: str, target: str) -> bool:
    """Run an Alembic command while holding the migration lock; False when nothing had to change."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            _take_lock(conn)
            try:
                if action == "upgrade" and current_revision_on(conn) == head_revision():
                    return False
                config = alembic_config(url)
                config.attributes["connection"] = conn
                getattr(command, action)(config, target)
                conn.commit()
                return True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()


def upgrade(url: str, target: str = "head") -> bool:
    """Migrate up to `target` unless already there; safe when several processes start at once."""
    changed = _locked(url, "upgrade", target)
    if changed:
        log.info("database migrated to %s", target)
    return changed


def downgrade(url: str, target: str) -> None:
    _locked(url, "downgrade", target)
