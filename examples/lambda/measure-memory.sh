#!/usr/bin/env bash
# Peak RSS of the Lambda function (release build, under a local runtime API, against moto) on
# a 5 MiB gzip CloudFront real-time object and a 100 MB plain S3 access log.
set -euo pipefail
cd "$(dirname "$0")/../.."
examples/lambda/tools.sh >/dev/null
dir=target/lambda-measure
mkdir -p "$dir"
cargo build --release --example generate
gen=target/release/examples/generate
[ -f "$dir/s3.log" ] || "$gen" --format s3 --size 100MB -o "$dir/s3.log"
if [ ! -f "$dir/realtime.gz" ]; then
    "$gen" --format cloudfront-realtime --size 50MB -o "$dir/realtime.log"
    gzip -6 -c "$dir/realtime.log" > "$dir/realtime.gz"
    rm "$dir/realtime.log"
fi
ls -l "$dir"
export CLOUDFRONT_REALTIME_FIELDS="$("$gen" --format cloudfront-realtime --print-fields)"
export LAMBDA_MEMORY_INPUTS="cloudfront-realtime/2026/11/30/10/batch.gz=$dir/realtime.gz cache-bucket/2026-11-30-10-00-00-ABCDEF=$dir/s3.log"
cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
