"""Season bodies and answers (API.md `GET /api/v1/me/seasons`, `POST /api/v1/me/season`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from lifeworld.game.state import Season
from lifeworld.players.schemas import ResourcesOut, SeasonOut
from lifeworld.schemas_common import StrictIn


class SeasonChangeIn(StrictIn):
    season: Season
    reason: Annotated[str, Field(max_length=300)] | None = None


class SeasonHistoryOut(BaseModel):
    season: Season
    started_on: date
    ended_on: date
    reason: str | None
    resources_at_end: ResourcesOut


class SeasonMoveOut(BaseModel):
    season: Season
    allowed: bool
    code: str | None
    message: str | None


class SeasonsOut(BaseModel):
    current: SeasonOut
    history: list[SeasonHistoryOut]
    moves: list[SeasonMoveOut]
