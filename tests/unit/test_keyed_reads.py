"""`KeyedReads` (db/batch.py): reads by key that start in one round of the event loop share
one fetch, each gets its own row, and none is left waiting when the fetch fails."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from lifeworld.db.batch import KeyedReads


class Rows:
    """A fetch over a dict, recording the keys of each call."""

    def __init__(self, rows: dict[int, str], *, fail: Exception | None = None) -> None:
        self.rows, self.fail, self.calls = rows, fail, []  # type: list[list[int]]
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()  # set by each call (clear it to wait for the next)

    async def __call__(self, keys: list[int]) -> dict[int, str]:
        self.calls.append(sorted(keys))
        self.started.set()
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return {k: self.rows[k] for k in keys if k in self.rows}


async def _fetching_two() -> tuple[Rows, asyncio.Future[str | None], asyncio.Future[str | None]]:
    """Reads of 1 (the one that fetches) and 2 (joined), their fetch started and held."""
    fetch = Rows({1: "one", 2: "two"})
    fetch.release.clear()
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    leader = asyncio.ensure_future(reads.get(1))
    joined = asyncio.ensure_future(reads.get(2))
    await fetch.started.wait()
    assert fetch.calls == [[1, 2]]
    return fetch, leader, joined


async def test_reads_started_together_share_one_fetch() -> None:
    fetch = Rows({1: "one", 2: "two", 3: "three"})
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    timed: list[float] = []
    got = await asyncio.gather(
        reads.get(1, timed.append), reads.get(2), reads.get(9), reads.get(2), reads.get(3)
    )
    assert got == ["one", "two", None, "two", "three"]
    assert fetch.calls == [[1, 2, 3, 9]]  # one statement, each key once
    assert len(timed) == 1 and timed[0] >= 0  # the statement timed once, by the read that sent it


async def test_a_read_alone_fetches_its_key_at_once() -> None:
    fetch = Rows({1: "one", 2: "two"})
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    assert await reads.get(1) == "one"
    assert await reads.get(2) == "two"
    assert fetch.calls == [[1], [2]]


async def test_a_read_starting_while_a_fetch_runs_sends_its_own() -> None:
    fetch = Rows({1: "one", 2: "two"})
    fetch.release.clear()
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    first = asyncio.ensure_future(reads.get(1))
    await fetch.started.wait()
    fetch.started.clear()
    second = asyncio.ensure_future(reads.get(2))
    await fetch.started.wait()
    fetch.release.set()
    assert await asyncio.gather(first, second) == ["one", "two"]
    assert fetch.calls == [[1], [2]]


async def test_a_failed_fetch_fails_every_read_of_its_round() -> None:
    fetch = Rows({}, fail=psycopg.OperationalError("server closed the connection"))
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    got = await asyncio.gather(reads.get(1), reads.get(2), return_exceptions=True)
    assert [type(g) for g in got] == [psycopg.OperationalError] * 2
    fetch.fail = None
    fetch.rows = {3: "three"}
    assert await reads.get(3) == "three"  # the next round is fine


async def test_when_the_read_that_fetches_is_cancelled_the_others_fail_instead_of_waiting() -> None:
    _, leader, follower = await _fetching_two()
    leader.cancel()
    with pytest.raises(psycopg.OperationalError, match="cancelled"):
        await asyncio.wait_for(follower, 5)
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_cancelled_read_that_joined_does_not_disturb_the_others() -> None:
    fetch, leader, joined = await _fetching_two()
    joined.cancel()
    fetch.release.set()
    assert await leader == "one"
    assert joined.cancelled()


async def test_when_the_read_that_gathers_is_cancelled_before_it_fetches_the_others_fail() -> None:
    fetch = Rows({1: "one", 2: "two"})
    reads: KeyedReads[int, str] = KeyedReads(fetch)
    leader = asyncio.ensure_future(reads.get(1))
    follower = asyncio.ensure_future(reads.get(2))
    await asyncio.sleep(0)  # the leader gathers (and yields), the follower joins its round
    leader.cancel()  # while the leader still waits for its round to end
    with pytest.raises(psycopg.OperationalError, match="cancelled"):
        await asyncio.wait_for(follower, 5)
    assert fetch.calls == []  # nothing was sent
    assert await reads.get(2) == "two"  # and the next read starts a round of its own
