"""The app's error hierarchy: what services raise, each with a status and a snake_case code.

Services raise these (or the game's `GameRuleError`); handlers never build error responses
themselves. The one translator from errors to answers is `lifeworld.translator`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response


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


class InvalidFields(AppError):
    """422 for a body its schema refused, field by field, when a service validates it itself
    (`details` as the translator gives FastAPI's: [{field, reason}])."""

    status_code, code = 422, "invalid_field"

    def __init__(self, details: list[dict[str, str]]) -> None:
        super().__init__("Some fields are missing or invalid.", details=details)


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


# How an error becomes an answer (JSON for /api, a page elsewhere): `lifeworld.translator`'s
# `ErrorTranslator.respond`, handed to the middleware that answers errors itself.
Respond = Callable[[Request, int, str, str], Awaitable[Response]]
