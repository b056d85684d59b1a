"""The investments page over HTTP: buy, refusals, top up, growth, sell, rebalancing settings."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeworld.investments.models import Investment
from lifeworld.rebalancing.models import RebalancingConfig
from tests.integration.factories import invite_code, join, set_up_household
from tests.integration.game.helpers import NewClient
from tests.integration.pages import (
    field_error,
    follow,
    form_error,
    hidden_fields,
    input_value,
    ready_player,
    submit,
    text,
)

BUY = {"type": "STOCKS", "name": "World index", "amount": "1000"}


async def _count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Investment)) or 0)


async def _buy(client: httpx.AsyncClient) -> int:
    response = await client.post("/api/v1/me/investments", json=BUY)
    assert response.status_code == 201, response.text
    return int(response.json()["investment"]["id"])


async def test_buying_once_and_refusals_keep_the_values(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    wrong = await submit(
        client, "/investments", "/investments", {**BUY, "amount": "-5", "name": ""}
    )
    assert wrong.status_code == 422
    assert (
        field_error(wrong.text, "f-amount") == "Error: Enter an amount of gold, at most 2 decimals."
    )
    assert field_error(wrong.text, "f-name") == "Error: Give it a name (1–120 characters)."
    poor = await submit(client, "/investments", "/investments", {**BUY, "amount": "5000"})
    assert poor.status_code == 409
    assert form_error(poor.text) == "Not enough gold: this needs £5,000.00, you have £3,500.00."
    assert input_value(poor.text, "f-name") == "World index"
    assert await _count(db_session) == 0

    page = await client.get("/investments")
    form = {**hidden_fields(page.text, "/investments"), **BUY}
    first = await client.post("/investments", data=form)
    second = await client.post("/investments", data=form)
    shown = await follow(client, second)
    assert "“World index” bought for £1,000.00" in shown
    assert "20 energy used" in shown and "recorded once" in shown
    assert "Gold available: £2,500.00" in shown
    assert first.headers["location"] == "/investments#portfolio"
    assert await _count(db_session) == 1


async def test_top_up_growth_and_sale(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    holding = await _buy(client)
    wrong = await submit(client, "/investments", f"/investments/{holding}/top-up", {"add": "0"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, f"add-{holding}") == (
        "Error: Enter the gold to add: more than 0, at most 2 decimals."
    )
    too_much = await submit(
        client, "/investments", f"/investments/{holding}/top-up", {"add": "9000"}
    )
    assert too_much.status_code == 409
    assert field_error(too_much.text, f"add-{holding}").startswith("Error: Not enough gold")
    topped = await submit(client, "/investments", f"/investments/{holding}/top-up", {"add": "500"})
    assert "topped up to £1,500.00 invested. Gold left: £2,000.00." in await follow(client, topped)

    grown = await submit(client, "/investments", "/investments/growth", {})
    assert "applied: +" in await follow(client, grown)
    again = await submit(client, "/investments", "/investments/growth", {})
    assert again.status_code == 409
    assert "it can run once per calendar month" in form_error(again.text)

    sold = await submit(client, "/investments", f"/investments/{holding}/sell", {})
    page = await follow(client, sold)
    assert "Sold for £1,5" in page and "No investments yet." in page


async def test_a_sale_that_reaches_a_milestone_says_so(client: httpx.AsyncClient) -> None:
    """§8: milestones are checked after a sale. The questionnaire's 3,500 gold (no check) all
    invested leaves 0 gold (no milestone at the purchase); the sale brings it back above 0."""
    await set_up_household(client)
    await ready_player(client)
    response = await client.post("/api/v1/me/investments", json={**BUY, "amount": "3500"})
    assert response.status_code == 201 and response.json()["milestones"] == []
    holding = int(response.json()["investment"]["id"])
    sold = await submit(client, "/investments", f"/investments/{holding}/sell", {})
    page = await follow(client, sold)
    assert "Sold for £3,500.00. You now have £3,500.00 in gold." in page
    assert "Milestone reached: First asset (+1 key)!" in page


async def test_another_players_investment_is_the_404_page(
    client: httpx.AsyncClient, new_client: NewClient
) -> None:
    await set_up_household(client)
    await ready_player(client)
    theirs = await _buy(client)
    other = new_client()
    await join(other, await invite_code(client), username="bob")
    page = await other.get("/investments")
    fields = hidden_fields(page.text, "/investments")
    for action in (f"/investments/{theirs}/sell", f"/investments/{theirs}/top-up"):
        response = await other.post(action, data={**fields, "add": "1"})
        assert response.status_code == 404, action
        assert "Page not found" in text(response.text)
    assert (await client.get("/api/v1/me/investments")).json()[0]["current_value"] == 1000


async def test_rebalancing_settings_and_advice(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await set_up_household(client)
    await ready_player(client)
    await _buy(client)
    await client.post(
        "/api/v1/me/investments",
        json={"type": "HIGH_YIELD_SAVINGS", "name": "Buffer", "amount": "1000"},
    )
    page = text((await client.get("/investments")).text)
    assert "Your target 90% / 10%" in page  # 100 − 10 years, income and temper medium
    # 2,000 held half and half against 90/10: the advice names kinds one can buy, never "bonds"
    assert "Put £800.00 of new money into Stocks" in page
    assert "Sell £800.00 of High-yield savings" in page
    assert "Safe part (cash and high-yield savings)" in page
    assert "bonds" not in page.lower()
    settings = {
        "horizon_years": "10",
        "income_stability": "MEDIUM",
        "emotional_tolerance": "MEDIUM",
        "decision_discipline": "MEDIUM",
        "frequency": "THRESHOLD_BASED",
        "drift_threshold": "5",
    }
    wrong = await submit(
        client,
        "/investments",
        "/rebalancing",
        {**settings, "target_stocks": "70", "target_bonds": "40"},
    )
    assert wrong.status_code == 422
    assert form_error(wrong.text) == (
        "The stocks and safe-part targets must add up to 100 (or leave both empty)."
    )
    assert input_value(wrong.text, "f-target-bonds") == "40"
    assert await db_session.scalar(select(func.count()).select_from(RebalancingConfig)) == 0
    saved = await submit(
        client,
        "/investments",
        "/rebalancing",
        {**settings, "target_stocks": "50", "target_bonds": ""},
    )
    page = await follow(client, saved)
    assert "Rebalancing settings saved" in page
    assert "Your target 50% / 50%" in page
    assert "Stocks £1,000.00 50% 0" in page  # on target: no drift
