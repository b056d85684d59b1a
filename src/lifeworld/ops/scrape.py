"""Before a scrape: who may scrape, and the gauges that are read rather than counted.

`/metrics` is answered to `Authorization: Bearer <LIFEWORLD_METRICS_TOKEN>` when a token is set,
and otherwise only to clients on this machine (the address `forwarding.client_address` gives)
that reach the app directly: a request carrying a proxy's headers (X-Forwarded-For, Forwarded,
X-Real-IP) is refused even when the proxy says the client is local, since a proxy on this
machine that is not in LIFEWORLD_FORWARDED_ALLOW_IPS would otherwise pass any outside client
off as local. The session count is read from the database at
most every 15 s and the five figures and the advice at most every minute (they change once a
minute), so a busy scraper costs no query per scrape.
"""

from __future__ import annotations

import math

from fastapi import Request

from lifeworld.accounts.security import same
from lifeworld.clock import clock
from lifeworld.errors import Forbidden, Unauthorized
from lifeworld.forwarding import client_address, parse_address
from lifeworld.ops import metrics, service
from lifeworld.ops.advisor import PHASES, Action
from lifeworld.ops.recorder import Recorder
from lifeworld.settings import Settings

PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
SESSIONS_EVERY_S = 15.0
FIGURES_EVERY_S = 60.0


def authorize(request: Request) -> None:
    """Refuse a scrape without the token (when one is set) or from another machine."""
    settings: Settings = request.app.state.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same(sent.strip(), token):
            raise Unauthorized(
                "Send the metrics token as 'Authorization: Bearer <token>'.",
                code="invalid_token",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return
    address = parse_address(client_address(request))
    loopback = address is not None and address.is_loopback
    if not loopback or any(name in request.headers for name in PROXY_HEADERS):
        raise Forbidden(
            "Metrics are served only to this machine. Set LIFEWORLD_METRICS_TOKEN to let a "
            "Prometheus elsewhere scrape them with that token.",
            code="metrics_local_only",
        )


def _nan(value: float | None, scale: float = 1.0) -> float:
    return value * scale if value is not None else math.nan


async def refresh(db: service.Db, *, recorder: Recorder, settings: Settings, redis: bool) -> None:
    """Bring the read-not-counted gauges up to date (database reads only when due)."""
    recorder.tick()
    now = clock.now()
    if recorder.due("sessions", SESSIONS_EVERY_S):
        metrics.ACTIVE_SESSIONS.set(
            await service.active_sessions(db, now=now, idle_days=settings.session_idle_days)
        )
    if not recorder.due("figures", FIGURES_EVERY_S):
        return
    seen = await service.overview(db, now=now, redis_in_use=redis)
    f = seen.current
    metrics.FIGURE_LATENCY_MEAN.set(_nan(f.latency_mean_ms, 0.001))
    metrics.FIGURE_LATENCY_P95.set(_nan(f.latency_p95_ms, 0.001))
    metrics.FIGURE_HIT_RATIO.set(_nan(f.cache_hit_rate_pct, 0.01))
    metrics.FIGURE_DB_CPU.set(_nan(f.db_cpu_pct, 0.01))
    metrics.FIGURE_USERS.set(f.concurrent_users)
    metrics.FIGURE_QUERIES.set(f.queries_per_day)
    advice = seen.advice
    for trigger in advice.triggers:
        metrics.TRIGGER_FIRED.labels(trigger.name).set(int(trigger.fired))
        metrics.TRIGGER_VALUE.labels(trigger.name).set(_nan(trigger.value))
        metrics.TRIGGER_THRESHOLD.labels(trigger.name).set(trigger.threshold)
    for info in PHASES:
        metrics.ADVICE_PHASE.labels(info.phase.value).set(int(info is advice.phase))
    metrics.ADVICE_REDIS.set(int(advice.action in (Action.ADD_REDIS, Action.KEEP_REDIS)))
