"""Signing in: passwords (throttled), browser sessions, sign-outs, password changes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, select, update

from lifeworld.accounts import auth_cache, throttle, tokens
from lifeworld.accounts.households import stored_user
from lifeworld.accounts.models import PasswordReset, Session, User
from lifeworld.accounts.security import Security, new_token
from lifeworld.admin.audit import audit
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField, Unauthorized
from lifeworld.settings import Settings

RESET_PURPOSE = "reset:"  # digests of reset links never match a session's or a token's
RESET_REFUSED = "Too many attempts with password reset links. Wait a little and try again."
RESET_INVALID = (
    "This password reset link does not work any more: it was used, replaced or has expired. "
    "Ask your household admin for a new one."
)


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


async def authenticate(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    login: str,
    password: str,
    address: str,
    now: datetime,
) -> User:
    """Check a username-or-email and password, counting failures per account and address.

    The attempt takes its place in the throttle before the check (`accounts/throttle.py`); an
    unknown name costs the same work as a real account, and answers the same.
    """
    async with security.passwords.turn() as turn:
        user, attempt = await throttle.sign_in(
            scope, security, settings, login=login, address=address, now=now
        )
        if user is None:
            await turn.verify_unknown(password)
        elif await turn.verify(user.password_hash, password):
            await throttle.succeeded(scope, attempt)
            return user
    raise Unauthorized("Wrong username, email or password.", code="invalid_credentials")


async def start_session(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    user: User,
    now: datetime,
    user_agent: str | None = None,
    address: str | None = None,
) -> NewSession:
    """Open a new server-side scope (a fresh token at every sign-in)."""
    token = new_token()
    csrf = secrets.token_urlsafe(24)
    expires = now + timedelta(days=settings.session_absolute_days)
    scope.session.add(
        Session(
            token_digest=security.digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
            user_agent=(user_agent or "")[:300] or None,
            address=address,
        )
    )
    await scope.session.flush()
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


async def resolve_session(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    token: str,
    now: datetime,
) -> tuple[User, Session] | None:
    """The user behind a scope cookie, or None when unknown, revoked, idle or expired."""
    digest = security.digest(token)
    key = auth_cache.session_key(digest)
    idle_limit = timedelta(days=settings.session_idle_days)
    cached = await auth_cache.recall(scope, key)
    if cached is not None and cached[1] is not None:
        user, sess = cached[0], cached[1]
        if sess.expires_at > now and sess.last_seen_at + idle_limit > now:
            return user, sess
    row = (
        await scope.session.execute(
            select(User, Session)
            .join(Session, Session.user_id == User.id)
            .where(Session.token_digest == digest)
        )
    ).first()
    if row is None:
        return None
    user, sess = row
    if sess.expires_at <= now or sess.last_seen_at + idle_limit <= now:
        await scope.session.delete(sess)
        auth_cache.forget_key(scope, key)
        return None
    if now - sess.last_seen_at > timedelta(minutes=5):
        # Touch at most every few minutes: idle expiry without a write on every request.
        # A refused request rolls back; the touch is then written on its own.
        sess.last_seen_at = now
        scope.after_rollback(partial(_touch, scope, digest, now))
    await auth_cache.remember(scope, key, user, sess)
    return user, sess


async def _touch(scope: Scope, digest: bytes, now: datetime) -> None:
    await scope.session.execute(
        update(Session).where(Session.token_digest == digest).values(last_seen_at=now)
    )
    await scope.session.commit()


async def revoke_session(scope: Scope, *, sess: Session) -> None:
    """Sign out: the scope row is deleted and every cached copy dropped."""
    await scope.session.execute(delete(Session).where(Session.token_digest == sess.token_digest))
    auth_cache.forget_key(scope, auth_cache.session_key(sess.token_digest))


async def revoke_token(scope: Scope, security: Security, *, token: str) -> None:
    """End the scope behind a cookie's token, if there is one."""
    digest = security.digest(token)
    await scope.session.execute(delete(Session).where(Session.token_digest == digest))
    auth_cache.forget_key(scope, auth_cache.session_key(digest))


async def revoke_all_sessions(scope: Scope, *, user_id: int) -> int:
    result = await scope.session.execute(delete(Session).where(Session.user_id == user_id))
    auth_cache.forget_user(scope, user_id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def change_password(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    user: User,
    current_password: str,
    new_password: str,
    revoke_tokens: bool,
    address: str,
    now: datetime,
) -> None:
    """Change a password and sign out every session of the user, and with `revoke_tokens`
    every API token too (a thief's included). The current password is checked like a
    sign-in: its failures count against the account and the address."""
    async with security.passwords.turn() as turn:
        attempt = await throttle.reserve(
            scope, settings, key=throttle.user_key(user.id), address=address, now=now
        )
        user = await stored_user(scope, user)
        if not await turn.verify(user.password_hash, current_password):
            raise InvalidField("current_password", "The current password is wrong.")
        new_hash = await turn.hash(new_password)
    await throttle.succeeded(scope, attempt)
    user.password_hash = new_hash
    user.password_changed_at = now
    await revoke_all_sessions(scope, user_id=user.id)
    if revoke_tokens:
        await tokens.revoke_all_api_tokens(scope, user_id=user.id)


async def reset_password(
    scope: Scope, security: Security, *, user: User, new_password: str, now: datetime
) -> int:
    """Set a new password without the old one and sign out every session; returns how many."""
    user.password_hash = await security.passwords.hash(new_password)
    user.password_changed_at = now
    return await revoke_all_sessions(scope, user_id=user.id)


async def unlock_account(scope: Scope, *, user: User) -> int:
    """Forget the failed sign-ins of this account and of the addresses they came from."""
    return await throttle.forget(scope, user_id=user.id)


async def _open_reset(
    scope: Scope, security: Security, *, token: str, now: datetime, lock: bool
) -> tuple[PasswordReset, User] | None:
    query = (
        select(PasswordReset, User)
        .join(User, User.id == PasswordReset.user_id)
        .where(PasswordReset.token_digest == security.digest(RESET_PURPOSE + token.strip()))
    )
    row = (await scope.session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        return None
    reset, user = row
    if reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset, user


async def reset_link_user(
    scope: Scope, security: Security, *, token: str, now: datetime
) -> User | None:
    """The member a reset link is for while it works, else None (nothing is written)."""
    found = await _open_reset(scope, security, token=token, now=now, lock=False)
    return None if found is None else found[1]


async def use_password_reset(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    token: str,
    new_password: str,
    address: str,
    now: datetime,
) -> User:
    """Set a new password with a one-time link from the household admin: the link is spent
    and every session of the member is signed out. Wrong links count against the address."""
    async with security.passwords.turn() as turn:
        attempt = await throttle.reserve(
            scope,
            settings,
            key="reset:" + security.digest(RESET_PURPOSE + token.strip()).hex(),
            address=address,
            now=now,
            refused=RESET_REFUSED,
        )
        found = await _open_reset(scope, security, token=token, now=now, lock=True)
        if found is None:
            raise InvalidField("token", RESET_INVALID, code="invalid_reset_link")
        new_hash = await turn.hash(new_password)
    await throttle.succeeded(scope, attempt)
    reset, user = found
    reset.used_at = now
    user.password_hash = new_hash
    user.password_changed_at = now
    await revoke_all_sessions(scope, user_id=user.id)
    audit(scope, actor=user, target=user, action="password_reset_used", changes={}, now=now)
    await scope.session.flush()
    return user
