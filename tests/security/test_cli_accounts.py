"""`lifeworld user …` and `lifeworld household …`, run as the real console script."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
from fastapi import FastAPI

from lifeworld.clock import clock
from tests.integration.factories import PASSWORD, invite_code, join, set_up_household

LIFEWORLD = Path(sys.executable).parent / "lifeworld"
NEW_PASSWORD = "a fresh passphrase for ada"
ADMIN_ONLY = "/api/v1/admin/audit"  # only a household admin may read it


async def run_cli(app: FastAPI, *args: str, stdin: str = "") -> tuple[int, str]:
    """Run the console script against the app's database; (exit code, stdout + stderr)."""
    env = {
        **os.environ,
        "LIFEWORLD_DATABASE_URL": app.state.database_url,
        "LIFEWORLD_ENV": "test",
        "LIFEWORLD_SECRET_KEY": app.state.settings.secret_key.get_secret_value(),
        "COLUMNS": "200",
    }
    process = await asyncio.create_subprocess_exec(
        str(LIFEWORLD),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd="/",
    )
    out, _ = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def _login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"login": login, "password": password})


async def test_household_create_makes_a_second_household_that_sees_only_itself(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, username="ada")
    code, out = await run_cli(
        committed_app,
        *("household", "create", "The Hoppers", "--admin", "grace"),
        *("--email", "grace@example.org", "--timezone", "America/New_York", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, out
    assert "The Hoppers" in out
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as grace:
        assert (await _login(grace, "grace", PASSWORD)).status_code == 200
        household = (await grace.get("/api/v1/household")).json()
        assert household["name"] == "The Hoppers"
        assert household["timezone"] == "America/New_York"
        assert [m["username"] for m in household["members"]] == ["grace"]
        state = await grace.get("/api/v1/me/state")
        assert state.status_code == 200  # she has a player, born with The Balanced active
        assert state.json()["active_loadout"]["name"] == "The Balanced"
    code, out = await run_cli(committed_app, "user", "list")
    assert code == 0, out
    assert "ada" in out and "grace" in out and "The Hoppers" in out and "The Lovelaces" in out


async def test_household_create_refuses_a_taken_username_and_a_short_password(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, username="ada")
    base = ("household", "create", "Again", "--email", "x@example.org", "--password-stdin")
    code, out = await run_cli(committed_app, *base, "--admin", "ADA", stdin=PASSWORD + "\n")
    assert code == 1
    assert "username is taken" in out
    code, out = await run_cli(committed_app, *base, "--admin", "newbie", stdin="short\n")
    assert code == 1
    assert "10 to 256 characters" in out
    code, out = await run_cli(committed_app, "user", "list")
    assert "Again" not in out


async def test_reset_password_signs_out_everywhere_and_the_new_password_works(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, username="ada")
    assert (await committed_client.get("/api/v1/household")).status_code == 200
    code, out = await run_cli(
        committed_app, "user", "reset-password", "ada", "--password-stdin", stdin=NEW_PASSWORD
    )
    assert code == 0, out
    assert "1 session(s) signed out" in out
    assert (await committed_client.get("/api/v1/household")).status_code == 401
    committed_client.cookies.clear()
    assert (await _login(committed_client, "ada", PASSWORD)).status_code == 401
    assert (await _login(committed_client, "ada@example.org", NEW_PASSWORD)).status_code == 200


async def test_unlock_lifts_the_sign_in_throttle(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    clock.pin(None)
    await set_up_household(committed_client, username="ada")
    committed_client.cookies.clear()
    for _ in range(5):
        assert (await _login(committed_client, "ada", "wrong password!")).status_code == 401
    throttled = await _login(committed_client, "ada", PASSWORD)
    assert throttled.status_code == 429
    code, out = await run_cli(committed_app, "user", "unlock", "ada")
    assert code == 0, out
    assert "5 failed attempt(s) cleared" in out
    assert (await _login(committed_client, "ada", PASSWORD)).status_code == 200


async def test_unknown_user_is_a_clear_error(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, username="ada")
    code, out = await run_cli(committed_app, "user", "unlock", "nobody")
    assert code == 1
    assert "there is no user 'nobody'" in out
    assert "Traceback" not in out


async def test_admin_gives_and_takes_the_role_and_keeps_one_admin(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client, username="ada")
    code = await invite_code(committed_client)
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as bob:
        await join(bob, code, username="bob")
        assert (await bob.get(ADMIN_ONLY)).status_code == 403

        exit_code, out = await run_cli(committed_app, "user", "admin", "bob")
        assert exit_code == 0, out
        assert "bob is now an admin" in out
        # His sign-in is remembered by the app: the command made it forget the old role.
        assert (await bob.get(ADMIN_ONLY)).status_code == 200
        exit_code, out = await run_cli(committed_app, "user", "admin", "bob")
        assert (exit_code, "bob is already an admin: nothing changed" in out) == (0, True), out

        exit_code, out = await run_cli(committed_app, "user", "admin", "ada", "--remove")
        assert exit_code == 0, out
        assert "ada is no longer an admin" in out
        assert (await committed_client.get(ADMIN_ONLY)).status_code == 403
        exit_code, out = await run_cli(committed_app, "user", "admin", "bob", "--remove")
        assert exit_code == 1
        assert "bob is the household's only admin: make another member admin first" in out
        assert "Traceback" not in out
        assert (await bob.get(ADMIN_ONLY)).status_code == 200
