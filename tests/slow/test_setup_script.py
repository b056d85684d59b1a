"""./scripts/setup-mvp.sh end to end in a fresh directory: fresh venv, no .env, no database, and
the HTTPS a household gets by default (the home CA made under data/, plain HTTP redirected)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _copy_project(target: Path) -> None:
    for name in ("pyproject.toml", "README.md", ".env.example"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "scripts", "requirements"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)


def _start(project: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFEWORLD_", "VIRTUAL_ENV"))}
    env["LIFEWORLD_PORT"] = str(port)
    env["LIFEWORLD_MDNS"] = "off"  # never announce on this machine's real network
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if ".venv" not in p)
    with log.open("wb") as out:
        return subprocess.Popen(
            ["./scripts/setup-mvp.sh"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _home_ca(project: Path) -> ssl.SSLContext:
    """A client that trusts the certificate authority the app made for this home."""
    return ssl.create_default_context(cafile=project / "data" / "tls" / "home-ca.crt")


def _wait_healthy(
    project: Path, port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"setup-mvp.sh exited with {proc.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(
                f"https://127.0.0.1:{port}/api/v1/health", timeout=2, verify=_home_ca(project)
            )
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except (httpx.HTTPError, OSError):  # OSError: no home CA yet
            pass
        time.sleep(0.5)
    pytest.fail(f"no healthy answer within {timeout} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the app did not stop within 30 s of SIGTERM")


def _postgres_running(data_dir: Path) -> bool:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return any(str(data_dir) in line and "postgres" in line for line in out.splitlines())


def test_setup_script_from_nothing_to_a_running_app(tmp_path: Path) -> None:
    project = tmp_path / "lifeworld"
    project.mkdir()
    os.chmod(tmp_path, 0o755)
    _copy_project(project)
    port = _free_port()

    log = tmp_path / "first.log"
    started = time.monotonic()
    proc = _start(project, port, log)
    try:
        health = _wait_healthy(project, port, proc, log, timeout=600)
        first_run_s = time.monotonic() - started
        assert health["status"] == "ok"
        output = log.read_text()
        assert "wrote .env with a new secret key" in output
        assert "made this home's certificate authority" in output
        assert f"https://localhost:{port}/" in output
        assert "On your home WiFi" in output or "No network address found" in output
        if "On your home WiFi" in output:
            assert f":{port}/connect" in output and "█" in output  # the connect page's QR
        home = _home_ca(project)
        setup = httpx.get(f"https://127.0.0.1:{port}/api/v1/setup", timeout=5, verify=home)
        assert setup.json() == {"needed": True}
        plain = httpx.get(f"http://127.0.0.1:{port}/api/v1/setup", timeout=5)
        assert plain.status_code == 307
        assert plain.headers["location"] == f"https://127.0.0.1:{port}/api/v1/setup"
        connect = httpx.get(f"http://127.0.0.1:{port}/connect", timeout=5)
        assert connect.status_code == 200 and "lifeworld-home-ca.crt" in connect.text
        tls = project / "data" / "tls"
        modes = {p.name: oct(p.stat().st_mode & 0o777) for p in tls.iterdir()}
        assert modes == {
            "home-ca.crt": "0o644",
            "home-ca.key": "0o600",
            "server.crt": "0o644",
            "server.key": "0o600",
        }
    finally:
        _stop(proc)
    assert not _postgres_running(project / "data"), "the embedded PostgreSQL kept running"

    env_file = (project / ".env").read_text()
    secret_line = next(
        line for line in env_file.splitlines() if line.startswith("LIFEWORLD_SECRET_KEY=")
    )
    assert len(secret_line.split("=", 1)[1]) >= 40
    assert oct((project / ".env").stat().st_mode & 0o777) == "0o600"

    # Running it again is safe and just starts the app; the secret is kept.
    log2 = tmp_path / "second.log"
    started = time.monotonic()
    proc = _start(project, port, log2)
    try:
        _wait_healthy(project, port, proc, log2, timeout=120)
        second_run_s = time.monotonic() - started
        output = log2.read_text()
        assert "already installed" in output
        assert ".env exists" in output
        assert (project / ".env").read_text() == env_file
        assert "certificate authority" not in output, "the home CA is made once"
    finally:
        _stop(proc)
    print(f"first run {first_run_s:.1f} s, second run {second_run_s:.1f} s")


def test_setup_script_refuses_a_busy_port(tmp_path: Path) -> None:
    project = tmp_path / "lifeworld"
    project.mkdir()
    _copy_project(project)
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
        env["LIFEWORLD_PORT"] = str(port)
        result = subprocess.run(
            ["./scripts/setup-mvp.sh"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port} is already in use" in result.stderr
    assert not (project / ".venv").exists()  # it stopped before installing anything
