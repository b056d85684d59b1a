"""Release 3 proven on one machine: three stateless instances behind nginx, in both cache modes.

Sessions, login throttling, writes, the day rollover and the migration go through the shared
PostgreSQL (and Redis in hybrid mode); an instance can stop, gracefully or by crashing,
without losing a request nginx can retry or any acknowledged data.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import redis

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.db.migrate import head_revision
from lifeworld.settings import Settings
from tests.slow.cluster import (
    PASSWORD,
    ROLLOVER_OBSERVER,
    SECRET,
    Browser,
    Cluster,
    no_cookies,
    sql,
    start_cluster,
)
from tests.slow.load import BROKEN, ENGINES, LoadRun, engine, retried_requests
from tests.slow.processes import (
    app_environment,
    free_port,
    healthcheck_command,
    start_app,
    wait_healthy,
)
from tests.slow.workers import Pinned, pin_connections, worker_pids

pytestmark = pytest.mark.slow
BASE = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module", params=["postgres", "hybrid"])
def cluster(
    request: pytest.FixtureRequest, create_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    workdir: Path = tmp_path_factory.mktemp(f"replicas-{request.param}")
    running = start_cluster(request.param, create_database("lifeworld_replicas"), workdir)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with no_cookies() as client:
        yield client


async def _state(http: httpx.AsyncClient, base: str, who: Browser) -> dict[str, Any]:
    response = await http.get(f"{base}/api/v1/me/state", headers=who.headers)
    assert response.status_code == 200, f"{base}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def test_migrations_started_by_all_three_at_once_ran_once(cluster: Cluster) -> None:
    assert cluster.migration_waiters == 3, "the three instances did not queue on the lock together"
    creators = {pid for pid, _, _ in cluster.ddl}
    assert len(creators) == 1, f"schema changes came from {len(creators)} connections"
    created = Counter(obj for _, tag, obj in cluster.ddl if tag == "CREATE TABLE")
    assert {"public.users", "public.sessions", "public.players"} <= set(created)
    assert max(created.values()) == 1, [t for t, n in created.items() if n > 1]
    announced = [a.name for a in cluster.apps if "database migrated to" in a.output()]
    assert len(announced) == 1, announced
    assert cluster.sql("SELECT version_num FROM alembic_version") == [(head_revision(),)]


async def test_a_session_made_on_one_instance_works_on_the_others(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    other = await cluster.new_player(http, f"sam_{cluster.mode}")
    a, b, c = cluster.apps
    me = await cluster.login(http, f"sam_{cluster.mode}", base=a.url)
    for app in (b, c):
        assert (await _state(http, app.url, me))["user"]["id"] == me.user_id
    renamed = await http.patch(
        f"{c.url}/api/v1/me", json={"display_name": "Sam on C"}, headers=me.headers
    )
    assert renamed.status_code == 200, renamed.text  # the CSRF token made on A is valid on C
    assert (await _state(http, a.url, me))["user"]["display_name"] == "Sam on C"

    out = await http.post(f"{b.url}/api/v1/auth/logout", headers=me.headers)
    assert out.status_code == 204
    for base in (a.url, c.url, cluster.proxy):
        response = await http.get(f"{base}/api/v1/me/state", headers=me.headers)
        assert response.status_code == 401, f"{base} still honours a revoked session"
    assert (await _state(http, cluster.proxy, other))["user"]["id"] == other.user_id


async def test_login_throttling_counts_failures_from_every_instance(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    name = f"tom_{cluster.mode}"
    await cluster.new_player(http, name)
    limit = Settings.model_fields["login_max_failures_per_account"].default
    for i in range(limit):
        wrong = await http.post(
            f"{cluster.apps[i % 3].url}/api/v1/auth/login",
            json={"login": name, "password": "not the password"},
        )
        assert wrong.status_code == 401, wrong.text
    for app in cluster.apps:
        right = await http.post(
            f"{app.url}/api/v1/auth/login", json={"login": name, "password": PASSWORD}
        )
        assert right.status_code == 429, f"{app.name} did not count the others' failures"
        assert int(right.headers["retry-after"]) > 0


async def test_a_write_on_one_instance_is_visible_on_the_others_at_once(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    me = await cluster.new_player(http, f"kim_{cluster.mode}")
    for writer, kind in zip(cluster.apps, ("SAVE_EXPENSES", "LEARNING", "EXERCISE"), strict=True):
        readers = [a.url for a in cluster.apps if a is not writer] + [cluster.proxy]
        before = [await _state(http, base, me) for base in readers]  # served, maybe cached
        response = await http.post(
            f"{writer.url}/api/v1/me/activities", json={"type": kind}, headers=me.headers
        )
        assert response.status_code == 201, response.text
        written = response.json()["state"]
        assert all(b != written for b in before), "the write did not change the dashboard"
        for base in readers:
            seen = await _state(http, base, me)
            assert seen == written, f"{base} served a stale dashboard after {kind} on {writer.name}"

    renamed = await http.patch(
        f"{cluster.apps[0].url}/api/v1/me", json={"display_name": "Kim"}, headers=me.headers
    )
    assert renamed.status_code == 200, renamed.text
    for app in cluster.apps[1:]:
        household = await http.get(f"{app.url}/api/v1/household", headers=me.headers)
        members = {m["id"]: m for m in household.json()["members"]}
        assert members[me.user_id]["display_name"] == "Kim", f"{app.name}: stale household"
        assert (await _state(http, app.url, me))["user"]["display_name"] == "Kim"


async def test_a_rollover_triggered_on_all_three_at_once_applies_once(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    start = BASE + timedelta(days=1)
    await cluster.pin_clocks(http, start)
    me = await cluster.new_player(http, f"ivy_{cluster.mode}")
    admin = await cluster.login(http, "ada")
    # Oxygen 5 months and no engines: every day decays it by exactly 0.1 (GAME_RULES.md §6).
    setup = await http.put(
        f"{cluster.proxy}/api/v1/admin/players/{me.user_id}",
        json={"resources": {"oxygen": "5"}},
        headers=admin.headers,
    )
    assert setup.status_code == 200, setup.text
    # Fifteen requests on separate credentials (a shared session row would queue them).
    tokens = await cluster.tokens(http, me, 15)
    before = cluster.sql("SELECT coalesce(max(id), 0) FROM replica_player_writes")[0][0]
    later = start + timedelta(days=10)
    await cluster.pin_clocks(http, later)

    calls = [
        http.get(f"{app.url}/api/v1/me/state", headers={"Authorization": f"Bearer {token}"})
        for app, token in zip(cluster.apps * 5, tokens, strict=True)
    ]
    responses = await asyncio.gather(*calls)
    assert [r.status_code for r in responses] == [200] * 15
    oxygen = {Decimal(str(r.json()["resources"]["oxygen"])) for r in responses}
    assert oxygen == {Decimal("4.0")}, oxygen  # 5 − 10 × 0.1
    writes = cluster.sql(
        "SELECT from_day, to_day FROM replica_player_writes WHERE id > %s AND user_id = %s",
        (before, me.user_id),
    )
    assert writes == [(start.date(), later.date())], f"the player row was written {writes}"


def _from(address: str) -> httpx.AsyncClient:
    """A client whose connections leave from `address` (this machine has all of 127.0.0.0/8):
    not the proxy's own 127.0.0.1, so the instances can tell the two apart."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(transport=transport, cookies=jar, timeout=30)


