"""Households and their people: first-run setup, invites, joining, profiles, admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import aliased

from lifeworld.accounts import auth_cache, invite_codes, throttle
from lifeworld.accounts.currency import DEFAULT_CURRENCY, currency_for_timezone, is_currency
from lifeworld.accounts.models import Household, Invite, User, named
from lifeworld.accounts.security import Security
from lifeworld.admin.audit import audit
from lifeworld.db.scope import Scope
from lifeworld.errors import Conflict, Forbidden, InvalidField, NotFound
from lifeworld.settings import Settings

SETUP_LOCK_KEY = 0x4C57_0001  # advisory lock id serialising first-run setup


async def stored_user(scope: Scope, user: User) -> User:
    """The user's row in this scope (a cached sign-in hands out a transient copy)."""
    row = await scope.session.get(User, user.id)
    if row is None:
        raise NotFound("This account no longer exists.")
    return row


async def setup_needed(scope: Scope) -> bool:
    """True while no user exists."""
    return (await scope.session.scalar(select(User.id).limit(1))) is None


# Joining with an invite: the same words whether the account is in this household or another.
USERNAME_UNAVAILABLE = "This username is not available. Choose another one."
EMAIL_UNAVAILABLE = (
    "This email address cannot be used for a new account here. Use another one, or ask your "
    "household admin."
)


async def _ensure_unique(scope: Scope, *, username: str, email: str, joining: bool) -> None:
    """Refuse a username or email any account has (both are sign-in names, unique in the
    instance). To someone joining with an invite the refusal names no household; the
    operator and the first-run setup get the plain words."""
    if await scope.session.scalar(
        select(User.id).where(func.lower(User.username) == username.lower())
    ):
        reason = USERNAME_UNAVAILABLE if joining else "This username is taken."
        raise InvalidField("username", reason, code="username_taken")
    if await scope.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        reason = EMAIL_UNAVAILABLE if joining else "This email is already registered."
        raise InvalidField("email", reason, code="email_taken")


async def setup_household(
    scope: Scope,
    security: Security,
    *,
    household_name: str,
    timezone: str,
    username: str,
    email: str,
    password: str,
) -> tuple[User, Household]:
    """Create the household and its admin; refused once any user exists."""
    await scope.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SETUP_LOCK_KEY})
    if not await setup_needed(scope):
        raise Conflict(
            "This Life World OS is already set up. Sign in instead.", code="already_set_up"
        )
    return await create_household(
        scope,
        security,
        name=household_name,
        timezone=timezone,
        username=username,
        email=email,
        password=password,
    )


async def _new_user(
    scope: Scope,
    *,
    household_id: int,
    username: str,
    email: str,
    password_hash: str,
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
        password_hash=password_hash,
        is_admin=is_admin,
        timezone=timezone,
        day_start_hour=0,
    )
    if created_at is not None:
        user.created_at = created_at
    scope.session.add(user)
    await scope.session.flush()
    return user


async def create_invite(
    scope: Scope, security: Security, settings: Settings, *, admin: User, now: datetime
) -> tuple[str, datetime]:
    """A single-use invite code for the admin's household, grouped for reading."""
    code = invite_codes.new_code()
    expires = now + timedelta(days=settings.invite_days)
    scope.session.add(
        Invite(
            household_id=admin.household_id,
            code_digest=security.digest(code),
            hint=code[:4],
            created_by=admin.id,
            created_at=now,
            expires_at=expires,
        )
    )
    await scope.session.flush()
    return invite_codes.grouped(code), expires


@dataclass(frozen=True)
class PendingInvite:
    id: int
    hint: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime


async def pending_invites(scope: Scope, *, admin: User, now: datetime) -> list[PendingInvite]:
    """The household's invites not used, revoked or expired yet, newest first."""
    creator = aliased(User)
    rows = await scope.session.execute(
        select(Invite, creator.username)
        .outerjoin(creator, creator.id == Invite.created_by)
        .where(
            Invite.household_id == admin.household_id,
            Invite.used_at.is_(None),
            Invite.expires_at > now,
        )
        .order_by(Invite.id.desc())
    )
    return [
        PendingInvite(
            id=invite.id,
            hint=invite.hint,
            created_by=name,
            created_at=invite.created_at,
            expires_at=invite.expires_at,
        )
        for invite, name in rows
    ]


async def revoke_invite(scope: Scope, *, admin: User, invite_id: int, now: datetime) -> None:
    """Delete an unused invite of the admin's household (404 for any other)."""
    result = await scope.session.execute(
        delete(Invite)
        .where(
            Invite.id == invite_id,
            Invite.household_id == admin.household_id,
            Invite.used_at.is_(None),
        )
        .returning(Invite.hint)
    )
    hint = result.scalar_one_or_none()
    if hint is None:
        raise NotFound("There is no such pending invite in your household.")
    audit(
        scope,
        actor=admin,
        target=None,
        action="invite_revoked",
        changes={"invite_id": invite_id, "hint": hint},
        now=now,
    )


