"""A password change ends every way in: sessions always, API tokens unless the owner keeps them
(issue 20, finding 7: a thief's token survived the change)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.integration.factories import PASSWORD, set_up_household

NEW_PASSWORD = "a brand new passphrase"


async def _token(client: httpx.AsyncClient, name: str) -> str:
    created = await client.post("/api/v1/auth/tokens", json={"name": name})
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


def _bearer(app: FastAPI, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_password_change_deletes_every_api_token_in_every_instance(
    committed_app: FastAPI, committed_client: httpx.AsyncClient, second_instance: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    thiefs, mine = (
        await _token(committed_client, "made by a thief"),
        await _token(committed_client, "phone"),
    )
    async with _bearer(committed_app, thiefs) as thief:
        assert (await thief.get("/api/v1/household")).status_code == 200  # now cached here
        second_instance.headers["Authorization"] = f"Bearer {mine}"
        assert (await second_instance.get("/api/v1/household")).status_code == 200  # and there

        change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        answer = await committed_client.post("/api/v1/auth/password", json=change)
        assert answer.status_code == 204, answer.text

        for client in (thief, second_instance):
            refused = await client.get("/api/v1/household")
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "invalid_token"
    committed_client.cookies.clear()
    relog = await committed_client.post(
        "/api/v1/auth/login", json={"login": "ada", "password": NEW_PASSWORD}
    )
    assert relog.status_code == 200
    committed_client.headers["X-CSRF-Token"] = relog.json()["csrf_token"]
    assert (await committed_client.get("/api/v1/auth/tokens")).json() == []


async def test_the_owner_may_keep_the_api_tokens(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    token = await _token(committed_client, "home assistant")
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "revoke_tokens": False}
    answer = await committed_client.post("/api/v1/auth/password", json=change)
    assert answer.status_code == 204, answer.text
    assert (await committed_client.get("/api/v1/household")).status_code == 401  # signed out
    async with _bearer(committed_app, token) as script:
        assert (await script.get("/api/v1/household")).status_code == 200


async def test_a_refused_change_deletes_nothing(
    committed_app: FastAPI, committed_client: httpx.AsyncClient
) -> None:
    await set_up_household(committed_client)
    token = await _token(committed_client, "phone")
    wrong = {"current_password": "not the password", "new_password": NEW_PASSWORD}
    answer = await committed_client.post("/api/v1/auth/password", json=wrong)
    assert answer.status_code == 422
    async with _bearer(committed_app, token) as script:
        assert (await script.get("/api/v1/household")).status_code == 200
    assert (await committed_client.get("/api/v1/household")).status_code == 200


async def test_revoke_tokens_must_be_true_or_false(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "revoke_tokens": 2}
    answer = await client.post("/api/v1/auth/password", json=change)
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json()["error"]["details"]] == ["revoke_tokens"]


async def test_the_openapi_document_describes_revoke_tokens(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    field = schema["components"]["schemas"]["PasswordChangeIn"]["properties"]["revoke_tokens"]
    assert field["type"] == "boolean"
    assert field["default"] is True
    assert "API token" in field["description"]
