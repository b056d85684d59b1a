"""Starting cache_worker.py processes and talking to them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("cache_worker.py")


class Worker:
    def __init__(self, mode: str, url: str, redis_url: str, prefix: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), mode, url, redis_url, prefix],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        if self.read() != "ready":
            pytest.fail("the cache worker process did not start")

    @classmethod
    async def started(cls, mode: str, url: str, redis_url: str, prefix: str) -> Worker:
        """Start one while this process's event loop runs on: a new cache instance waits until
        every listening instance (ours too) has acknowledged its arrival."""
        return await asyncio.to_thread(cls, mode, url, redis_url, prefix)

    async def query(self, command: str) -> str:
        """`ask`, with this process's event loop running meanwhile."""
        return await asyncio.to_thread(self.ask, command)

    def read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            pytest.fail(f"the cache worker exited (code {self.proc.poll()})")
        return line.strip()

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def ask(self, command: str) -> str:
        self.send(command)
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
