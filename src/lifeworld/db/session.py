"""Engines and sessions: one async engine per process, one transaction per request."""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from lifeworld.db.pgpool import PgPool
from lifeworld.db.urls import sqlalchemy_url

log = logging.getLogger(__name__)

StatementTimer = Callable[[float], None]


SPARE_SESSIONS = 64


@dataclass
class Database:
    """The engine and the session factory of one app instance, its pool for reads that are
    one statement outside a transaction (`reads`), and its pool for a player's transaction
    run without the session (`writes`, see `begin_direct`). None: they use the session's
    connection, as in tests whose requests share one rolled-back transaction."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    reads: PgPool | None = None
    writes: PgPool | None = None
    _spare: list[AsyncSession] = field(default_factory=list)

    def session(self) -> AsyncSession:
        """A session for one request: one a request before left untouched, or a new one."""
        return self._spare.pop() if self._spare else self.sessionmaker()

    async def release(self, session: AsyncSession) -> None:
        """Done with a request's session (its transaction has ended).

        A request served from caches never touched its session: it is as new, so it waits for
        the next request instead of being closed (making one and closing it cost ~25 µs of a
        ~190 µs cached read under load; py-spy, bench/). Any other session is closed.
        """
        if session.in_transaction() or session.identity_map or session.new or session.deleted:
            await session.close()
        elif len(self._spare) < SPARE_SESSIONS:
            session.info.clear()
            self._spare.append(session)

    async def dispose(self) -> None:
        for pool in (self.reads, self.writes):
            if pool is not None:
                await pool.close()
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


def create_database(
    url: str,
    *,
    pool_size: int,
    max_overflow: int,
    read_pool_size: int = 4,
    write_pool_size: int = 8,
    connect_timeout_s: float = 2.0,
    statement_timeout_ms: int = 15_000,
    application_name: str = "lifeworld",
) -> Database:
    """An async engine on psycopg 3 with a bounded pool and fail-fast connects, a pool of
    `read_pool_size` autocommit connections for the reads of one statement outside a
    transaction (see `read_pool`), and one of `write_pool_size` for players' transactions
    run without the session (see `begin_direct`)."""
    options = f"-c statement_timeout={statement_timeout_ms}" if statement_timeout_ms else ""
    engine = create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=10,  # waiting for a busy pool is not an outage: connects still fail fast
        pool_recycle=1800,
        connect_args={
            "connect_timeout": max(1, round(connect_timeout_s)),
            "application_name": application_name,
            "options": options,
        },
    )
    event.listen(engine.sync_engine, "reset", _autocommit_off)
    reads = PgPool(
        url,
        size=read_pool_size,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_ms=statement_timeout_ms,
        application_name=f"{application_name}-reads",
        generic_plans=True,  # its statements read players by key (players/store.py)
    )
    writes = PgPool(
        url,
        size=write_pool_size,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_ms=statement_timeout_ms,
        application_name=f"{application_name}-writes",
        # Its statements are PREPAREd in SQL (players/store.py); psycopg's own prepared ones
        # would make it send DEALLOCATE ALL after every ROLLBACK, dropping those too.
        prepare_threshold=None,
    )
    for pool in (reads, writes):
        pool.keep_connections()  # like the engine's pool, until `dispose`
    _OWN_ENGINES[engine.sync_engine] = _Pools(reads, writes)
    factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    return Database(engine=engine, sessionmaker=factory, reads=reads, writes=writes)


@dataclass(frozen=True)
class _Pools:
    reads: PgPool
    writes: PgPool


# Engines made by `create_database` (with the reset hook below), and their own pools.
_OWN_ENGINES: weakref.WeakKeyDictionary[Engine, _Pools] = weakref.WeakKeyDictionary()


def _sync_engine(session: AsyncSession) -> Engine | None:
    bind = session.bind
    return bind.sync_engine if isinstance(bind, AsyncEngine) else None


def may_switch_autocommit(session: AsyncSession) -> bool:
    """Whether the session's connections go back to their pool out of autocommit whatever a
    request did with them (engines made by `create_database`)."""
    engine = _sync_engine(session)
    return engine is not None and engine in _OWN_ENGINES


def read_pool(session: AsyncSession) -> PgPool | None:
    """Where a read of one statement may run instead of on the session's connection: the
    engine's read pool while the session has no transaction (a statement outside one sees
    what is committed, on any connection), else None."""
    if session.in_transaction() or _DIRECT in session.info:
        return None
    engine = _sync_engine(session)
    pools = _OWN_ENGINES.get(engine) if engine is not None else None
    return pools.reads if pools is not None else None


# --- a transaction without the session ----------------------------------------------------

_DIRECT = "lifeworld.direct"  # key in session.info: the request's DirectTransaction
POOL_WAIT_S = 10.0  # as the engine's pool_timeout


@dataclass
class DirectTransaction:
    """A request's transaction on a connection of the engine's write pool, not the session's.

    For a player's busiest write (logging an activity), whose statements players/store.py
    sends with psycopg itself: SQLAlchemy's checkout, begin, commit and return of a connection
    cost more CPU than those statements (bench/). The connection is autocommit: the statements
    carry their own BEGIN and COMMIT, so the first and the last go in the round trips of the
    read and the write. The request ends it (`end_direct`) if the write did not.
    """

    pool: PgPool
    conn: Any  # psycopg AsyncConnection in autocommit mode
    open: bool = False  # BEGIN sent, no COMMIT or ROLLBACK yet

    @property
    def prepared(self) -> set[str]:
        """The names of the statements PREPAREd on the connection (it keeps them for life)."""
        return _PREPARED.setdefault(self.conn, set())

    async def replace_broken(self) -> None:
        """Before anything was sent: the kept connection had broken (the server restarted,
        say), so this and every other kept one make way for a new one."""
        assert not self.open
        await self.pool.release(self.conn, healthy=False)
        await self.pool.drop_idle()
        self.conn = await self.pool.acquire(wait_s=POOL_WAIT_S)


async def begin_direct(session: AsyncSession) -> DirectTransaction | None:
    """A connection for the request's transaction from the write pool, or None when the
    session must carry it: it has begun one already (an `Idempotency-Key`, a sign-in read from
    the database), holds unflushed objects, or its engine has no write pool (tests that share
    one rolled-back connection). Once begun, the session may not begin one of its own."""
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        return None
    engine = _sync_engine(session)
    pools = _OWN_ENGINES.get(engine) if engine is not None else None
    if pools is None:
        return None
    known: DirectTransaction | None = session.info.get(_DIRECT)
    if known is not None:
        return known
    conn = await pools.writes.acquire(wait_s=POOL_WAIT_S)
    direct = DirectTransaction(pools.writes, conn)
    session.info[_DIRECT] = direct
    return direct


def direct_transaction(session: AsyncSession) -> DirectTransaction | None:
    """The request's DirectTransaction, if it has one."""
    return session.info.get(_DIRECT)