async def test_nginx_forwards_the_client_address_and_its_own_scheme(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    name = f"lee_{cluster.mode}"
    me = await cluster.new_player(http, name)
    login = {"login": name, "password": PASSWORD}
    async with _from("127.0.0.8") as client:
        proxied = await client.post(
            f"{cluster.proxy}/api/v1/auth/login",
            json=login,
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
    assert proxied.status_code == 200, proxied.text
    # nginx replaced the client's claim of https with the scheme it really served: no Secure.
    assert "secure" not in proxied.headers["set-cookie"].lower()
    # … and its claim of an address with the address it came from.
    addresses = cluster.sql("SELECT address FROM sessions WHERE user_id = %s", (me.user_id,))
    assert ("127.0.0.8",) in addresses, addresses
    assert ("203.0.113.7",) not in addresses, addresses
    # Straight from a trusted proxy address (127.0.0.1), the instance believes the scheme.
    direct = await http.post(
        f"{cluster.apps[0].url}/api/v1/auth/login",
        json=login,
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "secure" in direct.headers["set-cookie"].lower()


async def test_rotating_x_forwarded_for_through_nginx_does_not_escape_the_address_throttle(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    name = f"ray_{cluster.mode}"
    await cluster.new_player(http, name)
    source = "127.0.0.7"
    limit = Settings.model_fields["login_max_failures_per_address"].default
    async with _from(source) as attacker:
        for i in range(limit):  # a new account name each time: only the address limit counts
            wrong = await attacker.post(
                f"{cluster.proxy}/api/v1/auth/login",
                json={"login": f"{name}_guess{i}", "password": "not the password"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            assert wrong.status_code == 401, wrong.text
        # A fresh claim, a real account and its right password: this address is paused.
        right = await attacker.post(
            f"{cluster.proxy}/api/v1/auth/login",
            json={"login": name, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.250"},
        )
    assert right.status_code == 429, right.text
    recorded = cluster.sql(
        "SELECT address, count(*) FROM login_failures WHERE address <> '127.0.0.1' GROUP BY address"
    )
    assert recorded == [(source, limit)], recorded


def test_every_instance_listens_on_the_shared_invalidation_bus(cluster: Cluster) -> None:
    for app in cluster.apps:
        health = httpx.get(f"{app.url}/api/v1/health", timeout=10).json()
        assert health["cache"] == {"backend": cluster.mode, "ok": True}, health
    # A connection per instance LISTENs on PostgreSQL (and subscribes on Redis in hybrid
    # mode): that is how a write on one instance drops the cached copies of the others.
    listening = cluster.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND query LIKE 'LISTEN %%'"
    )
    assert listening[0][0] >= 3, listening
    if cluster.mode == "hybrid":
        assert cluster.redis_url is not None
        with redis.Redis.from_url(cluster.redis_url) as client:
            subscribers = [c for c in client.client_list() if int(c.get("sub", 0)) > 0]
        assert len(subscribers) >= 3, subscribers


async def test_stopping_instances_loses_no_retryable_request_and_no_data(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    await cluster.pin_clocks(http, BASE)
    me = await cluster.new_player(http, f"max_{cluster.mode}")
    graceful, crashed = cluster.apps[1], cluster.apps[2]
    run = LoadRun(cluster.proxy, me.headers, workers=4)
    async with run:
        await run.until(40)
        run.phase = 1  # SIGTERM, as compose, ECS and Kubernetes stop a container
        graceful.proc.send_signal(signal.SIGTERM)
        graceful_code = await asyncio.to_thread(graceful.proc.wait, 30)
        await run.until(len(run.outcomes) + 60)
        run.phase = 2  # a crash
        crashed.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(crashed.proc.wait, 30)
        await run.until(len(run.outcomes) + 60)
    assert graceful_code == 0, graceful.output()

    outcome = Counter((phase, method, status) for phase, method, _, status in run.outcomes)
    # Until the crash every GET is answered, nginx retrying the ones the stopped instance
    # refused; a POST is answered 201, or 502 when it had reached the instance (not retried).
    for (phase, method, status), count in outcome.items():
        allowed = {200} if method == "GET" else {201, 502}
        if phase == 2:  # a crash also breaks answers already under way: nginx cannot retry those
            allowed = allowed | {BROKEN}
        assert status in allowed, f"{count} × {method} → {status} in phase {phase}: {outcome}"

    posts = {name: status for _, method, name, status in run.outcomes if method == "POST"}
    rows = cluster.sql("SELECT name FROM engines WHERE user_id = %s", (me.user_id,))
    stored = Counter(name for (name,) in rows)
    assert max(stored.values()) == 1, "a POST was applied twice"
    lost = [name for name, status in posts.items() if status == 201 and name not in stored]
    assert not lost, f"acknowledged writes missing: {lost}"
    unsure = [name for name, status in posts.items() if status != 201]
    applied_before = sum(1 for name in unsure if name in stored)
    # What a client does with a POST it got no answer for: send it again with the same key.
    replayed = 0
    for name in unsure:
        answer = await _post_until_answered(http, cluster.proxy, me, name)
        assert answer.status_code == 201, answer.text
        replayed += answer.headers.get("idempotent-replayed") == "true"
    assert replayed == applied_before, "a retry with the key must replay exactly the applied ones"
    rows = cluster.sql("SELECT name FROM engines WHERE user_id = %s", (me.user_id,))
    assert sorted(name for (name,) in rows) == sorted(posts), "each POST applied exactly once"
    listed = await http.get(f"{cluster.proxy}/api/v1/me/engines", headers=me.headers)
    assert sorted(e["name"] for e in listed.json()) == sorted(posts)
    retried = await _until_nginx_retries(http, cluster, me)
    assert retried, "nginx never moved a request away from a stopped instance"
    print(
        f"\n[{cluster.mode}] {len(run.outcomes)} requests {dict(sorted(outcome.items()))}; "
        f"{len(posts)} POSTs, {len(unsure)} unanswered of which {applied_before} had been "
        f"applied; all {len(unsure)} retried with their key → 201 ({replayed} replayed); "
        f"nginx retried {len(retried)}"
    )


async def _until_nginx_retries(
    http: httpx.AsyncClient, cluster: Cluster, me: Browser, bound_s: float = 15.0
) -> list[str]:
    """The requests nginx moved to another instance, sending GETs (bounded) until there is one.

    The first request to reach a stopped instance can be a POST, which nginx does not retry
    (the client gets 502) but which marks the instance down for `fail_timeout` (5 s): then no
    GET of the run touched it. Once that time is over nginx tries the still-dead instance again
    with the next request, and a GET is retried.
    """
    access_log = cluster.workdir / "nginx" / "access.log"
    deadline = asyncio.get_running_loop().time() + bound_s
    while not (retried := retried_requests(access_log)):
        if asyncio.get_running_loop().time() > deadline:
            break
        answer = await http.get(f"{cluster.proxy}/api/v1/me/engines", headers=me.headers)
        assert answer.status_code == 200, answer.text
        await asyncio.sleep(0.05)
    return retried


async def _post_until_answered(
    http: httpx.AsyncClient, proxy: str, me: Browser, name: str
) -> httpx.Response:
    """POST the engine again with its key; 409 means the first try is still being settled."""
    for _ in range(50):
        response = await http.post(
            f"{proxy}{ENGINES}", json=engine(name), headers={**me.headers, "Idempotency-Key": name}
        )
        if response.status_code != 409:
            return response
        await asyncio.sleep(0.1)
    return response


def test_serve_with_two_workers_keeps_the_same_guarantees(
    create_database: Any, tmp_path: Path
) -> None:
    url = create_database("lifeworld_workers")
    app = start_app(
        "workers",
        free_port(),
        tmp_path,
        ("--workers", "2"),
        env="test",
        secret_key=SECRET,
        database_url=url,
        forwarded_allow_ips="10.9.9.9",  # not 127.0.0.1: the test's forwarded headers are lies
        db_pool_size="3",
        cache_pool_size="2",
    )
    conns: list[Pinned] = []
    try:
        wait_healthy(app.url, app)
        sql(url, ROLLOVER_OBSERVER)
        health = subprocess.run(
            healthcheck_command(), env=app_environment(port=str(app.port)), timeout=30
        )
        assert health.returncode == 0, "the image's HEALTHCHECK failed against a healthy app"
        conns = pin_connections(app, workers=2, per_worker=4)
        one, two = conns[0], next(c for c in conns if c.pid != conns[0].pid)
        _check_workers(url, one, two, conns)
    finally:
        for pinned in conns:
            pinned.conn.close()
        workers = worker_pids(app) if app.alive() else set()
        code = app.stop(signal.SIGTERM)
    assert code == 0, app.output()
    assert not [pid for pid in workers if psutil.pid_exists(pid)], "workers outlived serve"


def _check_workers(url: str, one: Pinned, two: Pinned, conns: list[Pinned]) -> None:
    start = BASE + timedelta(days=1)
    for worker in (one, two):
        assert worker.call("PUT", "/api/v1/testing/clock", {"now": start.isoformat()})[0] == 200
    status, headers, body = one.call(
        "POST",
        "/api/v1/setup",
        {
            "household_name": "Workers",
            "timezone": "UTC",
            "username": "ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    assert status == 201, body
    cookie = SimpleCookie(headers["set-cookie"])[SESSION_COOKIE].value
    admin = Browser(int(body["user"]["id"]), cookie, body["csrf_token"])

    # The session made by one worker works on the other; a write on one is read on the other.
    status, _, before = two.call("GET", "/api/v1/me/state", headers=admin.headers)
    assert status == 200 and before["user"]["id"] == admin.user_id
    status, _, written = one.call(
        "POST", "/api/v1/me/activities", {"type": "LEARNING"}, headers=admin.headers
    )
    assert status == 201, written
    assert written["state"] != before
    assert two.call("GET", "/api/v1/me/state", headers=admin.headers)[2] == written["state"]

    # Ten days later, requests on both workers at once roll the day over once.
    status, _, changed = one.call(
        "PUT",
        f"/api/v1/admin/players/{admin.user_id}",
        {"resources": {"oxygen": "5"}},
        headers=admin.headers,
    )
    assert status == 200, changed
    tokens = []
    for i in range(len(conns)):
        status, _, made = one.call(
            "POST", "/api/v1/auth/tokens", {"name": f"t{i}"}, headers=admin.headers
        )
        assert status == 201, made
        tokens.append({"Authorization": f"Bearer {made['token']}"})
    before = sql(url, "SELECT coalesce(max(id), 0) FROM replica_player_writes")[0][0]
    later = start + timedelta(days=10)
    for worker in (one, two):
        assert worker.call("PUT", "/api/v1/testing/clock", {"now": later.isoformat()})[0] == 200
    together = threading.Barrier(len(conns))

    def read(conn: Pinned, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        together.wait(timeout=30)  # every worker gets its requests at the same moment
        return conn.call("GET", "/api/v1/me/state", headers=headers)

    with ThreadPoolExecutor(len(conns)) as pool:
        answers = list(pool.map(read, conns, tokens))
    assert [a[0] for a in answers] == [200] * len(conns)
    assert {Decimal(str(a[2]["resources"]["oxygen"])) for a in answers} == {Decimal("4.0")}
    writes = sql(url, "SELECT from_day, to_day FROM replica_player_writes WHERE id > %s", (before,))
    assert writes == [(start.date(), later.date())], f"the player row was written {writes}"

    # LIFEWORLD_FORWARDED_ALLOW_IPS reaches every worker: 127.0.0.1 is not believed here.
    status, headers, _ = two.call(
        "POST",
        "/api/v1/auth/login",
        {"login": "ada", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert status == 200
    assert "secure" not in headers["set-cookie"].lower()
    addresses = {a for (a,) in sql(url, "SELECT address FROM sessions")}
    assert addresses == {"127.0.0.1"}, addresses
