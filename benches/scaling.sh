#!/usr/bin/env bash
# How the converter scales from one core to two, on generated 1 GB logs (whole process, wall
# time and peak RSS by /usr/bin/time), in rounds that alternate the runs so that a noisy
# neighbour hits all of them alike:
#
#   * one input, `--threads 1` and `--threads 2` (S3 access log and CloudFront real-time);
#   * two independent `--threads 1` conversions of that input at once: what two cores give to
#     work that shares nothing (the ceiling for any two-thread speed-up on this machine);
#   * the S3 log as 40 files of 25 MB in a directory, `--threads 1` and `--threads 2`
#     (converted side by side, one file per thread).
#
# Outputs of one and two threads are compared byte for byte. Before each timed run the input is
# read once (so that it comes from the page cache, not the disk: this machine's cache drops files
# within minutes), the run's old output is removed (ext4 flushes a file that is renamed over
# another at once, in the renaming thread) and `sync` writes back what earlier runs left dirty.
#
#   bash benches/scaling.sh [ROUNDS]     (3 by default; inputs stay in target/compare/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DIR=target/compare
OUT=target/compare/scaling
mkdir -p "$DIR" "$OUT"
cargo build -q --release --example generate --example convert
GEN=target/release/examples/generate
CONVERT=target/release/examples/convert
FIELDS=$("$GEN" --format cloudfront-realtime --print-fields)
[ -f "$DIR/s3-1GB.log" ] || "$GEN" --format s3 --size 1GB -o "$DIR/s3-1GB.log"
[ -f "$DIR/rt-1GB.log" ] || "$GEN" --format cloudfront-realtime --size 1GB -o "$DIR/rt-1GB.log"
if [ ! -d "$DIR/s3-40" ]; then
    mkdir -p "$DIR/s3-40.tmp"
    (cd "$DIR/s3-40.tmp" && split -n l/40 -d -a 2 --additional-suffix=.log ../s3-1GB.log part)
    mv "$DIR/s3-40.tmp" "$DIR/s3-40"
fi

# prepare INPUT OUTPUT...: reads INPUT (a file or a directory of files) into the page cache,
# removes the OUTPUTs and writes back dirty pages.
prepare() {
    local input=$1
    shift
    if [ -d "$input" ]; then cat "$input"/* >/dev/null; else cat "$input" >/dev/null; fi
    rm -rf "$@"
    sync
}

# timed LABEL COMMAND...: prints "LABEL seconds peak-KiB".
timed() {
    local label=$1 stats
    shift
    stats=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$stats" "$@" >/dev/null 2>&1
    echo "$label $(cat "$stats")"
    rm -f "$stats"
}

# convert_args FORMAT: the converter's arguments for one input of FORMAT.
convert_args() {
    case $1 in
    s3) echo "$DIR/s3-1GB.log" ;;
    rt) echo "--fields $FIELDS $DIR/rt-1GB.log" ;;
    esac
}

results=$(
    for round in $(seq "$ROUNDS"); do
        for format in s3 rt; do
            # shellcheck disable=SC2046
            set -- $(convert_args "$format")
            input=${*: -1}
            for threads in 1 2; do
                prepare "$input" "$OUT/$format-t$threads.parquet"
                timed "$round $format t$threads" "$CONVERT" -q --force --threads "$threads" \
                    -o "$OUT/$format-t$threads.parquet" "$@"
            done
            prepare "$input" "$OUT/pair-a.parquet" "$OUT/pair-b.parquet"
            timed "$round $format pair" bash -c '"$@" -o "'"$OUT"'/pair-a.parquet" &
                "$@" -o "'"$OUT"'/pair-b.parquet"; wait' _ "$CONVERT" -q --force --threads 1 "$@"
            cmp -s "$OUT/$format-t1.parquet" "$OUT/$format-t2.parquet" ||
                echo "$round $format DIFFERENT 0 0"
        done
        for threads in 1 2; do
            prepare "$DIR/s3-40" "$OUT/s3-40-t$threads"
            timed "$round files t$threads" "$CONVERT" -q --force --threads "$threads" \
                -o "$OUT/s3-40-t$threads" "$DIR/s3-40"
        done
        diff -rq "$OUT/s3-40-t1" "$OUT/s3-40-t2" >/dev/null || echo "$round files DIFFERENT 0 0"
    done
)
if grep -q DIFFERENT <<<"$results"; then
    grep DIFFERENT <<<"$results" >&2
    echo "outputs of one and two threads differ" >&2
    exit 1
fi

echo "$(nproc) cores, $(date -u +%Y-%m-%d); $ROUNDS rounds; outputs of 1 and 2 threads identical"
echo
echo "| input | round | --threads 1 | --threads 2 | speed-up | two one-thread runs at once | their speed-up | peak RSS (1 / 2 threads) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk '
    { t[$1, $2, $3] = $4; m[$1, $2, $3] = $5; rounds = ($1 > rounds ? $1 : rounds) }
    END {
        name["s3"] = "S3 access log, 1 GB"; name["rt"] = "CloudFront real-time, 1 GB"
        name["files"] = "S3, 40 files of 25 MB"
        split("s3 rt files", inputs, " ")
        for (i = 1; i <= 3; i++) for (r = 1; r <= rounds; r++) {
            k = inputs[i]; one = t[r, k, "t1"]; two = t[r, k, "t2"]; pair = t[r, k, "pair"]
            printf "| %s | %d | %.2f s | %.2f s | %.2fx | %s | %s | %.0f / %.0f MB |\n",
                name[k], r, one, two, one / two,
                (pair == "" ? "" : sprintf("%.2f s", pair)),
                (pair == "" ? "" : sprintf("%.2fx", 2 * one / pair)),
                m[r, k, "t1"] * 1024 / 1e6, m[r, k, "t2"] * 1024 / 1e6
        }
    }' <<<"$results"
