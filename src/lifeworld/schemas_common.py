"""Field types shared by the API schemas: exact decimals rendered as JSON numbers."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, get_args

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

# Stored exactly (NUMERIC), computed exactly (Decimal), sent as a JSON number.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


# The error type of text holding a NUL character: its own message beats a form field's hint.
TEXT_NUL = "text_nul"


def _takes_bool(annotation: Any) -> bool:
    """Whether a field's type admits true/false (bool itself, Any, or a union holding one)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_takes_bool(arg) for arg in get_args(annotation))


class StrictIn(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error instead of being ignored;
    text that PostgreSQL cannot store (a NUL character) is refused on its field; and true or
    false is refused where a number is asked for (pydantic would read them as 1 and 0, found by
    Schemathesis: `"day_start_hour": false` set the hour to 0). Numbers stay lax otherwise:
    the pages validate their forms' text with these same models."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _takes_bool(field.annotation):
                raise PydanticCustomError("bool_type", "Use a number or text, not true or false.")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError(TEXT_NUL, "Text cannot contain the NUL character.")
        return value


# Path ids fit PostgreSQL's bigint, so an absurd id is a 422, never a database error.
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")


def _iso(pattern: re.Pattern[str], kind: type, example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, kind) or (isinstance(value, str) and pattern.match(value)):
            return value
        raise ValueError(f"use the ISO 8601 form, e.g. {example}")

    return BeforeValidator(check)


# Pydantic alone also reads numbers (Unix timestamps) as dates and times; the API takes only text.
IsoDate = Annotated[date, _iso(_ISO_DATE, date, "2026-03-02")]
IsoTime = Annotated[time, _iso(_ISO_TIME, time, "23:30")]


def _trimmed(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# Names: the length limits apply to the text as sent (what the OpenAPI document says), then
# surrounding whitespace is removed; a name of only whitespace is refused.
Name80 = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(_trimmed)]
Name120 = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(_trimmed)]
