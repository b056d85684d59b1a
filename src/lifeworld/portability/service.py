"""Export and import of one player (docs/EXPORT_FORMAT.md)."""

from __future__ import annotations

from datetime import datetime

from lifeworld.accounts.models import User
from lifeworld.db.scope import Scope
from lifeworld.portability.export import build_document, render
from lifeworld.portability.importer import import_document
from lifeworld.portability.reading import Read
from lifeworld.portability.schemas import ImportOut


async def export_player(scope: Scope, *, user: User, now: datetime) -> bytes:
    """The player's export document as bytes: the same data always gives the same bytes."""
    return render(await build_document(scope, user=user, now=now))


async def import_player(
    scope: Scope, *, user: User, now: datetime, read: Read, content_type: str
) -> ImportOut:
    """Write the document `read` gives into an empty player (409 `player_not_empty`
    otherwise, before the document is read)."""
    return await import_document(scope, user=user, now=now, read=read, content_type=content_type)
