#!/usr/bin/env bash
# Peak RSS of the Lambda function (release build, under a local runtime API, against moto) on
# large objects: CloudFront real-time gzip objects of 32 MB and 50 MB of text, a 100 MB plain
# S3 access log (then all three twice in one warm process), and a 1 GB plain S3 access log
# (with MAX_OBJECT_BYTES raised above it; its own run, without the warm round).
#   examples/lambda/measure-memory.sh          # all
#   SKIP_1GB=1 examples/lambda/measure-memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
examples/lambda/tools.sh >/dev/null
dir="$PWD/target/lambda-measure"
mkdir -p "$dir"
cargo build --release --example generate
gen=target/release/examples/generate
[ -f "$dir/s3.log" ] || "$gen" --format s3 --size 100MB -o "$dir/s3.log"
for size in 32MB 50MB; do
    if [ ! -f "$dir/realtime-$size.gz" ]; then
        "$gen" --format cloudfront-realtime --size "$size" -o "$dir/realtime.log"
        gzip -6 -c "$dir/realtime.log" > "$dir/realtime-$size.gz"
        rm "$dir/realtime.log"
    fi
done
if [ "${SKIP_1GB:-0}" != 1 ] && [ ! -f "$dir/s3-1GB.log" ]; then
    "$gen" --format s3 --size 1GB -o "$dir/s3-1GB.log"
fi
ls -l "$dir"
CLOUDFRONT_REALTIME_FIELDS="$("$gen" --format cloudfront-realtime --print-fields)"
export CLOUDFRONT_REALTIME_FIELDS
LAMBDA_MEMORY_INPUTS="cloudfront-realtime/2026/11/30/10/batch-32MB.gz=$dir/realtime-32MB.gz cloudfront-realtime/2026/11/30/10/batch-50MB.gz=$dir/realtime-50MB.gz cache-bucket/2026-11-30-10-00-00-ABCDEF=$dir/s3.log" \
    cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
if [ "${SKIP_1GB:-0}" != 1 ]; then
    LAMBDA_MEMORY_INPUTS="cache-bucket/2026-11-30-11-00-00-1GB=$dir/s3-1GB.log" \
        MAX_OBJECT_BYTES=2000000000 LAMBDA_MEMORY_SKIP_WARM=1 \
        cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
fi
