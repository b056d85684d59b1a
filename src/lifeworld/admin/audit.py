"""One entry in a household's audit log, written in the request's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lifeworld.accounts.models import User
from lifeworld.admin.models import AuditEntry
from lifeworld.db.scope import Scope


def audit(
    scope: Scope,
    *,
    actor: User,
    target: User | None,
    action: str,
    changes: dict[str, Any],
    now: datetime,
) -> None:
    """Add an entry to the actor's household's audit log. `target` None: the entry is about no
    member that stays (a removed member, an invite); `changes` says who or what it was."""
    scope.session.add(
        AuditEntry(
            household_id=actor.household_id,
            actor_id=actor.id,
            target_user_id=None if target is None else target.id,
            action=action,
            changes=changes,
            created_at=now,
        )
    )
