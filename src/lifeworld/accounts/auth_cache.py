"""Who is behind a cookie or token, remembered for a minute in each process's memory.

Every request authenticates; reading the session and the user from PostgreSQL each time would
be the largest cost of a request served from caches. A cached sign-in holds the user's public
fields (never the password hash) and the session's CSRF token and expiry; it is dropped in every
instance, before the answer is sent, when the session is revoked, the password changes, the
token is deleted or the profile changes, and it lives at most `AUTH_TTL_S` otherwise. The
objects it returns are transient: services that change a user load the row (`session.get`).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from lifeworld.accounts.models import Session, User
from lifeworld.cache import Namespace
from lifeworld.db.scope import Scope
from lifeworld.internals import new_instance

AUTH_TTL_S = 60.0
_M = TypeVar("_M")
_USER_FIELDS = (
    "id",
    "household_id",
    "username",
    "email",
    "display_name",
    "is_admin",
    "timezone",
    "day_start_hour",
)


def user_tag(user_id: int) -> str:
    return f"user:{user_id}"


def _namespace(scope: Scope) -> Namespace | None:
    cache = scope.cache
    return cache.namespace("auth", tiers=("memory",), ttl=AUTH_TTL_S) if cache else None


def _user_json(user: User) -> dict[str, Any]:
    fields = {name: getattr(user, name) for name in _USER_FIELDS}
    fields["created_at"] = user.created_at.isoformat()
    return fields


def _user(fields: dict[str, Any]) -> User:
    values = {name: fields[name] for name in _USER_FIELDS}
    values["created_at"] = datetime.fromisoformat(fields["created_at"])
    values["password_hash"] = ""
    return _transient(User, values)


def _transient(model: type[_M], values: dict[str, Any]) -> _M:
    """A transient instance holding `values`, made without the mapped class's constructor.

    The constructor records every attribute as a change (instrumented events), many times the
    cost of filling the attributes directly as loading a row does. These objects are only
    read, never added to a session.
    """
    instance = new_instance(model)
    instance.__dict__.update(values)
    return instance


# Decoding the same cached bytes into objects on every request is most of a cache hit's cost:
# keep the objects made from the bytes last seen under each key (read-only, never attached),
# the least recently used dropped first.
_decoded: OrderedDict[str, tuple[bytes, tuple[User, Session | None]]] = OrderedDict()
_DECODED_MAX = 4096


async def recall(scope: Scope, key: str) -> tuple[User, Session | None] | None:
    """The cached sign-in under `key` ("s:<digest>" or "t:<digest>"), if any."""
    ns = _namespace(scope)
    raw = await ns.get(key) if ns else None
    if raw is None:
        return None
    known = _decoded.get(key)
    if known is not None and known[0] is raw:
        _decoded.move_to_end(key)
        return known[1]
    decoded = _decode(raw)
    _decoded[key] = (raw, decoded)
    _decoded.move_to_end(key)
    if len(_decoded) > _DECODED_MAX:
        _decoded.popitem(last=False)  # more sign-ins in use than kept: the oldest goes
    return decoded


def _decode(raw: bytes) -> tuple[User, Session | None]:
    doc = json.loads(raw)
    user = _user(doc["user"])
    sess = None
    if doc.get("session"):
        s = doc["session"]
        sess = _transient(
            Session,
            {
                "token_digest": bytes.fromhex(s["digest"]),
                "user_id": user.id,
                "csrf_token": s["csrf"],
                "last_seen_at": datetime.fromisoformat(s["last_seen_at"]),
                "expires_at": datetime.fromisoformat(s["expires_at"]),
            },
        )
    return user, sess


async def remember(scope: Scope, key: str, user: User, sess: Session | None) -> None:
    """Keep a sign-in just read from the database (only once its transaction holds no change)."""
    ns = _namespace(scope)
    if ns is None:
        return
    doc: dict[str, Any] = {"user": _user_json(user)}
    if sess is not None:
        doc["session"] = {
            "digest": sess.token_digest.hex(),
            "csrf": sess.csrf_token,
            "last_seen_at": sess.last_seen_at.isoformat(),
            "expires_at": sess.expires_at.isoformat(),
        }
    await ns.set(key, json.dumps(doc).encode(), tags=[user_tag(user.id)])


def forget_user(scope: Scope, user_id: int) -> None:
    """Drop every cached sign-in of the user, everywhere, after this transaction commits."""
    if scope.cache is not None:
        scope.after_commit(partial(scope.cache.invalidate, tags=[user_tag(user_id)]))


def forget_key(scope: Scope, key: str) -> None:
    """Drop one cached sign-in, everywhere, after this transaction commits."""
    if scope.cache is not None:
        scope.after_commit(partial(scope.cache.invalidate, keys=[f"auth:{key}"]))


def session_key(digest: bytes) -> str:
    return f"s:{digest.hex()}"


def token_key(digest: bytes) -> str:
    return f"t:{digest.hex()}"
