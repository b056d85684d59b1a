"""The instance owner: the admins of the household first-run setup made.

An instance can hold several households (`lifeworld household create`), each with its own
admin, but one machine and one database: the figures about them (the System page,
`/api/v1/ops/*`) are the business of whoever set the machine up. That is the first household:
first-run setup makes it and its admin, the setup page is gone once it exists, households are
never deleted, and a backup keeps their ids. So no setting can be forgotten or drift.
"""

from __future__ import annotations

from sqlalchemy import func, select

from lifeworld.accounts.models import Household, User
from lifeworld.db.scope import Scope


class InstanceOwner:
    """Who owns this instance; the first household's id is read once it exists (per process)."""

    def __init__(self) -> None:
        self._household_id: int | None = None

    async def household_id(self, scope: Scope) -> int | None:
        """The first household's id, or None before first-run setup."""
        if self._household_id is None:
            self._household_id = await scope.session.scalar(select(func.min(Household.id)))
        return self._household_id

    async def owns(self, scope: Scope, user: User) -> bool:
        """Whether `user` is an admin of the first household."""
        return user.is_admin and user.household_id == await self.household_id(scope)
