"""Settings pages for invites, members, one's data and backups over HTTP (issue 21 §2, §5):
who sees which part, confirmations that write nothing when wrong, bad files and names."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from tests.integration.factories import join, set_up_household
from tests.integration.pages import hidden_fields, submit, text

NewClient = Callable[[], httpx.AsyncClient]


async def _household(client: httpx.AsyncClient, new_client: NewClient) -> httpx.AsyncClient:
    await set_up_household(client)
    bob = new_client()
    code = (await client.post("/api/v1/household/invites")).json()["code"]
    await join(bob, code, username="bob")
    return bob


async def test_a_member_sees_only_their_own_parts(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    await client.post("/api/v1/household/invites")
    mine = text((await client.get("/settings")).text)
    for part in ("Invite to the household", "Pending invites", "Members", "Backups", "Your data"):
        assert part in mine, part
    theirs = text((await bob.get("/settings")).text)
    assert "Your data" in theirs
    for part in ("Invite to the household", "Pending invites", "Reset password", "Backups"):
        assert part not in theirs, part
    refused = await bob.get("/settings/backups/download?name=lifeworld-backup-20261207T000000Z.tar")
    assert refused.status_code == 403


async def test_removing_needs_the_username_typed(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope
) -> None:
    await _household(client, new_client)
    bob_id = await scope.session.scalar(select(User.id).where(User.username == "bob"))
    action = f"/settings/members/{bob_id}/remove"
    wrong = await submit(client, "/settings", action, {"confirm_username": "bobby"})
    assert wrong.status_code == 303
    assert "Not removed" in text((await client.get(wrong.headers["location"])).text)
    assert await scope.session.scalar(select(func.count()).select_from(User)) == 2
    right = await submit(client, "/settings", action, {"confirm_username": "BOB"})
    assert right.status_code == 303
    assert "was removed" in text((await client.get(right.headers["location"])).text)
    assert await scope.session.scalar(select(func.count()).select_from(User)) == 1


async def test_the_export_before_removal_is_a_download(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope
) -> None:
    await _household(client, new_client)
    bob_id = await scope.session.scalar(select(User.id).where(User.username == "bob"))
    page = (await client.get("/settings")).text
    action = f"/settings/members/{bob_id}/export"
    answer = await client.post(action, data=hidden_fields(page, action))
    assert answer.status_code == 200
    assert 'attachment; filename="lifeworld-export-bob-' in answer.headers["content-disposition"]
    assert "player" in json.loads(answer.content)


async def test_a_reset_link_page_for_a_wrong_or_spent_token(
    client: httpx.AsyncClient, new_client: NewClient, scope: Scope
) -> None:
    await _household(client, new_client)
    stranger = new_client()
    wrong = await stranger.get("/reset-password?token=not-a-real-token")
    assert wrong.status_code == 404
    assert "does not work any more" in text(wrong.text)
    bob_id = await scope.session.scalar(select(User.id).where(User.username == "bob"))
    link = (await client.post(f"/api/v1/household/members/{bob_id}/password-reset")).json()["link"]
    path = link.removeprefix("http://testserver")
    page = await stranger.get(path)
    assert page.status_code == 200
    assert "Choose a new password" in text(page.text)
    fields = hidden_fields(page.text, "/reset-password")
    done = await stranger.post(
        "/reset-password", data={**fields, "new_password": "a brand new passphrase"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    spent = await stranger.get(path)
    assert spent.status_code == 404


async def test_importing_a_file_that_is_not_an_export_writes_nothing(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    bob = await _household(client, new_client)
    page = (await bob.get("/settings")).text
    fields = hidden_fields(page, "/settings/import")
    answer = await bob.post(
        "/settings/import",
        data=fields,
        files={"document": ("notes.json", b"[1, 2, 3]", "application/json")},
    )
    assert answer.status_code == 422
    assert "not a Life World export" in text(answer.text)
    empty = await bob.post(
        "/settings/import", data=hidden_fields(page, "/settings/import"), files={}
    )
    assert empty.status_code == 422


async def test_backup_names_never_reach_outside_the_backup_directory(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)
    for name in ("../.env", "/etc/passwd", "lifeworld-backup-20261207T000000Z.tar", "", "x.tar"):
        answer = await client.get("/settings/backups/download", params={"name": name})
        assert answer.status_code == 404, name
    page = (await client.get("/settings")).text
    restore = await client.post(
        "/settings/backups/restore",
        data={**hidden_fields(page, "/settings/backups"), "name": "../.env", "confirm": "no"},
    )
    assert restore.status_code == 303
    assert "Nothing was restored" in text((await client.get(restore.headers["location"])).text)
    restore = await client.post(
        "/settings/backups/restore",
        data={**hidden_fields(page, "/settings/backups"), "name": "../.env", "confirm": "RESTORE"},
    )
    assert restore.status_code == 404
