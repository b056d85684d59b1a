"""The Prometheus metrics of `GET /metrics`, defined once per process.

Counters and histograms are incremented where things happen (request middleware, SQLAlchemy
events, the cache's call observer, game listeners); values that are read rather than counted
(pool usage, process CPU and memory, the five figures and the advice) are set by the recorder's
tick and before each scrape. With several workers, `PROMETHEUS_MULTIPROC_DIR` (set by
`lifeworld serve --workers N`) makes every process write its own files, which the scrape adds
up (`MultiProcessCollector`); gauges say how they combine (`multiprocess_mode`).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import psutil
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

# `*_created` series double the exposition and nothing here reads them (multiprocess mode never
# writes them either).
disable_created_metrics()  # type: ignore[no-untyped-call]

# The classic text format every Prometheus reads (what generate_latest writes).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
CALL_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
)  # fmt: skip

HTTP_DURATION = Histogram(
    "lifeworld_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status (_count: requests).",
    ["method", "route", "status"],
    buckets=REQUEST_BUCKETS,
)
DB_QUERY = Histogram(
    "lifeworld_db_query_duration_seconds",
    "Time of each SQL statement the app sends through its database pool.",
    buckets=CALL_BUCKETS,
)
POOL_WAIT = Histogram(
    "lifeworld_db_pool_checkout_seconds",
    "Time to check a connection out of the app's database pool (waits and new connections).",
    buckets=CALL_BUCKETS,
)
POOL_CONNECTIONS = Gauge(
    "lifeworld_db_pool_connections",
    "Connections of the app's database pools (all live workers), by state.",
    ["state"],
    multiprocess_mode="livesum",
)
POOL_LIMIT = Gauge(
    "lifeworld_db_pool_limit_connections",
    "Most connections the app's database pools may open (pool size + overflow, all workers).",
    multiprocess_mode="livesum",
)
CACHE_OPERATIONS = Counter(
    "lifeworld_cache_operations",
    "Cache calls by namespace, tier and result (hit, miss, write).",
    ["namespace", "tier", "result"],
)
CACHE_ERRORS = Counter(
    "lifeworld_cache_errors",
    "Cache calls that failed, by namespace and tier.",
    ["namespace", "tier"],
)
CACHE_SECONDS = Counter(
    "lifeworld_cache_operation_seconds",
    "Time spent in cache calls, by namespace and tier (divide by operations for the mean).",
    ["namespace", "tier"],
)
CACHE_COMPUTES = Counter(
    "lifeworld_cache_computes", "Values computed on a cache miss, by namespace.", ["namespace"]
)
CACHE_DURATION = Histogram(
    "lifeworld_cache_operation_duration_seconds",
    "Time of each call to a shared cache tier (postgres, redis), by namespace and tier.",
    ["namespace", "tier"],
    buckets=CALL_BUCKETS,
)
ACTIVE_SESSIONS = Gauge(
    "lifeworld_active_sessions",
    "Browser sessions not yet expired (read at most every 15 s).",
    multiprocess_mode="livemostrecent",
)
ROLLOVERS = Counter("lifeworld_day_rollovers", "Day rollovers applied to a player.")
ROLLOVER_DAYS = Counter(
    "lifeworld_rollover_steps", "Game days replayed by day rollovers (one step per missed day)."
)
ACTIVITIES = Counter("lifeworld_activities", "Activities logged, by type.", ["type"])
MILESTONES = Counter("lifeworld_milestones", "Milestones awarded, by milestone.", ["milestone"])
BURNOUTS = Counter("lifeworld_burnouts", "Players entering or leaving burnout.", ["event"])
PROCESS_CPU = Counter("lifeworld_process_cpu_seconds", "CPU time used by the app's processes.")
PROCESS_MEMORY = Gauge(
    "lifeworld_process_resident_memory_bytes",
    "Resident memory of the app's live processes.",
    multiprocess_mode="livesum",
)
WORKERS = Gauge("lifeworld_workers", "Live app worker processes.", multiprocess_mode="livesum")


def _figure(name: str, doc: str) -> Gauge:
    return Gauge(name, doc, multiprocess_mode="livemostrecent")


FIGURE_LATENCY_MEAN = _figure(
    "lifeworld_query_latency_mean_seconds", "Mean of database and shared-cache calls, 15 min."
)
FIGURE_LATENCY_P95 = _figure(
    "lifeworld_query_latency_p95_seconds", "p95 of database and shared-cache calls, 15 min."
)
FIGURE_HIT_RATIO = _figure("lifeworld_cache_hit_ratio", "Cached lookups answered, last hour.")
FIGURE_DB_CPU = _figure(
    "lifeworld_database_cpu_ratio", "The database server's share of CPU (NaN: unknown)."
)
FIGURE_USERS = _figure("lifeworld_concurrent_users", "Players active in the last 5 minutes.")
FIGURE_QUERIES = _figure("lifeworld_queries_per_day", "Cached lookups in the last 24 hours.")
TRIGGER_FIRED = Gauge(
    "lifeworld_advice_trigger_fired",
    "1 when a scale-advice trigger has fired (with hysteresis).",
    ["trigger"],
    multiprocess_mode="livemostrecent",
)
TRIGGER_VALUE = Gauge(
    "lifeworld_advice_trigger_value",
    "A trigger's current figure, in its unit (ms, %, users, queries/day; NaN: no data).",
    ["trigger"],
    multiprocess_mode="livemostrecent",
)
TRIGGER_THRESHOLD = Gauge(
    "lifeworld_advice_trigger_threshold",
    "A trigger's threshold, in the unit of its value.",
    ["trigger"],
    multiprocess_mode="livemostrecent",
)
ADVICE_PHASE = Gauge(
    "lifeworld_advice_phase",
    "1 for the deployment phase the advisor sees, 0 for the others.",
    ["phase"],
    multiprocess_mode="livemostrecent",
)
ADVICE_REDIS = Gauge(
    "lifeworld_advice_redis_needed",
    "1 when the advice is to add (or keep) Redis.",
    multiprocess_mode="livemostrecent",
)

_PID_FILE = re.compile(r"_(\d+)\.db$")


def multiprocess_dir() -> str | None:
    """The directory of the per-process metric files, when several workers share /metrics."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def reap_dead_workers(directory: str) -> list[int]:
    """Forget the live gauges of workers that are gone (crashed or restarted)."""
    gone = set()
    for path in Path(directory).glob("gauge_live*.db"):
        match = _PID_FILE.search(path.name)
        if match and not psutil.pid_exists(int(match.group(1))):
            gone.add(int(match.group(1)))
    for pid in gone:
        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return sorted(gone)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every process's metrics, and its content type."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY), CONTENT_TYPE
    reap_dead_workers(directory)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """A clean directory for several workers' metric files, before they start.

    PROMETHEUS_MULTIPROC_DIR when set (its old files removed: counts of a previous run must not
    be added to this one's), else a new temporary directory; True when the caller should remove
    it at exit.
    """
    configured = multiprocess_dir()
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return path, False
    return Path(tempfile.mkdtemp(prefix="lifeworld-metrics-")), True


def worker_exiting() -> None:
    """Drop this worker's live gauges (pool, memory) from the sums when it stops."""
    directory = multiprocess_dir()
    if directory is not None:
        multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]
