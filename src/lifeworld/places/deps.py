"""`PlacesDep`: the app's places machinery in a route handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lifeworld.places.runtime import Places


# async: a plain `def` dependency costs a thread-pool hop on every request
async def get_places(request: Request) -> Places:
    places: Places = request.app.state.places
    return places


PlacesDep = Annotated[Places, Depends(get_places)]
