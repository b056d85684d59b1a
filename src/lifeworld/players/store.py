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
  ~500 → ~350 µs of CPU, `bench.inprocess` on 2026-11-26). Such reads that start in the same
  round of the event loop share one statement (`KeyedReads`: the bench's cache-miss row went
  from 0.20 to 0.25-0.26 of the no-op at 16 connections).
- An activity log (`direct`) runs its transaction on a connection of the write pool
  (`DirectTransaction`): BEGIN goes with the lock and the read, COMMIT with the write, and
  those statements are PREPAREd once per connection (a log: ~1,600 → ~1,100 µs of CPU in the
  app, ~800 → ~450 µs in PostgreSQL, `bench.inprocess` on 2026-11-26).
- Everything else runs on the session's connection, inside its transaction, so it commits or
  rolls back with the rest of the request. A locked read that begins the transaction sends the
  BEGIN with the lock and the read, in one round trip (a log then: ~300 µs less CPU in the app
  and ~250 µs less in PostgreSQL, `bench.inprocess` on 2026-11-26).
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from time import perf_counter
from typing import Any

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg import sql as pgsql
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from sqlalchemy import ARRAY, BigInteger, Select, and_, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.db.batch import KeyedReads
from lifeworld.db.pgpool import PgPool
from lifeworld.db.session import (
    DirectTransaction,
    begin_direct,
    direct_transaction,
    end_direct,
    may_switch_autocommit,
    own_statement_took,
    read_pool,
)
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


def _query(*, for_update: bool, many: bool = False) -> Select[Any]:
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
    )
    if many:
        stmt = stmt.where(Player.user_id == any_(bindparam("user_ids", type_=ARRAY(BigInteger))))
    else:
        stmt = stmt.where(Player.user_id == bindparam("user_id"))
    return stmt.with_for_update(of=Player.__table__) if for_update else stmt


@cache
def _sql(kind: str) -> tuple[str, dict[str, Any]]:
    """A statement's SQL text, compiled once for psycopg, and the values of its literals."""
    if kind == "lock_read":
        # The lock is a statement of its own, before the read (both go in one round trip): a
        # statement sees what was committed when it began, and had the read waited for the
        # lock itself its subqueries (milestones, active engines) would miss what the
        # transaction it waited for had just committed.
        lock_sql, _ = _sql("lock")
        read_sql, literals = _sql("read_locked")
        return f"{lock_sql}; {read_sql}", literals
    if kind == "lock":
        lock = select(Player.user_id).where(Player.user_id == bindparam("user_id"))
        return _compiled(lock.with_for_update())
    return _compiled(_query(for_update=kind == "read_locked", many=kind == "read_many"))


def _compiled(stmt: Any) -> tuple[str, dict[str, Any]]:
    compiled = stmt.compile(dialect=_DIALECT)
    keys = ("user_id", "user_ids")
    return str(compiled), {k: v for k, v in compiled.params.items() if k not in keys}


_MILESTONE_COLUMNS = ", ".join(column.name for column in MilestoneRecord.__table__.columns)


@cache
def _write_sql(names: tuple[str, ...], activity: tuple[str, ...], milestones: bool) -> str:
    # The values travel as one JSON document per row, spread back into typed columns by
    # PostgreSQL: psycopg converts a query of more than 50 parameters anew on every call, and
    # dumping each value on its own costs more than one JSON text (a log: ~140 µs less CPU).
    assignments = ", ".join(f"{name} = v.{name}" for name in (*names, "version"))
    update = (
        f"UPDATE players p SET {assignments} "
        "FROM jsonb_populate_record(NULL::players, %(state)s) v WHERE p.user_id = %(user_id)s"
    )
    # The activity and the milestones go in with the state, in one statement (data-modifying
    # WITHs all run, whether or not the rest of the statement reads them).
    awarded = (
        f"INSERT INTO milestones ({_MILESTONE_COLUMNS}) SELECT {_MILESTONE_COLUMNS} "
        "FROM jsonb_populate_recordset(NULL::milestones, %(milestones)s)"
    )
    if not activity:
        return f"WITH saved AS ({update}) {awarded}" if milestones else update
    columns = ", ".join(activity)
    before = f"saved AS ({update})" + (f", awarded AS ({awarded})" if milestones else "")
    return (
        f"WITH {before} INSERT INTO activities ({columns}) SELECT {columns} "
        "FROM jsonb_populate_record(NULL::activities, %(activity)s) RETURNING id"
    )


