"""Migrations: one linear chain, every revision reversible, and the models match the schema."""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from lifeworld.db import migrate
from lifeworld.db.models import metadata
from lifeworld.db.urls import libpq_url, sqlalchemy_url


def _tables(url: str) -> set[str]:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ).fetchall()
    return {r[0] for r in rows}


def test_chain_is_linear() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql://"))
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    for revision in revisions:
        parent = revision.down_revision
        assert parent is None or isinstance(parent, str), f"{revision.revision} merges branches"


def test_up_down_up_on_an_empty_database(create_database: Any) -> None:
    url = create_database("lifeworld_migrations")
    assert migrate.upgrade(url) is True
    assert migrate.current_revision(url) == migrate.head_revision()
    expected = set(metadata.tables)
    assert expected <= _tables(url)
    assert migrate.upgrade(url) is False  # at head: nothing to do

    migrate.downgrade(url, "base")
    assert migrate.current_revision(url) is None
    assert _tables(url) == set()

    assert migrate.upgrade(url) is True
    assert expected <= _tables(url)


def test_each_revision_downgrades_one_step(create_database: Any) -> None:
    url = create_database("lifeworld_steps")
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql://"))
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in ordered:
        migrate.upgrade(url, revision)
        assert migrate.current_revision(url) == revision
    for revision in reversed(ordered):
        assert migrate.current_revision(url) == revision
        migrate.downgrade(url, "-1")


def test_models_match_the_migrated_schema(database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
    finally:
        engine.dispose()
    assert diff == []


def test_a_second_migrating_process_says_it_waits_then_migrates(
    create_database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Two instances starting at once: the one that finds the lock taken says so, waits for the
    other to let go, then carries on."""
    url = create_database("lifeworld_migration_lock")
    result: list[bool] = []
    with psycopg.connect(libpq_url(url), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [migrate.MIGRATION_LOCK_KEY])
        with caplog.at_level(logging.WARNING, logger="lifeworld.db.migrate"):
            waiting = threading.Thread(target=lambda: result.append(migrate.upgrade(url)))
            waiting.start()
            for _ in range(600):  # until it says it waits (bounded)
                if any("waiting for it to finish" in r.message for r in caplog.records):
                    break
                waiting.join(0.05)
            assert waiting.is_alive(), "it must wait while another process holds the lock"
            assert result == []
            other.execute("SELECT pg_advisory_unlock(%s)", [migrate.MIGRATION_LOCK_KEY])
            waiting.join(120)
    assert result == [True]
    assert migrate.current_revision(url) == migrate.head_revision()
    messages = [r.message for r in caplog.records]
    assert any("another Life World OS process is migrating" in m for m in messages), messages
    assert any("finished migrating" in m for m in messages), messages