async def register(
    scope: Scope,
    security: Security,
    settings: Settings,
    *,
    invite_code: str,
    username: str,
    email: str,
    password: str,
    timezone: str | None,
    address: str,
    now: datetime,
) -> User:
    """Join a household with an invite code (single use, 7 days).

    A failed attempt counts against the invite code and the address (`accounts/throttle.py`),
    so trying names or codes one after another is not free. A taken username or email gets
    the same answer wherever the account is: nothing says whether it is in this household or
    another one, or which.
    """
    code = invite_codes.canonical(invite_code)
    async with security.passwords.turn() as turn:
        attempt = await throttle.reserve(
            scope,
            settings,
            key=throttle.invite_key(security, code),
            address=address,
            now=now,
            refused=throttle.JOIN_REFUSED,
        )
        invite = await scope.session.scalar(
            select(Invite).where(Invite.code_digest == security.digest(code)).with_for_update()
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
        await _ensure_unique(scope, username=username, email=email, joining=True)
        password_hash = await turn.hash(password)
    await throttle.succeeded(scope, attempt)
    household = await scope.session.get(Household, invite.household_id)
    assert household is not None
    user = await _new_user(
        scope,
        household_id=invite.household_id,
        username=username,
        email=email,
        password_hash=password_hash,
        timezone=timezone or household.timezone,
        is_admin=False,
        created_at=now,
    )
    await scope.session.execute(
        update(Invite).where(Invite.id == invite.id).values(used_at=now, used_by=user.id)
    )
    return user


async def update_profile(
    scope: Scope,
    *,
    user: User,
    timezone: str | None,
    day_start_hour: int | None,
    display_name: str | None,
) -> User:
    user = await stored_user(scope, user)
    auth_cache.forget_user(scope, user.id)
    if timezone is not None:
        user.timezone = timezone
    if day_start_hour is not None:
        user.day_start_hour = day_start_hour
    if display_name is not None:
        user.display_name = display_name
    await scope.session.flush()
    return user


async def members(scope: Scope, *, household_id: int) -> list[User]:
    """The household's people, in the order they joined."""
    rows = await scope.session.scalars(
        select(User).where(User.household_id == household_id).order_by(User.id)
    )
    return list(rows)


async def find_user(scope: Scope, *, login: str) -> User | None:
    """The user with this username or email (case-insensitive)."""
    return await scope.session.scalar(select(User).where(named(login)))


async def list_users(scope: Scope) -> list[tuple[User, Household]]:
    """Every user of the instance with their household, by household then user."""
    rows = await scope.session.execute(
        select(User, Household)
        .join(Household, Household.id == User.household_id)
        .order_by(Household.id, User.id)
    )
    return [(user, household) for user, household in rows]


async def set_admin(scope: Scope, *, user: User, admin: bool) -> bool:
    """Give the household admin role, or take it away; False when it was already so.

    A household keeps at least one admin: taking the role from its last one is refused.
    """
    if user.is_admin == admin:
        return False
    if not admin:
        admins = await scope.session.scalar(
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
    auth_cache.forget_user(scope, user.id)  # running instances remember the role for a minute
    return True


async def create_household(
    scope: Scope,
    security: Security,
    *,
    name: str,
    timezone: str,
    username: str,
    email: str,
    password: str,
) -> tuple[User, Household]:
    """Another household on this instance, with its admin (first-run setup makes the first)."""
    await _ensure_unique(scope, username=username, email=email, joining=False)
    password_hash = await security.passwords.hash(password)
    household = Household(name=name, timezone=timezone, currency=currency_for_timezone(timezone))
    scope.session.add(household)
    await scope.session.flush()
    user = await _new_user(
        scope,
        household_id=household.id,
        username=username,
        email=email,
        password_hash=password_hash,
        timezone=timezone,
        is_admin=True,
    )
    return user, household


async def currency_of(scope: Scope, *, household_id: int) -> str:
    """The ISO 4217 code the household's amounts are shown in."""
    code = await scope.session.scalar(
        select(Household.currency).where(Household.id == household_id)
    )
    return code or DEFAULT_CURRENCY


async def set_currency(scope: Scope, *, admin: User, currency: str) -> str:
    """The household admin chooses the currency amounts are shown in (an ISO 4217 code)."""
    if not admin.is_admin:
        raise Forbidden("Only the household admin can do this.", code="admin_only")
    code = currency.strip().upper()
    if not is_currency(code):
        raise InvalidField("currency", "Choose a currency from the list (an ISO 4217 code).")
    await scope.session.execute(
        update(Household).where(Household.id == admin.household_id).values(currency=code)
    )
    return code
