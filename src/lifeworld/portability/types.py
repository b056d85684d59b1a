"""Field types of the export document: the database's own limits, so a valid document stores."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    ValidationInfo,
)

from lifeworld.clock import clock
from lifeworld.schemas_common import IsoDate

INT32 = 2**31 - 1
INT64 = 2**63 - 1


class Doc(BaseModel):
    """A part of the document: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text cannot contain the NUL character")
    return value


# Strings that fit their VARCHAR(n) columns (PostgreSQL text never holds NUL).
Text32 = Annotated[str, Field(max_length=32), AfterValidator(_no_nul)]
Text40 = Annotated[str, Field(max_length=40), AfterValidator(_no_nul)]
Text64 = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
Text80 = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_no_nul)]
Text80Any = Annotated[str, Field(max_length=80), AfterValidator(_no_nul)]
Text120 = Annotated[str, Field(max_length=120), AfterValidator(_no_nul)]
Name120 = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_no_nul)]
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Text300 = Annotated[str, Field(max_length=300), AfterValidator(_no_nul)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
Text1000 = Annotated[str, Field(max_length=1000), AfterValidator(_no_nul)]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=100_000), AfterValidator(_no_nul)]


# The dates and times an import accepts: from the app's time back to 2000, up to a day ahead of
# now. Beyond them nothing a real player did can lie, and the game's arithmetic on a stored
# value must never be asked to run past the calendar (issue 20).
EARLIEST_DAY = date(2000, 1, 1)
AHEAD = timedelta(days=1)
EXPORTING = "exporting"  # the validation context's key an export sets


def _exporting(info: ValidationInfo) -> bool:
    """An export describes what is stored, as it is: the ranges are for what comes in."""
    return isinstance(info.context, dict) and info.context.get(EXPORTING) is True


def _now() -> datetime:
    # the later of the app's clock (moved by tests and demos) and the wall clock, which some
    # rows take directly (a saved place's creation)
    return max(clock.now(), datetime.now(UTC))


def _sane_instant(value: datetime, info: ValidationInfo) -> datetime:
    if _exporting(info):
        return value
    latest = _now() + AHEAD
    if not datetime.combine(EARLIEST_DAY, time(), UTC) <= value <= latest:
        raise ValueError(
            f"must lie between {EARLIEST_DAY.isoformat()} and a day from now ({_utc_iso(latest)})"
        )
    return value


def _sane_day(value: date, info: ValidationInfo) -> date:
    if _exporting(info):
        return value
    # a player's local date runs up to 14 hours ahead of UTC: one more day of slack
    latest = (_now() + AHEAD).date() + AHEAD
    if not EARLIEST_DAY <= value <= latest:
        raise ValueError(f"must lie between {EARLIEST_DAY.isoformat()} and {latest.isoformat()}")
    return value


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Instants are written in UTC whatever the server's time zone, so a restore elsewhere matches.
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_sane_instant),
    PlainSerializer(_utc_iso, return_type=str, when_used="json"),
]
Day = Annotated[IsoDate, AfterValidator(_sane_day)]
Flag = StrictBool
Count = Annotated[StrictInt, Field(ge=0, le=INT32)]
BigCount = Annotated[StrictInt, Field(ge=0, le=INT64)]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]


# Exact decimals for NUMERIC(digits, places) columns, written as JSON strings.
_AS_TEXT = PlainSerializer(str, return_type=str, when_used="json")
Dec14_4 = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4), _AS_TEXT]
Dec5_2 = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), _AS_TEXT]
Dec16_2 = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2), _AS_TEXT]
Signed16_2 = Annotated[Decimal, Field(max_digits=16, decimal_places=2), _AS_TEXT]
Dec14_2 = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), _AS_TEXT]
Dec6_3 = Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=3), _AS_TEXT]
Yield = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3), _AS_TEXT]
Hours = Annotated[Decimal, Field(ge=0, le=24, max_digits=4, decimal_places=2), _AS_TEXT]
Dec8_2 = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2), _AS_TEXT]
Drift = Annotated[Decimal, Field(ge=0, le=50, max_digits=5, decimal_places=2), _AS_TEXT]
Rating = Annotated[Decimal, Field(ge=0, le=5, max_digits=2, decimal_places=1), _AS_TEXT]


def _decimal_text(value: str, *, places: int, max_digits: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or not isinstance(exponent, int):
        raise ValueError(f"{value!r} is not a finite decimal number")
    if -exponent > places or len(number.as_tuple().digits) > max_digits:
        raise ValueError(f"{value!r} has too many digits")
    return number


CHANGE_NAMES = ("oxygen", "water", "gold", "armor", "keys")
_DECIMAL_CHANGES = {"oxygen": (4, 14), "water": (2, 5), "gold": (2, 16)}


def _changes(value: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """Resource amounts as the app stores them: exact decimals as strings, armor and keys ints."""
    unknown = set(value) - set(CHANGE_NAMES)
    if unknown:
        raise ValueError(f"unknown resources: {', '.join(sorted(unknown))}")
    if complete and set(value) != set(CHANGE_NAMES):
        raise ValueError("all five resources are needed: " + ", ".join(CHANGE_NAMES))
    for name, amount in value.items():
        if name in _DECIMAL_CHANGES:
            if not isinstance(amount, str):
                raise ValueError(f"{name} must be a decimal written as a string")
            places, digits = _DECIMAL_CHANGES[name]
            _decimal_text(amount, places=places, max_digits=digits)
        elif isinstance(amount, bool) or not isinstance(amount, int) or abs(amount) > INT32:
            raise ValueError(f"{name} must be a whole number")
    return {name: value[name] for name in CHANGE_NAMES if name in value}


ResourceChanges = Annotated[
    dict[str, StrictInt | str], AfterValidator(lambda v: _changes(v, complete=False))
]
ResourceSnapshot = Annotated[
    dict[str, StrictInt | str], AfterValidator(lambda v: _changes(v, complete=True))
]


def sorted_json(value: Any) -> Any:
    """A JSON value with every object's keys sorted (JSONB keeps its own order)."""
    if isinstance(value, dict):
        return {key: sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_json(item) for item in value]
    return value
