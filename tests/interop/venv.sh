#!/usr/bin/env bash
# Provisions the Python venv with pyarrow and DuckDB (pinned) under target/ and prints its path:
#
#   venv="$(bash tests/interop/venv.sh)"; "$venv/bin/python" tests/interop/check.py …
#
# Used by tests/interop/run.sh, tests/lake/run.sh and the Lambda's end-to-end partition test.
set -euo pipefail
ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/target/interop-venv"
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$ROOT/target"
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c 'import duckdb, pyarrow' 2>/dev/null; then
    "$VENV/bin/pip" install -q --disable-pip-version-check 'pyarrow==26.0.1' 'duckdb==2.0.0' >&2
fi
echo "$VENV"
