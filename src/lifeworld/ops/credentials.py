"""Who was active: the session cookies and bearer tokens a minute's requests carried, as players.

The middleware keeps the raw header of each request that was not refused as unauthenticated
(401) in the minute's set — no parsing, no hashing on the request path. When the minute's row is
written (every 15 s) each distinct header is read once, its token digested as the accounts code
does, and looked up among sessions and API tokens; the headers are then dropped. So "concurrent
users" counts players by their requests, per minute and exactly, whatever the caches in front
of sign-in do; ids already resolved are remembered (by digest, never by token).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncEngine

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.accounts.models import ApiToken, Session
from lifeworld.accounts.security import Security

BEARER, COOKIE = b"a", b"c"
MAX_KNOWN = 50_000
_COOKIE_NAME = SESSION_COOKIE + "="


def credential(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The request's bearer header, else its cookie header, tagged; b"" when neither."""
    cookie = b""
    for name, value in headers:
        if name == b"authorization":
            return BEARER + value
        if name == b"cookie":
            cookie = COOKIE + value
    return cookie


def token_of(raw: bytes) -> str | None:
    """The token inside a tagged header: what `authenticate` would read."""
    kind, value = raw[:1], raw[1:].decode("latin-1")
    if kind == BEARER:
        scheme, _, token = value.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None
    for part in value.split(";"):
        part = part.strip()
        if part.startswith(_COOKIE_NAME):
            return part[len(_COOKIE_NAME) :].strip('"') or None
    return None


async def resolve(
    engine: AsyncEngine,
    security: Security,
    raw: Iterable[bytes],
    known: MutableMapping[bytes, int | None],
) -> set[int]:
    """The user ids behind these headers (unknown or revoked ones are left out)."""
    digests = {security.digest(token) for r in raw if (token := token_of(r)) is not None}
    unknown = [d for d in digests if d not in known]
    if unknown:
        if len(known) > MAX_KNOWN:
            known.clear()
        query = union(
            select(Session.token_digest, Session.user_id).where(Session.token_digest.in_(unknown)),
            select(ApiToken.token_digest, ApiToken.user_id).where(
                ApiToken.token_digest.in_(unknown)
            ),
        )
        async with engine.connect() as conn:
            found = {bytes(d): int(u) for d, u in (await conn.execute(query)).all()}
        for digest in unknown:
            known[digest] = found.get(digest)
    return {user for d in digests if (user := known.get(d)) is not None}
