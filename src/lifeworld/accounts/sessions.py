"""Signing in: passwords with throttling, browser sessions, sign-outs, password changes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, func, select, update

from lifeworld.accounts import auth_cache
from lifeworld.accounts.households import stored_user
from lifeworld.accounts.models import LoginFailure, Session, User
from lifeworld.accounts.security import Security, new_token
from lifeworld.db.scope import Scope
from lifeworld.errors import InvalidField, Throttled, Unauthorized
from lifeworld.settings import Settings


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


def _window_start(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(minutes=settings.login_window_minutes)


async def _check_throttle(
    scope: Scope, settings: Settings, *, account: str, address: str, now: datetime
) -> None:
    since = _window_start(settings, now)
    for column, value, limit in (
        (LoginFailure.account, account, settings.login_max_failures_per_account),
        (LoginFailure.address, address, settings.login_max_failures_per_address),
    ):
        row = (
            await scope.session.execute(
                select(func.count(), func.min(LoginFailure.failed_at)).where(
                    column == value, LoginFailure.failed_at > since
                )
            )
        ).one()
        count, oldest = row
        if count >= limit and oldest is not None:
            retry = int(
                (oldest + timedelta(minutes=settings.login_window_minutes) - now).total_seconds()
            )
            raise Throttled(
                "Too many failed sign-in attempts. Wait a little and try again.",
                retry_after_s=max(1, retry + 1),
            )


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

    A failure is committed at once (the request's transaction will roll back on the 401),
    so the throttle holds across requests and app instances.
    """
    account = login.strip().lower()
    await _check_throttle(scope, settings, account=account, address=address, now=now)
    user = await scope.session.scalar(
        select(User).where(
            (func.lower(User.username) == account) | (func.lower(User.email) == account)
        )
    )
    if user is None:
        security.dummy_verify(password)
    elif security.verify_password(user.password_hash, password):
        await scope.session.execute(delete(LoginFailure).where(LoginFailure.account == account))
        return user
    scope.session.add(LoginFailure(account=account, address=address, failed_at=now))
    await scope.session.commit()
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
    *,
    user: User,
    current_password: str,
    new_password: str,
    now: datetime,
) -> None:
    """Change a password and sign out every scope of the user."""
    user = await stored_user(scope, user)
    if not security.verify_password(user.password_hash, current_password):
        raise InvalidField("current_password", "The current password is wrong.")
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = now
    await revoke_all_sessions(scope, user_id=user.id)


async def reset_password(
    scope: Scope, security: Security, *, user: User, new_password: str, now: datetime
) -> int:
    """Set a new password without the old one and sign out every scope; returns how many."""
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = now
    return await revoke_all_sessions(scope, user_id=user.id)


async def unlock_account(scope: Scope, *, user: User) -> int:
    """Forget the failed sign-ins of this account and of the addresses they came from."""
    accounts = (user.username.lower(), user.email.lower())
    addresses = select(LoginFailure.address).where(LoginFailure.account.in_(accounts))
    result = await scope.session.execute(
        delete(LoginFailure).where(
            LoginFailure.account.in_(accounts) | LoginFailure.address.in_(addresses)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
