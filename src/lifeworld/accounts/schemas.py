"""Request and response bodies of the accounts API (API.md "Accounts and household")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from lifeworld.schemas_common import Name80, StrictIn
from lifeworld.timezones import validate_timezone

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,32}$")]
# Whitespace around an address is allowed (the pattern says so) and removed.
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^\s*[^@\s]{1,64}@[^@\s]+\.[^@\s]+\s*$"),
    AfterValidator(str.strip),
]
Password = Annotated[str, Field(min_length=10, max_length=256)]
Timezone = Annotated[str, Field(max_length=64), AfterValidator(validate_timezone)]
Name = Name80


class SetupIn(StrictIn):
    household_name: Name
    timezone: Timezone
    username: Username
    email: Email
    password: Password


class LoginIn(StrictIn):
    login: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class RegisterIn(StrictIn):
    invite_code: Annotated[str, Field(min_length=1, max_length=100)]
    username: Username
    email: Email
    password: Password
    timezone: Timezone | None = None


class TokenIn(StrictIn):
    name: Name


class MeIn(StrictIn):
    timezone: Timezone | None = None
    day_start_hour: Annotated[int, Field(ge=0, le=23)] | None = None
    display_name: Name | None = None


class HouseholdPatchIn(StrictIn):
    currency: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{3}$"),
        Field(description="ISO 4217 code (EUR, GBP …) the household's amounts are shown in"),
    ]


class HouseholdSettingsOut(BaseModel):
    currency: str


class PasswordChangeIn(StrictIn):
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password
    revoke_tokens: bool = Field(
        default=True,
        description="Also delete every API token of the account (a thief's too); "
        "every session is signed out either way.",
    )


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    household_id: int
    username: str
    email: str
    display_name: str
    is_admin: bool
    timezone: str
    day_start_hour: int
    created_at: datetime


class HouseholdOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    currency: str = Field(description="ISO 4217 code the household's amounts are shown in")


class SetupNeededOut(BaseModel):
    needed: bool


class SetupOut(BaseModel):
    user: UserOut
    household: HouseholdOut
    csrf_token: str


class SignedInOut(BaseModel):
    user: UserOut
    csrf_token: str


class CsrfOut(BaseModel):
    csrf_token: str


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(BaseModel):
    id: int
    name: str
    token: str
    created_at: datetime


class InviteOut(BaseModel):
    code: str = Field(
        description="Grouped for reading (`K7QM-3XPD-9RTW-H4CE`); typed in any "
        "case, dashes and spaces ignored"
    )
    expires_at: datetime
    link: str = Field(description="The join page with the code filled in (`/join?code=…`)")


class PendingInviteOut(BaseModel):
    """An invite not used, revoked or expired yet; the code itself is never stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    hint: str = Field(description="The code's first four characters")
    created_by: str | None
    created_at: datetime
    expires_at: datetime


class PasswordResetIn(StrictIn):
    token: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Password


class ResetLinkOut(BaseModel):
    link: str = Field(description="Works once, until expires_at; signs the member out everywhere")
    expires_at: datetime


class HandOverOut(BaseModel):
    admin_id: int
    you_stay_admin: bool = Field(
        description="True for the instance owner, who keeps the admin role (and the System page)"
    )


class MemberOut(BaseModel):
    id: int
    username: str
    display_name: str
    rank: str
    level: int
    season: str
    is_admin: bool


class HouseholdDetailOut(BaseModel):
    id: int
    name: str
    timezone: str
    currency: str = Field(description="ISO 4217 code the household's amounts are shown in")
    members: list[MemberOut]
