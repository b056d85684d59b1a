"""The players row through plain psycopg (players/store/).

A read outside any transaction runs on a connection of the engine's read pool and leaves the
request's session untouched; otherwise the statements run on the session's own connection and
keep its transaction rules: a read inside a transaction sees what it wrote, a read on an
engine without a read pool leaves the connection as it found it (idle, not in autocommit), and
a write commits or rolls back with everything else of the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg.pq import TransactionStatus
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from lifeworld.activities.models import Activity
from lifeworld.clock import clock
from lifeworld.db.session import create_database
from lifeworld.db.urls import sqlalchemy_url
from lifeworld.players.mapping import row_values, to_state
from lifeworld.players.store import PlayerAccess, PlayerStore
from tests.integration.factories import set_up_household


def _players(app: FastAPI, session: AsyncSession) -> PlayerAccess:
    """The app's player store as a request on `session` uses it."""
    access: PlayerAccess = app.state.db.players.access(session)
    return access


def _bare(session: AsyncSession) -> PlayerAccess:
    """A store without pools of its own, on an engine it did not make (no reset hook)."""
    return PlayerStore().access(session)


async def _user_id(client: httpx.AsyncClient) -> int:
    body = await set_up_household(client)
    return int(body["user"]["id"])


def _stored(app: FastAPI, user_id: int) -> tuple[int, int, int]:
    """(version, energy, activities) as another connection sees them (committed only)."""
    with psycopg.connect(app.state.database_url) as conn:
        row = conn.execute(
            "SELECT version, energy, (SELECT count(*) FROM activities WHERE user_id = %s) "
            "FROM players WHERE user_id = %s",
            (user_id, user_id),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def _status(conn: psycopg.AsyncConnection[Any]) -> TransactionStatus:
    return conn.info.transaction_status


def _activity(user_id: int, day: Any) -> dict[str, object]:
    return {
        "user_id": user_id,
        "type": "REST",
        "description": "store test",
        "occurred_at": datetime.now(UTC),
        "day": day,
        "energy_used": 0,
        "xp_overall": 5,
        "xp_capacity": 5,
        "xp_engines": 0,
        "xp_oxygen": 0,
        "xp_meaning": 0,
        "xp_optionality": 0,
        "season": "SPRING",
        "mult_season": Decimal("1.000"),
        "mult_capacity": Decimal("1.000"),
        "mult_loadout": Decimal("1.000"),
        "mult_burnout": Decimal("1.000"),
        "resource_changes": {"gold": "12.50"},
        "is_recovery": False,
        "source": "activity",
    }


@asynccontextmanager
async def _plain_session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session on an engine not made by `create_database`: no reset hook, no read pool."""
    engine = create_async_engine(sqlalchemy_url(app.state.database_url), pool_size=1)
    session = AsyncSession(engine)
    try:
        yield session
    finally:
        await session.close()
        await engine.dispose()


def _readers(app: FastAPI) -> list[int]:
    """Pids of the server processes serving the app's read pool."""
    with psycopg.connect(app.state.database_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'lifeworld-reads' "
            "AND datname = current_database()"
        ).fetchall()
    return [int(pid) for (pid,) in rows]


async def test_a_read_outside_a_transaction_takes_a_read_connection_not_the_sessions(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    db = committed_app.state.db
    async with db.sessionmaker() as session:
        players = _players(committed_app, session)
        row = await players.read(user_id, locked=False)
        assert row is not None
        assert (
            row.values["user_id"] == user_id and row.version == _stored(committed_app, user_id)[0]
        )
        assert row.active_engines == 0 and row.loadout_name == "The Balanced"  # born with it
        assert not session.in_transaction()  # nothing checked out, nothing to commit
        assert len(_readers(committed_app)) == 1  # and the read connection was kept
        assert await players.read(987_654, locked=False) is None
        assert len(_readers(committed_app)) == 1  # the same one served the next read


async def test_a_read_inside_a_transaction_sees_what_the_transaction_wrote(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    async with committed_app.state.db.sessionmaker() as session:
        players = _players(committed_app, session)
        locked = await players.read(user_id, locked=True)
        assert locked is not None
        values = row_values(to_state(locked.values))
        await players.write(user_id, {**values, "energy": 7}, locked.version + 1)
        seen = await players.read(user_id, locked=False)
        assert seen is not None and seen.values["energy"] == 7  # on the session's connection
        assert _stored(committed_app, user_id)[1] != 7  # not committed
        await session.rollback()
    assert _stored(committed_app, user_id)[1] != 7


async def test_a_read_on_an_engine_without_a_read_pool_leaves_the_connection_as_it_was(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    async with _plain_session(committed_app) as session:
        players = _bare(session)
        row = await players.read(user_id, locked=False)
        assert row is not None and row.values["user_id"] == user_id
        conn = await players.connection()
        assert _status(conn) == TransactionStatus.IDLE  # no BEGIN was sent
        assert conn.autocommit is False


async def test_a_read_connection_closed_meanwhile_is_replaced_without_an_error(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    """A restart of the server closes every kept connection: the next read runs on a new one."""
    user_id = await _user_id(committed_client)
    async with committed_app.state.db.sessionmaker() as session:
        players = _players(committed_app, session)
        assert await players.read(user_id, locked=False) is not None
        (before,) = _readers(committed_app)
        with psycopg.connect(committed_app.state.database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", [before])
        row = await players.read(user_id, locked=False)
        assert row is not None and row.values["user_id"] == user_id
        after = _readers(committed_app)
        assert len(after) == 1 and after != [before]


async def test_a_read_without_the_database_is_answered_503(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await _user_id(committed_client)
    assert (await committed_client.get("/api/v1/auth/csrf")).status_code == 200  # sign-in cached
    await committed_app.state.db.players.reads.close()  # as if no connection could be had
    response = await committed_client.get("/api/v1/me/state")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"


async def test_a_write_with_its_activity_commits_or_rolls_back_as_one(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    version, energy, count = _stored(committed_app, user_id)
    for commit in (False, True):
        session: AsyncSession = committed_app.state.db.sessionmaker()
        try:
            players = _players(committed_app, session)
            row = await players.read(user_id, locked=True)
            assert row is not None
            values = {**row_values(to_state(row.values)), "energy": energy - 1}
            activity = _activity(user_id, row.last_rolled_day)
            new_id = await players.write(user_id, values, version + 1, activity)
            assert isinstance(new_id, int)
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
        expected = (version + 1, energy - 1, count + 1) if commit else (version, energy, count)
        assert _stored(committed_app, user_id) == expected
    session = committed_app.state.db.sessionmaker()
    try:
        stored = await session.get(Activity, new_id)
        assert stored is not None
        assert stored.resource_changes == {"gold": "12.50"}  # JSON stored as the ORM stores it
        assert stored.description == "store test" and stored.mult_season == Decimal("1.000")
    finally:
        await session.close()


async def test_no_player_is_none(committed_app: FastAPI) -> None:
    session: AsyncSession = committed_app.state.db.sessionmaker()
    try:
        players = _players(committed_app, session)
        assert await players.read(987_654, locked=False) is None
        assert await players.read(987_654, locked=True) is None
    finally:
        await session.close()


async def test_a_locked_read_begins_its_transaction_and_the_pool_gets_the_connection_back(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    """The lock's round trip carries the BEGIN (the connection is in autocommit meanwhile):
    the lock must still last until the transaction ends, and however it ends, the connection
    goes back to the pool idle and out of autocommit."""
    user_id = await _user_id(committed_client)
    for end in ("commit", "rollback", "failed", "close"):
        session: AsyncSession = committed_app.state.db.sessionmaker()
        try:
            players = _players(committed_app, session)
            assert await players.read(user_id, locked=True) is not None
            conn = await players.connection()
            assert _status(conn) == TransactionStatus.INTRANS
            assert conn.autocommit is True  # the BEGIN went with the lock
            with (
                psycopg.connect(committed_app.state.database_url) as other,
                pytest.raises(psycopg.errors.LockNotAvailable),  # still locked
            ):
                other.execute("SELECT FROM players WHERE user_id = %s FOR UPDATE NOWAIT", [user_id])
            if end == "commit":
                await session.commit()
            elif end == "rollback":
                await session.rollback()
            elif end == "failed":
                with pytest.raises(psycopg.errors.DivisionByZero):
                    await conn.execute("SELECT 1 / 0")
                assert _status(conn) == TransactionStatus.INERROR
        finally:
            await session.close()
        assert conn.autocommit is False, end
        assert _status(conn) == TransactionStatus.IDLE, end


async def test_an_engine_without_the_reset_hook_keeps_psycopgs_own_begin(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    async with _plain_session(committed_app) as session:
        players = _bare(session)
        assert await players.read(user_id, locked=True) is not None
        conn = await players.connection()
        assert _status(conn) == TransactionStatus.INTRANS
        assert conn.autocommit is False  # nothing here would switch it back
        await session.rollback()


async def test_a_saved_state_records_when_it_was_saved(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _user_id(committed_client)
    moment = datetime.now(UTC) + timedelta(minutes=7)  # the app's clock, not the server's
    clock.pin(moment)
    response = await committed_client.post("/api/v1/me/activities", json={"type": "REST"})
    assert response.status_code == 201, response.text
    with psycopg.connect(committed_app.state.database_url) as conn:
        row = conn.execute(
            "SELECT updated_at FROM players WHERE user_id = %s", [user_id]
        ).fetchone()
    assert row is not None and row[0] == moment


async def test_the_connection_is_remembered_for_one_transaction_only(
    committed_app: FastAPI,
) -> None:
    """Within a transaction `connection()` gives the same connection; once it has committed,
    the pool may give that connection to another session, and the first one gets a new one."""
    db = create_database(committed_app.state.database_url, pool_size=1, max_overflow=1)
    first: AsyncSession = db.sessionmaker()
    second: AsyncSession = db.sessionmaker()
    try:
        one, two = db.players.access(first), db.players.access(second)
        conn = await one.connection()
        assert await one.connection() is conn
        await first.commit()  # the only pooled connection goes back to the pool ...
        assert await two.connection() is conn  # ... and the next session takes it
        other = await one.connection()
        assert other is not conn
        assert await one.connection() is other
    finally:
        await first.close()
        await second.close()
        await db.dispose()


async def test_reads_outside_a_transaction_started_together_share_one_statement(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    """Several requests missing the state cache at once: one round trip reads all their
    players (db/batch.py), and each request gets its own player, or None."""
    user_id = await _user_id(committed_client)
    db = committed_app.state.db
    statements: list[float] = []
    undo = db.players.time_statements(statements.append)
    sessions = [db.sessionmaker() for _ in range(4)]
    try:
        rows = await asyncio.gather(
            *(
                db.players.access(session).read(wanted, locked=False)
                for session, wanted in zip(
                    sessions, (user_id, 987_654, user_id, 987_655), strict=True
                )
            )
        )
    finally:
        undo()
        for session in sessions:
            await session.close()
    assert [row.values["user_id"] if row else None for row in rows] == [
        user_id,
        None,
        user_id,
        None,
    ]
    assert len(statements) == 1
    assert len(_readers(committed_app)) == 1
