"""HTTP routes of places (API.md "Places"); every route needs a signed-in player."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from starlette.convertors import Convertor, register_url_convertor

from lifeworld.accounts.deps import CurrentUser, signed_in, signs_in
from lifeworld.db.session import ScopeDep
from lifeworld.places import saved, schemas, service
from lifeworld.places.deps import PlacesDep

router = APIRouter(prefix="/api/v1", tags=["places"])


class PlaceIdConvertor(Convertor[str]):
    """Only "<source>:<id>" matches /places/{place_id}, so GET /places/search is a 405."""

    regex = r"[a-z]+:[A-Za-z0-9_\-]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("place_id", PlaceIdConvertor())


@router.post("/places/search", response_model=schemas.SearchOut)
async def search_places(
    body: schemas.SearchIn, user: CurrentUser, scope: ScopeDep, places: PlacesDep
) -> schemas.SearchOut:
    """Ranked places for a description and city, grouped by category."""
    result = await service.search(scope, places=places, user=user, **body.model_dump())
    return schemas.SearchOut.model_validate(result)


@router.get(
    "/places/{place_id:place_id}",
    response_class=Response,
    responses={200: {"model": schemas.PlaceDetailsOut, "description": "The place's details"}},
)
@signs_in
async def get_place(
    request: Request,
    place_id: schemas.PlaceIdPath,
    refresh: Annotated[bool, Query(description="Skip the cached copy")] = False,
) -> Response:
    """Place details, from the cache when it has them (`cached`, `expires_at`)."""
    async with signed_in(request) as (scope, principal):  # a busy cached read: no dependencies
        fetched = await service.details(
            scope, places=request.app.state.places, user=principal.user, place_id=place_id,
            refresh=refresh,
        )  # fmt: skip
    return Response(service.details_json(fetched), media_type="application/json")


@router.post(
    "/places", status_code=status.HTTP_201_CREATED, response_model=schemas.HouseholdPlaceOut
)
async def add_place(
    body: schemas.HouseholdPlaceIn, user: CurrentUser, scope: ScopeDep, places: PlacesDep
) -> schemas.HouseholdPlaceOut:
    """Add a venue the household knows (the offline provider finds it as `local:<id>`)."""
    data = await service.add_household_place(
        scope, places=places, user=user, fields=body.model_dump()
    )
    return schemas.HouseholdPlaceOut.model_validate(data)


@router.delete("/places/{place_id:place_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_place(
    place_id: schemas.PlaceIdPath, user: CurrentUser, scope: ScopeDep, places: PlacesDep
) -> None:
    """Remove one of the household's own places."""
    await service.remove_household_place(scope, places=places, user=user, place_id=place_id)


@router.get("/me/saved-places", response_model=list[schemas.SavedPlaceOut])
async def list_saved_places(user: CurrentUser, scope: ScopeDep) -> list[schemas.SavedPlaceOut]:
    return [
        schemas.SavedPlaceOut.model_validate(s) for s in await saved.list_saved(scope, user=user)
    ]


@router.post(
    "/me/saved-places", status_code=status.HTTP_201_CREATED, response_model=schemas.SavedPlaceOut
)
async def save_place(
    body: schemas.SavedPlaceIn, user: CurrentUser, scope: ScopeDep, places: PlacesDep
) -> schemas.SavedPlaceOut:
    item = await saved.save_place(scope, places=places, user=user, **body.model_dump())
    return schemas.SavedPlaceOut.model_validate(item)


@router.patch("/me/saved-places/{saved_id}", response_model=schemas.SavedPlaceOut)
async def update_saved_place(
    saved_id: schemas.IdPath, body: schemas.SavedPlacePatch, user: CurrentUser, scope: ScopeDep
) -> schemas.SavedPlaceOut:
    changes = body.model_dump(exclude_unset=True)
    item = await saved.update_saved(
        scope,
        user=user,
        saved_id=saved_id,
        notes=changes.get("notes"),
        favorite=changes.get("favorite"),
        clear_notes="notes" in changes and changes["notes"] is None,
    )
    return schemas.SavedPlaceOut.model_validate(item)


@router.delete("/me/saved-places/{saved_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_saved_place(saved_id: schemas.IdPath, user: CurrentUser, scope: ScopeDep) -> None:
    await saved.delete_saved(scope, user=user, saved_id=saved_id)
