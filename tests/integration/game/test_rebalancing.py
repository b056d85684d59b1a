"""Rebalancing advice against the real portfolio (GAME_RULES.md §15)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.game.helpers import Player, admin_set, dec, error, start


async def configure(client: httpx.AsyncClient, **config: Any) -> dict[str, Any]:
    response = await client.put("/api/v1/me/rebalancing", json=config)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def status(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/me/rebalancing/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def portfolio(client: httpx.AsyncClient, gold: int) -> Player:
    """STOCKS 6,000, HYS 2,000 and CASH 1,000 (total 9,000), with `gold` − 9,000 gold left."""
    player = await start(client)
    await admin_set(player, player.user_id, {"resources": {"gold": gold}})
    for kind, amount in (("STOCKS", 6000), ("HIGH_YIELD_SAVINGS", 2000), ("CASH", 1000)):
        response = await client.post(
            "/api/v1/me/investments", json={"type": kind, "name": kind, "amount": amount}
        )
        assert response.status_code == 201, response.text
    return player


def recommendations(body: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    return [
        (r["asset_class"], r["action"], dec(r["amount"]), r["priority"])
        for r in body["recommendations"]
    ]


@pytest.mark.parametrize(
    ("config", "stocks"),
    [
        ({"horizon_years": 30}, 70),  # 100 − 30 = 70, all MEDIUM (+0)
        # 100 − 10 = 90, + 10 + 10 + 5 = 115 → clamp 20–90 → 90
        (
            {
                "horizon_years": 10,
                "income_stability": "HIGH",
                "emotional_tolerance": "HIGH",
                "decision_discipline": "HIGH",
            },
            90,
        ),
        # 100 − 60 = 40, − 10 − 15 − 10 = 5 → 20
        (
            {
                "horizon_years": 60,
                "income_stability": "LOW",
                "emotional_tolerance": "LOW",
                "decision_discipline": "LOW",
            },
            20,
        ),
        # 100 − 25 = 75, − 10 + 10 − 10 = 65
        (
            {
                "horizon_years": 25,
                "income_stability": "LOW",
                "emotional_tolerance": "HIGH",
                "decision_discipline": "LOW",
            },
            65,
        ),
        # 100 − 100 = 0, + 10 = 10 → 20
        ({"horizon_years": 100, "income_stability": "HIGH"}, 20),
        # 100 − 1 = 99 → 90
        ({"horizon_years": 1}, 90),
        # 100 − 45 = 55, + 0 − 15 + 5 = 45
        ({"horizon_years": 45, "emotional_tolerance": "LOW", "decision_discipline": "HIGH"}, 45),
    ],
)
async def test_recommended_stocks_share(
    client: httpx.AsyncClient, config: dict[str, Any], stocks: int
) -> None:
    await start(client)
    await configure(client, **config)
    body = await status(client)
    assert dec(body["recommended"]["stocks_pct"]) == stocks
    assert dec(body["recommended"]["bonds_pct"]) == 100 - stocks  # bonds = 100 − stocks
    # without targets the target is the recommended mix
    assert body["target"] == body["recommended"]
    # no investments: nothing to rebalance
    assert dec(body["total"]) == 0
    assert body["needs_rebalancing"] is False
    assert body["recommendations"] == []


async def test_config_is_stored(client: httpx.AsyncClient) -> None:
    await start(client)
    default = (await client.get("/api/v1/me/rebalancing")).json()
    assert default["configured"] is False
    stored = await configure(
        client,
        horizon_years=20,
        income_stability="HIGH",
        target_stocks=60,
        target_bonds=40,
        frequency="ANNUAL",
        drift_threshold=7.5,
    )
    again = (await client.get("/api/v1/me/rebalancing")).json()
    assert again == stored
    assert again["configured"] is True
    assert (again["horizon_years"], again["income_stability"], again["frequency"]) == (
        20,
        "HIGH",
        "ANNUAL",
    )
    assert (again["target_stocks"], again["target_bonds"]) == (60, 40)
    assert dec(again["drift_threshold"]) == dec("7.5")


async def test_drift_and_recommendations_against_real_investments(
    client: httpx.AsyncClient,
) -> None:
    player = await portfolio(client, gold=9000)  # all gold invested: 0 left to contribute
    await configure(client, horizon_years=30, target_stocks=50, target_bonds=50, drift_threshold=5)
    body = await status(client)
    # stocks 6,000; bonds = HYS 2,000 + CASH 1,000 = 3,000; total 9,000
    assert dec(body["total"]) == 9000
    assert dec(body["stocks"]["value"]) == 6000
    assert dec(body["bonds"]["value"]) == 3000
    # shares 6000 / 9000 = 66.67 %, 33.33 %; drift 66.67 − 50 = +16.67, 33.33 − 50 = −16.67
    assert dec(body["stocks"]["share_pct"]) == dec("66.67")
    assert dec(body["bonds"]["share_pct"]) == dec("33.33")
    assert dec(body["stocks"]["drift"]) == dec("16.67")
    assert dec(body["bonds"]["drift"]) == dec("-16.67")
    assert dec(body["target"]["stocks_pct"]) == 50
    assert dec(body["recommended"]["stocks_pct"]) == 70  # still shown: 100 − 30
    # |16.67| > 5 → needs rebalancing
    assert body["needs_rebalancing"] is True
    # stocks: 0.50 × 9000 − 6000 = −1500 → sell 1,500; bonds: 4500 − 3000 = +1500 → buy
    # (no gold left to contribute); |16.67| > 5 → high
    assert recommendations(body) == [
        ("stocks", "sell", 1500, "high"),
        ("bonds", "buy", 1500, "high"),
    ]
    # no kind is called bonds: the purchase names high-yield savings, the sale the stocks held
    kinds = [r["investment_types"] for r in body["recommendations"]]
    assert kinds == [["STOCKS"], ["HIGH_YIELD_SAVINGS"]]

    # with gold available the purchase becomes a contribution
    await admin_set(player, player.user_id, {"resources": {"gold": 2500}})
    body = await status(client)
    assert recommendations(body) == [
        ("stocks", "sell", 1500, "high"),
        ("bonds", "contribute", 1500, "high"),
    ]

    # 70/30: drift 66.67 − 70 = −3.33 → medium (> 2), not above the threshold 5
    await configure(client, horizon_years=30, target_stocks=70, target_bonds=30, drift_threshold=5)
    body = await status(client)
    assert dec(body["stocks"]["drift"]) == dec("-3.33")
    assert body["needs_rebalancing"] is False
    # stocks 0.70 × 9000 − 6000 = +300 → contribute 300; bonds 2700 − 3000 = −300 → sell
    assert recommendations(body) == [
        ("stocks", "contribute", 300, "medium"),
        ("bonds", "sell", 300, "medium"),
    ]
    # the safe part's sale comes from what is held there, the larger holding first
    assert body["recommendations"][1]["investment_types"] == ["HIGH_YIELD_SAVINGS", "CASH"]
    # the same targets with a threshold of 3 points: 3.33 > 3 → needs rebalancing
    await configure(client, horizon_years=30, target_stocks=70, target_bonds=30, drift_threshold=3)
    assert (await status(client))["needs_rebalancing"] is True

    # 65/35: drift +1.67 → low (≤ 2); 5850 − 6000 = −150 sell; 3150 − 3000 = +150
    await configure(client, horizon_years=30, target_stocks=65, target_bonds=35)
    body = await status(client)
    assert recommendations(body) == [
        ("stocks", "sell", 150, "low"),
        ("bonds", "contribute", 150, "low"),
    ]

    # no targets: the recommended 70/30 (100 − 30) is the target, as in the 70/30 case
    await configure(client, horizon_years=30)
    body = await status(client)
    assert dec(body["target"]["stocks_pct"]) == 70
    assert dec(body["stocks"]["drift"]) == dec("-3.33")

    # on target (66.67 vs 2/3): 100 − 34 = 66 → drift +0.67 → low; 5940 − 6000 = −60
    await configure(client, horizon_years=34)
    body = await status(client)
    assert dec(body["stocks"]["drift"]) == dec("0.67")
    assert recommendations(body) == [
        ("stocks", "sell", 60, "low"),
        ("bonds", "contribute", 60, "low"),
    ]


async def test_annual_frequency(client: httpx.AsyncClient) -> None:
    await portfolio(client, gold=9000)
    # rebalanced 364 days ago: a year has not passed
    await configure(
        client,
        horizon_years=30,
        frequency="ANNUAL",
        target_stocks=50,
        target_bonds=50,
        last_rebalanced_on="2025-03-03",
    )
    body = await status(client)
    assert body["needs_rebalancing"] is False  # even with a 16.67-point drift
    assert len(body["recommendations"]) == 2  # the advice is still given
    # rebalanced a year ago today (2025-03-02 → 2026-03-02): due
    await configure(
        client,
        horizon_years=30,
        frequency="ANNUAL",
        target_stocks=66,
        target_bonds=34,
        last_rebalanced_on="2025-03-02",
    )
    assert (await status(client))["needs_rebalancing"] is True


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"horizon_years": 30, "target_stocks": 60, "target_bonds": 30}, "body"),
        ({"horizon_years": 30, "target_stocks": 101, "target_bonds": -1}, "target_stocks"),
        ({"horizon_years": 30, "drift_threshold": 50.01}, "drift_threshold"),
        ({"horizon_years": 30, "drift_threshold": -1}, "drift_threshold"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"horizon_years": 101}, "horizon_years"),
        ({}, "horizon_years"),
        ({"horizon_years": 30, "income_stability": "EXTREME"}, "income_stability"),
        ({"horizon_years": 30, "frequency": "MONTHLY"}, "frequency"),
        ({"horizon_years": 30, "last_rebalanced_on": "2026-03-03"}, "last_rebalanced_on"),
        ({"horizon_years": 30, "risk": "HIGH"}, "risk"),
    ],
)
async def test_bad_configs_are_422_and_write_nothing(
    client: httpx.AsyncClient, config: dict[str, Any], field: str
) -> None:
    await start(client)
    await configure(client, horizon_years=40)
    err = error(await client.put("/api/v1/me/rebalancing", json=config), 422)
    assert err["code"] == "invalid_field"
    assert field in [d["field"] for d in err["details"]]
    stored = (await client.get("/api/v1/me/rebalancing")).json()
    assert stored["horizon_years"] == 40
    assert (stored["target_stocks"], stored["target_bonds"]) == (None, None)


async def test_drift_threshold_of_50_is_allowed(client: httpx.AsyncClient) -> None:
    await start(client)
    stored = await configure(client, horizon_years=30, drift_threshold=50)
    assert dec(stored["drift_threshold"]) == 50