@dataclass(frozen=True)
class _Prepared:
    """A statement PREPAREd by name on a write pool's connections (a direct transaction's):
    planned once per connection, where the simple query protocol, which lets BEGIN and COMMIT
    ride along in one round trip, would plan it anew every time."""

    name: str
    body: str  # the statement, its parameters as $1, $2, ... in the order of `params`
    params: tuple[str, ...]

    def execute_sql(self) -> str:
        args = ", ".join(f"%({p})s" for p in self.params)
        return f"EXECUTE {self.name}({args})"


_PREPARED_NAMES: dict[str, str] = {}  # body → name, the same on every connection


def _prepared(sql: str, params: tuple[str, ...], literals: dict[str, Any]) -> _Prepared:
    body = sql
    for n, name in enumerate(params, 1):
        body = body.replace(f"%({name})s", f"${n}")
    for name, value in literals.items():
        body = body.replace(f"%({name})s", pgsql.Literal(value).as_string(None))
    assert "%" not in body, "every placeholder is replaced (and no % is left to unescape)"
    name = _PREPARED_NAMES.setdefault(body, f"lifeworld_{len(_PREPARED_NAMES) + 1}")
    return _Prepared(name, body, params)


@cache
def _direct_read() -> tuple[_Prepared, _Prepared]:
    lock_sql, _ = _sql("lock")
    read_sql, literals = _sql("read_locked")
    return _prepared(lock_sql, ("user_id",), {}), _prepared(read_sql, ("user_id",), literals)


@cache
def _direct_write(names: tuple[str, ...], activity: tuple[str, ...], milestones: bool) -> _Prepared:
    params = ("state", "user_id", *(("activity",) if activity else ()))
    params += ("milestones",) if milestones else ()
    return _prepared(_write_sql(names, activity, milestones), params, {})


async def _prepare(direct: DirectTransaction, statements: tuple[_Prepared, ...]) -> None:
    """PREPARE on the connection what it has not yet (once in its life: a round trip each)."""
    for statement in statements:
        if statement.name not in direct.prepared:
            await direct.conn.execute(f"PREPARE {statement.name} AS {statement.body}")
            direct.prepared.add(statement.name)


def _json(values: object) -> Jsonb:
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


async def read(
    session: AsyncSession, user_id: int, *, locked: bool, direct: bool = False
) -> PlayerRow | None:
    """The player, locked for the transaction when `locked`, or None if there is none.

    `direct` (with `locked`): the request's transaction may run on a connection of its own
    rather than the session's (`begin_direct`): for a request whose every statement goes
    through this module. Once one has begun, every read and write here runs on it.
    """
    known = direct_transaction(session)
    if known is not None or (locked and direct):
        tx = known or await begin_direct(session)
        if tx is not None:
            return await _read_direct(session, tx, user_id, locked=locked)
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
    pool = read_pool(session)
    if pool is not None:
        # Nothing begun: one statement sees one consistent snapshot without a transaction, on
        # any connection, and the session stays untouched (nothing to check out or return).
        # Reads of other players starting in the same round of the event loop share it.
        row = await _shared_reads(pool).get(user_id, partial(own_statement_took, session))
        return _player_row(row) if row is not None else None
    sql, literals = _sql("read")
    params = {**literals, "user_id": user_id}
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


