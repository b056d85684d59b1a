"""One error hierarchy and the one translator from errors to HTTP answers.

Services raise these (or the game's `GameRuleError`); handlers never build error responses
themselves. API paths get the JSON shape of API.md; pages get an HTML page in the app's style.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeworld.game.errors import GameRuleError
from lifeworld.internals import route_contexts

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error with a status, a snake_case code and a message for a person."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers or {}


class BadRequest(AppError):
    status_code, code = 400, "bad_request"


class Unauthorized(AppError):
    status_code, code = 401, "not_authenticated"


class Forbidden(AppError):
    status_code, code = 403, "forbidden"


class NotFound(AppError):
    status_code, code = 404, "not_found"


class Conflict(AppError):
    status_code, code = 409, "conflict"


class PayloadTooLarge(AppError):
    status_code, code = 413, "body_too_large"


class InvalidField(AppError):
    """422 for a field the schema accepted but the service refused (duplicate, bad timezone…)."""

    status_code, code = 422, "invalid_field"

    def __init__(self, field: str, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason, code=code, details=[{"field": field, "reason": reason}])
        self.field = field


class Throttled(AppError):
    status_code, code = 429, "throttled"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(
            message,
            details={"retry_after_s": retry_after_s},
            headers={"Retry-After": str(max(1, retry_after_s))},
        )


class ServiceUnavailable(AppError):
    status_code, code = 503, "service_unavailable"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_details(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic's error list as [{field, reason}] for people."""
    return [
        {"field": _field_name(e.get("loc", ())), "reason": str(e.get("msg", ""))} for e in errors
    ]


def _body_not_sent_as_json(request: Request, errors: Sequence[Any]) -> bool:
    """A body sent without a JSON content type (a form, plain text, none at all) is never read
    as JSON: malformed for this API, not a field to correct."""
    content_type = request.headers.get("content-type", "").lower()
    return "json" not in content_type and any(
        tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), bytes) for e in errors
    )


def _route_table(request: Request) -> list[tuple[str, Any, set[str]]]:
    """(path, compiled pattern, methods) of every route, included routers flattened."""
    return [
        (route.path, route.path_regex, set(route.methods or ()))
        for route in route_contexts(request.app.router.routes)
        if route.path is not None and route.methods
    ]


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    path = request.url.path
    # A literal path (`/me/investments/growth`) names its own resource, even where a parameter
    # route (`/me/investments/{investment_id}`) would also match the text.
    methods = literal_route_methods(request) or {
        m for _, regex, ms in _route_table(request) if regex.match(path) for m in ms
    }
    methods.discard("HEAD")  # implied by GET
    return ", ".join(sorted(methods))


def literal_route_methods(request: Request) -> set[str]:
    """The methods of routes without path parameters whose path is exactly this one."""
    path = request.url.path
    return {m for route_path, _, ms in _route_table(request) if route_path == path for m in ms}


Renderer = Callable[[Request, int, str, str, Any], Awaitable[Response | None]]


