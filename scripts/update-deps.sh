#!/usr/bin/env bash
# Refresh the lock to the newest versions pyproject.toml allows, then run the whole suite on them.
#   ./scripts/update-deps.sh             every package to its newest allowed version
#   ./scripts/update-deps.sh --keep      keep every pin; only add what pyproject.toml newly asks for
#                                        (after adding or changing a dependency)
#   ./scripts/update-deps.sh --package fastapi   upgrade one package (repeatable), keep the rest
# Review `git diff requirements/` and commit the lock with the change that needed it.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
. scripts/lib/common.sh

say "Python environment (for uv, from the current lock)"
dev_venv

options=(--upgrade)
case "${1:-}" in
  --keep) options=() ;;
  --package)
    options=()
    while [ "${1:-}" = "--package" ] && [ -n "${2:-}" ]; do options+=(--upgrade-package "$2"); shift 2; done ;;
  "") ;;
  *) die "unknown option $1 (see the top of this script)" ;;
esac

say "Compiling $DEV_LOCK and $APP_LOCK"
before=$(mktemp)
cp "$DEV_LOCK" "$before"
compile_locks "${options[@]}"
"$PYTHON" - "$before" "$DEV_LOCK" <<'PY'
import re, sys
pin = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
def pins(path):
    return {m[1].lower(): m[2] for m in map(pin.match, open(path)) if m}
old, new = pins(sys.argv[1]), pins(sys.argv[2])
changes = [f"  {n}: {old.get(n, '-')} -> {new.get(n, '-')}" for n in sorted(old.keys() | new.keys())
           if old.get(n) != new.get(n)]
print("\n".join(changes) if changes else "  no version changed")
PY
rm -f "$before"

say "The whole suite on the new lock"
exec ./scripts/test.sh