async def _read_direct(
    session: AsyncSession, tx: DirectTransaction, user_id: int, *, locked: bool
) -> PlayerRow | None:
    lock, read_locked = _direct_read()
    if tx.open:
        sql = read_locked.execute_sql()
        if locked:
            sql = f"{lock.execute_sql()}; {sql}"
    else:
        # The transaction begins here, with the lock: one round trip.
        sql = f"BEGIN; {lock.execute_sql()}; {read_locked.execute_sql()}"
    started = perf_counter()
    for first_try in (True, False):
        statements = AsyncClientCursor(tx.conn)
        try:
            await _prepare(tx, (lock, read_locked))
            await statements.execute(sql, {"user_id": user_id})
            break
        except psycopg.OperationalError:
            if not (first_try and not tx.open and tx.conn.broken):
                raise
            await tx.replace_broken()
    tx.open = True
    own_statement_took(session, perf_counter() - started)
    while statements.nextset():
        pass
    row = await statements.fetchone()
    return _player_row(row) if row is not None else None


async def recent_activities(
    session: AsyncSession, user_id: int, since: date
) -> list[tuple[date, str, int]]:
    """(day, type, energy used) of the player's activities from `since` on, in this request's
    transaction (the rollover's input)."""
    sql = (
        "SELECT day, type, energy_used FROM activities "
        "WHERE user_id = %(user_id)s AND day >= %(since)s"
    )
    params = {"user_id": user_id, "since": since}
    tx = direct_transaction(session)
    started = perf_counter()
    if tx is not None:
        cur: Any = AsyncClientCursor(tx.conn)
        await cur.execute(sql, params)
    else:
        cur = await (await driver(session)).execute(sql, params)
    rows = await cur.fetchall()
    own_statement_took(session, perf_counter() - started)
    return rows  # type: ignore[no-any-return]


_SHARED: weakref.WeakKeyDictionary[PgPool, KeyedReads[int, tuple[Any, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _shared_reads(pool: PgPool) -> KeyedReads[int, tuple[Any, ...]]:
    """The players' reads outside a transaction on `pool`, those of one round in one statement
    (a cache-miss dashboard read under load: one round trip for several players)."""
    reads = _SHARED.get(pool)
    if reads is None:
        one, literals = _sql("read")
        many, _ = _sql("read_many")

        async def fetch(user_ids: list[int]) -> dict[int, tuple[Any, ...]]:
            if len(user_ids) == 1:  # alone: no array to send
                row = await pool.fetchone(one, {**literals, "user_id": user_ids[0]})
                return {user_ids[0]: row} if row is not None else {}
            rows = await pool.fetchall(many, {**literals, "user_ids": user_ids})
            return {row[0]: row for row in rows}  # user_id is the first column

        reads = _SHARED[pool] = KeyedReads(fetch)
    return reads


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
    milestones: list[dict[str, object]] | None = None,
    *,
    last: bool = False,
) -> int | None:
    """Store the state's column values and the new version (the row is locked by `read`), the
    activity row (`activities` column → value) if given, whose id is returned, and the
    milestones (`milestones` rows) if any, in one statement.

    `last`: nothing else follows in this transaction. A direct one then commits in the same
    round trip and is over; on the session's, the request commits as ever.
    """
    params = {"state": _json({**values, "version": version}), "user_id": user_id}
    if activity is not None:
        params["activity"] = _json(activity)
    if milestones:
        params["milestones"] = _json(milestones)
    shape = (tuple(values), tuple(activity) if activity is not None else (), bool(milestones))
    tx = direct_transaction(session)
    started = perf_counter()
    if tx is not None:
        statement = _direct_write(*shape)
        await _prepare(tx, (statement,))
        cur: Any = AsyncClientCursor(tx.conn)
        sql = statement.execute_sql()
        await cur.execute(f"{sql}; COMMIT" if last else sql, params)
    else:
        conn = await driver(session)
        cur = await conn.execute(_write_sql(*shape), params, prepare=True)
    own_statement_took(session, perf_counter() - started)
    row = await cur.fetchone() if activity is not None else None
    if tx is not None and last:
        await end_direct(session, commit=True, sent=True)
    if activity is None:
        return None
    assert row is not None
    return int(row[0])
