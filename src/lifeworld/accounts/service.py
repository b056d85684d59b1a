"""Accounts: first-run setup, sign-in with throttling, sessions, API tokens, invites."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts import auth_cache
from lifeworld.accounts.models import ApiToken, Household, Invite, LoginFailure, Session, User
from lifeworld.accounts.security import Security, new_token
from lifeworld.db.session import after_rollback
from lifeworld.errors import Conflict, InvalidField, NotFound, Throttled, Unauthorized
from lifeworld.settings import Settings

SETUP_LOCK_KEY = 0x4C57_0001  # advisory lock id serialising first-run setup
TOKEN_PREFIX = "lw_"


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


async def _stored(session: AsyncSession, user: User) -> User:
    """The user's row in this session (a cached sign-in hands out a transient copy)."""
    row = await session.get(User, user.id)
    if row is None:
        raise NotFound("This account no longer exists.")
    return row


async def setup_needed(session: AsyncSession) -> bool:
    """True while no user exists."""
    return (await session.scalar(select(User.id).limit(1))) is None


async def _ensure_unique(session: AsyncSession, *, username: str, email: str) -> None:
    if await session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise InvalidField("username", "This username is taken.", code="username_taken")
    if await session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise InvalidField("email", "This email is already registered.", code="email_taken")


async def setup_household(
    session: AsyncSession,
    security: Security,
    *,
    household_name: str,
    timezone: str,
    username: str,
    email: str,
    password: str,
) -> tuple[User, Household]:
    """Create the household and its admin; refused once any user exists."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SETUP_LOCK_KEY})
    if not await setup_needed(session):
        raise Conflict("This Life World is already set up. Sign in instead.", code="already_set_up")
    return await create_household(
        session,
        security,
        name=household_name,
        timezone=timezone,
        username=username,
        email=email,
        password=password,
    )


async def _new_user(
    session: AsyncSession,
    security: Security,
    *,
    household_id: int,
    username: str,
    email: str,
    password: str,
    timezone: str,
    is_admin: bool,
    created_at: datetime | None = None,
) -> User:
    """A new account (its display name starts as the username, its day at midnight)."""
    user = User(
        household_id=household_id,
        username=username,
        email=email,
        display_name=username,
        password_hash=security.hash_password(password),
        is_admin=is_admin,
        timezone=timezone,
        day_start_hour=0,
    )
    if created_at is not None:
        user.created_at = created_at
    session.add(user)
    await session.flush()
    return user


def _window_start(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(minutes=settings.login_window_minutes)


async def _check_throttle(
    session: AsyncSession, settings: Settings, *, account: str, address: str, now: datetime
) -> None:
    since = _window_start(settings, now)
    for column, value, limit in (
        (LoginFailure.account, account, settings.login_max_failures_per_account),
        (LoginFailure.address, address, settings.login_max_failures_per_address),
    ):
        row = (
            await session.execute(
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
    session: AsyncSession,
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
    await _check_throttle(session, settings, account=account, address=address, now=now)
    user = await session.scalar(
        select(User).where(
            (func.lower(User.username) == account) | (func.lower(User.email) == account)
        )
    )
    if user is None:
        security.dummy_verify(password)
    elif security.verify_password(user.password_hash, password):
        await session.execute(delete(LoginFailure).where(LoginFailure.account == account))
        return user
    session.add(LoginFailure(account=account, address=address, failed_at=now))
    await session.commit()
    raise Unauthorized("Wrong username, email or password.", code="invalid_credentials")


async def start_session(
    session: AsyncSession,
    security: Security,
    settings: Settings,
    *,
    user: User,
    now: datetime,
    user_agent: str | None = None,
    address: str | None = None,
) -> NewSession:
    """Open a new server-side session (a fresh token at every sign-in)."""
    token = new_token()
    csrf = secrets.token_urlsafe(24)
    expires = now + timedelta(days=settings.session_absolute_days)
    session.add(
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
    await session.flush()
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


async def resolve_session(
    session: AsyncSession,
    security: Security,
    settings: Settings,
    *,
    token: str,
    now: datetime,
) -> tuple[User, Session] | None:
    """The user behind a session cookie, or None when unknown, revoked, idle or expired."""
    digest = security.digest(token)
    key = auth_cache.session_key(digest)
    idle_limit = timedelta(days=settings.session_idle_days)
    cached = await auth_cache.recall(session, key)
    if cached is not None and cached[1] is not None:
        user, sess = cached[0], cached[1]
        if sess.expires_at > now and sess.last_seen_at + idle_limit > now:
            return user, sess
    row = (
        await session.execute(
            select(User, Session)
            .join(Session, Session.user_id == User.id)
            .where(Session.token_digest == digest)
        )
    ).first()
    if row is None:
        return None
    user, sess = row
    if sess.expires_at <= now or sess.last_seen_at + idle_limit <= now:
        await session.delete(sess)
        auth_cache.forget_key(session, key)
        return None
    if now - sess.last_seen_at > timedelta(minutes=5):
        # Touch at most every few minutes: idle expiry without a write on every request.
        # A refused request rolls back; the touch is then written on its own.
        sess.last_seen_at = now
        after_rollback(session, partial(_touch, session, digest, now))
    await auth_cache.remember(session, key, user, sess)
    return user, sess


async def _touch(session: AsyncSession, digest: bytes, now: datetime) -> None:
    await session.execute(
        update(Session).where(Session.token_digest == digest).values(last_seen_at=now)
    )
    await session.commit()


async def revoke_session(session: AsyncSession, *, sess: Session) -> None:
    """Sign out: the session row is deleted and every cached copy dropped."""
    await session.execute(delete(Session).where(Session.token_digest == sess.token_digest))
    auth_cache.forget_key(session, auth_cache.session_key(sess.token_digest))


async def revoke_token(session: AsyncSession, security: Security, *, token: str) -> None:
    """End the session behind a cookie's token, if there is one."""
    digest = security.digest(token)
    await session.execute(delete(Session).where(Session.token_digest == digest))
    auth_cache.forget_key(session, auth_cache.session_key(digest))


