"""The cloud packaging: both kustomize overlays rendered by kubectl, the compose file and the
Dockerfile, each checked against what the app itself accepts (Settings, allowed hosts)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lifeworld.net import allowed_hosts
from lifeworld.portability.api import IMPORT_PATH
from lifeworld.settings import CacheMode, Settings, SettingsError, TlsMode, load_settings
from tests.slow.processes import image_environment

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
SECRET = {"LIFEWORLD_SECRET_KEY": "k" * 48, "LIFEWORLD_DATABASE_URL": "postgresql://a:b@pg:5432/lw"}
REDIS = {"LIFEWORLD_REDIS_URL": "redis://cache.example:6379/0"}
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Settings:
    """What the app makes of exactly `env` (no .env file, nothing else from this process)."""
    for name in [n for n in os.environ if n.startswith("LIFEWORLD_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def _render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is needed to render deploy/kubernetes (scripts/test.sh installs it)")
    result = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", f"kustomize warned: {result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def _one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"{len(found)} × {kind}"
    return found[0]


def _dockerfile_uid() -> int:
    return int(re.findall(r"^USER (\d+):\d+$", DOCKERFILE, flags=re.MULTILINE)[0])


def _check_pod(pod: dict[str, Any], config: str) -> dict[str, Any]:
    spec = pod["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == _dockerfile_uid()
    (container,) = spec["containers"]
    assert "command" not in container, "the image's entry (database URL guard) must stay"
    refs = [next(iter(ref.values()))["name"] for ref in container["envFrom"]]
    assert refs == [config, "lifeworld-secrets"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert requests["cpu"] and requests["memory"] and limits["cpu"] and limits["memory"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    return dict(container)


@pytest.mark.parametrize(
    ("overlay", "cache", "max_pods"), [("phase1", "postgres", 3), ("phase2", "hybrid", 6)]
)
def test_an_overlay_renders_a_complete_deployment(
    overlay: str, cache: str, max_pods: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _render(overlay)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Job",
            "NetworkPolicy",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
        ]
    )
    assert {d["metadata"]["namespace"] for d in docs} == {"lifeworld"}
    config = _one(docs, "ConfigMap")
    data: dict[str, str] = config["data"]
    assert config["metadata"]["name"].startswith("lifeworld-config-")  # hashed: rolls pods
    assert data["LIFEWORLD_CACHE"] == cache
    assert not [k for k in data if re.search("SECRET|PASSWORD|DATABASE_URL|REDIS_URL", k)]

    deployment = _one(docs, "Deployment")
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    container = _check_pod(pod, config["metadata"]["name"])
    (port,) = container["ports"]
    assert port["containerPort"] == int(data["LIFEWORLD_PORT"])
    assert f"EXPOSE {port['containerPort']}" in DOCKERFILE
    hosts = allowed_hosts(data["LIFEWORLD_PUBLIC_URL"])
    probes = {
        name: container[f"{name}Probe"]["httpGet"] for name in ("startup", "readiness", "liveness")
    }
    assert probes["readiness"]["path"] == "/api/v1/health"
    for probe in probes.values():
        assert probe["port"] == port["name"]
        (host,) = [h["value"] for h in probe["httpHeaders"] if h["name"] == "Host"]
        assert host in hosts, f"the app would answer 400 to a probe with Host {host}"

    service = _one(docs, "Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    hpa = _one(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] == max_pods
    pdb = _one(docs, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "drains would block"

    job = _one(docs, "Job")["spec"]["template"]
    assert _check_pod(job, config["metadata"]["name"])["args"] == ["lifeworld", "setup"]
    assert job["spec"]["restartPolicy"] == "Never"
    assert not service["spec"]["selector"].items() <= job["metadata"]["labels"].items()
    _check_network_policies(docs, labels, job["metadata"]["labels"], port["name"])

    # The app accepts this configuration with the documented secret keys.
    needs = {**SECRET, **(REDIS if cache == "hybrid" else {})}
    settings = _settings(monkeypatch, {**data, **needs})
    assert settings.cache is CacheMode(cache)
    assert settings.database_url == SECRET["LIFEWORLD_DATABASE_URL"]
    assert settings.backup_interval_hours == 0, "no scheduled backups into a pod's /tmp"
    # TLS ends at the ingress, and the probes speak plain HTTP.
    assert settings.tls is TlsMode.OFF and not settings.mdns
    assert all(probe.get("scheme", "HTTP") == "HTTP" for probe in probes.values())


def _check_network_policies(
    docs: list[dict[str, Any]], web: dict[str, str], migrate: dict[str, str], port: str
) -> None:
    """Only the ingress controller's namespace reaches the web pods, on the app's port; nothing
    reaches the migration Job. `LIFEWORLD_FORWARDED_ALLOW_IPS=*` relies on the first."""
    policies = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "NetworkPolicy"}
    selecting = {
        name: spec
        for name, spec in policies.items()
        if spec["podSelector"]["matchLabels"].items() <= web.items()
    }
    (to_web,) = selecting.values()
    assert to_web["policyTypes"] == ["Ingress"]
    (rule,) = to_web["ingress"]
    (source,) = rule["from"]
    assert source == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    }
    assert rule["ports"] == [{"port": port}]
    (to_job,) = [
        spec
        for spec in policies.values()
        if spec["podSelector"]["matchLabels"].items() <= migrate.items()
    ]
    assert to_job["policyTypes"] == ["Ingress"] and not to_job.get("ingress")


def test_phase2_refuses_to_start_without_a_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _one(_render("phase2"), "ConfigMap")["data"]
    with pytest.raises(SettingsError, match="LIFEWORLD_REDIS_URL"):
        _settings(monkeypatch, {**data, **SECRET})


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-?])([^${}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, innermost first (they nest)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        if env.get(name):
            return env[name]
        if op == "?":
            raise LookupError(arg)
        return arg or ""

    while _VAR.search(value):
        value = _VAR.sub(one, value)
    return value


def _compose_app_env(env: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    compose = yaml.safe_load((ROOT / "deploy" / "compose" / "compose.yaml").read_text())
    app = compose["services"]["app"]["environment"]
    return compose, {k: _interpolate(str(v), env) for k, v in app.items()}


def _example_env() -> dict[str, str]:
    lines = (ROOT / "deploy" / "compose" / "env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line)]
    return {k: v for k, v in pairs} | {"LIFEWORLD_SECRET_KEY": "s" * 48, "POSTGRES_PASSWORD": "pw"}


def test_compose_phase1_is_app_and_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    compose, app_env = _compose_app_env(_example_env())
    services = compose["services"]
    assert "profiles" not in services["app"] and "profiles" not in services["db"]
    assert services["redis"]["profiles"] == ["redis"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    settings = _settings(monkeypatch, app_env)
    assert settings.database_url == "postgresql://lifeworld:pw@db:5432/lifeworld"
    # PostgreSQL in a container has no provider backing it up: the app does, into a volume.
    assert settings.backup_interval_hours > 0
    assert f"backups:{image_environment()['LIFEWORLD_BACKUP_DIR']}" in services["app"]["volumes"]
    assert settings.cache is CacheMode.POSTGRES
    assert settings.public_url == "https://life.example.org"
    assert settings.tls is TlsMode.OFF and not settings.mdns, "TLS ends at the proxy in front"
    # The proxies are the compose network's own range, never `*`: a client reaching a port
    # published on another address speaks for itself.
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    subnet = _interpolate(network["subnet"], {})
    assert settings.forwarded_allow_ips == subnet == "172.30.80.0/24"
    _, moved = _compose_app_env({**_example_env(), "LIFEWORLD_COMPOSE_SUBNET": "10.77.0.0/24"})
    assert moved["LIFEWORLD_FORWARDED_ALLOW_IPS"] == "10.77.0.0/24"


def test_compose_runs_the_app_locked_down_and_publishes_only_its_port() -> None:
    """What checkov has no checks for in compose files (docs/SECURITY.md, the scans)."""
    compose, _ = _compose_app_env(_example_env())
    services = compose["services"]
    app = services["app"]
    assert app["read_only"] is True and app["tmpfs"] == ["/tmp"]
    assert app["cap_drop"] == ["ALL"] and "cap_add" not in app
    assert app["security_opt"] == ["no-new-privileges:true"]
    assert "user" not in app, "the image's own non-root user"
    assert not {"privileged", "network_mode", "pid", "ipc"} & set(app)
    (published,) = app["ports"]
    assert _interpolate(published, {}) == "127.0.0.1:8000:8000", "loopback unless you choose"
    assert [name for name, s in services.items() if "ports" in s] == ["app"]
    assert "POSTGRES_PASSWORD" in services["db"]["environment"]


def test_compose_phase2_turns_on_redis_and_the_hybrid_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, app_env = _compose_app_env({**_example_env(), "LIFEWORLD_CACHE": "hybrid"})
    settings = _settings(monkeypatch, app_env)
    assert settings.cache is CacheMode.HYBRID
    assert settings.redis_url == "redis://redis:6379/0"


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    env = _example_env()
    del env["LIFEWORLD_SECRET_KEY"]
    with pytest.raises(LookupError, match="LIFEWORLD_SECRET_KEY"):
        _compose_app_env(env)


def test_the_image_keeps_nothing_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, {**image_environment(), **SECRET})
    assert settings.backup_interval_hours == 0, "backups into the container's own disk"
    # The HEALTHCHECK asks plain http://127.0.0.1: the image must not speak TLS.
    assert settings.tls is TlsMode.OFF and not settings.mdns
    assert "http://127.0.0.1" in DOCKERFILE.split("HEALTHCHECK", 1)[1]
    assert str(settings.data_dir).startswith("/tmp/")
    owned = f"chown -R 10001:10001 {Path(image_environment()['LIFEWORLD_BACKUP_DIR']).parent}"
    assert owned in DOCKERFILE, "a volume mounted for backups must be writable by the app"


def test_the_image_is_multi_stage_non_root_and_checks_its_health() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)) >= 2
    assert _dockerfile_uid() != 0
    assert "/api/v1/health" in DOCKERFILE.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.MULTILINE)[0])
    assert cmd == ["lifeworld", "serve"]


def test_the_image_refuses_to_start_without_a_database_url(tmp_path: Path) -> None:
    entry = json.loads(re.findall(r"^ENTRYPOINT (\[.*\])$", DOCKERFILE, flags=re.MULTILINE)[0])
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEWORLD_")}
    result = subprocess.run(
        [*entry, "lifeworld", "serve"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "set LIFEWORLD_DATABASE_URL" in result.stderr
    assert not list(tmp_path.iterdir()), "nothing may start (no embedded database)"


_SIZE = re.compile(r"^(\d+)([kmg]?)$", re.IGNORECASE)


def _nginx_bytes(size: str) -> int:
    """nginx's size syntax (client_max_body_size, proxy-body-size): 2m, 512k, 1048576."""
    match = _SIZE.match(size.strip())
    assert match, f"not an nginx size: {size!r}"
    return int(match[1]) * 1024 ** "_kmg".index((match[2] or "_").lower())


