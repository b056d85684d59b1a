"""Argon2 off the event loop, a few at a time (issue 20, finding 4), with real Argon2."""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress

import pytest
from argon2 import PasswordHasher, Type

from lifeworld.accounts.passwords import MEMORY_BUDGET_KIB, Busy, Passwords, cores

# Heavier than the test suite's parameters: a check takes long enough to be caught working.
SLOW = PasswordHasher(time_cost=2, memory_cost=32768, type=Type.ID)
LIGHT = PasswordHasher(time_cost=1, memory_cost=8192, type=Type.ID)
RIGHT = "correct horse battery"


async def _ticks_while(work: asyncio.Future[object] | asyncio.Task[object]) -> int:
    """How many times the event loop ran another coroutine while `work` was not done."""
    ticks = 0
    while not work.done():
        ticks += 1
        await asyncio.sleep(0)
    return ticks


async def test_the_loop_runs_other_coroutines_while_a_password_is_checked() -> None:
    passwords = Passwords(SLOW, slots=1)
    stored = SLOW.hash(RIGHT)
    for check in (
        passwords.verify(stored, RIGHT),
        passwords.verify(stored, "wrong password"),
        passwords.hash(RIGHT),
    ):
        work: asyncio.Task[object] = asyncio.ensure_future(check)
        # Inline, a check would run to its end in one step of the loop: 0 ticks meanwhile.
        assert await _ticks_while(work) >= 10
    async with passwords.turn() as turn:
        unknown = asyncio.ensure_future(turn.verify_unknown(RIGHT))
        assert await _ticks_while(unknown) >= 10  # an unknown account costs a real check
    assert passwords.taken == 0


async def test_the_answers_are_argon2s() -> None:
    passwords = Passwords(LIGHT)
    stored = await passwords.hash(RIGHT)
    assert stored.startswith("$argon2id$")
    assert await passwords.verify(stored, RIGHT) is True
    assert await passwords.verify(stored, "wrong password") is False
    assert await passwords.verify("not a hash", RIGHT) is False


async def test_checks_run_at_most_slots_at_once() -> None:
    passwords = Passwords(LIGHT, slots=2, waiting=6)
    lock = threading.Lock()
    active, most, threads = 0, 0, set()

    def work() -> None:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
            threads.add(threading.get_ident())
        LIGHT.hash(RIGHT)  # real work, so that the callers overlap
        with lock:
            active -= 1

    async def caller() -> None:
        async with passwords.turn() as turn:
            await turn._run(work)

    await asyncio.gather(*(caller() for _ in range(8)))
    assert most <= 2
    assert len(threads) <= 2
    assert passwords.taken == 0
    passwords.close()


async def test_callers_beyond_the_queue_are_refused_at_once() -> None:
    passwords = Passwords(LIGHT, slots=1, waiting=1)
    async with passwords.turn(), passwords.turn():
        with pytest.raises(Busy) as refused:
            async with passwords.turn():
                pass
        assert refused.value.status_code == 429
        assert refused.value.code == "throttled"
        assert refused.value.headers == {"Retry-After": "1"}
    async with passwords.turn():
        assert passwords.taken == 1
    assert passwords.taken == 0


async def test_a_cancelled_caller_keeps_its_place_until_its_thread_is_done() -> None:
    passwords = Passwords(LIGHT, slots=1, waiting=0)
    gate = threading.Event()
    started = threading.Event()

    def held() -> None:
        started.set()
        gate.wait(timeout=30)

    async def caller() -> None:
        async with passwords.turn() as turn:
            await turn._run(held)

    task = asyncio.ensure_future(caller())
    assert await asyncio.to_thread(started.wait, 30)
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    # The thread still works for the cancelled caller: nobody else may start one yet.
    with pytest.raises(Busy):
        async with passwords.turn():
            pass
    gate.set()
    # The one worker thread runs the next piece of work once the held one is over.
    await asyncio.wrap_future(passwords._executor().submit(int))
    assert passwords.taken == 0
    async with passwords.turn():
        pass
    passwords.close()


async def test_a_caller_cancelled_while_queued_leaves_at_once() -> None:
    passwords = Passwords(LIGHT, slots=1, waiting=1)
    gate = threading.Event()

    async def first() -> None:
        async with passwords.turn() as turn:
            await turn._run(gate.wait, 30)

    running = asyncio.ensure_future(first())
    await asyncio.sleep(0)
    queued = asyncio.ensure_future(passwords.verify(LIGHT.hash(RIGHT), RIGHT))
    await asyncio.sleep(0)
    assert passwords.taken == 2
    queued.cancel()
    with suppress(asyncio.CancelledError):
        await queued
    assert passwords.taken == 1  # its work never started: its place is free now
    gate.set()
    await running
    assert passwords.taken == 0
    passwords.close()


def test_checks_at_once_fit_the_cores_and_the_memory_budget() -> None:
    production = Passwords(PasswordHasher(type=Type.ID))  # 64 MiB a check
    assert production.slots == min(cores(), MEMORY_BUDGET_KIB // 65536)
    assert production.waiting == 8 * production.slots
    huge = Passwords(PasswordHasher(memory_cost=4 * MEMORY_BUDGET_KIB, type=Type.ID))
    assert huge.slots == 1  # never none
    assert Passwords(LIGHT).slots == min(cores(), MEMORY_BUDGET_KIB // 8192)
