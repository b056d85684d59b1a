"""The household's currency: an ISO 4217 code Babel knows, by default its timezone's country's."""

from __future__ import annotations

from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_territory_currencies, list_currencies

DEFAULT_CURRENCY = "USD"


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    """ISO 4217 codes Babel knows (the ones a household may choose)."""
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in currencies()


def currency_for_timezone(timezone: str) -> str:
    """The currency of the country a timezone is in (Europe/London → GBP), else US dollars."""
    territory = get_global("zone_territories").get(timezone)
    if territory:
        for code in get_territory_currencies(territory):
            if is_currency(code):
                return str(code)
    return DEFAULT_CURRENCY