def _default_limits() -> tuple[int, int]:
    fields = Settings.model_fields
    return int(fields["max_body_bytes"].default), int(fields["max_import_bytes"].default)


def _check_limits(everywhere: int, on_import: int, where: str) -> None:
    body, import_ = _default_limits()
    assert everywhere > body, f"{where} cuts off requests the app would answer with its own 413"
    assert everywhere < import_, f"{where} gives every route the import's room"
    assert on_import > import_, f"{where} refuses imports the app accepts ({import_} bytes)"


def test_nginx_lets_through_what_the_app_accepts_and_the_import_alone_is_large() -> None:
    site = (ROOT / "deploy" / "nginx" / "lifeworld.conf").read_text()
    server = re.search(r"^ {4}client_max_body_size (\S+);", site, flags=re.MULTILINE)
    on_import = re.search(
        rf"location = {re.escape(IMPORT_PATH)} \{{[^}}]*client_max_body_size (\S+);", site
    )
    assert server and on_import, "lifeworld.conf lost a client_max_body_size"
    _check_limits(_nginx_bytes(server[1]), _nginx_bytes(on_import[1]), "deploy/nginx")


def test_the_ingress_example_lets_through_what_the_app_accepts() -> None:
    path = KUBERNETES / "examples" / "ingress-nginx.yaml"
    ingresses = [d for d in yaml.safe_load_all(path.read_text()) if d["kind"] == "Ingress"]
    size: dict[tuple[str, str], int] = {}
    for ingress in ingresses:
        limit = _nginx_bytes(
            ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
        )
        for rule in ingress["spec"]["rules"]:
            for route in rule["http"]["paths"]:
                assert route["backend"]["service"] == {
                    "name": "lifeworld",
                    "port": {"name": "http"},
                }
                size[(route["path"], route["pathType"])] = limit
    assert set(size) == {("/", "Prefix"), (IMPORT_PATH, "Exact")}
    _check_limits(size[("/", "Prefix")], size[(IMPORT_PATH, "Exact")], "the ingress example")
