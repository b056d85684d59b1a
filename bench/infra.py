"""What the app runs against: a PostgreSQL database of its own and a Redis of its own.

PostgreSQL: the server at LIFEWORLD_BENCH_DATABASE_URL when set (the bench creates a database
on it and drops it at the end), else the embedded PostgreSQL started in a temporary directory.
Redis: LIFEWORLD_BENCH_REDIS_URL when set, else a `redis-server` started on a free port and
stopped by its pid. A Redis other processes use would also carry their cache invalidations on
the shared channel, and our servers would wait for those processes' acknowledgements.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg

from lifeworld.db import migrate
from lifeworld.db.urls import libpq_url


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database (query parameters such as host kept)."""
    parts = urlsplit(libpq_url(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


class Postgres:
    """A fresh, migrated database for this run; `close()` drops it (and stops our server)."""

    def __init__(self) -> None:
        self._embedded = None
        server_url = os.environ.get("LIFEWORLD_BENCH_DATABASE_URL")
        if server_url:
            self.server_url = libpq_url(server_url)
            self.where = "LIFEWORLD_BENCH_DATABASE_URL"
        else:
            from lifeworld.db.embedded import EmbeddedPostgres

            self._tmp = Path(tempfile.mkdtemp(prefix="lifeworld-bench-pg-"))
            self._embedded = EmbeddedPostgres(self._tmp / "data")
            self._embedded.ensure_started()
            self.server_url = libpq_url(self._embedded.url("postgres"))
            self.where = "embedded PostgreSQL (temporary directory)"
        self.name = f"lifeworld_bench_{secrets.token_hex(4)}"
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
            self.version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        self.url = with_database(self.server_url, self.name)
        migrate.upgrade(self.url)

    def cpu_seconds(self) -> float | None:
        """CPU time the embedded server's processes have used (None for another server)."""
        if self._embedded is None:
            return None
        try:
            pid = int(self._embedded.pgdata.joinpath("postmaster.pid").read_text().split()[0])
            main = psutil.Process(pid)
            t = main.cpu_times()
            used = t.user + t.system + t.children_user + t.children_system
            for child in main.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    c = child.cpu_times()
                    used += c.user + c.system
            return float(used)
        except (OSError, ValueError, psutil.Error):
            return None

    def close(self) -> None:
        try:
            with psycopg.connect(self.server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            if self._embedded is not None:
                self._embedded.stop()
                shutil.rmtree(self._tmp, ignore_errors=True)


class Redis:
    """A Redis for hybrid mode: LIFEWORLD_BENCH_REDIS_URL, or a redis-server of our own."""

    def __init__(self) -> None:
        self._pid: int | None = None
        url = os.environ.get("LIFEWORLD_BENCH_REDIS_URL")
        if url:
            self.url = url
            return
        exe = shutil.which("redis-server")
        if exe is None:
            raise SystemExit(
                "hybrid mode needs Redis: set LIFEWORLD_BENCH_REDIS_URL or install redis-server "
                "(apt install redis-server; ./scripts/bench.sh does it), or pass --modes postgres"
            )
        port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="lifeworld-bench-redis-"))
        pidfile = self._dir / "redis.pid"
        subprocess.run(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--dir", str(self._dir), "--pidfile", str(pidfile),
             "--logfile", str(self._dir / "redis.log")],
            check=True,
        )  # fmt: skip
        self.url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not (pidfile.exists() and _answers(port)):
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not start; see {self._dir / 'redis.log'}")
            time.sleep(0.05)
        self._pid = int(pidfile.read_text().strip())

    def close(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
            shutil.rmtree(self._dir, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
