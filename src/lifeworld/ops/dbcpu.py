"""The database server's CPU, measured and never guessed.

- On this machine (the embedded server, or any server reached over a unix socket or loopback):
  the connection's backend pid leads to the postmaster; its CPU time plus that of its children
  (live ones, and exited ones it has reaped) is read with psutil, and the difference between two
  readings over the wall time and this machine's cores is the share of the machine's CPU.
- Elsewhere, when `pg_stat_statements` can be read: the statements' execution time per wall time
  and core (cores from LIFEWORLD_DB_CPU_CORES, else 1 — and the source says so). Execution time
  includes waits, so this is an upper bound.
- Otherwise the figure is unknown (None), and the source says why.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
from dataclasses import dataclass
from typing import Literal

import psutil
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
Mode = Literal["auto", "local", "statements", "off"]
UNKNOWN_REMOTE = "unknown: the database is on another machine and pg_stat_statements is unreadable"


@dataclass(frozen=True, slots=True)
class Sample:
    wall: float  # time.monotonic()
    cpu: float  # CPU seconds (or statement seconds) of the server so far


def machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return psutil.cpu_count() or 1


def _is_postgres(process: psutil.Process) -> bool:
    return str(process.name()).startswith("postgres")


def _tree_cpu(postmaster: psutil.Process) -> float:
    times = postmaster.cpu_times()
    total = float(times.user + times.system + times.children_user + times.children_system)
    for child in postmaster.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # it ended between the listing and the reading: the next reading has it
        total += child_times.user + child_times.system
    return total


def _local(address: object) -> bool:
    if address is None:
        return True  # a unix socket
    return ipaddress.ip_address(str(address)).is_loopback


class DbCpu:
    """Reads the server's CPU time; `percent(a, b)` is the share between two samples."""

    def __init__(self, *, mode: Mode = "auto", cores: int | None = None) -> None:
        self.mode: Mode = mode
        self.configured_cores = cores
        self.postmaster: psutil.Process | None = None
        self.cores = 1
        self.source = "unknown: not measured yet"
        self._detected = False

    async def detect(self, engine: AsyncEngine) -> None:
        """Find out how the server can be measured (once; again after a failure)."""
        self._detected = True
        self.postmaster = None
        if self.mode == "off":
            self.source = "unknown: switched off"
            return
        async with engine.connect() as conn:
            pid, address = (
                await conn.execute(text("SELECT pg_backend_pid(), inet_server_addr()"))
            ).one()
        if self.mode in ("auto", "local") and _local(address):
            postmaster = await asyncio.to_thread(self._find_postmaster, int(pid))
            if postmaster is not None:
                self.postmaster, self.cores = postmaster, machine_cores()
                self.source = f"psutil: PostgreSQL (pid {postmaster.pid}) on this machine"
                return
        if self.mode in ("auto", "statements") and await self._statements(engine) is not None:
            self.cores = self.configured_cores or 1
            assumed = "" if self.configured_cores else ", 1 core assumed"
            self.source = f"pg_stat_statements: statement time per wall time ({self.cores} core"
            self.source += f"s{assumed})" if self.cores != 1 else f"{assumed})"
            return
        self.source = UNKNOWN_REMOTE if self.mode != "local" else "unknown: server not found"

    @staticmethod
    def _find_postmaster(backend_pid: int) -> psutil.Process | None:
        try:
            backend = psutil.Process(backend_pid)
            parent = backend.parent()
            if _is_postgres(backend) and parent is not None and _is_postgres(parent):
                return parent
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        return None  # another pid namespace (a container), or not ours to read

    @staticmethod
    async def _statements(engine: AsyncEngine) -> float | None:
        try:
            async with engine.connect() as conn:
                value = await conn.scalar(
                    text("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements")
                )
        except Exception:  # not installed, not preloaded, or not allowed
            return None
        return float(value or 0) / 1000

    async def sample(self, engine: AsyncEngine) -> Sample | None:
        """The server's CPU seconds so far, or None when they cannot be read."""
        if not self._detected:
            await self.detect(engine)
        if self.postmaster is not None:
            try:
                cpu = await asyncio.to_thread(_tree_cpu, self.postmaster)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                self._detected = False  # the server restarted: look again next time
                return None
            return Sample(time.monotonic(), cpu)
        if self.source.startswith("pg_stat_statements"):
            seconds = await self._statements(engine)
            return Sample(time.monotonic(), seconds) if seconds is not None else None
        return None

    def percent(self, first: Sample | None, last: Sample | None) -> float | None:
        """The server's share of CPU between two samples, in % (None: unknown)."""
        if first is None or last is None or last.wall - first.wall < 1:
            return None
        used = max(last.cpu - first.cpu, 0.0)  # a statistics reset must not read negative
        return round(min(used / (last.wall - first.wall) / self.cores * 100, 100.0), 2)
