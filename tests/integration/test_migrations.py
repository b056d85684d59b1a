"""Migrations: one linear chain, every revision reversible, and the models match the schema."""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg.types.json import Jsonb
from sqlalchemy import create_engine

from lifeworld.db import migrate
from lifeworld.db.models import metadata
from lifeworld.db.urls import libpq_url, sqlalchemy_url
from lifeworld.game.loadouts import PRESETS, preset_slots
from lifeworld.game.state import PlayerState
from lifeworld.players.mapping import row_values


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


# --- 0007: presets for every player ------------------------------------------------------

BEFORE_PRESETS, PRESETS_FOR_EVERY_PLAYER = "0006", "0007"
BOOK = ["the-balanced", "the-warrior", "the-strategist", "the-guardian", "the-explorer"]


def _player(conn: psycopg.Connection[Any], household: int, name: str) -> int:
    """A user and its player row as the app of revision 0006 wrote them (no loadout yet)."""
    row = conn.execute(
        "INSERT INTO users (household_id, username, email, display_name, password_hash, "
        "is_admin, timezone, day_start_hour) VALUES (%s, %s, %s, %s, 'x', false, 'UTC', 0) "
        "RETURNING id",
        (household, name, f"{name}@example.org", name),
    ).fetchone()
    assert row is not None
    values = row_values(PlayerState.new(date(2026, 12, 1)))
    columns = ", ".join(["user_id", "household_id", "version", *values])
    marks = ", ".join(["%s"] * (len(values) + 3))
    conn.execute(
        f"INSERT INTO players ({columns}) VALUES ({marks})",
        (row[0], household, 1, *values.values()),
    )
    return int(row[0])


def _loadout(
    conn: psycopg.Connection[Any], user_id: int, preset_id: str | None, *, active: bool = False
) -> None:
    preset = next((p for p in PRESETS if p.id == preset_id), None)
    conn.execute(
        "INSERT INTO loadouts (user_id, name, preset_id, active, slots, created_at) "
        "VALUES (%s, %s, %s, %s, %s, '2026-12-01T09:00:00Z')",
        (
            user_id,
            preset.name if preset else "Mine",
            preset_id,
            active,
            Jsonb(preset_slots(preset) if preset else {"PRIMARY": "focus"}),
        ),
    )


def _loadouts(url: str) -> dict[int, list[tuple[str | None, bool, dict[str, str]]]]:
    """Each player's loadouts in id order: (preset id, active, slots)."""
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT user_id, preset_id, active, slots FROM loadouts ORDER BY user_id, id"
        ).fetchall()
    found: dict[int, list[tuple[str | None, bool, dict[str, str]]]] = {}
    for user_id, preset_id, active, slots in rows:
        found.setdefault(user_id, []).append((preset_id, active, slots))
    return found


def test_presets_for_every_player_up_down_up(create_database: Any) -> None:
    """Revision 0007 gives each player every preset it lacks, in book order, The Balanced
    active only when no loadout is; players with presets keep theirs untouched. Its downgrade
    leaves the presets (they cannot be told from the ones the app made: see the revision), and
    upgrading again adds nothing."""
    url = create_database("lifeworld_presets")
    migrate.upgrade(url, BEFORE_PRESETS)
    with psycopg.connect(libpq_url(url)) as conn:
        household = conn.execute(
            "INSERT INTO households (name, timezone) VALUES ('Old', 'UTC') RETURNING id"
        ).fetchone()
        assert household is not None
        never = _player(conn, household[0], "never_opened")  # no loadout at all
        opened = _player(conn, household[0], "opened")  # presets from a visit, Warrior chosen
        for preset_id in BOOK:
            _loadout(conn, opened, preset_id, active=preset_id == "the-warrior")
        custom = _player(conn, household[0], "custom")  # only a custom loadout, active
        _loadout(conn, custom, None, active=True)
        imported = _player(conn, household[0], "imported")  # two presets, none active
        _loadout(conn, imported, "the-balanced")
        _loadout(conn, imported, "the-warrior")
    before = _loadouts(url)

    migrate.upgrade(url)
    after = _loadouts(url)
    slots = {p.id: preset_slots(p) for p in PRESETS}
    born = [(p, p == "the-balanced", slots[p]) for p in BOOK]
    assert after[never] == born
    assert after[opened] == before[opened]
    assert after[custom] == before[custom] + [(p, False, slots[p]) for p in BOOK]
    assert after[imported] == before[imported] + [(p, False, slots[p]) for p in BOOK[2:]]

    migrate.downgrade(url, BEFORE_PRESETS)
    assert migrate.current_revision(url) == BEFORE_PRESETS
    assert _loadouts(url) == after  # what downgrade says it does: nothing to the rows

    migrate.upgrade(url, PRESETS_FOR_EVERY_PLAYER)  # later revisions may follow it
    assert migrate.current_revision(url) == PRESETS_FOR_EVERY_PLAYER
    assert _loadouts(url) == after  # nothing added twice


# --- 0011: the household's currency ------------------------------------------------------


def test_household_currency_up_down_up(create_database: Any) -> None:
    """Households made before the currency revision show US dollars until their admin chooses."""
    url = create_database("lifeworld_currency")
    migrate.upgrade(url, PRESETS_FOR_EVERY_PLAYER)
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("INSERT INTO households (name, timezone) VALUES ('Old', 'Europe/Paris')")
    migrate.upgrade(url)
    with psycopg.connect(libpq_url(url)) as conn:
        assert conn.execute("SELECT currency FROM households").fetchall() == [("USD",)]
    migrate.downgrade(url, PRESETS_FOR_EVERY_PLAYER)
    with psycopg.connect(libpq_url(url)) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'households'"
        ).fetchall()
    assert ("currency",) not in columns
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
