"""The practice portfolio: funding from gold, XP, monthly growth, top-ups and sales (§14)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import (
    Player,
    admin_set,
    at,
    cats,
    dec,
    error,
    log,
    start,
    state,
)


async def invest(client: httpx.AsyncClient, kind: str, amount: Any, **extra: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/me/investments",
        json={"type": kind, "name": f"{kind.lower()} pot", "amount": amount, **extra},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/investments")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def with_gold(client: httpx.AsyncClient, gold: Any) -> Player:
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"gold": gold}})
    return player


async def test_create_1000_stocks(client: httpx.AsyncClient) -> None:
    await with_gold(client, 5000)
    body = await invest(client, "STOCKS", 1000)
    investment = body["investment"]
    assert investment["type"] == "STOCKS"
    assert dec(investment["amount_invested"]) == 1000
    assert dec(investment["current_value"]) == 1000
    assert dec(investment["total_return"]) == 0
    assert dec(investment["expected_yield"]) == dec("7.0")  # the STOCKS default
    # XP base floor(10 × log10(max(1000 / 10, 1)) + 10) = floor(10 × 2 + 10) = 30; × 1.00
    # split by STOCKS .15/.45/.25/.05/.10: 4.5 → 5, 13.5 → 14, 7.5 → 8, 1.5 → 2, 3.0 → 3
    # (rounded half away), each × capacity efficiency 1.00.
    assert body["xp_gained"] == {"overall": 30, "categories": cats(5, 14, 8, 2, 3)}
    assert body["energy_used"] == 20
    state_after = body["state"]
    assert dec(state_after["resources"]["gold"]) == 4000  # 5000 − 1000
    assert state_after["energy"]["stored"] == 80  # 100 − 20
    assert state_after["xp"]["overall"] == 30
    # gold 4,000 > 0 after an investment → FIRST_ASSET (admin-set gold is not a milestone check)
    assert body["milestones"] == [{"type": "FIRST_ASSET", "keys": 1}]
    assert state_after["resources"]["keys"] == 1
    assert [i["id"] for i in await listed(client)] == [investment["id"]]


@pytest.mark.parametrize(
    ("kind", "amount", "overall", "categories"),
    [
        # base floor(10 × log10(200) + 10) = floor(33.0103) = 33;
        # HYS .15/.30/.40/.05/.10: 4.95 → 5, 9.9 → 10, 13.2 → 13, 1.65 → 2, 3.3 → 3
        ("HIGH_YIELD_SAVINGS", 2000, 33, cats(5, 10, 13, 2, 3)),
        # floor(10 × log10(99.9) + 10) = floor(29.9957) = 29;
        # CRYPTO .10/.50/.10/.05/.25: 2.9 → 3, 14.5 → 15, 2.9 → 3, 1.45 → 1, 7.25 → 7
        ("CRYPTO", 999, 29, cats(3, 15, 3, 1, 7)),
        # max(5 / 10, 1) = 1: floor(0 + 10) = 10; CASH .20/.10/.50/.10/.10: 2, 1, 5, 1, 1
        ("CASH", 5, 10, cats(2, 1, 5, 1, 1)),
    ],
)
async def test_xp_by_amount_and_type(
    client: httpx.AsyncClient, kind: str, amount: int, overall: int, categories: dict[str, int]
) -> None:
    await with_gold(client, 5000)
    body = await invest(client, kind, amount)
    assert body["xp_gained"] == {"overall": overall, "categories": categories}
    assert dec(body["state"]["resources"]["gold"]) == 5000 - amount


async def test_insufficient_gold(client: httpx.AsyncClient) -> None:
    await with_gold(client, "999.99")
    before = await state(client)
    response = await client.post(
        "/api/v1/me/investments", json={"type": "STOCKS", "name": "Index", "amount": 1000}
    )
    err = error(response, 409)
    assert err["code"] == "insufficient_gold"
    assert dec(err["details"]["needed"]) == 1000
    assert dec(err["details"]["available"]) == dec("999.99")
    assert await listed(client) == []
    after = await state(client)
    assert after["version"] == before["version"]
    assert after["energy"] == before["energy"]


async def test_investing_needs_20_energy(client: httpx.AsyncClient) -> None:
    await with_gold(client, 100)
    for _ in range(3):
        await log(client, "WORK_PROJECT")  # 27 each with The Balanced: 100 → 19
    response = await client.post(
        "/api/v1/me/investments", json={"type": "CASH", "name": "Jar", "amount": 10}
    )
    err = error(response, 409)
    assert err["code"] == "insufficient_energy"
    assert err["details"] == {"needed": 20, "usable": 19}
    assert await listed(client) == []
    assert dec((await state(client))["resources"]["gold"]) == 100


async def test_growth_once_a_month_raises_value_never_gold(client: httpx.AsyncClient) -> None:
    await with_gold(client, 5000)
    stocks = (await invest(client, "STOCKS", 1000))["investment"]
    savings = (await invest(client, "HIGH_YIELD_SAVINGS", 2000))["investment"]
    response = await client.post("/api/v1/me/investments/growth")
    assert response.status_code == 200, response.text
    grown = response.json()
    assert grown["month"] == "2026-03-01"
    values = {i["id"]: i for i in grown["investments"]}
    # STOCKS 7 %: 1000 × (1.07^(1/12) − 1) = 1000 × 0.0056541454 = 5.654 → 1005.65
    assert dec(values[stocks["id"]]["current_value"]) == dec("1005.65")
    assert dec(values[stocks["id"]]["total_return"]) == dec("5.65")
    # HYS 4.5 %: 2000 × (1.045^(1/12) − 1) = 2000 × 0.0036748094 = 7.3496 → 2007.35
    assert dec(values[savings["id"]]["current_value"]) == dec("2007.35")
    assert dec(grown["total_growth"]) == dec("13.00")  # 5.65 + 7.35
    # growth never touches gold: 5000 − 1000 − 2000 = 2000
    assert dec((await state(client))["resources"]["gold"]) == 2000

    # the same calendar month again: refused, nothing changes
    at(days=20)  # 2026-03-22
    again = await client.post("/api/v1/me/investments/growth")
    err = error(again, 409)
    assert err["code"] == "growth_already_applied"
    assert {i["id"]: dec(i["current_value"]) for i in await listed(client)} == {
        stocks["id"]: dec("1005.65"),
        savings["id"]: dec("2007.35"),
    }

    # next month it runs again, on the grown value
    at(days=30)  # 2026-04-01
    grown = (await client.post("/api/v1/me/investments/growth")).json()
    assert grown["month"] == "2026-04-01"
    values = {i["id"]: i for i in grown["investments"]}
    # 1005.65 × 0.0056541454 = 5.6861 → 5.69 → 1011.34
    assert dec(values[stocks["id"]]["current_value"]) == dec("1011.34")
    # 2007.35 × 0.0036748094 = 7.3766 → 7.38 → 2014.73
    assert dec(values[savings["id"]]["current_value"]) == dec("2014.73")
    assert dec((await state(client))["resources"]["gold"]) == 2000


async def test_top_up_charges_the_difference_and_sale_credits_the_value(
    client: httpx.AsyncClient,
) -> None:
    await with_gold(client, 3000)
    stocks = (await invest(client, "STOCKS", 1000, name="Index fund"))["investment"]
    await client.post("/api/v1/me/investments/growth")  # 1000 → 1005.65
    # gold 3000 − 1000 = 2000; top up to 1,500 invested: 500 more is charged
    response = await client.patch(
        f"/api/v1/me/investments/{stocks['id']}", json={"amount": 1500, "name": "World index"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert dec(body["gold"]) == 1500  # 2000 − 500
    investment = body["investment"]
    assert investment["name"] == "World index"
    assert dec(investment["amount_invested"]) == 1500
    assert dec(investment["current_value"]) == dec("1505.65")  # 1005.65 + 500
    assert dec(investment["total_return"]) == dec("5.65")
    # a top-up beyond the gold left is refused and changes nothing
    too_much = await client.patch(f"/api/v1/me/investments/{stocks['id']}", json={"amount": 3001})
    assert error(too_much, 409)["code"] == "insufficient_gold"
    [unchanged] = await listed(client)
    assert dec(unchanged["amount_invested"]) == 1500
    assert dec((await state(client))["resources"]["gold"]) == 1500
    # a new expected yield
    response = await client.patch(
        f"/api/v1/me/investments/{stocks['id']}", json={"expected_yield": 5.5}
    )
    assert dec(response.json()["investment"]["expected_yield"]) == dec("5.5")
    assert dec(response.json()["gold"]) == 1500

    # selling credits the current value: 1500 + 1505.65 = 3005.65
    sale = await client.delete(f"/api/v1/me/investments/{stocks['id']}")
    assert sale.status_code == 200, sale.text
    assert dec(sale.json()["sold_for"]) == dec("1505.65")
    assert dec(sale.json()["gold"]) == dec("3005.65")
    assert dec((await state(client))["resources"]["gold"]) == dec("3005.65")
    assert await listed(client) == []
    again = await client.delete(f"/api/v1/me/investments/{stocks['id']}")
    assert error(again, 404)["code"] == "not_found"


async def test_a_sale_that_lifts_gold_above_zero_awards_first_asset_once(
    client: httpx.AsyncClient,
) -> None:
    """§8: milestones are checked after an investment sale. Gold an admin set (1,000, no check)
    is all invested: gold 0 after the purchase, so its check awards nothing; selling brings the
    1,000 back (gold > 0) → FIRST_ASSET, +1 key, in the sale's answer; a second sale awards
    nothing more."""
    await with_gold(client, 1000)
    bought = await invest(client, "CASH", 1000)
    assert bought["milestones"] == []
    assert dec(bought["state"]["resources"]["gold"]) == 0
    sale = await client.delete(f"/api/v1/me/investments/{bought['investment']['id']}")
    assert sale.status_code == 200, sale.text
    assert dec(sale.json()["gold"]) == 1000
    assert sale.json()["milestones"] == [{"type": "FIRST_ASSET", "keys": 1}]
    after = await state(client)
    assert after["resources"]["keys"] == 1
    milestones = (await client.get("/api/v1/me/milestones")).json()
    assert [(m["type"], m["keys"]) for m in milestones] == [("FIRST_ASSET", 1)]
    again = await invest(client, "CASH", 400)
    resold = await client.delete(f"/api/v1/me/investments/{again['investment']['id']}")
    assert resold.json()["milestones"] == []
    assert (await state(client))["resources"]["keys"] == 1


async def test_growth_checks_milestones_too(client: httpx.AsyncClient) -> None:
    """§8: milestones are checked after growth. Growth changes no resource, so it awards what
    was reached without a check: gold 10 and oxygen 6 an admin set → SIX_MONTHS_EXPENSES (+1)
    and FIRST_ASSET (+1), once; the next month's growth awards nothing."""
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"gold": 10, "oxygen": 6}})
    grown = await client.post("/api/v1/me/investments/growth")
    assert grown.status_code == 200, grown.text
    assert grown.json()["milestones"] == [
        {"type": "SIX_MONTHS_EXPENSES", "keys": 1},
        {"type": "FIRST_ASSET", "keys": 1},
    ]
    assert (await state(client))["resources"]["keys"] == 2
    at(days=30)  # 2026-04-01
    later = await client.post("/api/v1/me/investments/growth")
    assert later.json()["milestones"] == []
    assert (await state(client))["resources"]["keys"] == 2


