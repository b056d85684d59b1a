"""An activity log's transaction on a write pool's connection (players/store/).

With its sign-in cached and no `Idempotency-Key`, `POST /api/v1/me/activities` never touches
the request's SQLAlchemy session: its BEGIN rides with the locked read, its COMMIT with the
write, and its statements are PREPAREd once per connection. These tests run on apps that
commit for real (the shared rolled-back connection of most tests has no write pool), and check
what another connection sees: all of a log or none of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from lifeworld.activities import service as activities
from lifeworld.clock import clock
from lifeworld.db.pgpool import PgPool
from lifeworld.db.session import new_scope
from lifeworld.players import context
from tests.integration.factories import set_up_household


@pytest.fixture
def uses(committed_app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many connections requests took from the write pool and from SQLAlchemy's pool."""
    counts = {"writes": 0, "session": 0}
    pool: PgPool = committed_app.state.db.players.writes
    acquire = pool.acquire

    async def counted(wait_s: float | None = None) -> Any:
        counts["writes"] += 1
        return await acquire(wait_s)

    monkeypatch.setattr(pool, "acquire", counted)

    def checkout(*_: Any) -> None:
        counts["session"] += 1

    sync_pool = committed_app.state.db.engine.sync_engine.pool
    event.listen(sync_pool, "checkout", checkout)
    yield counts
    event.remove(sync_pool, "checkout", checkout)


async def _signed_in(client: httpx.AsyncClient) -> int:
    """A player whose sign-in is cached (a read has passed), so a log needs no session."""
    body = await set_up_household(client, timezone="UTC")
    assert (await client.get("/api/v1/me/state")).status_code == 200
    return int(body["user"]["id"])


def _stored(app: FastAPI, user_id: int) -> tuple[int, int, int, int]:
    """(version, energy, activities, milestones) as another connection sees them."""
    with psycopg.connect(app.state.database_url) as conn:
        row = conn.execute(
            "SELECT version, energy,"
            " (SELECT count(*) FROM activities WHERE user_id = p.user_id),"
            " (SELECT count(*) FROM milestones WHERE user_id = p.user_id)"
            " FROM players p WHERE user_id = %s",
            [user_id],
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _writers(app: FastAPI) -> list[tuple[int, str]]:
    """(pid, state) of the server processes of the app's write pool."""
    with psycopg.connect(app.state.database_url) as conn:
        rows = conn.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE application_name = 'lifeworld-writes' "
            "AND datname = current_database()"
        ).fetchall()
    return [(int(pid), str(state)) for pid, state in rows]


async def _prepared(app: FastAPI) -> set[str]:
    """The statements PREPAREd on the write pool's kept connection."""
    pool: PgPool = app.state.db.players.writes
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT name FROM pg_prepared_statements")
        return {str(name) for (name,) in await cur.fetchall()}


