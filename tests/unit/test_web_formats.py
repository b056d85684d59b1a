"""One way to write numbers (issue 21 §6): Babel's, in the browser's language, in the household's
currency; plurals by count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lifeworld.accounts.currency import currencies, currency_for_timezone, is_currency
from lifeworld.game.errors import InsufficientEnergy, InsufficientGold
from lifeworld.ops.wording import amount
from lifeworld.web import formats

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("", "en"),
        ("en-GB,en;q=0.9", "en_GB"),
        ("fr-FR;q=0.5, de-DE", "de_DE"),  # the highest quality wins, not the first
        ("xx-YY, pt-BR;q=0.8", "pt_BR"),  # a language Babel does not know is skipped
        ("*", "en"),
        ("en;q=garbage, es", "es"),
    ],
)
def test_the_locale_comes_from_accept_language(header: str, locale: str) -> None:
    assert str(formats.locale_for(header)) == locale


def test_numbers_follow_the_locale() -> None:
    with formats.using("en-GB", "GBP"):
        assert formats.number(2054) == "2,054"
        assert formats.xp(2054) == "+2,054 XP"
        assert formats.xp(0) == "0 XP"
        assert formats.decimal(Decimal("2.50")) == "2.5" and formats.decimal(3) == "3"
        assert formats.decimal(1234.567, 2) == "1,234.57"
        assert formats.signed(-3) == "\u22123" and formats.signed(12) == "+12"
        assert formats.money(999999) == "£999,999.00"
        assert formats.money(-12.5) == "\u2212£12.50"
        assert formats.signed_money(Decimal("12.4")) == "+£12.40"
        assert formats.percent(Decimal("12.5")) == "12.5%"
    with formats.using("fr-FR", "EUR"):
        assert formats.number(2054) == f"2{NNBSP}054"
        assert formats.xp(2054) == f"+2{NNBSP}054 XP"
        assert formats.money(4500) == f"4{NNBSP}500,00{NBSP}€"
    with formats.using("de-DE", "EUR"):
        assert formats.decimal(1234.5, 2) == "1.234,5"
        assert formats.money(4500) == f"4.500,00{NBSP}€"
    with formats.using("en-US", "JPY"):
        assert formats.money(4500) == "¥4,500"  # the currency's own decimals


def test_plurals_by_count() -> None:
    with formats.using("en-GB"):
        assert formats.plural(1, "training task") == "1 training task"
        assert formats.plural(0, "training task") == "0 training tasks"
        assert formats.plural(2054, "query", "queries") == "2,054 queries"
        assert formats.plural(1, "query", "queries") == "1 query"


def test_a_rules_refusal_is_written_with_the_pages_numbers() -> None:
    with formats.using("en-GB", "GBP"):
        gold = InsufficientGold(Decimal("999999.00"), Decimal("4500.00"))
        assert formats.refusal(gold) == (
            "Not enough gold: this needs £999,999.00, you have £4,500.00."
        )
        energy = InsufficientEnergy(1200, 5)
        assert formats.refusal(energy) == "Not enough energy: this needs 1,200, you have 5 usable."
        assert formats.rule_message("insufficient_gold", "as sent", {"needed": "x"}) == "as sent"


def test_currencies() -> None:
    assert currency_for_timezone("Europe/London") == "GBP"
    assert currency_for_timezone("Europe/Paris") == "EUR"
    assert currency_for_timezone("America/New_York") == "USD"
    assert currency_for_timezone("UTC") == "USD"  # no country: US dollars
    assert is_currency("CHF") and not is_currency("XYZ") and not is_currency("gbp")
    assert {"USD", "EUR", "GBP", "JPY"} <= currencies()
    with formats.using("en"):
        assert ("EUR", "EUR — Euro") in formats.currency_choices()


def test_the_system_pages_figures_count_their_units() -> None:
    with formats.using("en-GB"):
        assert amount(1, "queries/day") == "1 query/day"
        assert amount(2054, "queries/day") == "2,054 queries/day"
        assert amount(0.42, "ms") == "0.42 ms"
        assert amount(87.25, "%") == "87.2\u202f%"
        assert amount(0.001, "ms") == "< 0.01 ms"
