"""A player's saved places: a snapshot of the place, their notes and favourites."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from lifeworld.accounts.models import User
from lifeworld.cache import codec
from lifeworld.db.scope import Scope
from lifeworld.errors import Conflict, NotFound
from lifeworld.places import household, service
from lifeworld.places.models import SavedPlace
from lifeworld.places.records import PlaceRecord
from lifeworld.places.runtime import Places


async def list_saved(scope: Scope, *, user: User) -> list[SavedPlace]:
    """The player's saved places, favourites first, newest first."""
    query = household.saved_places(user.id).order_by(
        SavedPlace.favorite.desc(), SavedPlace.created_at.desc(), SavedPlace.id.desc()
    )
    return list((await scope.session.scalars(query)).all())


async def save_place(
    scope: Scope,
    *,
    places: Places,
    user: User,
    place_id: str,
    notes: str | None,
    favorite: bool,
) -> SavedPlace:
    """Save a place the player can see; 409 `already_saved` the second time."""
    fetched = await service.details(
        scope, places=places, user=user, place_id=place_id, refresh=False
    )
    data = codec.loads(fetched.value)
    data.pop("attribution", None)
    record = PlaceRecord.from_json(data)
    keeps_coordinates = not record.id.startswith("google:")  # Google's terms: 30 days at most
    saved = SavedPlace(
        user_id=user.id,
        place_id=record.id,
        name=record.name[:200],
        category=record.category[:40],
        city=record.city[:120],
        country=record.country[:80],
        lat=record.lat if keeps_coordinates else None,
        lon=record.lon if keeps_coordinates else None,
        rating=record.rating,
        website=(record.website or "")[:300] or None,
        notes=notes,
        favorite=favorite,
    )
    try:
        async with scope.session.begin_nested():
            scope.session.add(saved)
            await scope.session.flush()
    except IntegrityError:
        raise Conflict("You have already saved this place.", code="already_saved") from None
    return saved


async def _own(scope: Scope, user: User, saved_id: int) -> SavedPlace:
    saved = await scope.session.scalar(
        household.saved_places(user.id).where(SavedPlace.id == saved_id)
    )
    if saved is None:
        raise NotFound("There is no such saved place.")
    return saved


async def update_saved(
    scope: Scope,
    *,
    user: User,
    saved_id: int,
    notes: str | None = None,
    favorite: bool | None = None,
    clear_notes: bool = False,
) -> SavedPlace:
    """Change the notes or the favourite mark of one of the player's saved places."""
    saved = await _own(scope, user, saved_id)
    if notes is not None or clear_notes:
        saved.notes = notes
    if favorite is not None:
        saved.favorite = favorite
    await scope.session.flush()
    return saved


async def delete_saved(scope: Scope, *, user: User, saved_id: int) -> None:
    """Forget one of the player's saved places (404 for anyone else's)."""
    await scope.session.delete(await _own(scope, user, saved_id))
    await scope.session.flush()
