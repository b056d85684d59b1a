#!/usr/bin/env bash
# Fuzz the HTTP API with Schemathesis: every operation of the app's own OpenAPI document, signed
# in with an API token, against a real app process on 127.0.0.1 with a database of its own. Every
# answer must be free of 5xx and match the document (status, content type, headers, body schema).
#
# ./scripts/test.sh runs the same tests with 12 examples per operation; this runs many more:
#   ./scripts/fuzz.sh                 500 examples per operation (about 15 minutes on 2 vCPUs)
#   ./scripts/fuzz.sh 2000            any number
#   ./scripts/fuzz.sh 300 -k places   pytest arguments after the number narrow the run
# Set LIFEWORLD_TEST_DATABASE_URL to use a running PostgreSQL (else the embedded one starts).
set -euo pipefail

cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "error: no .venv yet: run ./scripts/test.sh once" >&2; exit 1; }
examples=${1:-500}
[ $# -gt 0 ] && shift
export LIFEWORLD_FUZZ_EXAMPLES=$examples
echo "==> Schemathesis, $examples examples per operation"
exec .venv/bin/python -m pytest tests/fuzz -p no:cacheprovider -q "$@"
