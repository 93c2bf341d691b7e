#!/usr/bin/env bash
# The converter next to DuckDB and Polars on the same generated logs (about a million lines
# each): raw text -> typed Parquet with zstd, whole process, wall time and peak RSS
# (/usr/bin/time). DuckDB and Polars are installed with pip into a venv under target/.
# ALB access logs are read by DuckDB and Polars with the regular expression of AWS's Athena
# documentation (benches/compare.py); the rows column says how many lines each tool kept.
#
#   bash benches/compare.sh            (S3_SIZE / RT_SIZE / ALB_SIZE to change the input sizes,
#                                       FORMATS="alb" to run some of s3, realtime and alb only,
#                                       COMPARE_DIR for another folder of inputs and outputs)
set -euo pipefail
cd "$(dirname "$0")/.."
S3_SIZE=${S3_SIZE:-660MB}
RT_SIZE=${RT_SIZE:-815MB}
ALB_SIZE=${ALB_SIZE:-665MB}
FORMATS=${FORMATS:-s3 realtime alb}
DIR=${COMPARE_DIR:-target/compare}
VENV=target/compare-venv
mkdir -p "$DIR"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check 'duckdb==2.0.0' 'polars==2.1.0'
cargo build -q --release --example generate --example convert
GEN=target/release/examples/generate
CONVERT=target/release/examples/convert
FIELDS=$("$GEN" --format cloudfront-realtime --print-fields)

# The input of each format (FORMATS names them), its --format, its generator size, its label.
declare -A INPUT=([s3]="$DIR/s3.log" [realtime]="$DIR/realtime.log" [alb]="$DIR/alb.log")
declare -A CONVERT_FORMAT=([s3]=s3 [realtime]=cloudfront-realtime [alb]=alb)
declare -A SIZE=([s3]="$S3_SIZE" [realtime]="$RT_SIZE" [alb]="$ALB_SIZE")
declare -A LABEL=([s3]="S3 access log" [realtime]="CloudFront real-time" [alb]="ALB access log")
read -r -a formats <<< "$FORMATS"
for f in "${formats[@]}"; do
    [ -n "${INPUT[$f]:-}" ] || { echo "unknown format $f (s3, realtime, alb)" >&2; exit 2; }
    [ -f "${INPUT[$f]}" ] || "$GEN" --format "${CONVERT_FORMAT[$f]}" --size "${SIZE[$f]}" -o "${INPUT[$f]}"
done

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
        'BEGIN { mbs = b / 1e6 / s
                 printf "%s|%s|%." (mbs < 10 ? 1 : 0) "f|%.0f|%s|%.2f\n", n, f, mbs, k * 1024 / 1e6, r, s }'
}

results=$(
    for threads in 1 2; do
        for f in "${formats[@]}"; do
            extra=()
            if [ "$f" = realtime ]; then extra=(--fields "$FIELDS"); fi
            run "aws-access-logs convert --threads $threads" "$f" "${INPUT[$f]}" \
                "$DIR/$f-ours.parquet" "$CONVERT" -q --force --threads "$threads" \
                --format "${CONVERT_FORMAT[$f]}" "${extra[@]}" "${INPUT[$f]}" \
                -o "$DIR/$f-ours.parquet"
        done
    done
    for tool in duckdb polars; do
        for f in "${formats[@]}"; do
            extra=()
            if [ "$f" = realtime ]; then extra=("$FIELDS"); fi
            run "$tool" "$f" "${INPUT[$f]}" "$DIR/$f-$tool.parquet" \
                "$VENV/bin/python" benches/compare.py "$tool" "${CONVERT_FORMAT[$f]}" \
                "${INPUT[$f]}" "$DIR/$f-$tool.parquet" "${extra[@]}"
        done
    done
)
inputs=()
for f in "${formats[@]}"; do
    inputs+=("${LABEL[$f]} $(stat -c %s "${INPUT[$f]}") bytes, $(wc -l < "${INPUT[$f]}") lines")
done
(IFS=';'; echo "inputs: ${inputs[*]}" | sed 's/;/; /g')
echo "$(nproc) cores, $(date -u +%Y-%m-%d)"
echo
header="| tool |"
rule="|---|"
for f in "${formats[@]}"; do
    header+=" ${LABEL[$f]} |"
    rule+="---:|"
done
echo "$header"
echo "$rule"
echo "$results" | awk -F'|' -v formats="${formats[*]}" '
    { key = $1; if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
      cell[key, $2] = sprintf("%s MB/s (%s s), %s MB peak, %s rows", $3, $6, $4, $5) }
    END { k = split(formats, f, " ")
          for (i = 1; i <= n; i++) {
              line = "| " order[i] " |"
              for (j = 1; j <= k; j++) line = line " " cell[order[i], f[j]] " |"
              print line
          } }'