async def end_direct(session: AsyncSession, *, commit: bool, sent: bool = False) -> None:
    """End the request's DirectTransaction, if any: COMMIT (or ROLLBACK) unless `sent` says
    the last statement carried it, and give the connection back (closed if it broke)."""
    direct: DirectTransaction | None = session.info.pop(_DIRECT, None)
    if direct is None:
        return
    conn, healthy = direct.conn, False
    try:
        if not sent and conn.info.transaction_status != TransactionStatus.IDLE:
            await conn.execute("COMMIT" if commit else "ROLLBACK")
        healthy = conn.info.transaction_status == TransactionStatus.IDLE
    except Exception:
        if commit:
            raise
        log.warning("rolling back a direct transaction failed", exc_info=True)
    finally:
        await direct.pool.release(conn, healthy=healthy)


# Names of the statements PREPAREd on each connection of a write pool (players/store.py).
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


@event.listens_for(Session, "after_begin")
def _one_transaction(session: Session, transaction: Any, connection: Any) -> None:
    # A request's work is one transaction: the session beginning a second one beside a direct
    # transaction would commit apart from it (a programming error: fail before anything does).
    if _DIRECT in session.info:
        raise RuntimeError("the session began a transaction beside the request's direct one")


# Who times the statements the app sends with psycopg itself (players/store.py), which
# SQLAlchemy's cursor events never see: engine → callbacks taking a statement's seconds.
_STATEMENT_TIMERS: weakref.WeakKeyDictionary[Engine, list[StatementTimer]] = (
    weakref.WeakKeyDictionary()
)


