"""Upgrading keeps every byte: a database filled by the previous release through its own API,
upgraded with this checkout's `lifeworld setup`, gives every player the same export (apart from
the format version); sign-ins and API tokens made before still work; and `lifeworld db
downgrade` to the previous release's head and back up succeeds with the data intact.

The previous release is run from its own source (`git archive` of the tag, or of its commit when
the clone has no tags) with this checkout's locked dependencies.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from lifeworld import __version__
from lifeworld.db import migrate
from tests.faults.harness import SECRET, AppProcess, app_environment, free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = ("v0.1.0", "50ff486a11315f9af536e3831dea432f4547af4f")  # the tag, or its commit
PREVIOUS_VERSION = "0.1.0"
PASSWORD = "correct horse battery staple"
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
DAYS = 32  # past the 28 days a season change needs


def _previous_release(into: Path) -> Path:
    """The previous release's `src/`, unpacked from this clone's history."""
    for ref in PREVIOUS:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
        )
        if found.returncode == 0:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "src"],
                capture_output=True,
                check=True,
            )
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(into, filter="data")
            return into / "src"
    pytest.fail(
        f"the previous release ({' or '.join(PREVIOUS)}) is not in this clone's history: the "
        "upgrade test needs it (clone the whole repository, or `git fetch --tags`)"
    )


def _environment(database_url: str, tmp: Path, source: Path | None) -> dict[str, str]:
    env = app_environment(
        env="test",
        database_url=database_url,
        secret_key=SECRET,
        data_dir=str(tmp / "data"),
        log_level="warning",
        mdns="off",
    )
    env.pop("PYTHONPATH", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)  # before the checkout's editable install on sys.path
    return env


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from lifeworld.cli import main; main()", *args],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"lifeworld {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _version_of(env: dict[str, str]) -> str:
    return _cli(env, "version").strip()


@dataclass
class Member:
    name: str
    client: httpx.Client  # signed in with a session cookie (the CSRF token in its headers)
    token: str = ""
    exports: list[dict[str, Any]] = field(default_factory=list)

    def api(self, base: str) -> httpx.Client:
        return httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text[:800]}"
    return response.json() if response.content else None


def _pin(base: str, when: datetime) -> None:
    _ok(httpx.put(f"{base}/api/v1/testing/clock", json={"now": when.isoformat()}))


def _sign_in(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    body = _ok(client.post("/api/v1/auth/login", json={"login": name, "password": PASSWORD}))
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return client


def _household(base: str) -> list[Member]:
    """An admin and two members, each signed in with a cookie and holding an API token."""
    admin = httpx.Client(base_url=base, timeout=30)
    body = _ok(
        admin.post(
            "/api/v1/setup",
            json={
                "household_name": "The Upgraders",
                "timezone": "Europe/Paris",
                "username": "uma",
                "email": "uma@example.org",
                "password": PASSWORD,
            },
        ),
        201,
    )
    admin.headers["X-CSRF-Token"] = body["csrf_token"]
    names = ["uma"]
    for name, zone in (("vic", "America/New_York"), ("wes", "Asia/Tokyo")):
        code = _ok(admin.post("/api/v1/household/invites"), 201)["code"]
        _ok(
            httpx.post(
                f"{base}/api/v1/auth/register",
                json={
                    "invite_code": code,
                    "username": name,
                    "email": f"{name}@example.org",
                    "password": PASSWORD,
                    "timezone": zone,
                },
            ),
            201,
        )
        names.append(name)
    admin.close()
    members = []
    for name in names:
        member = Member(name, _sign_in(base, name))
        member.token = _ok(member.client.post("/api/v1/auth/tokens", json={"name": "up"}), 201)[
            "token"
        ]
        members.append(member)
    return members


QUESTIONNAIRE = {
    "life_phase": "SPRING",
    "months_saved": 4,
    "health": "strong",
    "income_sources": 2,
    "purpose": "medium",
    "options": 4,
    "stress": "high",
    "experience": "some",
}
ROTATION = ["WORK_PROJECT", "EXERCISE", "LEARNING", "SAVE_EXPENSES", "REST"]


def _play(base: str, members: list[Member]) -> None:
    """A month of history: questionnaires, activities, sleep, boosts, engines, investments and
    their growth, loadouts, training, rebalancing, a season change, places saved with notes."""
    _pin(base, START)
    items = {}
    with members[0].api(base) as api:
        for item in _ok(api.get("/api/v1/loadout-items")):
            items.setdefault(item["slot"], item["id"])
        place = _ok(
            api.post(
                "/api/v1/places",
                json={
                    "name": "Le Petit Atelier",
                    "category": "cafe",
                    "city": "Paris",
                    "country": "France",
                    "lat": 48.85,
                    "lon": 2.35,
                    "rating": 4.5,
                    "website": "https://atelier.example.org",
                    "description": "quiet, wifi",
                },
            ),
            201,
        )
    for index, member in enumerate(members):
        with member.api(base) as api:
            _ok(api.post("/api/v1/me/questionnaire", json=QUESTIONNAIRE))
            _ok(api.get("/api/v1/me/loadouts"))  # the presets, as the pages made them then
            _ok(
                api.post(
                    "/api/v1/me/engines",
                    json={
                        "type": "CAREER",
                        "name": f"{member.name}'s job",
                        "status": "ACTIVE",
                        "monthly_output": "3200.50",
                        "fragility": 40 + index,
                    },
                ),
                201,
            )
            mine = _ok(
                api.post(
                    "/api/v1/me/loadouts", json={"name": f"{member.name}'s kit", "slots": items}
                ),
                201,
            )
            _ok(api.post(f"/api/v1/me/loadouts/{mine['id']}/activate"))
            _ok(
                api.post(
                    "/api/v1/me/saved-places",
                    json={
                        "place_id": place["id"],
                        "notes": f"{member.name} likes the window seat",
                        "favorite": index % 2 == 0,
                    },
                ),
                201,
            )
            _ok(
                api.put(
                    "/api/v1/me/rebalancing",
                    json={
                        "horizon_years": 20 + index,
                        "income_stability": "HIGH",
                        "emotional_tolerance": "MEDIUM",
                        "decision_discipline": "LOW",
                        "frequency": "THRESHOLD_BASED",
                        "drift_threshold": 5,
                    },
                ),
            )
    for day in range(DAYS):
        now = START + timedelta(days=day, hours=2)
        _pin(base, now)
        for index, member in enumerate(members):
            with member.api(base) as api:
                kind = ROTATION[(day + index) % len(ROTATION)]
                body: dict[str, Any] = {"type": kind, "description": f"day {day}"}
                if kind == "SAVE_EXPENSES":
                    body["resource_changes"] = {"gold": "250.25", "oxygen": "0.5"}
                logged = api.post("/api/v1/me/activities", json=body)
                assert logged.status_code in (201, 409), logged.text  # 409: a rule refused
                _ok(
                    api.post(
                        "/api/v1/me/sleep",
                        json={
                            "date": (now - timedelta(days=1)).date().isoformat(),
                            "hours": "7.5",
                            "quality": 6 + (day + index) % 4,
                            "bed_time": "23:10",
                            "wake_time": "06:40",
                            "notes": "ok",
                        },
                    ),
                    201,
                )
                if day % 9 == index:
                    _ok(
                        api.post(
                            "/api/v1/me/boosts",
                            json={
                                "type": "caffeine",
                                "amount": 10,
                                "duration_min": 90,
                                "decay_per_hour": "2.5",
                            },
                        ),
                        201,
                    )
                if day == 3 + index:
                    _ok(
                        api.post(
                            "/api/v1/me/training/tasks/emergency-fund-1/complete",
                            json={"notes": "set up the account"},
                        )
                    )
                if day == 10 + index:
                    _ok(
                        api.post(
                            "/api/v1/me/investments",
                            json={
                                "type": "HIGH_YIELD_SAVINGS",
                                "name": "Rainy day",
                                "amount": "1000",
                                "expected_yield": "4.5",
                            },
                        ),
                        201,
                    )
                if day == 31:
                    _ok(api.post("/api/v1/me/investments/growth", json={}))
                    _ok(api.post("/api/v1/me/season", json={"season": "SUMMER", "reason": "go"}))


def _exports(base: str, members: list[Member]) -> list[dict[str, Any]]:
    found = []
    for member in members:
        with member.api(base) as api:
            document = _ok(api.get("/api/v1/me/export"))
            assert document["format"] == "lifeworld-export", document
            found.append(document)
    return found


def _same_apart_from_version(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert before["version"] <= after["version"]
    before, after = dict(before), dict(after)
    before.pop("version"), after.pop("version")
    assert after == before


@pytest.fixture
def database(create_database: Any) -> str:
    url: str = create_database("lifeworld_upgrade")
    return url


@pytest.fixture
def apps() -> Iterator[list[AppProcess]]:
    started: list[AppProcess] = []
    yield started
    for app in started:
        app.stop()


@pytest.fixture
def members() -> Iterator[list[Member]]:
    made: list[Member] = []
    yield made
    for member in made:
        member.client.close()


def test_an_upgrade_keeps_every_players_data_sign_ins_and_tokens(
    database: str, tmp_path: Path, apps: list[AppProcess], members: list[Member]
) -> None:
    old_env = _environment(database, tmp_path, _previous_release(tmp_path / "previous"))
    new_env = _environment(database, tmp_path, None)
    assert _version_of(old_env) == PREVIOUS_VERSION, "the previous release's code must run"
    assert _version_of(new_env) == __version__ != PREVIOUS_VERSION

    # The previous release sets up the database and is played for a month.
    _cli(old_env, "setup")
    old_head = subprocess.run(
        [sys.executable, "-c", "from lifeworld.db.migrate import head_revision as h; print(h())"],
        env=old_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert migrate.current_revision(database) == old_head
    port = free_port()
    old = AppProcess("previous", port, old_env, tmp_path / "previous.log")
    apps.append(old)
    old.start()
    base = old.url
    members.extend(_household(base))
    _play(base, members)
    last = START + timedelta(days=DAYS, hours=6)
    _pin(base, last)
    for member in members:  # sessions of today: a month-old one has expired by design
        member.client.close()
        member.client = _sign_in(base, member.name)
    before = _exports(base, members)
    assert sum(len(d["activities"]) for d in before) >= DAYS * len(members) - 10
    assert all(d["investments"] and d["saved_places"] and d["loadouts"] for d in before)
    old.stop()

    # This checkout's `lifeworld setup` upgrades it; then this release serves it.
    _cli(new_env, "setup")
    assert migrate.current_revision(database) == migrate.head_revision()
    new = AppProcess("upgraded", port, new_env, tmp_path / "upgraded.log")
    apps.append(new)
    new.start()
    _pin(base, last)
    for member, document in zip(members, _exports(base, members), strict=True):
        _same_apart_from_version(before[members.index(member)], document)
    for member in members:
        # The session cookie made before the upgrade still signs the person in, and its CSRF
        # token still lets them write (a new API token: nothing the export holds); the API
        # token made before reads and writes too; the password still signs in.
        state = _ok(member.client.get("/api/v1/me/state"))
        assert state["user"]["username"] == member.name
        page = member.client.get("/")
        assert page.status_code == 200 and member.name in page.text
        made = _ok(member.client.post("/api/v1/auth/tokens", json={"name": "after"}), 201)
        with member.api(base) as api:
            assert _ok(api.get("/api/v1/me/state"))["user"]["username"] == member.name
            _ok(api.delete(f"/api/v1/auth/tokens/{made['id']}"), 204)
        _sign_in(base, member.name).close()
    new.stop()

    # Down to the previous release's head and back up: the data is intact.
    out = _cli(new_env, "db", "downgrade", old_head)
    assert old_head in out
    assert migrate.current_revision(database) == old_head
    _cli(new_env, "db", "upgrade")
    assert migrate.current_revision(database) == migrate.head_revision()
    again = AppProcess("upgraded-again", port, new_env, tmp_path / "again.log")
    apps.append(again)
    again.start()
    _pin(base, last)
    for document, after in zip(before, _exports(base, members), strict=True):
        _same_apart_from_version(document, after)


def test_the_previous_release_is_older_than_this_one() -> None:
    as_tuple = [tuple(int(p) for p in v.split(".")) for v in (PREVIOUS_VERSION, __version__)]
    assert as_tuple[0] < as_tuple[1]
    assert os.path.exists(ROOT / "CHANGELOG.md")
    assert f"## [{PREVIOUS_VERSION}]" in (ROOT / "CHANGELOG.md").read_text()
