# Shared by the scripts in scripts/: messages, installing Debian packages, the dev environment.
# Sourced, never run; the caller has already cd'ed to the project root (PYTHON defaults to python3).
PYTHON=${PYTHON:-python3}

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
ok() { printf '  \033[32m✓\033[0m %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# apt_install PACKAGE...: Debian's packages, quietly; fails (status 1) where apt-get is missing.
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "${_apt_updated:-}" ]; then as_root apt-get update -qq || return 1; _apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The lock: hash-pinned requirements made by uv for every platform and Python >= 3.11
# (README "Development"). requirements/app.txt runs the app; requirements/dev.txt adds the tools.
APP_LOCK=requirements/app.txt
DEV_LOCK=requirements/dev.txt
# checkov, the deployments' static scan, has a lock and a venv of its own (requirements/scan.in).
SCAN_LOCK=requirements/scan.txt
SCAN_VENV=.venv-scan

# locked_venv DIR LOCK [EXTRAS]: a venv at DIR holding exactly LOCK's packages, hash-checked, and
# this project (editable). It is made anew when the lock or pyproject.toml changes, so nothing an
# older lock installed lingers.
locked_venv() {
  local dir=$1 lock=$2 extras=${3:-}
  venv_matches "$dir" "$lock" && return 0
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir" || die "could not create a virtual environment in $dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --only-binary :all: -r "$lock" \
    || die "installing the locked dependencies ($lock) failed: see pip's message above"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation -e ".$extras" \
    || die "installing Life World OS itself failed: see pip's message above"
  lock_digest "$lock" > "$dir/.lifeworld-lock"
}

lock_digest() {  # what a venv made from lock $1 records: the lock's name and both files' digest
  printf '%s ' "$1"
  cat "$1" pyproject.toml | "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}

venv_matches() {  # venv_matches DIR LOCK: DIR was made from LOCK as it is now, and works
  [ -f "$1/.lifeworld-lock" ] && [ "$(cat "$1/.lifeworld-lock")" = "$(lock_digest "$2")" ] \
    && "$1/bin/python" -c 'import lifeworld' 2>/dev/null
}

# dev_venv: .venv with the app, its dev tools and this project, exactly as the dev lock says.
dev_venv() { locked_venv .venv "$DEV_LOCK" "[dev]"; }

# scan_venv: .venv-scan with checkov alone, exactly as its lock says (not this project: checkov
# only reads files). Made anew when the lock changes.
scan_venv() {
  local stamp
  stamp=$(lock_digest "$SCAN_LOCK")
  if [ -f "$SCAN_VENV/.lifeworld-lock" ] && [ "$(cat "$SCAN_VENV/.lifeworld-lock")" = "$stamp" ] \
    && [ -x "$SCAN_VENV/bin/checkov" ]; then
    return 0
  fi
  rm -rf "$SCAN_VENV"
  "$PYTHON" -m venv "$SCAN_VENV" || die "could not create a virtual environment in $SCAN_VENV"
  "$SCAN_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --only-binary :all: -r "$SCAN_LOCK" \
    || die "installing checkov ($SCAN_LOCK) failed: see pip's message above"
  echo "$stamp" > "$SCAN_VENV/.lifeworld-lock"
}

# compile_locks [UV-OPTIONS]: rewrite the lock files from pyproject.toml and requirements/*.in
# (e.g. --upgrade for the newest allowed versions). The app's lock is cut from the dev lock, so
# both hold the same versions; the scan's lock is resolved on its own.
compile_locks() {
  local uv=.venv/bin/uv common=(--universal --python-version 3.11 --generate-hashes --quiet
    --custom-compile-command ./scripts/update-deps.sh)
  "$uv" pip compile pyproject.toml requirements/build.in requirements/tools.in --extra dev \
    "${common[@]}" -o "$DEV_LOCK" "$@"
  "$uv" pip compile pyproject.toml requirements/build.in -c "$DEV_LOCK" \
    "${common[@]}" -o "$APP_LOCK"
  "$uv" pip compile requirements/scan.in "${common[@]}" -o "$SCAN_LOCK" "$@"
}