def time_own_statements(engine: AsyncEngine, timer: StatementTimer) -> Callable[[], None]:
    """Call `timer` with the seconds of each statement the app sends on `engine`'s connections
    (or its read pool's) without SQLAlchemy; returns what undoes it."""
    timers = _STATEMENT_TIMERS.setdefault(engine.sync_engine, [])
    timers.append(timer)
    return lambda: timers.remove(timer)


def own_statement_took(session: AsyncSession, seconds: float) -> None:
    """A statement sent with psycopg for `session` (or its engine's read pool) took `seconds`."""
    bind = session.bind
    timers = _STATEMENT_TIMERS.get(bind.sync_engine) if bind is not None else None
    for timer in timers or ():
        timer(seconds)


def _autocommit_off(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    """Every connection goes back to the pool out of autocommit.

    A request may switch it on to send its own BEGIN with its first statement (one round trip
    less: players/store.py); its transaction still ends by COMMIT or ROLLBACK as usual.
    """
    if reset_state.terminate_only or not dbapi_connection.autocommit:
        return
    if dbapi_connection.info.transaction_status != TransactionStatus.IDLE:
        dbapi_connection.rollback()  # psycopg refuses to switch inside a transaction
    dbapi_connection.autocommit = False


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the request's transaction has committed (before the response is sent).

    Used for side effects that must only happen for durable writes, such as dropping cached
    copies of a player's state in this and other instances.
    """
    session.info.setdefault("after_commit", []).append(callback)


def after_rollback(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` if the request's transaction rolls back; it may write and commit anew.

    For bookkeeping that must outlive a refused request (a session's last-seen time).
    """
    session.info.setdefault("after_rollback", []).append(callback)


async def _run_after_rollback(session: AsyncSession) -> None:
    for callback in session.info.pop("after_rollback", []):
        try:
            await callback()
        except Exception:  # the request's own error is the one to report
            log.warning("bookkeeping after a rolled-back request failed", exc_info=True)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        await callback()


class TransactionHook(Protocol):
    """Something that takes part in a request's transaction (the `Idempotency-Key` handling)."""

    async def begin(self, request: Request, session: AsyncSession) -> None:
        """Act first in the transaction (may raise to answer without running the handler)."""

    def adopt(self, session: AsyncSession) -> bool:
        """Take over the uncommitted transaction when the handler returned; True if taken."""


TRANSACTION_HOOK = "lifeworld.transaction_hook"  # key in the ASGI scope's "state"


class RequestTransaction:
    """The request's session: commits when the block ends, rolls back when it raises.

    The commit happens before the response is sent: a client that gets a success answer knows
    its write is durable. A `TransactionHook` placed in the request's state by a middleware may
    instead adopt the transaction and commit it itself, together with the answer, before
    sending that answer.

    A class rather than a generator-based context manager: every request enters one, and the
    generator machinery cost ~4 µs of a ~170 µs cached read (bench/).
    """

    __slots__ = ("_db", "_hook", "_request", "_session")

    def __init__(self, request: Request) -> None:
        self._request = request

    async def __aenter__(self) -> AsyncSession:
        request = self._request
        app_state = request.app.state
        db: Database = app_state.db
        hook: TransactionHook | None = request.scope.get("state", {}).get(TRANSACTION_HOOK)
        session = db.session()
        # Services reach the cache through the session: writes drop cached copies after commit.
        session.info["cache"] = getattr(app_state, "cache", None)
        self._db, self._hook, self._session = db, hook, session
        if hook is not None:
            try:
                await hook.begin(request, session)
            except BaseException:
                await db.release(session)
                raise
        return session

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        session, hook = self._session, self._hook
        adopted = False
        try:
            if exc_type is not None:
                session.info.pop("after_commit", None)
                await end_direct(session, commit=False)
                await session.rollback()
                await _run_after_rollback(session)
                return  # the block's exception goes on
            if hook is not None and hook.adopt(session):
                adopted = True
                return
            await end_direct(session, commit=True)
            if session.in_transaction():  # a request served from caches never began one
                await session.commit()
            await run_after_commit(session)
        finally:
            if not adopted:
                await self._db.release(session)


def request_transaction(request: Request) -> RequestTransaction:
    """`async with request_transaction(request) as session:` (see `RequestTransaction`)."""
    return RequestTransaction(request)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """`request_transaction` as a dependency (`scope="function"`: it ends before the answer)."""
    async with request_transaction(request) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]
