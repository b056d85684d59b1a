"""The engine of an app instance and the request's transaction.

`Database` holds the engine, its session factory and the player store; `RequestTransaction`
gives each request a `Scope` and commits it before the answer is sent, or rolls it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lifeworld.cache import Cache
from lifeworld.db.scope import Scope
from lifeworld.db.urls import sqlalchemy_url
from lifeworld.players.store import PlayerStore

SPARE_SESSIONS = 64


@dataclass
class Database:
    """The engine and session factory of one app instance, and its player store."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Without pools of its own (tests whose requests share one rolled-back connection), the
    # store runs everything on the request's session.
    players: PlayerStore = field(default_factory=PlayerStore)
    _spare: list[AsyncSession] = field(default_factory=list)

    def session(self) -> AsyncSession:
        """A session for one request: one a request before left untouched, or a new one."""
        return self._spare.pop() if self._spare else self.sessionmaker()

    async def release(self, session: AsyncSession) -> None:
        """Done with a request's session (its transaction has ended). One never touched (a
        request served from caches) waits for the next request: making and closing one costs
        a noticeable share of such a request."""
        if session.in_transaction() or session.identity_map or session.new or session.deleted:
            await session.close()
        elif len(self._spare) < SPARE_SESSIONS:
            self._spare.append(session)

    async def dispose(self) -> None:
        await self.players.close()
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
    """An async engine on psycopg 3 with a bounded pool and fail-fast connects, and the player
    store with its own pools (`read_pool_size`, `write_pool_size`)."""
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
    players = PlayerStore.open(
        url,
        engine,
        read_pool_size=read_pool_size,
        write_pool_size=write_pool_size,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_ms=statement_timeout_ms,
        application_name=application_name,
    )
    factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    return Database(engine=engine, sessionmaker=factory, players=players)


def new_scope(db: Database, session: AsyncSession, cache: Cache | None) -> Scope:
    """A scope for work on `session` (a request's, or a command's own)."""
    return Scope(session, players=db.players.access(session), cache=cache)


class TransactionHook(Protocol):
    """Something that takes part in a request's transaction (the `Idempotency-Key` handling)."""

    async def begin(self, request: Request, scope: Scope) -> None:
        """Act first in the transaction (may raise to answer without running the handler)."""

    def adopt(self, scope: Scope) -> bool:
        """Take over the uncommitted transaction when the handler returned; True if taken."""


TRANSACTION_HOOK = "lifeworld.transaction_hook"  # key in the ASGI scope's "state"


class RequestTransaction:
    """The request's scope: commits when the block ends, rolls back when it raises.

    The commit happens before the response is sent: a client that gets a success answer knows
    its write is durable. A `TransactionHook` placed in the request's state by a middleware may
    instead adopt the transaction and commit it itself, together with the answer. (A class, not
    a generator: every request enters one.)
    """

    __slots__ = ("_db", "_hook", "_request", "_scope")

    def __init__(self, request: Request) -> None:
        self._request = request

    async def __aenter__(self) -> Scope:
        request = self._request
        app_state = request.app.state
        db: Database = app_state.db
        hook: TransactionHook | None = request.scope.get("state", {}).get(TRANSACTION_HOOK)
        scope = new_scope(db, db.session(), app_state.cache)
        self._db, self._hook, self._scope = db, hook, scope
        if hook is not None:
            try:
                await hook.begin(request, scope)
            except BaseException:
                await db.release(scope.session)
                raise
        return scope

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        scope, hook = self._scope, self._hook
        adopted = False
        try:
            if exc_type is not None:
                await scope.rollback()
                return  # the block's exception goes on
            if hook is not None and hook.adopt(scope):
                adopted = True
                return
            await scope.commit()
        finally:
            if not adopted:
                await self._db.release(scope.session)


def request_transaction(request: Request) -> RequestTransaction:
    """`async with request_transaction(request) as scope:` (see `RequestTransaction`)."""
    return RequestTransaction(request)


async def request_scope(request: Request) -> AsyncIterator[Scope]:
    """`request_transaction` as a dependency (`scope="function"`: it ends before the answer)."""
    async with request_transaction(request) as scope:
        yield scope


ScopeDep = Annotated[Scope, Depends(request_scope, scope="function")]
