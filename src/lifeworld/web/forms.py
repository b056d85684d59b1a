"""HTML forms: the entered values, the error next to each field, and the one-time nonce.

A page handler reads a `PageForm`, validates it with the SAME pydantic schema the JSON API uses,
and on any error raises `ShowPage` with the re-rendered form: raising (rather than returning)
rolls the request's transaction back, so nothing is half-written by a refused form.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from lifeworld.errors import AppError, BadRequest, InvalidField
from lifeworld.schemas_common import TEXT_NUL
from lifeworld.web.deps import CSRF_FIELD

NONCE_FIELD = "form_nonce"
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SECRET_FIELDS = frozenset({"password", "current_password", "new_password"})
FORM_ERROR = "__form__"

M = TypeVar("M", bound=BaseModel)


class ShowPage(Exception):
    """Abort the request's transaction and answer with this response (a form with errors)."""

    def __init__(self, response: Response) -> None:
        super().__init__("show page")
        self.response = response


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _friendly(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind in ("missing", "string_too_short") and error.get("ctx", {}).get("min_length") in (
        None,
        1,
    ):
        return "Fill this in."
    if kind == "string_too_short":
        return f"Use at least {error['ctx']['min_length']} characters."
    if kind == "string_too_long":
        return f"Use at most {error['ctx']['max_length']} characters."
    if kind in ("int_parsing", "int_type"):
        return "Enter a whole number."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return message.replace("Input should be", "Enter a number").rstrip(".") + "."
    return message[:1].upper() + message[1:]


def _field_for(loc: tuple[str, ...], fields: Mapping[tuple[str, ...], str]) -> str:
    for length in range(len(loc), 0, -1):
        if loc[:length] in fields:
            return fields[loc[:length]]
    return loc[0] if loc else FORM_ERROR


@dataclass
class PageForm:
    """What a person typed into one form, and what was wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    nonce: str = field(default_factory=new_nonce)
    raw: dict[str, str] = field(default_factory=dict, repr=False)
    nonce_sent: bool = True  # False when a submitted form came without a usable nonce

    @classmethod
    def blank(cls, **values: object) -> PageForm:
        """A fresh form, optionally pre-filled."""
        return cls(values={k: "" if v is None else str(v) for k, v in values.items()})

    @classmethod
    async def read(cls, request: Request) -> PageForm:
        """The submitted form; passwords are used but never sent back to the browser."""
        data = await request.form()
        raw = {k: v for k, v in data.items() if isinstance(v, str)}
        nonce = raw.pop(NONCE_FIELD, "")
        raw.pop(CSRF_FIELD, None)
        kept = {k: v for k, v in raw.items() if k not in SECRET_FIELDS}
        sent = bool(NONCE_PATTERN.fullmatch(nonce))
        return cls(values=kept, nonce=nonce if sent else new_nonce(), raw=raw, nonce_sent=sent)

    def require_nonce(self) -> None:
        """Refuse a form without a well-formed nonce (it cannot be protected from double taps)."""
        if not self.nonce_sent:
            raise BadRequest(
                "This form is missing its one-time key. Reload the page and send it again.",
                code="form_nonce_missing",
            )

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def form_error(self) -> str | None:
        """A message about the whole form rather than one field."""
        return self.errors.get(FORM_ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors

    def validate(
        self,
        schema: type[M],
        *,
        optional: Iterable[str] = (),
        messages: Mapping[str, str] | None = None,
        defaults: Iterable[str] = (),
    ) -> M | None:
        """The schema's model of this form, or None with `errors` filled in per field.

        Only the schema's own fields are taken from the form; fields in `optional` that were
        left empty count as not given (None), fields in `defaults` left empty take the
        schema's default. `messages` overrides the message of a field's error.
        """
        empty_is_none, empty_is_default = set(optional), set(defaults)
        data: dict[str, Any] = {}
        for name in schema.model_fields:
            if name in self.raw:
                value = self.raw[name]
                if value.strip() == "" and name in empty_is_default:
                    continue
                data[name] = None if (value.strip() == "" and name in empty_is_none) else value
        return self.validate_data(schema, data, messages=messages)

    def validate_data(
        self,
        schema: type[M],
        data: Mapping[str, Any],
        *,
        fields: Mapping[tuple[str, ...], str] | None = None,
        messages: Mapping[str, str] | None = None,
    ) -> M | None:
        """`data` (built from this form, possibly nested) as the schema's model, or None.

        An error at a nested location is shown next to the form field `fields` names for it
        (("custom_xp", "overall") → "xp_overall"); otherwise next to its first part.
        """
        try:
            return schema.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(str(part) for part in err.get("loc", ()))
                name = _field_for(loc, fields or {})
                if name not in self.errors:
                    custom = None if err["type"] == TEXT_NUL else (messages or {}).get(name)
                    self.errors[name] = custom or _friendly(err)
            return None

    def reject(self, exc: AppError) -> None:
        """Show a service's refusal next to its field, or at the top of the form."""
        if isinstance(exc, InvalidField):
            self.errors[exc.field] = exc.message
        else:
            self.errors[FORM_ERROR] = exc.message

    def fail(self, name: str, message: str) -> None:
        """Mark one field as wrong (form-level checks such as a confirmation)."""
        self.errors.setdefault(name, message)
