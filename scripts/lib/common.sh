# Shared by the scripts in scripts/: messages, installing Debian packages, the dev environment.
# Sourced, never run; the caller has already cd'ed to the project root and set PYTHON.

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

# dev_venv: .venv with the package and its dev extras, reinstalled when pyproject.toml changes.
dev_venv() {
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local stamp=.venv/.lifeworld-dev-installed want
  want=$("$PYTHON" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    echo "$want" > "$stamp"
  fi
}
