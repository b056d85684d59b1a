"""The household's currency (issue 21 §4) and one number format in its pages (§6), over HTTP."""

from __future__ import annotations

import html
import re

import httpx

from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import field_error, follow, ready_player, submit


def _gold(page: str) -> str:
    """The gold shown on Today, as written."""
    found = re.search(r'resource-gold.*?<span class="resource-value">([^<]*)</span>', page, re.S)
    assert found is not None, "no gold on the page"
    return html.unescape(found[1])


async def test_the_currency_follows_the_timezone_and_the_admin_changes_it(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    made = await set_up_household(client, timezone="Europe/Paris")
    assert made["household"]["currency"] == "EUR"  # the country of the household's timezone
    assert (await client.get("/api/v1/household")).json()["currency"] == "EUR"

    changed = await client.patch("/api/v1/household", json={"currency": "chf"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"currency": "CHF"}
    assert (await client.get("/api/v1/household")).json()["currency"] == "CHF"

    for wrong in (
        {"currency": "XYZ"},  # three letters, not a currency
        {"currency": "EURO"},
        {},
        {"currency": "EUR", "extra": 1},
    ):
        refused = await client.patch("/api/v1/household", json=wrong)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "invalid_field"
    assert (await client.get("/api/v1/household")).json()["currency"] == "CHF"

    member = new_client()
    await join(member, await invite_code(client), username="bob")
    assert (await member.get("/api/v1/household")).json()["currency"] == "CHF"
    refused = await member.patch("/api/v1/household", json={"currency": "USD"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admin_only"


async def test_amounts_show_in_the_currency_and_the_browsers_language(
    client: httpx.AsyncClient,
) -> None:
    await set_up_household(client)  # Europe/London: pounds
    await ready_player(client)
    page = (await client.get("/", headers={"Accept-Language": "en-GB"})).text
    assert _gold(page) == "£3,500.00"
    page = (await client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"})).text
    assert _gold(page) == "3.500,00\xa0£"

    settings = await client.get("/settings")
    assert '<option value="GBP" selected>GBP — British Pound</option>' in settings.text
    wrong = await submit(client, "/settings", "/settings/currency", {"currency": "XYZ"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "f-currency") == (
        "Error: Choose a currency from the list (an ISO 4217 code)."
    )
    saved = await submit(client, "/settings", "/settings/currency", {"currency": "EUR"})
    assert "Amounts are now shown in EUR: €1,234.50." in await follow(client, saved)
    assert _gold((await client.get("/")).text) == "€3,500.00"
    buying = (await client.get("/investments")).text
    assert '<span class="input-unit" id="f-amount-unit">€</span>' in buying
