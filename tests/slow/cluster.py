"""Three `lifeworld serve` instances on one PostgreSQL (and one Redis in hybrid mode) behind
nginx, started the way a rollout starts them: all at once, racing for the migration.

Observers that do not trust the app's own word are installed in the database: an event
trigger logs every DDL command with the backend that ran it (migrations), and a row trigger
logs every change of a player's `last_rolled_day` (day rollovers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml

from lifeworld.accounts.deps import SESSION_COOKIE
from lifeworld.db.migrate import MIGRATION_LOCK_KEY
from tests.slow.processes import (
    App,
    Process,
    free_port,
    start_app,
    start_nginx,
    start_redis,
    wait_healthy,
)

PASSWORD = "correct horse battery"
SECRET = "replica-test-secret-" + "x" * 40
KUSTOMIZE_BASE = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "base"


def shipped_proxy_trust() -> str:
    """LIFEWORLD_FORWARDED_ALLOW_IPS as the Kubernetes base ships it: the instances behind the
    test's nginx trust their proxies as the shipped deployments do."""
    kustomization = yaml.safe_load((KUSTOMIZE_BASE / "kustomization.yaml").read_text())
    (config,) = [c for c in kustomization["configMapGenerator"] if c["name"] == "lifeworld-config"]
    (value,) = [
        line.split("=", 1)[1]
        for line in config["literals"]
        if line.startswith("LIFEWORLD_FORWARDED_ALLOW_IPS=")
    ]
    return str(value)


DDL_OBSERVER = """
CREATE TABLE replica_ddl_log (id bigserial PRIMARY KEY, pid int NOT NULL, tag text NOT NULL,
                              object text);
CREATE FUNCTION replica_log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    INSERT INTO replica_ddl_log (pid, tag, object)
    VALUES (pg_backend_pid(), r.command_tag, r.object_identity);
  END LOOP;
END $$;
CREATE EVENT TRIGGER replica_log_ddl ON ddl_command_end EXECUTE FUNCTION replica_log_ddl();
"""

ROLLOVER_OBSERVER = """
CREATE TABLE replica_player_writes (id bigserial PRIMARY KEY, user_id bigint NOT NULL,
                                    from_day date NOT NULL, to_day date NOT NULL,
                                    pid int NOT NULL);
CREATE FUNCTION replica_note_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO replica_player_writes (user_id, from_day, to_day, pid)
  VALUES (NEW.user_id, OLD.last_rolled_day, NEW.last_rolled_day, pg_backend_pid());
  RETURN NEW;
END $$;
CREATE TRIGGER replica_note_write AFTER UPDATE ON players FOR EACH ROW
  EXECUTE FUNCTION replica_note_write();
"""


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params or None)
        return cur.fetchall() if cur.description else []


def lock_waiters(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND objid::bigint = %s AND database ="
        " (SELECT oid FROM pg_database WHERE datname = current_database())",
        (MIGRATION_LOCK_KEY,),
    ).fetchone()
    return int(row[0]) if row else 0


def no_cookies() -> httpx.AsyncClient:
    """A client that never stores cookies: every request carries exactly the headers given."""
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(cookies=jar, timeout=30)


@dataclass
class Browser:
    """One signed-in person: the session cookie and CSRF token, whichever instance made them."""

    user_id: int
    cookie: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}", "X-CSRF-Token": self.csrf}

    @classmethod
    def from_response(cls, response: httpx.Response) -> Browser:
        assert response.status_code in (200, 201), response.text
        body = response.json()
        cookie = response.cookies.get(SESSION_COOKIE)
        assert cookie, f"no session cookie in {response.headers}"
        return cls(int(body["user"]["id"]), cookie, str(body["csrf_token"]))


