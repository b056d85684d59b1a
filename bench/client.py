"""A small HTTP/1.1 keep-alive client for latency runs (far cheaper per request than httpx).

It speaks just what the app answers: a status line, headers, a Content-Length body (or a
chunked one). Latency is timed around one request on an open connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


class HttpError(RuntimeError):
    """The server answered something the run did not expect."""


@dataclass
class Answer:
    status: int
    body: bytes
    ms: float


class Connection:
    """One keep-alive connection to the app on 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Answer:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self._reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        started = time.perf_counter()
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, content = await _read_answer(self._reader)
        return Answer(status, content, (time.perf_counter() - started) * 1000)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
            self._writer = None


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        parts: list[bytes] = []
        while True:
            size = int((await reader.readline()).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(parts)
            parts.append(chunk[:-2])
    return status, b""


Step = Callable[[Connection, int], Awaitable[float | None]]


async def each(port: int, count: int, step: Step, *, concurrency: int) -> list[float]:
    """Run `step(connection, i)` for i in 0..count-1 over `concurrency` connections; returns
    the latencies the steps report (a step returning None is not timed)."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        conn = Connection(port)
        try:
            for i in queue:
                ms = await step(conn, i)
                if ms is not None:
                    latencies.append(ms)
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def expect(answer: Answer, statuses: Sequence[int], what: str) -> Answer:
    """The answer, or an HttpError saying what came back instead."""
    if answer.status not in statuses:
        raise HttpError(f"{what}: status {answer.status}: {answer.body[:300]!r}")
    return answer
