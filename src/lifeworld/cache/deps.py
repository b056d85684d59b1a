"""`CacheDep`: the app's Cache in a route handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lifeworld.cache.cache import Cache


# async: a plain `def` dependency costs a thread-pool hop on every request
async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(get_cache)]