async def test_yield_can_be_chosen(client: httpx.AsyncClient) -> None:
    await with_gold(client, 100)
    body = await invest(client, "CRYPTO", 100, expected_yield=12)
    assert dec(body["investment"]["expected_yield"]) == 12
    grown = (await client.post("/api/v1/me/investments/growth")).json()
    # 100 × (1.12^(1/12) − 1) = 100 × 0.0094887929 = 0.9489 → 0.95
    assert dec(grown["investments"][0]["current_value"]) == dec("100.95")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "STOCKS", "name": "x", "amount": 10, "expected_yield": 100.5}, "expected_yield"),
        ({"type": "STOCKS", "name": "x", "amount": 10, "expected_yield": -1}, "expected_yield"),
        ({"type": "STOCKS", "name": "x", "amount": -5}, "amount"),
        ({"type": "BONDS", "name": "x", "amount": 10}, "type"),
        ({"type": "STOCKS", "name": "", "amount": 10}, "name"),
        ({"type": "STOCKS", "name": "x", "amount": "lots"}, "amount"),
        ({"type": "STOCKS", "name": "x", "amount": 10, "broker": "y"}, "broker"),
    ],
)
async def test_bad_investments_are_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    await with_gold(client, 1000)
    before = await state(client)
    err = error(await client.post("/api/v1/me/investments", json=body), 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == [field]
    assert await listed(client) == []
    assert (await state(client))["version"] == before["version"]


async def test_bad_investment_changes(client: httpx.AsyncClient) -> None:
    await with_gold(client, 1000)
    investment = (await invest(client, "CASH", 100))["investment"]
    path = f"/api/v1/me/investments/{investment['id']}"
    assert error(await client.patch(path, json={"expected_yield": 101}), 422)
    assert error(await client.patch(path, json={"amount": -1}), 422)
    # lowering the amount invested is not a top-up: sell instead
    lower = await client.patch(path, json={"amount": 50})
    assert error(lower, 422)["details"][0]["field"] == "amount"
    [unchanged] = await listed(client)
    assert dec(unchanged["amount_invested"]) == 100
    assert dec((await state(client))["resources"]["gold"]) == 900
    for bad in ("99999999999999999999", "0", "-3"):
        assert error(await client.patch(f"/api/v1/me/investments/{bad}", json={}), 422)
        assert error(await client.delete(f"/api/v1/me/investments/{bad}"), 422)
    assert error(await client.delete("/api/v1/me/investments/987654321"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2026-01-01"}, "month"),  # it takes no month: growth is for this month
        ({"force": True}, "force"),
        ([], "body"),
        ("grow", "body"),
        (7, "body"),
    ],
)
async def test_growth_takes_no_fields(client: httpx.AsyncClient, body: Any, field: str) -> None:
    await with_gold(client, 5000)
    stocks = (await invest(client, "STOCKS", 1000))["investment"]
    err = error(await client.post("/api/v1/me/investments/growth", json=body), 422)
    assert err["code"] == "invalid_field"
    assert [d["field"] for d in err["details"]] == [field]
    assert {i["id"]: dec(i["current_value"]) for i in await listed(client)} == {
        stocks["id"]: dec("1000")
    }, "a refused request grew nothing"
    # no body, or an empty object: the month's growth
    assert (await client.post("/api/v1/me/investments/growth", json={})).status_code == 200


async def test_growth_documents_its_body(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/api/v1/me/investments/growth"]["post"]
    body = operation["requestBody"]
    assert body.get("required", False) is False
    schema = body["content"]["application/json"]["schema"]
    ref = next(o["$ref"] for o in schema.get("anyOf", [schema]) if "$ref" in o)
    growth_in = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert growth_in.get("properties", {}) == {}
    assert growth_in["additionalProperties"] is False
    assert "422" in operation["responses"]
