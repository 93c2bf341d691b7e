#!/usr/bin/env bash
# Interoperability: converts a fixture of every format with the converter and checks that
# pyarrow and DuckDB read each file with the documented column types and the right row count.
#
#   bash tests/interop/run.sh        (after `cargo test`, which builds the converter)
#
# pyarrow and DuckDB are installed with pip into a venv under target/.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/interop
CONVERT=target/debug/examples/convert
if [ ! -x "$CONVERT" ]; then
    cargo build -q --example convert
fi
VENV="$(bash tests/interop/venv.sh)"
mkdir -p "$OUT"
"$CONVERT" --force fixtures/s3/quirks.log -o "$OUT/s3.parquet" 2>/dev/null
"$CONVERT" --force --format cloudfront-realtime --fields @fixtures/cloudfront/realtime.config.json \
    fixtures/cloudfront/realtime.log -o "$OUT/realtime.parquet" 2>/dev/null
"$CONVERT" --force fixtures/cloudfront/standard-33.log -o "$OUT/standard-33.parquet" 2>/dev/null
"$CONVERT" --force fixtures/cloudfront/standard-v2.log -o "$OUT/standard-v2.parquet" 2>/dev/null
gzip -c fixtures/cloudfront/standard-24.log > "$OUT/standard-24.log.gz"
"$CONVERT" --force "$OUT/standard-24.log.gz" -o "$OUT/standard-24.parquet" 2>/dev/null
"$VENV/bin/python" tests/interop/check.py "$OUT"
