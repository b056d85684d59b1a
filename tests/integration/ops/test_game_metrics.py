"""Game events in /metrics: activities by type, milestones from every source, rollovers once."""

from __future__ import annotations

from datetime import date

import httpx
from prometheus_client import REGISTRY

from lifeworld.game.rollover import EventKind, RolloverEvent
from lifeworld.ops import events
from tests.integration.game.helpers import at, error, log, start, state
from tests.integration.ops.support import scrape, value


async def test_activities_and_milestones_from_every_source(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    await start(client)
    before = await scrape(client)
    await log(client, "WORK_PROJECT")
    await log(client, "CUSTOM", resource_changes={"gold": 250})  # FIRST_ASSET (an activity)
    preview = await client.post("/api/v1/me/activities/preview", json={"type": "EXERCISE"})
    assert preview.status_code == 200  # a preview records nothing and counts nothing
    overview = (await client.get("/api/v1/me/training")).json()
    first_task = next(t["id"] for m in overview["modules"] for t in m["tasks"])
    done = await client.post(f"/api/v1/me/training/tasks/{first_task}/complete")
    assert done.status_code == 200, done.text  # a LEARNING activity
    for name in ("Day job", "Blog"):  # two ACTIVE engines: REDUCED_FRAGILITY (no activity)
        made = await client.post(
            "/api/v1/me/engines", json={"type": "CAREER", "name": name, "status": "ACTIVE"}
        )
        assert made.status_code == 201, made.text
    more = 0  # work until the energy runs out: the refusal is not counted
    while (
        work := await client.post("/api/v1/me/activities", json={"type": "WORK_PROJECT"})
    ).status_code == 201 and more < 5:
        more += 1
    assert error(work, 409)["code"] == "insufficient_energy"
    after = await scrape(client)

    def gained(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert gained("lifeworld_activities_total", type="WORK_PROJECT") == 1 + more
    assert gained("lifeworld_activities_total", type="CUSTOM") == 1
    assert gained("lifeworld_activities_total", type="LEARNING") == 1
    assert gained("lifeworld_activities_total", type="EXERCISE") == 0
    assert gained("lifeworld_milestones_total", milestone="FIRST_ASSET") == 1
    assert gained("lifeworld_milestones_total", milestone="REDUCED_FRAGILITY") == 1


async def test_a_rollover_in_a_refused_request_is_not_counted_twice(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    await start(client)
    await state(client)
    before = await scrape(client)
    at(days=3)  # three days later: the next request replays them
    refused = await client.post("/api/v1/me/season", json={"season": "SUMMER"})
    assert error(refused, 409)["code"] == "season_too_short"  # rolled over, then rolled back
    middle = await scrape(client)
    assert value(middle, "lifeworld_day_rollovers_total") == value(
        before, "lifeworld_day_rollovers_total"
    )
    await state(client)  # rolls over again, and this time it is kept
    after = await scrape(client)
    rollovers = "lifeworld_day_rollovers_total"
    assert value(after, rollovers) - value(before, rollovers) == 1
    steps = "lifeworld_rollover_steps_total"
    assert value(after, steps) - value(before, steps) == 3


def test_burnouts_count_when_kept_and_not_when_the_request_fails() -> None:
    def burnouts(event: str) -> float:
        sample = REGISTRY.get_sample_value("lifeworld_burnouts_total", {"event": event})
        return float(sample or 0)

    entered, left = burnouts("entered"), burnouts("left")
    day = date(2026, 3, 2)
    story = [
        RolloverEvent(day, EventKind.BURNOUT_ENTERED),
        RolloverEvent(day, EventKind.CLOUD_CHANGED),
        RolloverEvent(day, EventKind.BURNOUT_LEFT),
        RolloverEvent(day, EventKind.BURNOUT_ENTERED),
    ]
    failed = events.open_request()
    events.on_rollover(1, 2, story)
    events.settle_request(failed, kept=False)
    assert (burnouts("entered"), burnouts("left")) == (entered, left)
    kept = events.open_request()
    events.on_rollover(1, 2, story)
    assert (burnouts("entered"), burnouts("left")) == (entered, left)  # not before the answer
    events.settle_request(kept, kept=True)
    assert (burnouts("entered"), burnouts("left")) == (entered + 2, left + 1)
    events.on_rollover(1, 1, story[:1])  # outside a request: at once
    assert burnouts("entered") == entered + 3
