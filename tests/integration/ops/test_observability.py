"""deploy/observability: the Prometheus config and alerts pass promtool, and a real Prometheus
scraping a real app answers every query of the Grafana dashboard."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lifeworld.db import migrate
from tests.faults.harness import free_port, running_apps, sign_up
from tests.integration.ops.support import PROMTOOL

HERE = Path(__file__).resolve().parents[3] / "deploy" / "observability"
DASHBOARD = HERE / "grafana" / "lifeworld-dashboard.json"
PROMETHEUS = Path("/usr/bin/prometheus")
TOKEN = "observability-" + "t" * 32
FIVE = ("Query latency", "Cache hit rate", "Database CPU", "Concurrent users", "Queries per day")


def tool(path: Path) -> str:
    if not path.exists():
        pytest.fail(f"{path} is missing: ./scripts/test.sh installs Debian's prometheus package")
    return str(path)


def panels() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(DASHBOARD.read_text())["panels"]
    return [p for p in found if p["type"] != "row"]


def expressions() -> list[str]:
    return [t["expr"] for p in panels() for t in p.get("targets", [])]


def configured(directory: Path, *, target: str, interval: str) -> Path:
    """A copy of prometheus.yml (and its rules and token file) aimed at `target`."""
    config = yaml.safe_load((HERE / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = interval
    config["global"]["evaluation_interval"] = interval
    config["scrape_configs"][0]["static_configs"][0]["targets"] = [target]
    (directory / "prometheus.yml").write_text(yaml.safe_dump(config))
    shutil.copy(HERE / "lifeworld-alerts.yml", directory)
    (directory / "lifeworld-token").write_text(TOKEN)
    return directory / "prometheus.yml"


def test_the_config_and_the_alert_rules_pass_promtool(tmp_path: Path) -> None:
    config = configured(tmp_path, target="127.0.0.1:5173", interval="15s")
    checked = subprocess.run(
        [tool(PROMTOOL), "check", "config", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 3 rules found" in checked.stdout + checked.stderr
    original = yaml.safe_load((HERE / "prometheus.yml").read_text())
    job = original["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"] == {"type": "Bearer", "credentials_file": "lifeworld-token"}


def test_the_dashboard_shows_the_five_figures_and_the_triggers() -> None:
    titles = [p["title"] for p in panels()]
    for figure in FIVE:
        assert any(t.startswith(figure) for t in titles), figure
    for part in ("Redis needed?", "Phase", "Triggers fired", "Triggers: value and threshold"):
        assert part in titles
    assert len(set(titles)) == len(titles)
    ids = [p["id"] for p in json.loads(DASHBOARD.read_text())["panels"]]
    assert len(set(ids)) == len(ids)


@pytest.fixture
def prometheus_on_app(create_database: Any, tmp_path: Path) -> Iterator[str]:
    """A real Prometheus (Debian's) scraping a real app every second; yields its URL."""
    url = create_database("lifeworld_prometheus")
    migrate.upgrade(url)
    with running_apps(tmp_path, url, metrics_token=TOKEN) as [app]:
        sign_up(app.url)
        for place in ("geo:7629", "geo:7629"):
            httpx.get(f"{app.url}/api/v1/places/{place}", timeout=10)
        config = configured(tmp_path, target=f"127.0.0.1:{app.port}", interval="1s")
        port = free_port()
        log = (tmp_path / "prometheus.log").open("wb")
        process = subprocess.Popen(
            [
                tool(PROMETHEUS),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


def query(base: str, expr: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10)
    body: dict[str, Any] = response.json()
    assert response.status_code == 200 and body["status"] == "success", (expr, body)
    return body


def test_a_real_prometheus_answers_every_dashboard_query(prometheus_on_app: str) -> None:
    base = prometheus_on_app
    deadline = time.monotonic() + 60
    while True:  # until two scrapes with the figures have landed (rates need two)
        try:
            up = query(base, 'count_over_time(up{job="lifeworld"}[1m])')["data"]["result"]
            figures = query(base, "lifeworld_queries_per_day")["data"]["result"]
        except (httpx.HTTPError, AssertionError, ValueError):
            up, figures = [], []
        if up and float(up[0]["value"][1]) >= 3 and figures:
            break
        assert time.monotonic() < deadline, "Prometheus did not scrape the app"
        time.sleep(0.5)
    assert query(base, 'up{job="lifeworld"}')["data"]["result"][0]["value"][1] == "1"
    for expr in expressions():
        query(base, re.sub(r"\$__rate_interval", "30s", expr))  # valid PromQL, run for real
    for expr in (
        "max(lifeworld_query_latency_mean_seconds)",
        "max(lifeworld_concurrent_users)",
        "max by (trigger) (lifeworld_advice_trigger_fired)",
        "max by (phase) (lifeworld_advice_phase) == 1",
    ):
        assert expr in expressions()
        assert query(base, expr)["data"]["result"], expr
    phase = query(base, "max by (phase) (lifeworld_advice_phase) == 1")["data"]["result"]
    assert [r["metric"]["phase"] for r in phase] == ["mvp"]
    triggers = query(base, "max by (trigger) (lifeworld_advice_trigger_fired)")["data"]["result"]
    assert len(triggers) == 8
    rules = httpx.get(f"{base}/api/v1/rules", timeout=10).json()["data"]["groups"]
    assert [r["name"] for g in rules for r in g["rules"]] == [
        "LifeWorldAddRedis",
        "LifeWorldDown",
        "LifeWorldServerErrors",
    ]