async def revoke_all_sessions(session: AsyncSession, *, user_id: int) -> int:
    result = await session.execute(delete(Session).where(Session.user_id == user_id))
    auth_cache.forget_user(session, user_id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def create_api_token(
    session: AsyncSession, security: Security, *, user: User, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """A named bearer token for scripts; the secret is returned only here."""
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_digest=security.digest(token),
        prefix=token[:10],
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row, token


async def list_api_tokens(session: AsyncSession, *, user: User) -> list[ApiToken]:
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return list(rows)


async def delete_api_token(session: AsyncSession, *, user: User, token_id: int) -> None:
    result = await session.execute(
        delete(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        .returning(ApiToken.token_digest)
    )
    digest = result.scalar_one_or_none()
    if digest is None:
        raise NotFound("No such API token.")
    auth_cache.forget_key(session, auth_cache.token_key(digest))


async def resolve_api_token(
    session: AsyncSession, security: Security, *, token: str, now: datetime
) -> User | None:
    digest = security.digest(token)
    key = auth_cache.token_key(digest)
    cached = await auth_cache.recall(session, key)
    if cached is not None:
        return cached[0]
    row = (
        await session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_digest == digest)
        )
    ).first()
    if row is None:
        return None
    user, api_token = row
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = now
    await auth_cache.remember(session, key, user, None)
    return user


async def create_invite(
    session: AsyncSession, security: Security, settings: Settings, *, admin: User, now: datetime
) -> tuple[str, datetime]:
    """A single-use invite code for the admin's household."""
    code = secrets.token_urlsafe(9)
    expires = now + timedelta(days=settings.invite_days)
    session.add(
        Invite(
            household_id=admin.household_id,
            code_digest=security.digest(code),
            hint=code[:4],
            created_by=admin.id,
            created_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return code, expires


async def register(
    session: AsyncSession,
    security: Security,
    *,
    invite_code: str,
    username: str,
    email: str,
    password: str,
    timezone: str | None,
    now: datetime,
) -> User:
    """Join a household with an invite code (single use, 7 days)."""
    invite = await session.scalar(
        select(Invite)
        .where(Invite.code_digest == security.digest(invite_code.strip()))
        .with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        reason = (
            "This invite code is not valid."
            if invite is None
            else (
                "This invite code has already been used."
                if invite.used_at
                else "This invite code has expired."
            )
        )
        raise InvalidField("invite_code", reason, code="invalid_invite")
    await _ensure_unique(session, username=username, email=email)
    household = await session.get(Household, invite.household_id)
    assert household is not None
    user = await _new_user(
        session,
        security,
        household_id=invite.household_id,
        username=username,
        email=email,
        password=password,
        timezone=timezone or household.timezone,
        is_admin=False,
        created_at=now,
    )
    await session.execute(
        update(Invite).where(Invite.id == invite.id).values(used_at=now, used_by=user.id)
    )
    return user


async def change_password(
    session: AsyncSession,
    security: Security,
    *,
    user: User,
    current_password: str,
    new_password: str,
    now: datetime,
) -> None:
    """Change a password and sign out every session of the user."""
    user = await _stored(session, user)
    if not security.verify_password(user.password_hash, current_password):
        raise InvalidField("current_password", "The current password is wrong.")
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = now
    await revoke_all_sessions(session, user_id=user.id)


async def update_profile(
    session: AsyncSession,
    *,
    user: User,
    timezone: str | None,
    day_start_hour: int | None,
    display_name: str | None,
) -> User:
    user = await _stored(session, user)
    auth_cache.forget_user(session, user.id)
    if timezone is not None:
        user.timezone = timezone
    if day_start_hour is not None:
        user.day_start_hour = day_start_hour
    if display_name is not None:
        user.display_name = display_name
    await session.flush()
    return user


# -- operator actions (the `lifeworld user` and `lifeworld household` commands) -------------


async def find_user(session: AsyncSession, *, login: str) -> User | None:
    """The user with this username or email (case-insensitive)."""
    account = login.strip().lower()
    return await session.scalar(
        select(User).where(
            (func.lower(User.username) == account) | (func.lower(User.email) == account)
        )
    )


async def list_users(session: AsyncSession) -> list[tuple[User, Household]]:
    """Every user of the instance with their household, by household then user."""
    rows = await session.execute(
        select(User, Household)
        .join(Household, Household.id == User.household_id)
        .order_by(Household.id, User.id)
    )
    return [(user, household) for user, household in rows]


async def reset_password(
    session: AsyncSession, security: Security, *, user: User, new_password: str, now: datetime
) -> int:
    """Set a new password without the old one and sign out every session; returns how many."""
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = now
    return await revoke_all_sessions(session, user_id=user.id)


async def set_admin(session: AsyncSession, *, user: User, admin: bool) -> bool:
    """Give the household admin role, or take it away; False when it was already so.

    A household keeps at least one admin: taking the role from its last one is refused.
    """
    if user.is_admin == admin:
        return False
    if not admin:
        admins = await session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.household_id == user.household_id, User.is_admin)
        )
        if admins == 1:
            raise Conflict(
                f"{user.username} is the household's only admin: make another member admin first",
                code="last_admin",
            )
    user.is_admin = admin
    auth_cache.forget_user(session, user.id)  # running instances remember the role for a minute
    return True


async def unlock_account(session: AsyncSession, *, user: User) -> int:
    """Forget the failed sign-ins of this account and of the addresses they came from."""
    accounts = (user.username.lower(), user.email.lower())
    addresses = select(LoginFailure.address).where(LoginFailure.account.in_(accounts))
    result = await session.execute(
        delete(LoginFailure).where(
            LoginFailure.account.in_(accounts) | LoginFailure.address.in_(addresses)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def create_household(
    session: AsyncSession,
    security: Security,
    *,
    name: str,
    timezone: str,
    username: str,
    email: str,
    password: str,
) -> tuple[User, Household]:
    """Another household on this instance, with its admin (first-run setup makes the first)."""
    await _ensure_unique(session, username=username, email=email)
    household = Household(name=name, timezone=timezone)
    session.add(household)
    await session.flush()
    user = await _new_user(
        session,
        security,
        household_id=household.id,
        username=username,
        email=email,
        password=password,
        timezone=timezone,
        is_admin=True,
    )
    return user, household
