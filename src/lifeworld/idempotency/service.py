"""Reserving a key before the work and recording the answer with it, in one transaction.

The key row is inserted first. A second request with the same key (a retry, a double submit,
another app instance) inserts the same primary key, and PostgreSQL makes it wait until the
first transaction ends:
  - the first committed: the insert conflicts and the second replays the stored answer;
  - the first rolled back (it failed, nothing was written): the insert succeeds and the
    second request does the work itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from lifeworld.db.scope import Scope
from lifeworld.errors import Conflict, InvalidField
from lifeworld.idempotency.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
PURGE_BATCH = 200
CONFLICT = "idempotency_conflict"


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    content_type: str | None
    body: bytes


def check_key(key: str) -> str:
    """A key is 1–255 visible ASCII characters (a UUID is the usual choice)."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in key):
        raise InvalidField(
            HEADER, "Use 1 to 255 visible ASCII characters, e.g. a UUID.", code="invalid_field"
        )
    return key


def request_hash(method: str, path: str, query: bytes, body: bytes) -> bytes:
    """What makes two requests "the same": method, path with query, and the exact body."""
    digest = hashlib.sha256(f"{method}\n{path}\n".encode())
    digest.update(query + b"\n" + body)
    return digest.digest()


async def purge_expired(scope: Scope, *, now: datetime) -> None:
    """Drop a small batch of expired keys (cheap: an index on expires_at)."""
    expired = (
        select(IdempotencyKey.user_id, IdempotencyKey.key)
        .where(IdempotencyKey.expires_at <= now)
        .limit(PURGE_BATCH)
    )
    await scope.session.execute(
        delete(IdempotencyKey).where(
            tuple_(IdempotencyKey.user_id, IdempotencyKey.key).in_(expired)
        )
    )


async def reserve(
    scope: Scope,
    *,
    user_id: int,
    key: str,
    digest: bytes,
    now: datetime,
    ttl: timedelta,
) -> StoredAnswer | None:
    """Take the key for this request: None when it is new (or expired), else the earlier answer.

    Refuses a key reused for a different request (422) and, defensively, a key whose first
    request left no answer (409).
    """
    await purge_expired(scope, now=now)
    fresh = {
        "request_hash": digest,
        "created_at": now,
        "expires_at": now + ttl,
        "status_code": None,
        "content_type": None,
        "body": None,
    }
    statement = insert(IdempotencyKey).values(user_id=user_id, key=key, **fresh)
    taken = await scope.session.scalar(
        statement.on_conflict_do_update(
            index_elements=[IdempotencyKey.user_id, IdempotencyKey.key],
            set_=fresh,
            where=IdempotencyKey.expires_at <= now,
        ).returning(IdempotencyKey.key)
    )
    if taken is not None:
        return None
    earlier = await scope.session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )
    if earlier is None:  # expired and swept in between: treat as new on the client's next try
        raise Conflict("This key is being reused right now; retry.", code=CONFLICT)
    if earlier.request_hash != digest:
        raise InvalidField(
            HEADER,
            "This key was already used for a different request; use a new key.",
            code="idempotency_key_reused",
        )
    if earlier.status_code is None:
        raise Conflict("The first request with this key left no answer.", code=CONFLICT)
    return StoredAnswer(earlier.status_code, earlier.content_type, earlier.body or b"")


async def record(scope: Scope, *, user_id: int, key: str, answer: StoredAnswer) -> None:
    """Keep the answer with the key, in the transaction that did the work."""
    await scope.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(status_code=answer.status_code, content_type=answer.content_type, body=answer.body)
    )
