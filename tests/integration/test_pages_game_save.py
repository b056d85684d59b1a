"""Save asks how much was put aside and adds it to gold (GAME_RULES.md §4)."""

from __future__ import annotations

import httpx

from tests.integration.factories import set_up_household
from tests.integration.game.helpers import dec, log, start
from tests.integration.pages import field_error, follow, ready_player, submit, text


async def test_save_with_an_amount_adds_it_to_gold(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)  # capacity 75: reward efficiency 1.05; gold 3,500
    page = (await client.get("/")).text
    assert "How much did you put aside?" in text(page)
    saved = await submit(client, "/", "/activities", {"form": "save", "saved": "200"})
    after = await follow(client, saved)
    # 200 × 1.05 = 210 gold (§4: an activity's resource changes scale with capacity)
    assert "Save logged: +1,478 XP, 14 energy used (86 left), gold +£210.00." in after
    state = (await client.get("/api/v1/me/state")).json()
    assert dec(state["resources"]["gold"]) == dec("3710")


async def test_save_without_an_amount_is_a_plain_save(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    saved = await submit(client, "/", "/activities", {"form": "save", "saved": ""})
    assert "Save logged: +1,478 XP, 14 energy used (86 left)." in await follow(client, saved)
    state = (await client.get("/api/v1/me/state")).json()
    assert dec(state["resources"]["gold"]) == dec("3500")


async def test_a_wrong_amount_is_shown_next_to_the_field(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    for amount in ("-5", "12.345", "lots", "2000000"):
        refused = await submit(client, "/", "/activities", {"form": "save", "saved": amount})
        assert refused.status_code == 422, amount
        message = "Error: Enter an amount from 0 to 1000000, at most 2 decimals."
        assert field_error(refused.text, "quick-saved") == message
    state = (await client.get("/api/v1/me/state")).json()
    assert dec(state["resources"]["gold"]) == dec("3500")


async def test_the_api_takes_the_amount_as_a_gold_change(client: httpx.AsyncClient) -> None:
    await start(client)  # capacity 50: reward efficiency 1.00
    body = await log(client, "SAVE_EXPENSES", resource_changes={"gold": "125.50"})
    assert dec(body["activity"]["resource_changes"]["gold"]) == dec("125.50")
    assert dec(body["state"]["resources"]["gold"]) == dec("125.50")
