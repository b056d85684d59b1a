"""The one translator from exceptions to HTTP answers: the JSON shape of API.md under /api,
a page in the app's style elsewhere (the page renderer `create_app` hands it)."""

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

from lifeworld.errors import AppError, error_body
from lifeworld.game.errors import GameRuleError
from lifeworld.headers import headers_for
from lifeworld.json_body import REPEATED
from lifeworld.routes import allowed_methods, literal_route_methods

log = logging.getLogger(__name__)


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


def _malformed(errors: Sequence[Any]) -> str:
    """Why a body is not JSON, for people: said only for a repeated key (json_body.py)."""
    for error in errors:
        reason = str((error.get("ctx") or {}).get("error", ""))
        if reason.startswith(REPEATED):
            key = reason.removeprefix(REPEATED).strip()
            return f"The request body is not valid JSON: the key {key} appears twice in one object."
    return "The request body is not valid JSON."


Renderer = Callable[[Request, int, str, str, Any], Awaitable[Response | None]]


class ErrorTranslator:
    """Turns every exception into the API's JSON error shape, or a page for browsers."""

    def __init__(self, page_renderer: Renderer | None = None) -> None:
        self.page_renderer = page_renderer

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

    def _handlers(self) -> dict[type[Exception], Callable[[Request, Any], Awaitable[Response]]]:
        return {
            AppError: self._app_error,
            GameRuleError: self._game_error,
            RequestValidationError: self._validation,
            StarletteHTTPException: self._http,
            OperationalError: self._database_down,
            # Statements sent with psycopg itself (players/store.py, the cache): not wrapped.
            psycopg.OperationalError: self._database_down,
            PoolTimeoutError: self._database_down,
            DataError: self._unstorable,
            psycopg.DataError: self._unstorable,
            DBAPIError: self._database_error,
            Exception: self._unexpected,
        }

    def install(self, app: FastAPI) -> None:
        for kind, handler in self._handlers().items():
            app.add_exception_handler(kind, handler)

    async def answer(self, request: Request, exc: Exception) -> Response:
        """The answer to any exception, by the handler of its nearest class (`AnswerErrors`)."""
        handlers = self._handlers()
        for kind in type(exc).__mro__:
            handler = handlers.get(kind)
            if handler is not None:
                return await handler(request, exc)
        return await self._unexpected(request, exc)

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
            return await self.respond(request, 400, "malformed_json", _malformed(errors))
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
            headers["Allow"] = allowed_methods(request)
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
        for name, value in headers_for(request.url.path):
            response.headers.setdefault(name.decode(), value.decode())
        return response
