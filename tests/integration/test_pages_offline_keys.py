"""An activity is recorded once whichever way it got through (issue 18 §3, docs/OFFLINE.md).

A phone that sent a quick action but lost the answer cannot know whether it was recorded; it
queues the activity and sends it later through the API with `form:<nonce>` as its
Idempotency-Key, the nonce of the page form it first sent. The API claims that nonce too.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.activities.models import Activity
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.pages import follow, hidden_fields, ready_player

LOG = "/api/v1/me/activities"


async def _count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Activity)) or 0)


async def _quick_form(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/")
    assert page.status_code == 200, page.text[:500]
    return hidden_fields(page.text, "/activities")


async def _queued(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """What the phone's queue sends: the activity, when it happened, and the page's key."""
    body: dict[str, Any] = {"type": "EXERCISE"}
    return await client.post(LOG, json=body, headers={"Idempotency-Key": key})


async def test_a_queued_copy_of_a_recorded_form_is_not_recorded_again(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    form = await _quick_form(client)
    sent = await client.post("/activities", data={**form, "type": "EXERCISE"})
    assert sent.status_code == 303  # recorded; the phone never saw this answer
    response = await _queued(client, "form:" + form["form_nonce"])
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "already_recorded"
    assert "not logged twice" in response.json()["error"]["message"]
    assert await _count(db_session) == 1


async def test_a_queued_copy_that_went_first_makes_the_form_a_repeat(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    form = await _quick_form(client)  # the form never reached the server
    response = await _queued(client, "form:" + form["form_nonce"])
    assert response.status_code == 201, response.text
    # The same form arriving after all is the double it is.
    late = await client.post("/activities", data={**form, "type": "EXERCISE"})
    assert "recorded once" in await follow(client, late)
    assert await _count(db_session) == 1
    # And the queue's own retry of its key gets its first answer back.
    again = await _queued(client, "form:" + form["form_nonce"])
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert await _count(db_session) == 1


async def test_a_refused_form_leaves_its_nonce_to_the_queue(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    form = await _quick_form(client)
    # The nonce is used by nothing that was recorded: the queued copy is recorded.
    refused = await client.post("/activities", data={**form, "type": "NOT_A_KIND"})
    assert refused.status_code == 422
    response = await _queued(client, "form:" + form["form_nonce"])
    assert response.status_code == 201, response.text
    assert await _count(db_session) == 1


async def test_another_members_nonce_and_other_keys_are_only_keys(
    client: httpx.AsyncClient, new_client: Any, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    form = await _quick_form(client)
    sent = await client.post("/activities", data={**form, "type": "EXERCISE"})
    assert sent.status_code == 303
    bob = new_client()
    await join(bob, await invite_code(client), username="bob")
    await ready_player(bob)
    # Ada's nonce says nothing about Bob's activities.
    assert (await _queued(bob, "form:" + form["form_nonce"])).status_code == 201
    # Keys that are not a page's (an API client's UUID, a malformed nonce) are plain keys.
    assert (await _queued(bob, "0b6e6d3c-5a59-4c4a-9a52-3f0c2a1e7d11")).status_code == 201
    assert (await _queued(bob, "form:short")).status_code == 201
    assert await _count(db_session) == 4
