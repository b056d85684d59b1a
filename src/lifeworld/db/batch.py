"""Reads by key that arrive together go to the database as one statement.

Under load many requests are in flight in one process, and the event loop starts several of
them in one round of its ready callbacks. When each reads one row by key (a player's state
missing its cache), each paid a round trip of its own, and a round trip costs more CPU in the
driver and the kernel than reading the row. `KeyedReads` lets the first of them wait for the
rest of that round, then reads the keys of all of them in one statement and hands each its row.
Alone, a read waits for nothing but that one round (no timer), so an idle server answers as
soon as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from time import perf_counter
from typing import Generic, TypeVar

import psycopg

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

Fetch = Callable[[list[K]], Awaitable[dict[K, R]]]
Timer = Callable[[float], None]


class KeyedReads(Generic[K, R]):
    """`await reads.get(key)`: the row of `key` (None if there is none), read together with
    the other keys asked for in the same round of the event loop by `fetch(keys)`, which
    returns the rows it found by key. For statements that change nothing and see one snapshot:
    which round a read joins never changes what it sees of what was committed before it."""

    def __init__(self, fetch: Fetch[K, R]) -> None:
        self._fetch = fetch
        self._round: dict[K, list[asyncio.Future[R | None]]] | None = None

    async def get(self, key: K, timer: Timer | None = None) -> R | None:
        """The row of `key`; `timer` gets the statement's seconds if this read sends it."""
        joining = self._round
        if joining is not None:
            future: asyncio.Future[R | None] = asyncio.get_running_loop().create_future()
            joining.setdefault(key, []).append(future)
            return await future
        gathered: dict[K, list[asyncio.Future[R | None]]] = {key: []}
        self._round = gathered
        try:
            try:
                await asyncio.sleep(0)  # the rest of this round of the loop joins meanwhile
            finally:
                self._round = None
            started = perf_counter()
            rows = await self._fetch(list(gathered))
        except Exception as exc:
            _fail(gathered, exc)
            raise
        except BaseException:  # this read was cancelled: the others must not wait forever
            _fail(gathered, psycopg.OperationalError("a shared read was cancelled"))
            raise
        if timer is not None:
            timer(perf_counter() - started)
        for other, futures in gathered.items():
            row = rows.get(other)
            for waiting in futures:
                if not waiting.done():
                    waiting.set_result(row)
        return rows.get(key)


def _fail(gathered: dict[K, list[asyncio.Future[R | None]]], exc: Exception) -> None:
    for futures in gathered.values():
        for waiting in futures:
            if not waiting.done():
                waiting.set_exception(exc)
