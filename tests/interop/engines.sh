#!/usr/bin/env bash
# Provisions the query engines of the interop test and prints the venv's path:
#
#   venv="$(bash tests/interop/engines.sh)"; "$venv/bin/python" tests/interop/check.py …
#
# * a Java runtime for Spark: openjdk-17-jre-headless (or 21, or default-jre-headless, whichever
#   the release has) from Debian's packages (apt-get, as root),
#   only when `java` is missing or older than 17 (Spark 4 needs Java 17 or later; pyspark 4.3.0's
#   classes are Java 17 class files);
# * the venv of tests/interop/venv.sh (pyarrow, DuckDB), to which it adds pyspark, Polars and
#   sqlglot from PyPI, pinned. pyspark 4.3.0 needs Python 3.11 or later (Debian 12's python3).
#
# Kept apart from venv.sh, which the lake and Lambda tests use: pyspark is a ~300 MB download
# (~500 MB installed) that only the interop test needs. Idempotent and quiet: a second run checks
# the versions and installs nothing.
set -euo pipefail
ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
PINS=(pyspark==4.3.0 polars==2.1.0 sqlglot==30.31.0)
JAVA_MIN=17

java_major() {
    # `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_402") to stderr.
    java -version 2>&1 | sed -n 's/.* version "\([0-9][0-9.]*\).*/\1/p' | head -n1 |
        awk -F. '{ print ($1 == 1 ? $2 : $1) }'
}
major="$(command -v java >/dev/null && java_major || true)"
if [ -z "$major" ] || [ "$major" -lt "$JAVA_MIN" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # Debian 12 ships openjdk-17; later releases ship 21 (and default-jre-headless follows the
    # release's default), any of which Spark 4 runs on.
    for package in openjdk-17-jre-headless openjdk-21-jre-headless default-jre-headless; do
        if apt-cache show "$package" >/dev/null 2>&1; then
            echo "engines: java ${major:-missing}, installing $package" >&2
            apt-get install -y -qq --no-install-recommends "$package" >/dev/null
            break
        fi
    done
    hash -r
    major="$(java_major)"
    if [ -z "$major" ] || [ "$major" -lt "$JAVA_MIN" ]; then
        echo "engines: java is $major after the install; Spark needs $JAVA_MIN or later (make it" \
            "the default: update-alternatives --config java)" >&2
        exit 1
    fi
fi

VENV="$(bash "$ROOT/tests/interop/venv.sh")"
if ! "$VENV/bin/python" - "${PINS[@]}" <<'EOF' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
EOF
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}" >&2
fi
echo "$VENV"
