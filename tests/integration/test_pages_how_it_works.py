"""`/how-it-works`: the rules in plain words, every number read from the rules' own constants."""

from __future__ import annotations

import re

import httpx
import pytest

from lifeworld.game import activities, capacity, milestones, ranks, rollover, seasons, sleep
from lifeworld.game.state import ActivityType
from lifeworld.web.templating import environment
from tests.integration.factories import set_up_household
from tests.integration.pages import ready_player, text


def n(value: int) -> str:
    """A number as the pages write it (their own format filter), spaced as `text` reads it."""
    return " ".join(str(environment().filters["number"](value)).split())


async def _page(client: httpx.AsyncClient) -> str:
    response = await client.get("/how-it-works")
    assert response.status_code == 200, response.text[:500]
    return response.text


async def test_the_page_shows_the_rules_constants(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)
    page = text(await _page(client))
    assert f"Every day starts with {rollover.DAILY_ENERGY} energy" in page
    for below, cap in capacity.ENERGY_CAPS:
        assert f"–{below - 1} {cap}" in page
    assert f"in burnout {capacity.BURNOUT_ENERGY_CAP}" in page
    work = activities.ACTIVITIES[ActivityType.WORK_PROJECT]
    assert f"Work {work.energy_cost} {work.xp.overall}" in page
    assert "Rest free 0 yes" in page
    assert f"at least {seasons.MIN_SEASON_DAYS} days" in page
    entry, days = rollover.BURNOUT_ENTRY_CAPACITY, rollover.LOW_DAYS_FOR_BURNOUT
    assert f"below {entry} for {days} days" in page
    assert f"above {rollover.BURNOUT_EXIT_CAPACITY}" in page
    assert f"{milestones.SIX_MONTHS} months of expenses covered" in page
    assert f"drains by {sleep.DRAIN_PER_HOUR} an hour" in page
    assert f"every {n(ranks.OVERALL_XP_PER_LEVEL)} XP" in page
    top = ranks.RANKS[-1]
    assert f"{top.value.replace('_', ' ').title()} {n(ranks.RANK_THRESHOLDS[top])}" in page


async def test_the_player_s_own_numbers_are_beside_the_rules(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    await ready_player(client)  # capacity 75, gold 3,500, SPRING
    page = re.sub(r" ([,.])", r"\1", text(await _page(client)))  # "<b>x</b>," reads "x ,"
    assert "you have 100 usable now, and your cap today is 100" in page
    assert "Capacity — health, energy, resilience. You: 75." in page
    assert "You: £3,500.00." in page  # the household's currency
    assert "You are in Spring, day 1 of it." in page
    assert "Active now: The Balanced." in page
    html = await _page(client)
    assert re.search(r'<tr class="is-you"><td>71–85</td><td>high</td>', html)


@pytest.mark.parametrize(
    ("module", "name", "value", "shown"),
    [
        (rollover, "DAILY_ENERGY", 123, "Every day starts with 123 energy"),
        (seasons, "MIN_SEASON_DAYS", 35, "at least 35 days"),
        (sleep, "GOOD_SLEEP_BONUS", 17, "adds a bonus of 17"),
    ],
)
async def test_the_page_follows_the_constant_not_a_copy(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    name: str,
    value: int,
    shown: str,
) -> None:
    await set_up_household(client)
    await ready_player(client)
    monkeypatch.setattr(module, name, value)
    assert shown in text(await _page(client))


async def test_today_and_the_questionnaire_link_to_it(client: httpx.AsyncClient) -> None:
    await set_up_household(client)
    assert 'href="/how-it-works"' in (await client.get("/")).text  # the questionnaire
    await ready_player(client)
    assert 'href="/how-it-works"' in (await client.get("/")).text  # Today


async def test_signed_out_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/how-it-works")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
