"""Failed sign-ins, counted per account and per network address over a sliding window.

Every password check (a sign-in, a password change) and every attempt to join with an invite
takes its place first: in a short transaction of its own it locks its two keys (advisory locks
on the account and the address), counts what the window holds, and records itself as a failure
before the password is checked; a right password deletes that record. So the count an attempt
sees includes every attempt before it, in every instance, even those still being checked: forty
wrong passwords sent at once get exactly the budget's checks. The transaction is the throttle's
own (on the request session's engine), because the record must outlive a refused request's
rollback, and because nothing may hold a connection or a lock while Argon2 works.

Keys: `user:<id>` for an account, whatever the person typed to name it (username or email, any
case); for a name no account has, a keyed digest of the name as typed (trimmed, lower case),
which takes the same work; `invite:<digest>` for an invite code. The typed text is never stored.

The owner cannot be kept out: once an account has had its budget of failures in the window,
only the addresses those failures came from are refused. An address that has not failed on the
account in the window still gets one check, so the right password from anywhere else works; a
wrong one pauses that address as well. An address that failed too often on any key is refused
everything until the window lets it go.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.accounts.models import LoginFailure, User, named
from lifeworld.accounts.security import Security
from lifeworld.db.scope import Scope
from lifeworld.errors import Throttled
from lifeworld.settings import Settings

LOCK_CLASS = 0x4C57_5349  # first half of the two-int advisory lock keys ("LWSI")
SIGN_IN_REFUSED = "Too many failed sign-in attempts. Wait a little and try again."
JOIN_REFUSED = "Too many failed attempts to join with this invite. Wait a little and try again."

_LOCK = text(
    "SELECT pg_advisory_xact_lock(:class, h) FROM "
    "(SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS text[])) AS k ORDER BY h) AS o"
)  # in one order everywhere: two attempts never wait for each other's second lock


@dataclass(frozen=True)
class Attempt:
    """An attempt that took its place: recorded as a failure until `succeeded`."""

    key: str
    address: str


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def _name_key(security: Security, login: str) -> str:
    return "name:" + security.digest("login:" + login.strip().lower()).hex()


def invite_key(security: Security, code: str) -> str:
    return "invite:" + security.digest("invite:" + code.strip()).hex()


@asynccontextmanager
async def _own_transaction(scope: Scope) -> AsyncIterator[AsyncSession]:
    """A transaction beside the request's, committed when the block ends."""
    session = AsyncSession(
        scope.session.bind,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",  # tests: a savepoint on the shared connection
    )
    async with session, session.begin():
        yield session


async def sign_in(
    scope: Scope, security: Security, settings: Settings, *, login: str, address: str, now: datetime
) -> tuple[User | None, Attempt]:
    """The account `login` names (None when there is none) and its attempt, or `Throttled`."""
    async with _own_transaction(scope) as session:
        user = await session.scalar(select(User).where(named(login)))
        key = user_key(user.id) if user is not None else _name_key(security, login)
        attempt = await _take_place(
            session, settings, key=key, address=address, now=now, refused=SIGN_IN_REFUSED
        )
    return user, attempt


async def reserve(
    scope: Scope,
    settings: Settings,
    *,
    key: str,
    address: str,
    now: datetime,
    refused: str = SIGN_IN_REFUSED,
) -> Attempt:
    """A place for one attempt on `key` from `address`, or `Throttled` with Retry-After."""
    async with _own_transaction(scope) as session:
        return await _take_place(
            session, settings, key=key, address=address, now=now, refused=refused
        )


async def succeeded(scope: Scope, attempt: Attempt) -> None:
    """The attempt was right: forget it and the earlier failures of its address on its key
    (in the request's transaction). Other addresses' failures stay: the owner signing in does
    not give an attacker's address its guesses back."""
    await scope.session.execute(
        delete(LoginFailure).where(
            LoginFailure.account == attempt.key, LoginFailure.address == attempt.address
        )
    )


async def forget(scope: Scope, *, user_id: int) -> int:
    """Forget the account's failures and those of the addresses they came from (`unlock`)."""
    key = user_key(user_id)
    addresses = select(LoginFailure.address).where(LoginFailure.account == key)
    result = await scope.session.execute(
        delete(LoginFailure).where(
            (LoginFailure.account == key) | LoginFailure.address.in_(addresses)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _take_place(
    session: AsyncSession,
    settings: Settings,
    *,
    key: str,
    address: str,
    now: datetime,
    refused: str,
) -> Attempt:
    window = timedelta(minutes=settings.login_window_minutes)
    since = now - window
    await session.execute(_LOCK, {"class": LOCK_CLASS, "keys": [key, f"address:{address}"]})
    mine = (LoginFailure.account == key) | (LoginFailure.address == address)
    # Failures that left the window go as the window is read: the table keeps only what counts.
    gone = delete(LoginFailure).where(mine, LoginFailure.failed_at <= since).cte("gone")
    on_key, here_on_key, here = (
        await session.execute(
            select(
                func.count().filter(LoginFailure.account == key),
                func.count().filter(LoginFailure.account == key, LoginFailure.address == address),
                func.count().filter(LoginFailure.address == address),
            )
            .where(mine, LoginFailure.failed_at > since)
            .add_cte(gone)
        )
    ).one()
    waits: list[datetime] = []
    per_address = settings.login_max_failures_per_address
    if here >= per_address:
        # Free again once enough of its oldest failures have left the window.
        waits.append(
            await _nth_oldest(session, LoginFailure.address == address, since, here - per_address)
        )
    per_key = settings.login_max_failures_per_account
    if on_key >= per_key and here_on_key > 0:
        # Free again when the key is under its limit, or when this address's last failure on
        # it has left the window, whichever comes first.
        under = await _nth_oldest(session, LoginFailure.account == key, since, on_key - per_key)
        last_here = await session.scalar(
            select(func.max(LoginFailure.failed_at)).where(
                LoginFailure.account == key,
                LoginFailure.address == address,
                LoginFailure.failed_at > since,
            )
        )
        waits.append(min(under, last_here or under))
    if waits:
        seconds = (max(waits) + window - now).total_seconds()
        raise Throttled(refused, retry_after_s=max(1, int(seconds) + 1))
    await session.execute(insert(LoginFailure).values(account=key, address=address, failed_at=now))
    return Attempt(key=key, address=address)


async def _nth_oldest(
    session: AsyncSession, where: ColumnElement[bool], since: datetime, n: int
) -> datetime:
    """When the (n+1)-th oldest failure in the window happened: once it leaves, `n` remain.
    (A sign-in that succeeded meanwhile may have deleted it: then the window starts now.)"""
    found = await session.scalar(
        select(LoginFailure.failed_at)
        .where(where, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at)
        .offset(n)
        .limit(1)
    )
    return found if found is not None else since
