"""Bad input and unknown routes answer in the API's error shape, never with a stack trace."""

from __future__ import annotations

import httpx


async def test_unknown_route_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is nothing at this address.",
            "details": None,
        }
    }


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/setup",
        content=b'{"household_name": ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


async def test_body_over_one_mib_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/setup",
        content=b'{"household_name": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert (await client.get("/api/v1/setup")).json() == {"needed": True}


async def test_unknown_fields_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"login": "a", "password": "b", "admin": True}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "admin"


async def test_unknown_host_header_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/setup", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_host"


async def test_security_headers_on_every_answer(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/health", "/api/v1/nothing-here"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "same-origin"


async def test_head_answers_like_get_without_the_body(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/api/v1/health", "/api/v1/setup", "/sw.js"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        # The length GET would send (the health check's latency changes its length: not there).
        assert ("content-length" in head.headers) == ("content-length" in got.headers), path
        if path == "/sw.js":
            assert head.headers["content-length"] == got.headers["content-length"]


async def test_head_on_a_route_without_get_is_405(client: httpx.AsyncClient) -> None:
    response = await client.head("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.content == b""