@dataclass
class Cluster:
    mode: str
    database_url: str
    workdir: Path
    apps: list[App] = field(default_factory=list)
    nginx: Process | None = None
    proxy: str = ""
    redis: Process | None = None
    redis_url: str | None = None
    migration_waiters: int = 0
    ddl: list[tuple[Any, ...]] = field(default_factory=list)

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return sql(self.database_url, query, params)

    @property
    def live(self) -> list[App]:
        return [a for a in self.apps if a.alive()]

    async def pin_clocks(self, http: httpx.AsyncClient, instant: datetime) -> None:
        """The test clock is per process: set it on every live instance directly."""
        for app in self.live:
            response = await http.put(
                f"{app.url}/api/v1/testing/clock", json={"now": instant.isoformat()}
            )
            assert response.status_code == 200, response.text

    async def login(self, http: httpx.AsyncClient, username: str, base: str = "") -> Browser:
        response = await http.post(
            f"{base or self.proxy}/api/v1/auth/login",
            json={"login": username, "password": PASSWORD},
        )
        return Browser.from_response(response)

    async def new_player(self, http: httpx.AsyncClient, username: str) -> Browser:
        """Invite (as the admin) and register a new household member, through nginx."""
        admin = await self.login(http, "ada")
        invite = await http.post(f"{self.proxy}/api/v1/household/invites", headers=admin.headers)
        assert invite.status_code == 201, invite.text
        response = await http.post(
            f"{self.proxy}/api/v1/auth/register",
            json={
                "invite_code": invite.json()["code"],
                "username": username,
                "email": f"{username}@example.org",
                "password": PASSWORD,
                "timezone": "UTC",
            },
        )
        return Browser.from_response(response)

    async def tokens(self, http: httpx.AsyncClient, who: Browser, count: int) -> list[str]:
        """API tokens of `who`: separate credentials, so requests share no session row."""
        made = []
        for i in range(count):
            response = await http.post(
                f"{self.proxy}/api/v1/auth/tokens", json={"name": f"t{i}"}, headers=who.headers
            )
            assert response.status_code == 201, response.text
            made.append(str(response.json()["token"]))
        return made

    def stop_all(self) -> None:
        for process in [self.nginx, *self.apps, self.redis]:
            if process is not None:
                process.kill_group()


def _start_instances(cluster: Cluster, count: int, nginx_port: int) -> None:
    """Start `count` instances while holding the migration lock, so all of them queue on it."""
    settings = {
        "env": "test",
        "secret_key": SECRET,
        "database_url": cluster.database_url,
        "public_url": f"http://127.0.0.1:{nginx_port}",
        "cache": cluster.mode,
        "db_pool_size": "4",
        "db_max_overflow": "4",
        "cache_pool_size": "2",
        "forwarded_allow_ips": shipped_proxy_trust(),
    }
    if cluster.redis_url:
        settings["redis_url"] = cluster.redis_url
    with psycopg.connect(cluster.database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        for i in range(count):
            cluster.apps.append(start_app(f"app{i}", free_port(), cluster.workdir, **settings))
        deadline = time.monotonic() + 60
        while (waiting := lock_waiters(holder)) < count and time.monotonic() < deadline:
            for app in cluster.apps:
                if not app.alive():
                    pytest.fail(f"{app.name} exited before migrating:\n{app.output()}")
            time.sleep(0.05)
        cluster.migration_waiters = waiting
        holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


def start_cluster(mode: str, database_url: str, workdir: Path, count: int = 3) -> Cluster:
    """Instances, then nginx in front of them, then the first-run setup (admin "ada")."""
    cluster = Cluster(mode, database_url, workdir)
    try:
        superuser = sql(database_url, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not superuser[0][0]:
            pytest.fail("the replica tests log DDL with an event trigger: they need a superuser")
        sql(database_url, DDL_OBSERVER)
        if mode == "hybrid":
            cluster.redis, cluster.redis_url = start_redis(workdir)
        nginx_port = free_port()
        _start_instances(cluster, count, nginx_port)
        for app in cluster.apps:
            wait_healthy(app.url, app)
        cluster.ddl = cluster.sql("SELECT pid, tag, object FROM replica_ddl_log ORDER BY id")
        sql(database_url, "DROP EVENT TRIGGER replica_log_ddl")
        sql(database_url, ROLLOVER_OBSERVER)
        cluster.nginx = start_nginx(workdir / "nginx", [a.port for a in cluster.apps], nginx_port)
        cluster.proxy = f"http://127.0.0.1:{nginx_port}"
        setup = httpx.post(
            f"{cluster.proxy}/api/v1/setup",
            json={
                "household_name": "Replicas",
                "timezone": "UTC",
                "username": "ada",
                "email": "ada@example.org",
                "password": PASSWORD,
            },
            timeout=30,
        )
        assert setup.status_code == 201, setup.text
    except BaseException:
        cluster.stop_all()
        raise
    return cluster
