"""One error hierarchy and the one translator from errors to HTTP answers.

Services raise these (or the game's `GameRuleError`); handlers never build error responses
themselves. API paths get the JSON shape of API.md; pages get an HTML page in the app's style.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeworld.game.errors import GameRuleError

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
        app.add_exception_handler(PoolTimeoutError, self._database_down)
        app.add_exception_handler(DBAPIError, self._database_error)  # type: ignore[arg-type]
        app.add_exception_handler(Exception, self._unexpected)

    async def _app_error(self, request: Request, exc: AppError) -> Response:
        return await self.respond(
            request, exc.status_code, exc.code, exc.message, exc.details, exc.headers
        )

    async def _game_error(self, request: Request, exc: GameRuleError) -> Response:
        return await self.respond(request, 409, exc.code, exc.message, exc.details or None)

    async def _validation(self, request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return await self.respond(
                request, 400, "malformed_json", "The request body is not valid JSON."
            )
        return await self.respond(
            request,
            422,
            "invalid_field",
            "Some fields are missing or invalid.",
            validation_details(errors),
        )

    async def _http(self, request: Request, exc: StarletteHTTPException) -> Response:
        codes = {
            404: ("not_found", "There is nothing at this address."),
            405: ("method_not_allowed", "This address does not accept that method."),
            413: ("body_too_large", "The request body is larger than 1 MiB."),
        }
        code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
        return await self.respond(
            request, exc.status_code, code, message, None, dict(exc.headers or {})
        )

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

    async def _database_error(self, request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return await self._database_down(request, exc)
        return await self._unexpected(request, exc)

    async def _unexpected(self, request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return await self.respond(
            request, 500, "internal_error", "Something went wrong on our side. It has been logged."
        )


translator = ErrorTranslator()
