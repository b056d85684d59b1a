#!/usr/bin/env bash
# Measure the whole app in one command: speed, cost and scale (see bench/ and README "Performance").
#   ./scripts/bench.sh                      the full run (about 15 minutes)
#   ./scripts/bench.sh --quick              every scenario briefly (under 3 minutes)
#   ./scripts/bench.sh --compare bench/results/<earlier>.json
#   ./scripts/bench.sh --help               every option
# PostgreSQL: LIFEWORLD_BENCH_DATABASE_URL (a server the bench may create and drop a database on),
# else the embedded PostgreSQL in a temporary directory. Redis: LIFEWORLD_BENCH_REDIS_URL, else a
# redis-server the bench starts on a free port. Loads go to 127.0.0.1 only and end on their own.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "${_apt_updated:-}" ]; then as_root apt-get update -qq || return 1; _apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

say "Python environment"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.lifeworld-dev-installed
want=$("$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi

say "Load generator and Redis"
if ! command -v wrk >/dev/null && [ ! -x /usr/bin/wrk ]; then
  apt_install wrk || die "wrk is needed to drive the load: apt install wrk"
fi
echo "  wrk: $( (wrk --version 2>&1 || /usr/bin/wrk --version 2>&1) | head -1)"
if [ -z "${LIFEWORLD_BENCH_REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then
  apt_install redis-server || die "redis-server is needed for hybrid mode (or pass --modes postgres)"
fi
# Only where they come from is printed: the URLs may hold passwords.
if [ -n "${LIFEWORLD_BENCH_DATABASE_URL:-}" ]; then where=LIFEWORLD_BENCH_DATABASE_URL; else where="embedded, in a temporary directory"; fi
echo "  postgresql: $where"
if [ -n "${LIFEWORLD_BENCH_REDIS_URL:-}" ]; then where=LIFEWORLD_BENCH_REDIS_URL; else where="a redis-server of its own on a free port"; fi
echo "  redis: $where"

say "Bench"
exec .venv/bin/python -m bench "$@"
