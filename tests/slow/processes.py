"""Processes the replica tests run: app instances (the image's entry command), nginx, Redis.

Every process is started here in its own session and stopped by its pid; nginx and Redis get
their configuration, pid file and logs in the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "deploy" / "nginx"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require(name: str, fallback: str, how: str) -> str:
    """The path of a program the test needs, or a loud failure saying how to install it."""
    found = shutil.which(name) or (fallback if os.access(fallback, os.X_OK) else None)
    if not found:
        pytest.fail(f"{name} is needed by this test and was not found: {how}")
    return found


def _dockerfile_array(instruction: str) -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    found = re.findall(rf"^{instruction} (\[.*\])$", text, flags=re.MULTILINE)
    assert len(found) == 1, f"the Dockerfile must have one exec-form {instruction}"
    value: list[str] = json.loads(found[0])
    return value


def image_command() -> list[str]:
    """The image's ENTRYPOINT + CMD, exactly as a container runs them."""
    return _dockerfile_array("ENTRYPOINT") + _dockerfile_array("CMD")


def healthcheck_command() -> list[str]:
    """The command of the Dockerfile's HEALTHCHECK."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = re.findall(r"^HEALTHCHECK .*? CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert len(found) == 1, "the Dockerfile must have one exec-form HEALTHCHECK"
    value: list[str] = json.loads(found[0])
    return value


def image_environment() -> dict[str, str]:
    """The LIFEWORLD_ settings of the runtime stage's ENV instruction (its continued lines)."""
    lines = (ROOT / "Dockerfile").read_text().split("\nENV PATH=", 1)[1].splitlines()
    end = next(i for i, line in enumerate(lines) if not line.endswith("\\"))
    return dict(re.findall(r"(LIFEWORLD_[A-Z_]+)=(\S+)", " ".join(lines[: end + 1])))


def app_environment(**settings: str) -> dict[str, str]:
    """This environment without its LIFEWORLD_ settings, the venv first on PATH, the image's
    LIFEWORLD_ settings, then `settings` over them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    env.update(image_environment())
    env.update({f"LIFEWORLD_{k.upper()}": v for k, v in settings.items()})
    return env


@dataclass
class Process:
    """A process this test started, with its log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` to the process and wait for it; SIGKILL its group if it hangs."""
        if self.alive():
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"{self.name} did not stop within {timeout} s of signal {sig}")

    def kill_group(self) -> None:
        """Clean-up: end the process and anything it started (its own session), whatever state."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def spawn(name: str, argv: list[str], log: Path, env: dict[str, str], cwd: Path) -> Process:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, proc, log)


@dataclass
class App(Process):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_app(
    name: str, port: int, workdir: Path, args: tuple[str, ...] = (), **settings: str
) -> App:
    """`lifeworld serve` as the image runs it, on 127.0.0.1:`port`."""
    env = app_environment(host="127.0.0.1", port=str(port), data_dir=str(workdir), **settings)
    proc = spawn(name, [*image_command(), *args], workdir / f"{name}.log", env, workdir)
    return App(proc.name, proc.proc, proc.log, port=port)


def wait_healthy(url: str, process: Process, timeout: float = 90) -> dict[str, object]:
    """Poll /api/v1/health until it answers 200; fail with the process's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            code = process.proc.returncode
            pytest.fail(f"{process.name} exited with {code}:\n{process.output()}")
        try:
            response = httpx.get(f"{url}/api/v1/health", timeout=2)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{process.name} was not healthy within {timeout} s:\n{process.output()}")


def start_redis(workdir: Path) -> tuple[Process, str]:
    """A redis-server of our own on a free port (never the shared one on 6379)."""
    binary = require("redis-server", "/usr/bin/redis-server", "apt install redis-server")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    argv += ["no", "--dir", str(workdir)]
    redis = spawn("redis", argv, workdir / "redis.log", dict(os.environ), workdir)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return redis, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"redis-server did not answer:\n{redis.output()}")


def nginx_site(upstream_ports: list[int], listen_port: int) -> str:
    """deploy/nginx/lifeworld.conf with this test's addresses, and nothing else changed."""
    site = (NGINX_DIR / "lifeworld.conf").read_text()
    servers = re.findall(r"^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n", site, flags=re.MULTILINE)
    assert servers, "lifeworld.conf lost its upstream server lines"
    indent, params = servers[0]
    lines = "".join(f"{indent}server 127.0.0.1:{p}{params};\n" for p in upstream_ports)
    site = re.sub(
        r"(^\s*server 127\.0\.0\.1:\d+[^;]*;\n)+", lines, site, count=1, flags=re.MULTILINE
    )
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "include /etc/nginx/lifeworld-proxy.conf;": f"include {NGINX_DIR / 'proxy.conf'};",
    }
    for old, new in replacements.items():
        assert site.count(old) == 1, f"lifeworld.conf no longer has exactly one {old!r}"
        site = site.replace(old, new)
    return site


def start_nginx(workdir: Path, upstream_ports: list[int], port: int) -> Process:
    """nginx in the foreground with the shipped site config, everything under `workdir`."""
    binary = require("nginx", "/usr/sbin/nginx", "apt install nginx-light")
    workdir.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
    (workdir / "site.conf").write_text(nginx_site(upstream_ports, port))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp dirs
    (workdir / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/error.log info;\nevents {{ worker_connections 512; }}\n"
        "http {\n"
        "  log_format replicas '$request_method $uri $status [$upstream_addr] "
        "[$upstream_status]';\n"
        f"  access_log {workdir}/access.log replicas;\n"
        + "".join(f"  {sub}_temp_path {workdir}/{sub};\n" for sub in ("fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {workdir}/body;\n  proxy_temp_path {workdir}/proxy;\n"
        f"  include {workdir}/site.conf;\n}}\n"
    )
    argv = [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e"]
    argv += [str(workdir / "error.log")]
    nginx = spawn("nginx", argv, workdir / "nginx.out", dict(os.environ), workdir)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not nginx.alive():
            pytest.fail(f"nginx exited:\n{nginx.output()}\n{(workdir / 'error.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return nginx
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not listen within 20 s")
