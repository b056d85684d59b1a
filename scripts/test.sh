#!/usr/bin/env bash
# Lint, type-check and run the whole test suite. Installs what it needs; starts what is not running.
#   ./scripts/test.sh                 everything (what CI runs)
#   ./scripts/test.sh tests/unit -x   any pytest arguments narrow the run (lint and types still run)
#   ./scripts/test.sh --latest        the same against the newest versions pyproject.toml allows,
#                                     in a throwaway venv (the lock and .venv are left as they are)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# Nothing the tests start announces itself on the network (mDNS only in a test's own namespace).
export LIFEWORLD_MDNS=off
. scripts/lib/common.sh

cleanups=()
cleanup() { for c in "${cleanups[@]}"; do eval "$c"; done; }
trap cleanup EXIT

VENV=.venv
if [ "${1:-}" = "--latest" ]; then
  shift
  say "Python environment: the newest versions pyproject.toml allows (a throwaway venv)"
  latest_dir=$(mktemp -d -t lifeworld-latest-XXXXXX)
  cleanups+=("rm -rf '$latest_dir'")
  VENV=$latest_dir/venv
  "$PYTHON" -m venv "$VENV"
  ""$VENV"/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools wheel
  # Editable, so the tests import this checkout; the egg-info pip writes is the same either way.
  ""$VENV"/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade \
    --upgrade-strategy eager --no-build-isolation -e '.[dev]'
  ""$VENV"/bin/python" scripts/lib/lock_diff.py "$DEV_LOCK"
else
  say "Python environment"
  dev_venv
fi
# checkov scans the shipped deployments (tests/integration/test_deploy_scans.py); its own venv.
scan_venv

say "Services the tests need"
# Redis: the one at LIFEWORLD_TEST_REDIS_URL or 127.0.0.1:6379, else a redis-server we start here.
if [ -z "${LIFEWORLD_TEST_REDIS_URL:-}" ]; then
  if "$VENV"/bin/python -c 'import redis,sys; redis.Redis(socket_connect_timeout=1).ping()' 2>/dev/null; then
    export LIFEWORLD_TEST_REDIS_URL=redis://127.0.0.1:6379/0
  else
    command -v redis-server >/dev/null || apt_install redis-server || die "redis-server is needed for the cache tests and could not be installed: apt install redis-server"
    redis_dir=$(mktemp -d)
    redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" >/dev/null
    cleanups+=("kill \"\$(cat '$redis_dir/redis.pid' 2>/dev/null)\" 2>/dev/null || true")
    export LIFEWORLD_TEST_REDIS_URL=redis://127.0.0.1:6390/0
    for _ in $(seq 50); do "$VENV"/bin/python -c 'import redis; redis.Redis(port=6390).ping()' 2>/dev/null && break; sleep 0.1; done
  fi
fi
echo "  redis: $LIFEWORLD_TEST_REDIS_URL"
# PostgreSQL: LIFEWORLD_TEST_DATABASE_URL when set; otherwise the tests start the embedded server.
echo "  postgresql: ${LIFEWORLD_TEST_DATABASE_URL:-embedded (started by the tests)}"
# Chromium for the browser tests (Debian's package; Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || die "Chromium is needed for the browser tests: apt install chromium"
fi
echo "  chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
# axe-core for the accessibility browser test: the version tests/browser/package-lock.json pins,
# from the npm registry (never a CDN); the test fails and says so when it is missing.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] \
  || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || apt_install npm || die "npm is needed for the accessibility test: apt install npm"
  npm ci --prefix tests/browser --no-audit --no-fund --silent \
    || die "npm ci in tests/browser failed: see npm's message above"
fi
echo "  axe-core: $(node -p "require('./tests/browser/node_modules/axe-core/package.json').version" 2>/dev/null || echo missing)"
# certutil (libnss3-tools) gives the HTTPS browser test's Chromium the home CA in its NSS store;
# ip (iproute2) makes the network namespaces the mDNS test announces in.
if ! command -v certutil >/dev/null; then
  apt_install libnss3-tools || die "certutil is needed for the HTTPS browser test: apt install libnss3-tools"
fi
if ! command -v ip >/dev/null; then
  apt_install iproute2 || die "ip is needed for the mDNS test: apt install iproute2"
fi
# The replica tests run their own nginx and redis-server (Debian's packages) on free ports.
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null; then
  apt_install nginx || die "nginx is needed for the replica tests: apt install nginx"
fi
echo "  nginx: $( (nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1) | head -1)"
if ! command -v redis-server >/dev/null; then
  apt_install redis-server || die "redis-server is needed for the replica tests: apt install redis-server"
fi
# promtool validates /metrics; the observability test runs a real Prometheus (Debian's package).
if [ ! -x /usr/bin/promtool ] || [ ! -x /usr/bin/prometheus ]; then
  apt_install prometheus || die "Prometheus is needed for the metrics tests: apt install prometheus"
fi
echo "  prometheus: $(/usr/bin/prometheus --version 2>&1 | head -1)"
# kubectl renders deploy/kubernetes (`kubectl kustomize`). It comes with this machine image;
# Debian's own kubernetes-client is too old for kustomize v4+ files, and nothing is downloaded.
if ! command -v kubectl >/dev/null; then
  apt_install kubectl || echo "  kubectl: missing and not installable here: the manifest tests will fail and say so"
fi
echo "  kubectl: $(kubectl version --client 2>/dev/null | head -1 || echo missing)"

say "Lint and types"
"$VENV"/bin/ruff check src tests bench scripts
"$VENV"/bin/ruff format --check src tests bench scripts
"$VENV"/bin/mypy

say "Tests"
"$VENV"/bin/python -m pytest "$@"
