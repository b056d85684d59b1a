"""Real app processes for the fault, fuzz and load tests: uvicorn on 127.0.0.1, started by pid.

Each app runs `lifeworld.asgi:app_from_environment` (what `lifeworld serve` runs) in its own
process session, with a log file in the test's temporary directory. Only processes started here
are stopped here, by their pid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.factories import PASSWORD

SECRET = "fault-tests-secret-key-0123456789-abcdefghij"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_environment(**settings: str) -> dict[str, str]:
    """This environment without any LIFEWORLD_ setting, plus `settings` as LIFEWORLD_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    env.update({f"LIFEWORLD_{k.upper()}": v for k, v in settings.items()})
    return env


@dataclass
class AppProcess:
    """One uvicorn process serving the app; `restart()` brings it back on the same port."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)
    command: list[str] | None = None  # default: uvicorn with the app factory

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60) -> None:
        command = self.command or [
            sys.executable,
            *("-m", "uvicorn", "lifeworld.asgi:app_from_environment", "--factory"),
            *("--host", "127.0.0.1", "--port", str(self.port)),
            *("--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "5"),
        ]
        with self.log.open("ab") as out:
            out.write(f"\n--- start {self.starts + 1} ---\n".encode())
            self.proc = subprocess.Popen(
                command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd="/",
            )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited at start:\n{self.tail()}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code in (200, 503):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} did not answer within {timeout} s:\n{self.tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to this process (by its pid) and wait until it is gone."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_apps(
    tmp: Path, database_url: str, count: int = 1, **settings: str
) -> Iterator[list[AppProcess]]:
    """`count` app processes on one database (test environment: the testing clock exists)."""
    apps = []
    for index in range(count):
        env = app_environment(
            env="test",
            database_url=database_url,
            secret_key=SECRET,
            data_dir=str(tmp / f"app{index}"),
            log_level="warning",
            **settings,
        )
        apps.append(AppProcess(f"app{index}", free_port(), env, tmp / f"app{index}.log"))
    try:
        for app in apps:
            app.start()
        yield apps
    finally:
        for app in apps:
            app.stop()


def sign_up(base_url: str, *, username: str = "ada") -> dict[str, Any]:
    """First-run setup, then an API token: returns the setup body plus `token`."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.post(
            "/api/v1/setup",
            json={
                "household_name": "Fault Lines",
                "timezone": "UTC",
                "username": username,
                "email": f"{username}@example.org",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        client.headers["X-CSRF-Token"] = body["csrf_token"]
        token = client.post("/api/v1/auth/tokens", json={"name": "faults"})
        assert token.status_code == 201, token.text
        body["token"] = token.json()["token"]
        body["token_id"] = token.json()["id"]
        return body
