"""The built wheel and sdist carry every file the app needs, and the wheel works alone: installed
into a clean venv outside the checkout (the locked dependencies, hash-checked), `lifeworld setup`
and `lifeworld serve` start the bundled PostgreSQL and the app, and a signed-in person gets a
page and an API answer."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lifeworld import __version__
from tests.slow.processes import ROOT, Process, free_port, spawn, wait_healthy

pytestmark = pytest.mark.slow
PACKAGE = ROOT / "src" / "lifeworld"
PASSWORD = "correct horse battery staple"


def _package_files() -> set[str]:
    """Every file of the package in the checkout, as a path inside the wheel."""
    return {
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc")
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of this checkout (the build backend from the lock: no isolation)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = list(dist.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {dist}: {found}"
    return found[0]


def test_the_wheel_carries_every_file_of_the_package(dist: Path) -> None:
    wheel = _one(dist, f"lifeworld-{__version__}-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_package_files() - names)
    assert missing == [], f"the wheel lacks {len(missing)} files: {missing[:20]}"
    # The kinds of file that once went missing from wheels are there by name.
    for expected in (
        "lifeworld/web/templates/base.html",
        "lifeworld/web/static/app.js",
        "lifeworld/web/static/manifest.webmanifest",
        "lifeworld/db/migrations/env.py",
        "lifeworld/db/migrations/script.py.mako",
    ):
        assert expected in names, expected
    assert any(n.startswith("lifeworld/db/migrations/versions/") for n in names)
    assert any(n.startswith("lifeworld/places/data/") for n in names), "the gazetteer"


def test_the_sdist_carries_the_package_and_the_lock(dist: Path) -> None:
    sdist = _one(dist, f"lifeworld-{__version__}.tar.gz")
    prefix = f"lifeworld-{__version__}/"
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    missing = sorted(f"src/{name}" for name in _package_files() if f"src/{name}" not in names)
    assert missing == [], f"the sdist lacks {len(missing)} files: {missing[:20]}"
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "requirements/app.txt"):
        assert name in names, name


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv outside the checkout with the locked dependencies and the wheel, nothing else."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    pip += ["--disable-pip-version-check"]
    for step in (
        ["--require-hashes", "--only-binary", ":all:", "-r", str(ROOT / "requirements/app.txt")],
        ["--no-deps", str(_one(dist, "*.whl"))],
    ):
        done = subprocess.run([*pip, *step], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv


def _environment(home: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIFEWORLD_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        LIFEWORLD_ENV="production",
        LIFEWORLD_SECRET_KEY="wheel-test-secret-" + "s" * 40,
        LIFEWORLD_DATA_DIR=str(home / "data"),
        LIFEWORLD_HOST="127.0.0.1",
        LIFEWORLD_PORT=str(port),
        LIFEWORLD_MDNS="off",
        # Deliberately plain HTTP: this test is about what the wheel carries; the HTTPS a
        # household gets is the setup script's test (tests/slow/test_setup_script.py).
        LIFEWORLD_TLS="off",
    )
    return env


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`lifeworld setup`, then `lifeworld serve`, from the installed wheel in an empty folder."""
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = _environment(home, port)
    lifeworld = str(installed / "bin" / "lifeworld")
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import lifeworld; print(lifeworld.__file__)"],
        capture_output=True, text=True, env=env, cwd=home, timeout=60,
    )  # fmt: skip
    assert where.stdout.startswith(str(installed)), f"not the wheel's package: {where.stdout}"
    setup = subprocess.run(
        [lifeworld, "setup"], capture_output=True, text=True, env=env, cwd=home, timeout=300
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "migrated" in setup.stdout, setup.stdout
    server: Process = spawn("wheel-app", [lifeworld, "serve"], home / "serve.log", env, home)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        server.kill_group()
    # The app stops the bundled PostgreSQL it started.
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    left = [line for line in processes.splitlines() if str(home) in line and "postgres" in line]
    assert left == [], f"the bundled PostgreSQL outlived the app: {left}"


def test_the_installed_wheel_sets_up_serves_and_signs_in(installed: Path, served: str) -> None:
    version = subprocess.run(
        [str(installed / "bin" / "lifeworld"), "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"lifeworld {__version__}"
    with httpx.Client(base_url=served, timeout=30) as client:
        health = client.get("/api/v1/health").json()
        assert health["status"] == "ok" and health["version"] == __version__
        made = client.post(
            "/api/v1/setup",
            json={
                "household_name": "Wheelwrights",
                "timezone": "Europe/Berlin",
                "username": "wren",
                "email": "wren@example.org",
                "password": PASSWORD,
            },
        )
        assert made.status_code == 201, made.text
        page = client.get("/")  # the session cookie from setup
        assert page.status_code == 200, page.text[:500]
        assert "text/html" in page.headers["content-type"] and "wren" in page.text.lower()
        state = client.get("/api/v1/me/state")
        assert state.status_code == 200, state.text
        assert state.json()["user"]["username"] == "wren"
        docs = client.get("/api/docs/swagger-ui-bundle.js")
        assert docs.status_code == 200 and len(docs.content) > 100_000
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")
