#!/usr/bin/env bash
# One-command setup of Life World OS on this machine, then start it.
# Safe to run again: it only installs what is missing and then starts the app.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
MIN_FREE_MB=600

. scripts/lib/common.sh

say "Checking what this machine has"
command -v "$PYTHON" >/dev/null 2>&1 || die "Python 3.11 or newer is needed and '$PYTHON' was not found.
  Debian/Ubuntu: sudo apt install python3 python3-venv   macOS: brew install python@3.12"
"$PYTHON" - <<'PY' || die "Python 3.11 or newer is needed (found $("$PYTHON" -V 2>&1)). Install a newer Python, or run with PYTHON=/path/to/python3.11"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
ok "$("$PYTHON" -V)"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || die "Python's venv module is missing.
  Debian/Ubuntu: sudo apt install python3-venv"

free_mb=$(df -Pm "$ROOT" | awk 'NR==2 {print $4}')
if [ "${free_mb:-0}" -lt "$MIN_FREE_MB" ]; then
  die "only ${free_mb} MB free on the disk holding $ROOT; at least ${MIN_FREE_MB} MB are needed."
fi
ok "${free_mb} MB free on disk"

setting() {  # the value of a setting: environment first, then .env, then the default
  local name=$1 default=$2 value=${!1:-}
  if [ -z "$value" ] && [ -f .env ]; then
    value=$(sed -n "s/^${name}=//p" .env | tail -n 1)
  fi
  printf '%s' "${value:-$default}"
}
PORT=$(setting LIFEWORLD_PORT 5173)
HOST=$(setting LIFEWORLD_HOST 0.0.0.0)
if ! "$PYTHON" - "$HOST" "$PORT" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((host, port))
except OSError:
    sys.exit(1)
PY
then
  die "port $PORT is already in use (is Life World OS already running?).
  Stop the other program, or pick another port: LIFEWORLD_PORT=5174 ./scripts/setup-mvp.sh"
fi
ok "port $PORT is free"

say "Installing Life World OS into .venv"
# The locked versions, hash-checked. A developer's .venv (the dev lock: the same versions and
# the tools) serves as it is.
if venv_matches .venv "$APP_LOCK" || venv_matches .venv "$DEV_LOCK"; then
  ok "already installed"
else
  locked_venv .venv "$APP_LOCK"
  ok "installed the locked versions ($APP_LOCK)"
fi

say "Settings"
if [ -f .env ]; then
  ok ".env exists (kept as it is)"
else
  secret=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')
  sed "s|^LIFEWORLD_SECRET_KEY=.*|LIFEWORLD_SECRET_KEY=${secret}|" .env.example > .env
  chmod 600 .env
  ok "wrote .env with a new secret key"
fi

say "Database"
.venv/bin/lifeworld setup

say "Starting Life World OS"
exec .venv/bin/lifeworld serve
