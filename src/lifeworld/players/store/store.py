"""`PlayerStore`: every read and write of a player's row, the busiest SQL of the app, with
plain psycopg. It owns its pools, the prepared statements and the statement timers; a request
reaches it through a `PlayerAccess` (`store.access(session)`), which holds that request's
direct transaction, if any, and decides which connection each read takes (`_path`)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date
from enum import Enum
from time import perf_counter
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from lifeworld.db.batch import KeyedReads
from lifeworld.db.pgpool import PgPool
from lifeworld.players.store import statements as q
from lifeworld.players.store.direct import POOL_WAIT_S, DirectTransaction
from lifeworld.players.store.statements import PlayerRow, player_row

StatementTimer = Callable[[float], None]


class PlayerStore:
    """The pools, statements and timers behind every player's row (one per `Database`).

    `reads`: autocommit connections for a read of one statement outside any transaction.
    `writes`: connections for an activity log's transaction run without the session.
    Without them (tests whose requests share one rolled-back connection) everything runs on the
    request's session.
    """

    def __init__(
        self,
        *,
        reads: PgPool | None = None,
        writes: PgPool | None = None,
        owns_engine: bool = False,
    ) -> None:
        self.reads = reads
        self.writes = writes
        # The engine's connections go back to its pool out of autocommit (our reset hook), so
        # a locked read may switch one on to send BEGIN with its first statement.
        self.owns_engine = owns_engine
        self._timers: list[StatementTimer] = []
        self._prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
        self._shared: KeyedReads[int, tuple[Any, ...]] | None = None

    @classmethod
    def open(
        cls,
        url: str,
        engine: AsyncEngine,
        *,
        read_pool_size: int,
        write_pool_size: int,
        connect_timeout_s: float,
        statement_timeout_ms: int,
        application_name: str,
    ) -> PlayerStore:
        """The store of an app instance's engine, with its own pools."""
        reads = PgPool(
            url,
            size=read_pool_size,
            connect_timeout_s=connect_timeout_s,
            statement_timeout_ms=statement_timeout_ms,
            application_name=f"{application_name}-reads",
            generic_plans=True,  # reads by key: planned once, not per value
        )
        writes = PgPool(
            url,
            size=write_pool_size,
            connect_timeout_s=connect_timeout_s,
            statement_timeout_ms=statement_timeout_ms,
            application_name=f"{application_name}-writes",
            # PREPAREd in SQL here; psycopg's own would make it DEALLOCATE ALL on ROLLBACK.
            prepare_threshold=None,
        )
        for pool in (reads, writes):
            pool.keep_connections()  # like the engine's pool, until `close`
        event.listen(engine.sync_engine, "reset", _autocommit_off)
        return cls(reads=reads, writes=writes, owns_engine=True)

    async def close(self) -> None:
        for pool in (self.reads, self.writes):
            if pool is not None:
                await pool.close()

    def access(self, session: AsyncSession) -> PlayerAccess:
        """The store as one request (whose transaction `session` carries) uses it."""
        return PlayerAccess(self, session)

    def time_statements(self, timer: StatementTimer) -> Callable[[], None]:
        """Call `timer` with the seconds of each statement the store sends; returns the undo."""
        self._timers.append(timer)
        return lambda: self._timers.remove(timer)

    def took(self, seconds: float) -> None:
        for timer in self._timers:
            timer(seconds)

    def prepared_on(self, conn: Any) -> set[str]:
        """The names of the statements PREPAREd on a write pool's connection."""
        return self._prepared.setdefault(conn, set())

    def shared_reads(self, pool: PgPool) -> KeyedReads[int, tuple[Any, ...]]:
        """The reads outside a transaction, those of one round of the event loop in one
        statement (a cache-miss dashboard read under load: one round trip for several)."""
        if self._shared is None:
            one, literals = q.sql("read")
            many, _ = q.sql("read_many")

            async def fetch(user_ids: list[int]) -> dict[int, tuple[Any, ...]]:
                if len(user_ids) == 1:  # alone: no array to send
                    row = await pool.fetchone(one, {**literals, "user_id": user_ids[0]})
                    return {user_ids[0]: row} if row is not None else {}
                rows = await pool.fetchall(many, {**literals, "user_ids": user_ids})
                return {row[0]: row for row in rows}  # user_id is the first column

            self._shared = KeyedReads(fetch)
        return self._shared


