"""Argon2 off the event loop: passwords are hashed and checked in worker threads, a few at once.

Argon2 is slow on purpose. Run inline in an async handler it stopped every other request while
it worked (a flood of wrong passwords held the no-op for seconds: docs/PERFORMANCE.md). Here a
check runs in one of `slots` worker threads (one per core, as many as `MEMORY_BUDGET_KIB` holds:
each check fills the hasher's `memory_cost`), which run at a lower CPU priority than the event
loop, so the loop keeps answering while passwords are checked; at most `waiting` more callers
queue for a thread, and any beyond are refused at once with `Busy` (429 with Retry-After, as a
throttled sign-in is) instead of queueing without bound behind an attack. 429 rather than 503:
nothing is down, and the sign-in answers already promise 429 with Retry-After to their clients.

A caller takes a `Turn` first (`async with passwords.turn() as turn:`), then does its work in
it; the turn is taken before anything is written, so a refused caller leaves no trace.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lifeworld.errors import Throttled

T = TypeVar("T")

WAITING_PER_SLOT = 8  # a queue a few checks deep: longer waits help nobody during a flood
# Argon2's memory for checks at once: a flood must not grow the process past a container's
# memory limit (the Kubernetes manifests set one), however many cores the host has.
MEMORY_BUDGET_KIB = 128 * 1024
WORKER_NICENESS = 10  # against the loop's 0, the scheduler gives the loop ~9 parts in 10


class Busy(Throttled):
    """Every thread is checking a password and the queue is full."""

    def __init__(self) -> None:
        super().__init__(
            "Too many sign-ins are being checked right now. Try again in a moment.",
            retry_after_s=1,
        )


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _lower_priority() -> None:
    """Worker threads (and the threads Argon2 starts from them) yield the CPU to the loop."""
    if sys.platform.startswith("linux"):  # a thread's own niceness: Linux only
        with suppress(OSError):  # not allowed: run at the normal priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Passwords:
    """Hashes and checks passwords with `hasher`, `slots` at a time, off the event loop."""

    def __init__(
        self, hasher: PasswordHasher, *, slots: int | None = None, waiting: int | None = None
    ) -> None:
        self.hasher = hasher
        self.slots = slots or max(1, min(cores(), MEMORY_BUDGET_KIB // hasher.memory_cost))
        self.waiting = WAITING_PER_SLOT * self.slots if waiting is None else waiting
        self._taken = 0  # turns given and not yet over (their thread work included)
        self._lock = threading.Lock()  # turns end in worker threads too
        self._pool: ThreadPoolExecutor | None = None
        self._dummy: str | None = None

    @property
    def taken(self) -> int:
        """Turns in use or waiting for a thread."""
        return self._taken

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """A place in the queue for Argon2 work, or `Busy` when there is none left."""
        with self._lock:
            if self._taken >= self.slots + self.waiting:
                raise Busy()
            self._taken += 1
        turn = Turn(self)
        try:
            yield turn
        finally:
            turn.end()

    async def hash(self, password: str) -> str:
        """A new hash of `password` (in a turn of its own)."""
        async with self.turn() as turn:
            return await turn.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches (in a turn of its own)."""
        async with self.turn() as turn:
            return await turn.verify(password_hash, password)

    def _release(self) -> None:
        with self._lock:
            self._taken -= 1

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.slots, thread_name_prefix="argon2", initializer=_lower_priority
            )
        return self._pool

    def _dummy_hash(self) -> str:
        """A hash of a random password with the same parameters (made in a worker thread)."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def close(self) -> None:
        """Stop the worker threads once their work is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


class Turn:
    """One caller's place: its Argon2 work runs in a worker thread, one piece at a time."""

    __slots__ = ("_ended", "_owner", "_running")

    def __init__(self, owner: Passwords) -> None:
        self._owner = owner
        self._running: Future[Any] | None = None
        self._ended = False

    async def hash(self, password: str) -> str:
        return await self._run(self._owner.hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(_verify, self._owner.hasher, password_hash, password)

    async def verify_unknown(self, password: str) -> None:
        """The work of a real check, for an account that does not exist: the same time."""
        owner = self._owner

        def check() -> bool:
            return _verify(owner.hasher, owner._dummy_hash(), password)

        await self._run(check)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        if self._ended or self._running is not None:
            raise RuntimeError("a turn does one piece of work at a time, within its block")
        future = self._owner._executor().submit(work, *args)
        self._running = future
        try:
            return await asyncio.wrap_future(future)
        finally:
            if future.done():
                self._running = None

    def end(self) -> None:
        """The turn is over: now, or when the thread is done with work a cancelled caller
        left running (the slot stays taken until then)."""
        self._ended = True
        running, self._running = self._running, None
        if running is None or running.done():
            self._owner._release()
        else:
            running.add_done_callback(lambda _: self._owner._release())
