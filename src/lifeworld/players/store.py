"""The `players` row read and written with plain psycopg.

Every read or write of a player's state goes through here (via `open_player`), so these few
statements are the busiest SQL of the app. Run through SQLAlchemy's async ORM each one cost
about 200 µs of CPU more than psycopg alone, and a read outside any transaction also paid a
BEGIN and a COMMIT round trip. (`python -m bench.inprocess`, CPU per request, before this
module and the fast log route of routes.py and after: a cache-miss state read 1.41 → 0.95 ms,
a log 3.55 → 1.95 ms.)

- A read while the request's session has no transaction is one autocommit statement on a
  connection of the engine's read pool (`Database.reads`): the session is not touched, so
  nothing is checked out of SQLAlchemy's pool, committed or returned (a cache-miss state read
  ~500 → ~350 µs of CPU, `bench.inprocess` on 2026-11-26).
- Everything else runs on the session's connection, inside its transaction, so it commits or
  rolls back with the rest of the request. A locked read that begins the transaction sends the
  BEGIN with the lock and the read, in one round trip (a log: ~300 µs less CPU in the app and
  ~250 µs less in PostgreSQL, `bench.inprocess` on 2026-11-26).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from time import perf_counter
from typing import Any

from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.db.session import may_switch_autocommit, own_statement_took, read_pool
from lifeworld.engines.models import Engine
from lifeworld.loadouts.models import Loadout
from lifeworld.players.models import MilestoneRecord, Player

_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
_COLUMNS = tuple(column.name for column in Player.__table__.columns)


@dataclass(frozen=True)
class PlayerRow:
    """The stored player with the facts the rules read beside it (one statement)."""

    values: dict[str, Any]  # column name → value, as stored
    active_engines: int
    achieved: tuple[str, ...]
    loadout_id: int | None
    loadout_name: str | None
    loadout_slots: dict[str, str] | None

    @property
    def version(self) -> int:
        return int(self.values["version"])

    @property
    def last_rolled_day(self) -> date:
        return self.values["last_rolled_day"]  # type: ignore[no-any-return]


def _query(*, for_update: bool) -> Select[Any]:
    active_engines = (
        select(func.count())
        .where(Engine.user_id == Player.user_id, Engine.status == "ACTIVE")
        .scalar_subquery()
    )
    achieved = (
        select(func.array_agg(MilestoneRecord.type))
        .where(MilestoneRecord.user_id == Player.user_id)
        .scalar_subquery()
    )
    stmt = (
        select(*Player.__table__.columns, active_engines, achieved)
        .add_columns(Loadout.id, Loadout.name, Loadout.slots)
        .outerjoin(Loadout, and_(Loadout.user_id == Player.user_id, Loadout.active))
        .where(Player.user_id == bindparam("user_id"))
    )
    return stmt.with_for_update(of=Player.__table__) if for_update else stmt


@cache
def _sql(kind: str) -> tuple[str, dict[str, Any]]:
    """A statement's SQL text, compiled once for psycopg, and the values of its literals."""
    if kind == "lock_read":
        # The lock is a statement of its own, before the read (both go in one round trip): a
        # statement sees what was committed when it began, and had the read waited for the
        # lock itself its subqueries (milestones, active engines) would miss what the
        # transaction it waited for had just committed.
        lock = select(Player.user_id).where(Player.user_id == bindparam("user_id"))
        lock_sql, _ = _compiled(lock.with_for_update())
        read_sql, literals = _sql("read_locked")
        return f"{lock_sql}; {read_sql}", literals
    return _compiled(_query(for_update=kind == "read_locked"))


def _compiled(stmt: Any) -> tuple[str, dict[str, Any]]:
    compiled = stmt.compile(dialect=_DIALECT)
    return str(compiled), {k: v for k, v in compiled.params.items() if k != "user_id"}


@cache
def _write_sql(names: tuple[str, ...], activity: tuple[str, ...]) -> str:
    # The values travel as one JSON document per row, spread back into typed columns by
    # PostgreSQL: psycopg converts a query of more than 50 parameters anew on every call, and
    # dumping each value on its own costs more than one JSON text (a log: ~140 µs less CPU).
    assignments = ", ".join(f"{name} = v.{name}" for name in (*names, "version"))
    update = (
        f"UPDATE players p SET {assignments} "
        "FROM jsonb_populate_record(NULL::players, %(state)s) v WHERE p.user_id = %(user_id)s"
    )
    if not activity:
        return update
    # The activity goes in with the state, in one statement (a data-modifying WITH).
    columns = ", ".join(activity)
    return (
        f"WITH saved AS ({update}) INSERT INTO activities ({columns}) SELECT {columns} "
        "FROM jsonb_populate_record(NULL::activities, %(activity)s) RETURNING id"
    )


