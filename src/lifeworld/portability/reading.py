"""Reading an import's document: parsed and validated off the event loop, one import at a time.

A document of a player's whole history is megabytes of JSON. Parsed and validated on the event
loop, it stopped every other request for as long as that took; here it is read only once the
player is known to be empty (importer.py), in a worker thread, and at most `MAX_IMPORTS` run
at once in a process: another is answered 429 with Retry-After (API.md's answer for "not now",
as a busy sign-in is), so a burst of imports never holds several documents in memory at once.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast, get_origin

from pydantic import TypeAdapter, ValidationError

from lifeworld.errors import BadRequest, InvalidFields, Throttled
from lifeworld.json_body import REPEATED, decode, is_json_type
from lifeworld.portability.checks import check_document
from lifeworld.portability.schemas import ExportDocument

MAX_IMPORTS = 1  # imports are rare (a restore, a move): one at a time keeps their memory bounded
RETRY_AFTER_S = 5

Read = Callable[[], Awaitable[bytes]]

_lock = threading.Lock()
_running = 0


class ImportBusy(Throttled):
    """Another import is being read or written in this process."""

    def __init__(self) -> None:
        super().__init__(
            "Another import is running right now. Try again in a few seconds.",
            retry_after_s=RETRY_AFTER_S,
        )


@asynccontextmanager
async def turn() -> AsyncIterator[None]:
    """One of the `MAX_IMPORTS` places, or `ImportBusy` at once (nothing waits for one).

    The cyclic garbage collector is paused while an import runs: each of its full passes over
    a document's million objects held the event loop for up to a second. Reference counting
    still frees almost everything; the collector resumes once the document is gone.
    """
    global _running
    with _lock:
        if _running >= MAX_IMPORTS:
            raise ImportBusy()
        _running += 1
        paused = _running == 1 and gc.isenabled()
        if paused:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if paused:
                gc.enable()


def _not_json(exc: ValueError) -> BadRequest:
    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else ""
    if reason.startswith(REPEATED):
        key = reason.removeprefix(REPEATED).strip()
        message = f"The request body is not valid JSON: the key {key} appears twice in one object."
    else:
        message = "The request body is not valid JSON."
    return BadRequest(message, code="malformed_json")


def parse(raw: bytes, content_type: str) -> ExportDocument:
    """The checked document in `raw`: 400 `malformed_json` when it is not JSON, 422 naming each
    field the schema or the checks across parts refuse (the answers FastAPI's parsing gave)."""
    if not raw:
        raise InvalidFields([{"field": "body", "reason": "Field required"}])
    if not is_json_type(content_type):
        raise BadRequest(
            "The request body must be JSON, sent with Content-Type: application/json.",
            code="malformed_json",
        )
    try:
        data = decode(raw)
    except (ValueError, RecursionError) as exc:  # not JSON, invalid UTF-8, nested too deep
        raise _not_json(exc if isinstance(exc, ValueError) else ValueError()) from None
    document = _validated(data)
    check_document(document)
    return document


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def _validated(data: object) -> ExportDocument:
    """The document validated a slice of each list at a time: one call over the whole of it
    held the GIL for seconds, and the event loop's thread with it."""
    errors: list[dict[str, str]] = []
    parts: dict[str, list[object]] = {}
    head, document = data, None
    if isinstance(data, dict):
        parts = {n: data[n] for n in _LISTS if isinstance(data.get(n), list)}
        head = {**data, **{name: [] for name in parts}}
    try:
        document = ExportDocument.model_validate(head)
    except ValidationError as exc:
        errors += [{"field": _field(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
    validated: dict[str, list[object]] = {}
    for name, items in parts.items():
        adapter, done = _LISTS[name], []
        for start in range(0, len(items), SLICE):
            try:
                done += adapter.validate_python(items[start : start + SLICE])
            except ValidationError as exc:
                for e in exc.errors():
                    index, *rest = e["loc"]
                    where = (name, start + int(index), *rest)
                    errors.append({"field": _field(where), "reason": e["msg"]})
        validated[name] = done
    if errors or document is None:
        raise InvalidFields(errors)
    return document.model_copy(update=validated)


SLICE = 256  # list items validated per call (the GIL is free between calls)
_LISTS: dict[str, TypeAdapter[list[Any]]] = {
    name: TypeAdapter(cast(Any, field.annotation))
    for name, field in ExportDocument.model_fields.items()
    if get_origin(field.annotation) is list
}


async def read_document(read: Read, content_type: str) -> ExportDocument:
    """The body read, then parsed and checked in a worker thread."""
    return await asyncio.to_thread(parse, await read(), content_type)