def _autocommit_off(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    """Every connection of an engine with a store goes back to its pool out of autocommit (a
    locked read may have switched it on to send its own BEGIN)."""
    if reset_state.terminate_only or not dbapi_connection.autocommit:
        return
    if dbapi_connection.info.transaction_status != TransactionStatus.IDLE:
        dbapi_connection.rollback()  # psycopg refuses to switch inside a transaction
    dbapi_connection.autocommit = False


class Path(Enum):
    DIRECT = "direct"  # the request's own write-pool connection
    SESSION_LOCKED = "session_locked"  # locked, inside the session's transaction
    SHARED = "shared"  # one autocommit statement on the read pool, shared with the round
    SESSION = "session"  # unlocked, on the session's connection


class PlayerAccess:
    """One request's use of the store: reads, writes and the request's direct transaction."""

    __slots__ = ("_driver", "direct", "session", "store")

    def __init__(self, store: PlayerStore, session: AsyncSession) -> None:
        self.store = store
        self.session = session
        self.direct: DirectTransaction | None = None
        self._driver: tuple[Any, AsyncConnection[Any]] | None = None

    def _path(self, *, locked: bool, direct: bool) -> Path:
        """Which connection a read takes: each choice is the fewest round trips for its case."""
        session = self.session
        if self.direct is not None:
            return Path.DIRECT  # the request's transaction already runs there
        if locked and direct and self.store.writes is not None and _untouched(session):
            return Path.DIRECT  # a write that goes only through here: no session needed
        if locked:
            return Path.SESSION_LOCKED  # part of the session's transaction, BEGIN riding along
        if self.store.reads is not None and not session.in_transaction():
            return Path.SHARED  # no transaction to see into: any connection, one statement
        return Path.SESSION  # inside the session's transaction (or no read pool)

    async def read(self, user_id: int, *, locked: bool, direct: bool = False) -> PlayerRow | None:
        """The player, locked for the transaction when `locked`, or None if there is none.

        `direct` (with `locked`): the caller writes only through this store, so the request's
        transaction may run on a connection of its own; once begun, everything here runs on it.
        """
        path = self._path(locked=locked, direct=direct)
        if path is Path.DIRECT:
            row = await self._read_direct(user_id, locked=locked)
        elif path is Path.SESSION_LOCKED:
            row = await self._read_locked(user_id)
        elif path is Path.SHARED:
            assert self.store.reads is not None
            reads = self.store.shared_reads(self.store.reads)
            row = await reads.get(user_id, self.store.took)
        else:
            row = await self._read_in_session(user_id)
        return player_row(row) if row is not None else None

    async def _read_direct(self, user_id: int, *, locked: bool) -> tuple[Any, ...] | None:
        if self.direct is None:
            assert self.store.writes is not None
            conn = await self.store.writes.acquire(wait_s=POOL_WAIT_S)
            self.direct = DirectTransaction(self.store.writes, conn, self.store.prepared_on(conn))
        tx = self.direct
        lock, read_locked = q.prepared_read()
        if tx.open:
            sql = read_locked.execute_sql()
            if locked:
                sql = f"{lock.execute_sql()}; {sql}"
        else:
            sql = f"BEGIN; {lock.execute_sql()}; {read_locked.execute_sql()}"  # one round trip
        started = perf_counter()
        for first_try in (True, False):
            statements = tx.cursor()
            try:
                await tx.prepare((lock, read_locked))
                await statements.execute(sql, {"user_id": user_id})
                break
            except psycopg.OperationalError:
                if not (first_try and not tx.open and tx.conn.broken):
                    raise
                await tx.replace_broken(self.store.prepared_on)
        tx.open = True
        self.store.took(perf_counter() - started)
        while statements.nextset():
            pass
        return await statements.fetchone()

    async def _read_locked(self, user_id: int) -> tuple[Any, ...] | None:
        conn = await self.connection()
        # Two statements in one round trip (the simple query protocol, values bound here); the
        # read's row is in the last result.
        sql, literals = q.sql("lock_read")
        if (
            conn.info.transaction_status == TransactionStatus.IDLE
            and _plain_begin(conn)
            and self.store.owns_engine
        ):
            # Nothing begun: BEGIN goes in the same round trip. In autocommit psycopg adds no
            # BEGIN of its own; the engine's reset hook turns autocommit off again.
            await conn.set_autocommit(True)
            sql = f"BEGIN; {sql}"
        statements = psycopg.AsyncClientCursor(conn)
        started = perf_counter()
        await statements.execute(sql, {**literals, "user_id": user_id})
        self.store.took(perf_counter() - started)
        while statements.nextset():
            pass
        return await statements.fetchone()

    async def _read_in_session(self, user_id: int) -> tuple[Any, ...] | None:
        sql, literals = q.sql("read")
        params = {**literals, "user_id": user_id}
        conn = await self.connection()
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
        self.store.took(perf_counter() - started)
        return row

    async def recent_activities(self, user_id: int, since: date) -> list[tuple[date, str, int]]:
        """(day, type, energy used) of the player's activities from `since` on, in this
        request's transaction (the rollover's input)."""
        params = {"user_id": user_id, "since": since}
        started = perf_counter()
        if self.direct is not None:
            cur: Any = self.direct.cursor()
            await cur.execute(q.RECENT_ACTIVITIES, params)
        else:
            cur = await (await self.connection()).execute(q.RECENT_ACTIVITIES, params)
        rows = await cur.fetchall()
        self.store.took(perf_counter() - started)
        return rows  # type: ignore[no-any-return]

    async def write(
        self,
        user_id: int,
        values: dict[str, object],
        version: int,
        activity: dict[str, object] | None = None,
        milestones: list[dict[str, object]] | None = None,
        *,
        last: bool = False,
    ) -> int | None:
        """Store the state's column values and the new version (the row is locked by `read`),
        the activity row if given (its id is returned) and the milestones if any, in one
        statement. `last`: nothing else follows in this transaction; a direct one then commits
        in the same round trip and is over (on the session's, the request commits as ever)."""
        params = {"state": q.as_json({**values, "version": version}), "user_id": user_id}
        if activity is not None:
            params["activity"] = q.as_json(activity)
        if milestones:
            params["milestones"] = q.as_json(milestones)
        shape = (tuple(values), tuple(activity) if activity is not None else (), bool(milestones))
        tx = self.direct
        started = perf_counter()
        if tx is not None:
            statement = q.prepared_write(*shape)
            await tx.prepare((statement,))
            cur: Any = tx.cursor()
            sql = statement.execute_sql()
            await cur.execute(f"{sql}; COMMIT" if last else sql, params)
        else:
            conn = await self.connection()
            cur = await conn.execute(q.write_sql(*shape), params, prepare=True)
        self.store.took(perf_counter() - started)
        row = await cur.fetchone() if activity is not None else None
        if tx is not None and last:
            await self.end(commit=True, sent=True)
        if activity is None:
            return None
        assert row is not None
        return int(row[0])

    async def end(self, *, commit: bool, sent: bool = False) -> None:
        """End the request's direct transaction, if any (see `DirectTransaction.end`)."""
        tx, self.direct = self.direct, None
        if tx is not None:
            await tx.end(commit=commit, sent=sent)

    async def connection(self) -> AsyncConnection[Any]:
        """The psycopg connection under the session's transaction (begun if need be),
        remembered for the transaction: asking SQLAlchemy again costs more than the statement."""
        session = self.session
        transaction = session.sync_session.get_transaction()
        known = self._driver
        if known is not None and known[0] is transaction and transaction.is_active:
            return known[1]
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        conn = raw.driver_connection
        assert conn is not None
        self._driver = (session.sync_session.get_transaction(), conn)
        return conn  # type: ignore[no-any-return]


def _untouched(session: AsyncSession) -> bool:
    """The session has begun nothing and holds no change: the request may leave it aside."""
    return not (session.in_transaction() or session.new or session.dirty or session.deleted)


def _plain_begin(conn: AsyncConnection[Any]) -> bool:
    """Whether psycopg would begin a transaction with a bare BEGIN (no options set)."""
    return not conn.autocommit and conn.isolation_level is None and conn.read_only is None
