#!/usr/bin/env bash
# Provision the Python tools used by the Lambda example:
#   - moto_server: local S3 emulator for the integration tests
#   - cfn-lint:    linter for template.yaml
#
# The tools live in a virtual environment under target/ (ignored by git and
# removed by `cargo clean`). The script is idempotent: it only creates or
# repairs the venv when one of the tools is missing, and always prints the
# venv path on stdout so callers can do:
#
#   VENV="$(examples/lambda/tools.sh)"
#   "$VENV/bin/cfn-lint" examples/lambda/template.yaml
set -euo pipefail

# Pinned versions; bump deliberately.
MOTO_SPEC='moto[server]==5.2.5'
CFN_LINT_SPEC='cfn-lint==1.58.0'

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
VENV="$REPO_ROOT/target/lambda-venv"
PYTHON="${PYTHON:-python3}"

if [[ ! -x "$VENV/bin/moto_server" || ! -x "$VENV/bin/cfn-lint" ]]; then
    echo "tools.sh: creating Python venv at $VENV" >&2
    mkdir -p "$REPO_ROOT/target"
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PYTHON" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$MOTO_SPEC" "$CFN_LINT_SPEC" >&2
fi

echo "$VENV"