class ErrorTranslator:
    """Turns every exception into the API's JSON error shape, or a page for browsers."""

    def __init__(self) -> None:
        self.page_renderer: Renderer | None = None

    async def respond(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if self.page_renderer is not None and not request.url.path.startswith("/api/"):
            page = await self.page_renderer(request, status, code, message, details)
            if page is not None:
                if headers:
                    page.headers.update(headers)
                return page
        return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)

    def install(self, app: FastAPI) -> None:
        app.add_exception_handler(AppError, self._app_error)  # type: ignore[arg-type]
        app.add_exception_handler(GameRuleError, self._game_error)  # type: ignore[arg-type]
        app.add_exception_handler(RequestValidationError, self._validation)  # type: ignore[arg-type]
        app.add_exception_handler(StarletteHTTPException, self._http)  # type: ignore[arg-type]
        app.add_exception_handler(OperationalError, self._database_down)
        # Statements sent with psycopg itself (players/store.py, the cache): not wrapped.
        app.add_exception_handler(psycopg.OperationalError, self._database_down)
        app.add_exception_handler(PoolTimeoutError, self._database_down)
        app.add_exception_handler(DataError, self._unstorable)
        app.add_exception_handler(psycopg.DataError, self._unstorable)
        app.add_exception_handler(DBAPIError, self._database_error)  # type: ignore[arg-type]
        app.add_exception_handler(Exception, self._unexpected)
        document_errors(app)

    async def _app_error(self, request: Request, exc: AppError) -> Response:
        return await self.respond(
            request, exc.status_code, exc.code, exc.message, exc.details, exc.headers
        )

    async def _game_error(self, request: Request, exc: GameRuleError) -> Response:
        return await self.respond(request, 409, exc.code, exc.message, exc.details or None)

    async def _validation(self, request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("loc", ("",))[0] == "path" for e in errors):
            # `GET /places/search` fell through to `GET /places/{id}`: the address names the
            # literal resource, which takes other methods, so the answer is 405, not 422.
            literal = literal_route_methods(request)
            if literal and request.method not in literal:
                return await self.respond(
                    request,
                    405,
                    "method_not_allowed",
                    "This address does not accept that method.",
                    None,
                    {"Allow": ", ".join(sorted(literal - {"HEAD"}))},
                )
        if any(e.get("type") == "json_invalid" for e in errors):
            return await self.respond(
                request, 400, "malformed_json", "The request body is not valid JSON."
            )
        if _body_not_sent_as_json(request, errors):
            return await self.respond(
                request,
                400,
                "malformed_json",
                "The request body must be JSON, sent with Content-Type: application/json.",
            )
        return await self.respond(
            request,
            422,
            "invalid_field",
            "Some fields are missing or invalid.",
            validation_details(errors),
        )

    async def _http(self, request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.__cause__, AppError):
            # FastAPI turns any error while reading the body into a 400, including our own
            # 413 for a body streamed past the limit: answer the original error.
            return await self._app_error(request, exc.__cause__)
        codes = {
            404: ("not_found", "There is nothing at this address."),
            405: ("method_not_allowed", "This address does not accept that method."),
            413: ("body_too_large", "The request body is larger than 1 MiB."),
        }
        code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # Invalid UTF-8, nesting deeper than the parser goes, an integer of thousands of
            # digits: FastAPI's generic 400, named like every other unreadable body.
            code, message = "malformed_json", "The request body is not valid JSON."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return await self.respond(request, exc.status_code, code, message, None, headers)

    async def _database_down(self, request: Request, exc: Exception) -> Response:
        log.warning("database unavailable: %s", type(exc).__name__)
        return await self.respond(
            request,
            503,
            "database_unavailable",
            "The database is not reachable right now. Try again in a few seconds.",
            None,
            {"Retry-After": "5"},
        )

    async def _unstorable(self, request: Request, exc: Exception) -> Response:
        # A value passed validation but PostgreSQL cannot store it (a NUL character in text,
        # a number out of the column's range): bad input, and the transaction rolled back.
        nul = "NUL" in str(getattr(exc, "orig", exc))
        reason = "Text cannot contain the NUL character." if nul else "A value is out of range."
        return await self.respond(
            request,
            422,
            "invalid_field",
            "Some fields are missing or invalid.",
            [{"field": "body", "reason": reason}],
        )

    async def _database_error(self, request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return await self._database_down(request, exc)
        return await self._unexpected(request, exc)

    async def _unexpected(self, request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        response = await self.respond(
            request, 500, "internal_error", "Something went wrong on our side. It has been logged."
        )
        # Starlette answers crashes outside every middleware: add the security headers here.
        from lifeworld.middleware import SECURITY_HEADERS

        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name.decode(), value.decode())
        return response


translator = ErrorTranslator()


# -- the OpenAPI document: every operation lists the error answers it can give ---------------

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
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status, description in DOCUMENTED_ERRORS.items():
                existing = responses.get(status)
                if existing is None or "HTTPValidationError" in str(existing):
                    responses[status] = {"description": description, "content": error_ref}
            if path.startswith("/api/") and method in ("post", "put", "patch", "delete"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(schema["paths"]):
            schema["components"]["schemas"].pop(unused, None)
    return schema


def document_errors(app: FastAPI) -> None:
    """Describe the error shape and statuses of API.md on every operation of the app's document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _documented(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
