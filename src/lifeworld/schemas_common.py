"""Field types shared by the API schemas: exact decimals rendered as JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, PlainSerializer

# Stored exactly (NUMERIC), computed exactly (Decimal), sent as a JSON number.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class StrictIn(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error instead of being ignored."""

    model_config = ConfigDict(extra="forbid")


# Path ids fit PostgreSQL's bigint, so an absurd id is a 422, never a database error.
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
