#!/usr/bin/env bash
# The converter next to DuckDB and Polars on the same generated logs (about a million lines
# each): raw text -> typed Parquet with zstd, whole process, wall time and peak RSS
# (/usr/bin/time). DuckDB and Polars are installed with pip into a venv under target/.
#
#   bash benches/compare.sh            (S3_SIZE / RT_SIZE to change the input sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
S3_SIZE=${S3_SIZE:-660MB}
RT_SIZE=${RT_SIZE:-815MB}
DIR=target/compare
VENV=target/compare-venv
mkdir -p "$DIR"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check 'duckdb==2.0.0' 'polars==2.1.0'
cargo build -q --release --example generate --example convert
GEN=target/release/examples/generate
CONVERT=target/release/examples/convert
FIELDS=$("$GEN" --format cloudfront-realtime --print-fields)
[ -f "$DIR/s3.log" ] || "$GEN" --format s3 --size "$S3_SIZE" -o "$DIR/s3.log"
[ -f "$DIR/realtime.log" ] || "$GEN" --format cloudfront-realtime --size "$RT_SIZE" -o "$DIR/realtime.log"

rows_of() { "$VENV/bin/python" -c "import duckdb; print(duckdb.sql(\"SELECT count(*) FROM '$1'\").fetchall()[0][0])"; }

# run NAME FORMAT INPUT OUTPUT COMMAND...: prints "NAME|FORMAT|MB/s|peak MB|rows|seconds",
# the rows counted in OUTPUT (a Parquet file the command wrote).
run() {
    local name=$1 format=$2 input=$3 output=$4
    shift 4
    local stats seconds kb bytes rows
    stats=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$stats" "$@" >/dev/null 2>&1
    read -r seconds kb < "$stats"
    rm -f "$stats"
    bytes=$(stat -c %s "$input")
    rows=$(rows_of "$output")
    awk -v n="$name" -v f="$format" -v b="$bytes" -v s="$seconds" -v k="$kb" -v r="$rows" \
        'BEGIN { printf "%s|%s|%.0f|%.0f|%s|%.2f\n", n, f, b / 1e6 / s, k * 1024 / 1e6, r, s }'
}

results=$(
    for threads in 1 2; do
        run "aws-access-logs convert --threads $threads" s3 "$DIR/s3.log" "$DIR/s3-ours.parquet" \
            "$CONVERT" -q --force --threads "$threads" "$DIR/s3.log" -o "$DIR/s3-ours.parquet"
        run "aws-access-logs convert --threads $threads" realtime "$DIR/realtime.log" \
            "$DIR/rt-ours.parquet" "$CONVERT" -q --force --threads "$threads" \
            --format cloudfront-realtime --fields "$FIELDS" "$DIR/realtime.log" \
            -o "$DIR/rt-ours.parquet"
    done
    for tool in duckdb polars; do
        run "$tool" s3 "$DIR/s3.log" "$DIR/s3-$tool.parquet" \
            "$VENV/bin/python" benches/compare.py "$tool" s3 "$DIR/s3.log" "$DIR/s3-$tool.parquet"
        run "$tool" realtime "$DIR/realtime.log" "$DIR/rt-$tool.parquet" \
            "$VENV/bin/python" benches/compare.py "$tool" cloudfront-realtime \
            "$DIR/realtime.log" "$DIR/rt-$tool.parquet" "$FIELDS"
    done
)
lines_s3=$(wc -l < "$DIR/s3.log")
lines_rt=$(wc -l < "$DIR/realtime.log")
echo "inputs: S3 access log $(stat -c %s "$DIR/s3.log") bytes, $lines_s3 lines;" \
    "CloudFront real-time $(stat -c %s "$DIR/realtime.log") bytes, $lines_rt lines"
echo "$(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| tool | S3 access log | CloudFront real-time |"
echo "|---|---:|---:|"
echo "$results" | awk -F'|' '
    { key = $1; if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
      cell[key, $2] = sprintf("%s MB/s, %s MB peak, %s rows", $3, $4, $5) }
    END { for (i = 1; i <= n; i++) printf "| %s | %s | %s |\n", order[i], cell[order[i], "s3"], cell[order[i], "realtime"] }'
