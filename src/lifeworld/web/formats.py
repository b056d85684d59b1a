"""Numbers, money and plurals as people read them: one locale-aware format for every page.

The locale is the browser's (its Accept-Language, the language people read numbers in); the
currency is the household's (a setting of its admin). Both are held for the request being
answered, so a template filter and a flash message written by a handler format alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_name,
    get_currency_symbol,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from lifeworld.accounts.currency import DEFAULT_CURRENCY, currencies
from lifeworld.game.errors import GameRuleError

DEFAULT_LOCALE = "en"
MINUS = "\u2212"  # a real minus sign, as wide as the plus
ENGLISH = Locale.parse("en")  # the pages' words are English, so their plural rules are too


@dataclass
class Style:
    """How this request writes numbers: a locale, and the household's currency once known."""

    locale: Locale
    currency: str = DEFAULT_CURRENCY


_style: ContextVar[Style | None] = ContextVar("lifeworld_number_style", default=None)


def style() -> Style:
    """The request's style (outside a request: English, US dollars)."""
    current = _style.get()
    return current if current is not None else Style(locale_for(""))


@contextmanager
def using(locale: str = DEFAULT_LOCALE, currency: str = DEFAULT_CURRENCY) -> Iterator[Style]:
    """Format in `locale` and `currency` inside the block (tests, scripts)."""
    token = _style.set(Style(locale_for(locale), currency))
    try:
        yield style()
    finally:
        _style.reset(token)


def set_currency(code: str) -> None:
    """The household's currency for the rest of this request (the viewer is known now)."""
    current = _style.get()
    if current is not None:
        current.currency = code


@lru_cache(maxsize=256)
def locale_for(accept_language: str) -> Locale:
    """The first language of an Accept-Language header that Babel knows, else English."""
    tags: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            tags.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(tags):
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT_LOCALE)


class NumberStyle:
    """ASGI middleware: each HTTP request formats numbers in its browser's language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = b""
        for name, value in scope["headers"]:
            if name == b"accept-language":
                header = value
                break
        token = _style.set(Style(locale_for(header.decode("latin-1")[:200])))
        try:
            await self.app(scope, receive, send)
        finally:
            _style.reset(token)


# Currencies ------------------------------------------------------------------------------


def currency_choices() -> list[tuple[str, str]]:
    """(code, "EUR — Euro") for a select, in the request's language, sorted by code."""
    locale = style().locale
    return [(c, f"{c} — {get_currency_name(c, locale=locale)}") for c in sorted(currencies())]


# Numbers ---------------------------------------------------------------------------------


def _signed(text: str, value: Decimal) -> str:
    if value > 0:
        return "+" + text
    return MINUS + text if value < 0 else text


def number(value: int | float | Decimal) -> str:
    """A whole number with the locale's grouping: 2,054 (en), 2 054 (fr), 2.054 (de)."""
    return str(format_decimal(value, format="#,##0", locale=style().locale))


def decimal(value: Decimal | float | int, places: int = 1) -> str:
    """At most `places` decimals, no trailing zeros: 2.5, 3, 1,234.56."""
    pattern = "#,##0" + ("." + "#" * places if places > 0 else "")
    amount = Decimal(str(value))
    return str(format_decimal(amount, format=pattern, locale=style().locale))


def signed(value: Decimal | float | int, places: int = 2) -> str:
    """+12, −3.5 (a real minus sign), 0."""
    amount = Decimal(str(value))
    return _signed(decimal(abs(amount), places), amount)


def xp(value: int) -> str:
    """Signed XP: +2,054 XP."""
    return _signed(number(abs(value)), Decimal(value)) + " XP"


def money(value: Decimal | float | int) -> str:
    """An amount in the household's currency: £3,500.00, 3.500,00 €."""
    current = style()
    amount = Decimal(str(value))
    text = str(format_currency(abs(amount), current.currency, locale=current.locale))
    return MINUS + text if amount < 0 else text


def signed_money(value: Decimal | float | int) -> str:
    """+£12.40, −£3.00."""
    amount = Decimal(str(value))
    return _signed(money(abs(amount)), amount)


def plural(count: int, one: str, other: str | None = None) -> str:
    """ "1 training task", "3 training tasks": the count formatted, the noun by English rules."""
    noun = one if ENGLISH.plural_form(abs(count)) == "one" else (other or one + "s")
    return f"{number(count)} {noun}"


def percent(value: Decimal | float | int, places: int = 1) -> str:
    """A share already in percent (12.5 → 12.5%), written the locale's way."""
    amount = Decimal(str(value)) / 100
    pattern = "#,##0" + ("." + "#" * places if places > 0 else "") + "%"
    return str(format_percent(amount, format=pattern, locale=style().locale))


def rule_message(code: str, message: str, details: object = None) -> str:
    """A rule's refusal for a page: its amounts written like every other number there."""
    facts = details if isinstance(details, dict) else {}
    try:
        if code == "insufficient_gold":
            needed, available = Decimal(facts["needed"]), Decimal(facts["available"])
            return f"Not enough gold: this needs {money(needed)}, you have {money(available)}."
        if code == "insufficient_energy":
            needed_energy, usable = int(facts["needed"]), int(facts["usable"])
            return (
                f"Not enough energy: this needs {number(needed_energy)}, "
                f"you have {number(usable)} usable."
            )
    except (KeyError, ValueError, ArithmeticError):
        pass
    return message


def refusal(exc: GameRuleError) -> str:
    """`rule_message` of a rule's exception."""
    return rule_message(exc.code, exc.message, exc.details)


def currency_symbol() -> str:
    """The household's currency as a unit after an amount field: £, €, CHF."""
    current = style()
    return str(get_currency_symbol(current.currency, locale=current.locale))


def language_tag() -> str:
    """The request's locale as a BCP 47 tag (en-GB), for the page's own scripts."""
    return str(style().locale).replace("_", "-")
