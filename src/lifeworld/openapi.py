"""The OpenAPI document's additions: every operation lists the error answers it can give
(API.md's shape and statuses) and the `Idempotency-Key` header of unsafe API calls."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}
DOCUMENTED_ERRORS = {
    "400": "Malformed request (bad JSON, unknown host)",
    "401": "Not signed in",
    "403": "Not allowed (admin only, missing CSRF token)",
    "404": "Not found (also another player's objects)",
    "409": "A game rule or the current state refused it",
    "413": "Body too large",
    "422": "Invalid field; `details` lists each field",
    "429": "Throttled; see Retry-After",
    "503": "A dependency (the database) is unavailable; see Retry-After",
}
IDEMPOTENCY_HEADER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send a retry with the same key and it is recorded once (kept 24 h).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def _documented(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in schema.get("paths", {}).items():
        for method, operation in list(item.items()):
            if "requestBody" in operation:  # a body a handler reads itself (routes.json_body)
                operation = item[method] = _body_first(operation)
            responses = operation.setdefault("responses", {})
            for status, description in DOCUMENTED_ERRORS.items():
                existing = responses.get(status)
                # FastAPI's own validation answer (its description) is replaced by ours.
                generic = existing is not None and existing.get("description") == "Validation Error"
                if existing is None or generic:
                    responses[status] = {"description": description, "content": error_ref}
            if path.startswith("/api/") and method in ("post", "put", "patch", "delete"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(schema["paths"]):
            schema["components"]["schemas"].pop(unused, None)
    return schema


def _body_first(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation with its request body before its answers, where FastAPI puts it."""
    body = operation.pop("requestBody")
    ordered: dict[str, Any] = {}
    for key, value in operation.items():
        if key == "responses":
            ordered["requestBody"] = body
        ordered[key] = value
    ordered.setdefault("requestBody", body)
    return ordered


def document_errors(app: FastAPI) -> None:
    """Describe the error shape and statuses of API.md on every operation of the app's document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _documented(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
