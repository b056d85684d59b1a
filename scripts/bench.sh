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
. scripts/lib/common.sh

say "Python environment"
dev_venv

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