def _json(values: dict[str, object]) -> Jsonb:
    """Column values as a JSON object: decimals, dates and times as their exact text."""
    return Jsonb(values, dumps=_dumps)


def _dumps(obj: object) -> str:
    return json.dumps(obj, default=str, separators=(",", ":"))


_DRIVER = "lifeworld.driver"  # key in session.info: (the transaction, its psycopg connection)


async def driver(session: AsyncSession) -> AsyncConnection[Any]:
    """The psycopg connection under the session's transaction (begun if need be).

    Remembered for the transaction: asking SQLAlchemy again for the connection it already
    holds cost ~25 µs (a log asks twice).
    """
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_DRIVER)
    if known is not None and known[0] is transaction and transaction.is_active:
        return known[1]  # type: ignore[no-any-return]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    conn = raw.driver_connection
    assert conn is not None
    session.info[_DRIVER] = (session.sync_session.get_transaction(), conn)
    return conn  # type: ignore[no-any-return]


async def read(session: AsyncSession, user_id: int, *, locked: bool) -> PlayerRow | None:
    """The player, locked for the transaction when `locked`, or None if there is none."""
    if locked:
        conn = await driver(session)
        # Two statements in one round trip: the simple query protocol, values bound by psycopg
        # on this side (a client cursor), the read's rows in the last result.
        sql, literals = _sql("lock_read")
        if (
            conn.info.transaction_status == TransactionStatus.IDLE
            and _plain_begin(conn)
            and may_switch_autocommit(session)
        ):
            # Nothing begun yet: the BEGIN goes in the same round trip (psycopg sends it on its
            # own otherwise). In autocommit psycopg adds no BEGIN, and COMMIT and ROLLBACK work
            # as ever; the pool's reset turns autocommit off again (db/session.py).
            await conn.set_autocommit(True)
            sql = f"BEGIN; {sql}"
        statements = AsyncClientCursor(conn)
        started = perf_counter()
        await statements.execute(sql, {**literals, "user_id": user_id})
        own_statement_took(session, perf_counter() - started)
        while statements.nextset():
            pass
        row = await statements.fetchone()
        return _player_row(row) if row is not None else None
    sql, literals = _sql("read")
    params = {**literals, "user_id": user_id}
    pool = read_pool(session)
    if pool is not None:
        # Nothing begun: one statement sees one consistent snapshot without a transaction, on
        # any connection, and the session stays untouched (nothing to check out or return).
        started = perf_counter()
        row = await pool.fetchone(sql, params)
    else:
        conn = await driver(session)
        started = perf_counter()
        if conn.info.transaction_status == TransactionStatus.IDLE:
            await conn.set_autocommit(True)  # no BEGIN, no COMMIT: one round trip
            try:
                cur = await conn.execute(sql, params, prepare=True)
                row = await cur.fetchone()
            finally:
                await conn.set_autocommit(False)
        else:
            cur = await conn.execute(sql, params, prepare=True)
            row = await cur.fetchone()
    own_statement_took(session, perf_counter() - started)
    return _player_row(row) if row is not None else None


def _plain_begin(conn: AsyncConnection[Any]) -> bool:
    """Whether psycopg would begin a transaction with a bare BEGIN (no options set)."""
    return not conn.autocommit and conn.isolation_level is None and conn.read_only is None


def _player_row(row: tuple[Any, ...]) -> PlayerRow:
    n = len(_COLUMNS)
    engines, achieved, loadout_id, loadout_name, slots = row[n:]
    return PlayerRow(
        values=dict(zip(_COLUMNS, row[:n], strict=True)),
        active_engines=int(engines or 0),
        achieved=tuple(achieved or ()),
        loadout_id=loadout_id,
        loadout_name=loadout_name,
        loadout_slots=slots,
    )


async def write(
    session: AsyncSession,
    user_id: int,
    values: dict[str, object],
    version: int,
    activity: dict[str, object] | None = None,
) -> int | None:
    """Store the state's column values and the new version (the row is locked by `read`), and
    the activity row (`activities` column → value) if given: returns its id."""
    conn = await driver(session)
    params = {"state": _json({**values, "version": version}), "user_id": user_id}
    if activity is not None:
        params["activity"] = _json(activity)
    sql = _write_sql(tuple(values), tuple(activity) if activity is not None else ())
    started = perf_counter()
    cur = await conn.execute(sql, params, prepare=True)
    own_statement_took(session, perf_counter() - started)
    if activity is None:
        return None
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])
