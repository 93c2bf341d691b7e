#!/usr/bin/env bash
# Parquet size on realistic generated logs, next to gzip -6, zstd -19 and DuckDB's Parquet.
#
#   bash benches/size.sh [SIZE]        (default 100MB per format)
#
# Generates each format with `examples/generate` (seed 1), converts it with `examples/convert`
# (default settings: zstd level 3), has DuckDB write the same typed data (read back from our
# file) with `COPY ... TO ... (FORMAT parquet, COMPRESSION zstd)`, and prints a Markdown table.
# DuckDB and zstandard are installed with pip into a venv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-100MB}"
VENV=target/size-venv
DIR=target/size
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'duckdb==2.0.0' 'zstandard==0.23.0'
fi
cargo build -q --release --example generate --example convert
mkdir -p "$DIR"
FIELDS="$(target/release/examples/generate --format s3 --print-fields)"
for f in s3 cloudfront-realtime cloudfront-standard; do
    target/release/examples/generate --format "$f" --size "$SIZE" --seed 1 -o "$DIR/$f.log"
    extra=()
    if [ "$f" = cloudfront-realtime ]; then extra=(--fields "$FIELDS"); fi
    target/release/examples/convert --force "$DIR/$f.log" -o "$DIR/$f.parquet" "${extra[@]}" 2>"$DIR/$f.summary"
done
"$VENV/bin/python" - "$DIR" <<'PY'
import gzip, os, sys
import duckdb, zstandard

d = sys.argv[1]
# Incompressible random ids per record: S3 host id (56 random bytes) + request id (8 bytes);
# CloudFront edge request id (54 random base64url characters, 40.5 bytes).
ID_BYTES = {"s3": 64, "cloudfront-realtime": 40.5, "cloudfront-standard": 40.5}
print("| format | rows | raw | gzip -6 | zstd -19 | DuckDB Parquet (zstd) | ours (Parquet, zstd 3) | ours / raw | ours / gzip -6 | ours / DuckDB | random-id floor / raw |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for f in ["s3", "cloudfront-realtime", "cloudfront-standard"]:
    raw = open(f"{d}/{f}.log", "rb").read()
    gz = len(gzip.compress(raw, compresslevel=6))
    zs = len(zstandard.ZstdCompressor(level=19).compress(raw))
    ours = os.path.getsize(f"{d}/{f}.parquet")
    duck = f"{d}/{f}.duckdb.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{d}/{f}.parquet')) TO '{duck}' (FORMAT parquet, COMPRESSION zstd)")
    dk = os.path.getsize(duck)
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{d}/{f}.parquet')").fetchone()[0]
    floor = ID_BYTES[f] * rows
    mb = lambda n: f"{n / 1e6:.2f} MB"
    print(f"| {f} | {rows} | {mb(len(raw))} | {mb(gz)} | {mb(zs)} | {mb(dk)} | {mb(ours)} | {100 * ours / len(raw):.1f}% | {ours / gz:.2f} | {ours / dk:.2f} | {100 * floor / len(raw):.1f}% |")
PY
