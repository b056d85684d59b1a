"""A request's session: one a cached read left untouched serves the next request; any session
that did something is closed and never handed out again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import make_transient_to_detached

from lifeworld.accounts.models import Household
from lifeworld.db.session import SPARE_SESSIONS, Database, create_database


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url, pool_size=2, max_overflow=0)
    yield database
    await database.dispose()


async def test_an_untouched_session_is_handed_out_again_with_nothing_begun(
    db: Database,
) -> None:
    first = db.session()
    await db.release(first)
    again = db.session()
    assert again is first
    assert not again.in_transaction() and not again.identity_map
    assert db.session() is not first  # handed out once at a time


@pytest.mark.parametrize("use", ["read", "rollback", "add", "loaded"])
async def test_a_session_that_was_used_is_closed_and_not_reused(db: Database, use: str) -> None:
    session = db.session()
    if use == "read":
        await session.execute(text("SELECT 1"))
    elif use == "loaded":
        known = Household(id=-7, name="Known", timezone="UTC")
        make_transient_to_detached(known)  # as if loaded by an earlier transaction
        session.add(known)
        await session.commit()  # nothing to write; the household stays in the identity map
        assert session.identity_map and not session.in_transaction()
    elif use == "rollback":
        await session.execute(text("SELECT 1"))
        session.add(Household(name="Never stored", timezone="UTC"))
        await session.flush()
        await session.rollback()
        session.add(Household(name="Never stored either", timezone="UTC"))
    else:
        session.add(Household(name="Pending", timezone="UTC"))
    await db.release(session)
    assert db.session() is not session
    assert not session.in_transaction() and not session.new and not session.identity_map


async def test_a_session_whose_transaction_ended_with_nothing_held_is_as_new(db: Database) -> None:
    session = db.session()
    assert (await session.scalars(select(Household).where(Household.id == -1))).first() is None
    await session.commit()
    await db.release(session)
    assert db.session() is session


async def test_spare_sessions_are_bounded(db: Database) -> None:
    sessions = [db.session() for _ in range(SPARE_SESSIONS + 10)]
    for session in sessions:
        await db.release(session)
    assert len(db._spare) == SPARE_SESSIONS