async def _log(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/api/v1/me/activities", json=body)


async def test_a_log_runs_on_a_write_connection_and_commits_in_its_write(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, uses: dict[str, int]
) -> None:
    user_id = await _signed_in(committed_client)
    version, energy, count, _ = _stored(committed_app, user_id)
    uses.update(writes=0, session=0)
    response = await _log(committed_client, type="EXERCISE")
    assert response.status_code == 201, response.text
    answer = response.json()
    assert uses == {"writes": 1, "session": 0}  # SQLAlchemy's pool was never asked
    assert _stored(committed_app, user_id) == (version + 1, answer["energy_left"], count + 1, 0)
    assert answer["energy_left"] < energy
    assert answer["state"]["energy"]["stored"] == answer["energy_left"]
    assert answer["state"]["version"] == version + 1  # the state as stored
    with psycopg.connect(committed_app.state.database_url) as conn:
        stored = conn.execute(
            "SELECT id, type FROM activities WHERE user_id = %s", [user_id]
        ).fetchall()
    assert (answer["activity"]["id"], "EXERCISE") in stored
    assert [state for _, state in _writers(committed_app)] == ["idle"]  # one kept, idle
    # The lock, the read and the write, each PREPAREd once on the connection and reused.
    assert len(await _prepared(committed_app)) == 3
    assert (await _log(committed_client, type="REST")).status_code == 201
    assert len(await _prepared(committed_app)) == 3
    assert _stored(committed_app, user_id)[2] == count + 2


async def test_milestones_are_written_with_their_activity_once(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, uses: dict[str, int]
) -> None:
    user_id = await _signed_in(committed_client)
    uses.update(writes=0, session=0)
    first = await _log(committed_client, type="CUSTOM", resource_changes={"oxygen": 12})
    assert first.status_code == 201, first.text
    assert first.json()["milestones"] == [
        {"type": "SIX_MONTHS_EXPENSES", "keys": 1},
        {"type": "ONE_YEAR_EXPENSES", "keys": 2},
    ]
    again = await _log(committed_client, type="CUSTOM", resource_changes={"oxygen": 1})
    assert again.status_code == 201 and again.json()["milestones"] == []
    assert uses == {"writes": 2, "session": 0}
    assert _stored(committed_app, user_id)[3] == 2
    listed = (await committed_client.get("/api/v1/me/milestones")).json()
    assert sorted((m["type"], m["keys"]) for m in listed) == [
        ("ONE_YEAR_EXPENSES", 2),
        ("SIX_MONTHS_EXPENSES", 1),
    ]


async def test_a_refused_log_rolls_back_and_its_connection_serves_the_next(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _signed_in(committed_client)
    answers = [await _log(committed_client, type="EXERCISE") for _ in range(5)]
    refused = answers[-1]
    assert [a.status_code for a in answers[:4]] == [201] * 4  # 25 energy each of 100
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_energy"
    stored = _stored(committed_app, user_id)
    assert stored[2] == 4
    assert [state for _, state in _writers(committed_app)] == ["idle"]  # not "idle in transaction"
    # A ROLLBACK did not drop the prepared statements (psycopg prepares nothing there).
    assert len(await _prepared(committed_app)) == 3
    clock.pin(clock.now() + timedelta(days=1))  # a new day's energy
    assert (await committed_client.get("/api/v1/auth/csrf")).status_code == 200
    assert (await _log(committed_client, type="REST")).status_code == 201
    assert _stored(committed_app, user_id)[2] == 5


async def test_a_failed_write_leaves_nothing_written(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = await _signed_in(committed_client)
    before = _stored(committed_app, user_id)
    values = activities.activity_values

    def too_long(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**values(*args, **kwargs), "source": "x" * 500}  # longer than its column

    monkeypatch.setattr(activities, "activity_values", too_long)
    response = await _log(committed_client, type="REST")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_field"
    assert _stored(committed_app, user_id) == before  # neither the state nor the activity
    assert [state for _, state in _writers(committed_app)] in ([], ["idle"])
    monkeypatch.setattr(activities, "activity_values", values)
    assert (await _log(committed_client, type="REST")).status_code == 201
    assert _stored(committed_app, user_id)[2] == before[2] + 1


async def test_a_write_connection_closed_meanwhile_is_replaced_without_an_error(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _signed_in(committed_client)
    assert (await _log(committed_client, type="REST")).status_code == 201
    [(pid, _)] = _writers(committed_app)
    with psycopg.connect(committed_app.state.database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    response = await _log(committed_client, type="REST")
    assert response.status_code == 201, response.text
    assert [p for p, _ in _writers(committed_app)] != [pid]
    assert _stored(committed_app, user_id)[2] == 2


async def test_a_log_with_an_idempotency_key_keeps_the_sessions_transaction(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, uses: dict[str, int]
) -> None:
    """The key is stored with the work in one transaction, so the work stays on the session."""
    user_id = await _signed_in(committed_client)
    uses.update(writes=0, session=0)
    headers = {"Idempotency-Key": "direct-test-1"}
    first = await committed_client.post(
        "/api/v1/me/activities", json={"type": "REST"}, headers=headers
    )
    again = await committed_client.post(
        "/api/v1/me/activities", json={"type": "REST"}, headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert uses["writes"] == 0 and uses["session"] >= 1
    assert _stored(committed_app, user_id)[2] == 1


async def test_a_log_after_days_away_rolls_them_over_once_in_its_transaction(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, uses: dict[str, int]
) -> None:
    rolled: list[int] = []

    def listener(user_id: int, days: int, events: list[Any]) -> None:
        rolled.append(days)

    await _signed_in(committed_client)
    assert (await _log(committed_client, type="EXERCISE")).status_code == 201
    context.rollover_listeners.append(listener)
    try:
        clock.pin(clock.now() + timedelta(days=3))
        # Its sign-in has expired from the cache meanwhile: a read that opens no player reads
        # it again (a write that read it would keep the session's transaction for it).
        assert (await committed_client.get("/api/v1/auth/csrf")).status_code == 200
        uses.update(writes=0, session=0)
        response = await _log(committed_client, type="REST")
    finally:
        context.rollover_listeners.remove(listener)
    assert response.status_code == 201, response.text
    assert rolled == [3]
    assert uses == {"writes": 1, "session": 0}
    state = (await committed_client.get("/api/v1/me/state")).json()
    assert state["day"]["today"] == response.json()["activity"]["day"]


async def test_the_session_may_not_commit_a_transaction_beside_a_direct_one(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    user_id = await _signed_in(committed_client)
    before = _stored(committed_app, user_id)
    db = committed_app.state.db
    session = db.sessionmaker()
    try:
        scope = new_scope(db, session, None)
        row = await scope.players.read(user_id, locked=True, direct=True)
        assert row is not None and scope.players.direct is not None
        values = {"energy": row.values["energy"] - 1}
        await scope.players.write(user_id, values, row.version + 1)
        await session.execute(text("SELECT 1"))  # the session begins a transaction of its own
        with pytest.raises(RuntimeError, match="beside the request's direct one"):
            await scope.commit()
        assert scope.players.direct is None and not session.in_transaction()
    finally:
        await session.close()
    assert _stored(committed_app, user_id) == before  # neither committed
    assert [state for _, state in _writers(committed_app)] == ["idle"]
