"""One `lifeworld serve` process in production mode on 127.0.0.1, and its memory over time."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

SECRET = "bench-" + "k" * 42  # production mode wants 32+ characters; the bench signs its tokens
# The bench makes thousands of synthetic players (a household has five): the memory tier keeps
# them all, so a "warm" read never turns cold because another player's entry pushed it out.
BASE_ENV = {
    "LIFEWORLD_ENV": "production",
    "LIFEWORLD_SECRET_KEY": SECRET,
    "LIFEWORLD_LOG_LEVEL": "warning",
    "LIFEWORLD_BACKUP_INTERVAL_HOURS": "0",
    "LIFEWORLD_CACHE_MEMORY_MAX_ENTRIES": "200000",
    "LIFEWORLD_CACHE_MEMORY_MAX_BYTES": str(512 * 1024 * 1024),
    # Plain HTTP, as behind a proxy, for every row but the HTTPS ones (scenarios.https_rows).
    "LIFEWORLD_TLS": "off",
    "LIFEWORLD_MDNS": "off",
}


class AppServer:
    """`lifeworld serve --no-migrate` (one worker) against an initialised database; with `tls`,
    over HTTPS with the home CA it makes (as a household's server runs)."""

    def __init__(
        self, database_url: str, port: int, env: dict[str, str], *, tls: bool = False
    ) -> None:
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        self.port = port
        self.tls = tls
        self._dir = Path(tempfile.mkdtemp(prefix="lifeworld-bench-serve-"))
        self._log = self._dir / "serve.log"
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")},
            **BASE_ENV,
            "LIFEWORLD_DATABASE_URL": database_url,
            "LIFEWORLD_PUBLIC_URL": self.base,
            "LIFEWORLD_DATA_DIR": str(self._dir),
            **env,
            **({"LIFEWORLD_TLS": "auto"} if tls else {}),
        }
        exe = Path(sys.executable).parent / "lifeworld"
        started = time.perf_counter()
        with self._log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self._dir,  # an empty directory: no .env of the checkout is read
            )
        self.startup_s = self._wait_healthy(started)
        self.process = psutil.Process(self.proc.pid)

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What a client trusts to reach it: the home CA this server made, over HTTPS."""
        if not self.tls:
            return True
        return ssl.create_default_context(cafile=self._dir / "tls" / "home-ca.crt")

    def _wait_healthy(self, started: float) -> float:
        deadline = started + 60
        while True:
            try:
                answer = httpx.get(self.base + "/api/v1/health", timeout=1, verify=self.verify)
                if answer.status_code == 200:
                    return time.perf_counter() - started
            except (httpx.HTTPError, OSError):  # OSError: the home CA is not written yet
                pass
            if time.perf_counter() > deadline or self.proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise SystemExit(f"lifeworld serve did not become healthy:\n{tail}")
            time.sleep(0.02)

    def settle(self, limit_s: float = 20.0) -> None:
        """Wait until the server has worked off what a finished load left queued (idle CPU)."""
        deadline = time.monotonic() + limit_s
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            quiet = quiet + 1 if self.process.cpu_percent(interval=0.2) < 15 else 0

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output (for a run that failed)."""
        try:
            return self._log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def rss_mib(self) -> float:
        return float(self.process.memory_info().rss) / 2**20

    def stop(self, *, failed: bool = False) -> None:
        """Stop the server; after a failure, print the end of its output first."""
        if failed:
            print(f"--- the end of lifeworld serve's output ---\n{self.log_tail()}", flush=True)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)


class RssSampler:
    """The largest resident size of a process while the block runs (sampled every 0.1 s)."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_mib = max(self.peak_mib, self.server.rss_mib())
            except psutil.Error:
                return
            self._stop.wait(0.1)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
