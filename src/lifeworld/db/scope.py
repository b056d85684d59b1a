"""`Scope`: one request's unit of work, handed to every service as its first argument.

It holds the session whose transaction the request owns, the cache, the request's access to the
player store, and what must happen once the transaction has committed (dropping cached copies
of what changed, in every instance) or rolled back (bookkeeping that outlives a refusal). The
request commits or rolls back through it (`db/session.py`); a CLI command makes its own.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.cache import Cache
from lifeworld.errors import NotFound
from lifeworld.players.store import PlayerAccess

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]

Row = TypeVar("Row")  # a mapped class with `id` and `user_id` columns


class Scope:
    __slots__ = ("_after_commit", "_after_rollback", "_once", "cache", "players", "session")

    def __init__(
        self, session: AsyncSession, *, players: PlayerAccess, cache: Cache | None
    ) -> None:
        self.session = session
        self.players = players
        self.cache = cache
        self._after_commit: list[Action] = []
        self._after_rollback: list[Action] = []
        self._once: set[Hashable] = set()

    def after_commit(self, action: Action, *, once: Hashable | None = None) -> None:
        """Run `action` once the transaction has committed (before the answer is sent): side
        effects that must happen only for durable writes. Actions given the same `once` key
        run once, however often they are asked for."""
        if once is not None:
            if once in self._once:
                return
            self._once.add(once)
        self._after_commit.append(action)

    def after_rollback(self, action: Action) -> None:
        """Run `action` if the transaction rolls back; it may write and commit anew (e.g. a
        session's last-seen time, kept even when the request is refused)."""
        self._after_rollback.append(action)

    async def commit(self) -> None:
        """Commit the request's work, then run the after-commit actions."""
        await self.commit_work()
        await self.committed()

    async def commit_work(self) -> None:
        """Commit the request's work: its direct transaction, if any, and the session's."""
        if self.players.direct is not None and self.session.in_transaction():
            # The request's work is one transaction: two would commit apart (a programming
            # error: fail before either commits).
            await self.rollback()
            raise RuntimeError("the session began a transaction beside the request's direct one")
        await self.players.end(commit=True)
        if self.session.in_transaction():  # a request served from caches never began one
            await self.session.commit()

    async def committed(self) -> None:
        """The transaction has committed (by `commit`, or by whoever adopted it)."""
        actions, self._after_commit = self._after_commit, []
        self._after_rollback.clear()
        self._once.clear()
        for action in actions:
            await action()

    async def rollback(self) -> None:
        """Roll everything back, then run the after-rollback actions (their errors are logged:
        the request's own error is the one to report)."""
        self._after_commit.clear()
        self._once.clear()
        await self.players.end(commit=False)
        await self.session.rollback()
        actions, self._after_rollback = self._after_rollback, []
        for action in actions:
            try:
                await action()
            except Exception:
                log.warning("bookkeeping after a rolled-back request failed", exc_info=True)

    async def owned(self, model: type[Row], row_id: int, *, user_id: int, missing: str) -> Row:
        """The row of `model` with this id if it belongs to the player, else 404 (`missing`):
        every query by id of a player's things goes through here, so another player's row is
        exactly as absent as one that never was."""
        table: Any = model
        row: Row | None = await self.session.scalar(
            select(model).where(table.id == row_id, table.user_id == user_id)
        )
        if row is None:
            raise NotFound(missing)
        return row

    async def commit_reads(self) -> None:
        """Commit what the session has done so far (a sign-in read from the database) and keep
        going without a transaction; the after-commit actions still wait for the end."""
        await self.session.commit()
        self._after_rollback.clear()  # what they would have written is committed
