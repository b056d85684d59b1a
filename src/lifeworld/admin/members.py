"""A household admin manages its members: removal (export first), the admin role handed over,
one-time password reset links. Every change is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from lifeworld.accounts import auth_cache, sessions
from lifeworld.accounts.households import stored_user
from lifeworld.accounts.models import Household, PasswordReset, User
from lifeworld.accounts.owner import InstanceOwner
from lifeworld.accounts.security import Security, new_token
from lifeworld.admin.audit import audit
from lifeworld.db.scope import Scope
from lifeworld.errors import Conflict, Forbidden, NotFound
from lifeworld.players import state_cache
from lifeworld.portability import service as portability

RESET_LINK_HOURS = 24
RESET_PATH = "/reset-password"


async def _still_admin(scope: Scope, admin: User) -> None:
    """Lock the household for this change and check the caller is still its admin: two admins
    removing each other, or handing over at once, go one after the other, and the second
    finds it is no longer allowed."""
    await scope.session.execute(
        select(Household.id).where(Household.id == admin.household_id).with_for_update()
    )
    current = await scope.session.scalar(select(User.is_admin).where(User.id == admin.id))
    if not current:
        raise Forbidden("Only the household admin can do this.", code="admin_only")


async def member(scope: Scope, *, admin: User, user_id: int) -> User:
    """A member of the admin's household; anyone else is 404 (no hint they exist)."""
    target = await scope.session.scalar(
        select(User).where(User.id == user_id, User.household_id == admin.household_id)
    )
    if target is None:
        raise NotFound("There is no such member in your household.")
    return target


def _not_yourself(admin: User, target: User, what: str) -> None:
    if admin.id == target.id:
        raise Conflict(what, code="own_account")


async def member_export(
    scope: Scope, *, admin: User, user_id: int, now: datetime
) -> tuple[User, bytes]:
    """A member's export document (the one they would download themselves), for the admin."""
    target = await member(scope, admin=admin, user_id=user_id)
    return target, await portability.export_player(scope, user=target, now=now)


async def remove_member(
    scope: Scope, *, admin: User, user_id: int, now: datetime
) -> tuple[User, bytes]:
    """Remove a member and everything they own; returns their export, made just before."""
    await _still_admin(scope, admin)
    target, document = await member_export(scope, admin=admin, user_id=user_id, now=now)
    _not_yourself(
        admin,
        target,
        "You cannot remove yourself. Hand the admin role over first, then ask the new admin.",
    )
    audit(  # the row goes; the entry keeps who it was
        scope,
        actor=admin,
        target=None,
        action="remove_member",
        changes={"user_id": target.id, "username": target.username, "email": target.email},
        now=now,
    )
    await scope.session.execute(delete(User).where(User.id == target.id))
    auth_cache.forget_user(scope, target.id)
    state_cache.forget(scope, target.id)
    return target, document


async def hand_over_admin(
    scope: Scope, *, admin: User, owner: InstanceOwner, user_id: int, now: datetime
) -> tuple[User, bool]:
    """Make a member the household admin and step down; returns them and whether the giver
    stays admin (the instance owner does: the machine's figures and backups stay theirs)."""
    await _still_admin(scope, admin)
    target = await member(scope, admin=admin, user_id=user_id)
    _not_yourself(admin, target, "You are already an admin. Choose another member.")
    giver = await stored_user(scope, admin)
    stays = await owner.owns(scope, giver)
    target.is_admin = True
    giver.is_admin = stays
    auth_cache.forget_user(scope, target.id)
    auth_cache.forget_user(scope, giver.id)
    audit(
        scope,
        actor=admin,
        target=target,
        action="hand_over_admin",
        changes={"to": target.username, "giver_stays_admin": stays},
        now=now,
    )
    await scope.session.flush()
    return target, stays


@dataclass(frozen=True)
class ResetLink:
    user: User
    path: str
    expires_at: datetime


async def create_password_reset(
    scope: Scope, security: Security, *, admin: User, user_id: int, now: datetime
) -> ResetLink:
    """A one-time link for a member to set a new password; earlier unused links stop working."""
    target = await member(scope, admin=admin, user_id=user_id)
    _not_yourself(admin, target, "Change your own password under Password instead.")
    await scope.session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == target.id, PasswordReset.used_at.is_(None)
        )
    )
    token = new_token()
    expires = now + timedelta(hours=RESET_LINK_HOURS)
    scope.session.add(
        PasswordReset(
            user_id=target.id,
            token_digest=security.digest(sessions.RESET_PURPOSE + token),
            created_by=admin.id,
            created_at=now,
            expires_at=expires,
        )
    )
    audit(
        scope,
        actor=admin,
        target=target,
        action="password_reset_link",
        changes={"expires_at": expires.isoformat()},
        now=now,
    )
    await scope.session.flush()
    return ResetLink(user=target, path=f"{RESET_PATH}?token={token}", expires_at=expires)
