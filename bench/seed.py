"""Putting players in the database: the household through the API, crowds of players with SQL.

The household (five people) is made the way people make it: setup, invites, sign-ups, an API
token each. The bench also needs thousands of players (cold reads, logs that spend energy,
rollovers, long histories): those rows are written in bulk with COPY, from the app's own
mapping (`row_values`) of states the game's rules produced, and API tokens whose digests are
keyed with the bench server's secret exactly as the app keys them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import psycopg

from bench.history import ACTIVITY_COLUMNS, Row
from bench.server import SECRET
from lifeworld.accounts.security import Security, new_token
from lifeworld.game.loadouts import missing_presets, preset_slots
from lifeworld.game.state import PlayerState
from lifeworld.players.mapping import row_values

PASSWORD = "correct horse battery staple"
_security = Security(SECRET.encode())


@dataclass(frozen=True)
class Member:
    """A household member: an API token, and a browser session (cookie and CSRF token)."""

    user_id: int
    token: str
    cookie: str
    csrf: str


@dataclass(frozen=True)
class Crowd:
    """Players made in bulk, each with an API token (same order)."""

    user_ids: list[int]
    tokens: list[str]

    def __len__(self) -> int:
        return len(self.user_ids)

    def part(self, start: int, stop: int) -> Crowd:
        return Crowd(self.user_ids[start:stop], self.tokens[start:stop])


def household(base: str, tz: str, size: int) -> tuple[int, list[Member]]:
    """Set up the household through the API: its admin, then the others by invitation."""
    members: list[Member] = []
    admin = httpx.Client(base_url=base, timeout=30)
    for n in range(size):
        client = admin if n == 0 else httpx.Client(base_url=base, timeout=30)
        person = {"username": f"member{n}", "email": f"member{n}@example.org", "password": PASSWORD}
        if n == 0:
            answer = client.post(
                "/api/v1/setup", json={"household_name": "Bench", "timezone": tz, **person}
            )
        else:
            code = admin.post("/api/v1/household/invites").json()["code"]
            answer = client.post("/api/v1/auth/register", json={"invite_code": code, **person})
        answer.raise_for_status()
        csrf = answer.json()["csrf_token"]
        client.headers["X-CSRF-Token"] = csrf
        token = client.post("/api/v1/auth/tokens", json={"name": "bench"})
        token.raise_for_status()
        cookie = client.cookies["lw_session"]
        members.append(Member(answer.json()["user"]["id"], token.json()["token"], cookie, csrf))
    household_id = int(admin.get("/api/v1/household").json()["id"])
    return household_id, members


def add_place(base: str, member: Member) -> str:
    """A place the household knows (the offline provider serves it as `local:<id>`)."""
    answer = httpx.post(
        base + "/api/v1/places",
        headers={"Authorization": f"Bearer {member.token}"},
        json={"name": "Café Moka", "category": "cafe", "city": "Lyon", "rating": 4.5,
              "description": "quiet cafe with wifi to work from"},
        timeout=30,
    )  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["id"])


def crowd_household(conn: psycopg.Connection[Any], tz: str) -> int:
    """A second household for the bench's synthetic players (the real one keeps its five)."""
    row = conn.execute(
        "INSERT INTO households (name, timezone) VALUES ('Bench crowd', %s) RETURNING id", (tz,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def crowd(
    conn: psycopg.Connection[Any],
    *,
    household_id: int,
    tz: str,
    state: PlayerState,
    count: int,
    label: str,
    now: datetime,
    awards: list[tuple[str, int, datetime]],
) -> Crowd:
    """`count` users with their player in `state` and its five presets, the milestones it has
    reached (`awards`), and an API token each (already used: the first request does not write
    `last_used_at`)."""
    password_hash = _security.passwords.hasher.hash(secrets.token_urlsafe(16))  # a script: no loop
    rows = conn.execute(
        "INSERT INTO users (household_id, username, email, display_name, password_hash, "
        "is_admin, timezone, day_start_hour) "
        "SELECT %(h)s, %(l)s || g, %(l)s || g || '@example.org', %(l)s || g, %(p)s, false, "
        "%(tz)s, 0 "
        "FROM generate_series(1, %(n)s) AS g RETURNING id",
        {"h": household_id, "l": f"{label}_", "p": password_hash, "tz": tz, "n": count},
    ).fetchall()
    user_ids = [int(r[0]) for r in rows]
    values = row_values(state)
    columns = ["user_id", "household_id", "version", *values]
    with conn.cursor().copy(f"COPY players ({', '.join(columns)}) FROM STDIN") as copy:
        for user_id in user_ids:
            copy.write_row((user_id, household_id, 1, *values.values()))
    with conn.cursor().copy(
        "COPY loadouts (user_id, name, preset_id, active, slots, created_at) FROM STDIN"
    ) as copy:  # born whole, as the app makes players: the five presets, The Balanced active
        for user_id in user_ids:
            for preset, active in missing_presets((), has_active=False):
                slots = json.dumps(preset_slots(preset))
                copy.write_row((user_id, preset.name, preset.id, active, slots, now))
    with conn.cursor().copy(
        "COPY milestones (user_id, type, keys, achieved_at) FROM STDIN"
    ) as copy:
        for user_id in user_ids:
            for award in awards:
                copy.write_row((user_id, *award))
    tokens = [new_token("lw_") for _ in user_ids]
    token_columns = "user_id, name, token_digest, prefix, last_used_at, created_at"
    with conn.cursor().copy(f"COPY api_tokens ({token_columns}) FROM STDIN") as copy:
        for user_id, token in zip(user_ids, tokens, strict=True):
            copy.write_row((user_id, "bench", _security.digest(token), token[:10], now, now))
    return Crowd(user_ids, tokens)


def activities(conn: psycopg.Connection[Any], user_ids: Iterable[int], rows: list[Row]) -> int:
    """The same activity rows for each of the players (COPY); returns how many were written."""
    written = 0
    with conn.cursor().copy(f"COPY activities ({', '.join(ACTIVITY_COLUMNS)}) FROM STDIN") as copy:
        for user_id in user_ids:
            for row in rows:
                copy.write_row((user_id, *row))
            written += len(rows)
    return written


def set_state(conn: psycopg.Connection[Any], user_ids: list[int], state: PlayerState) -> None:
    """Store `state` for the players, as the app's mapping stores it (version bumped)."""
    values = row_values(state)
    assignments = ", ".join(f"{name} = %({name})s" for name in values)
    conn.execute(
        f"UPDATE players SET {assignments}, version = version + 1 WHERE user_id = ANY(%(ids)s)",
        {**values, "ids": user_ids},
    )


def milestones(
    conn: psycopg.Connection[Any], user_id: int, awards: list[tuple[str, int, datetime]]
) -> None:
    conn.cursor().executemany(
        "INSERT INTO milestones (user_id, type, keys, achieved_at) VALUES (%s, %s, %s, %s)",
        [(user_id, *award) for award in awards],
    )
