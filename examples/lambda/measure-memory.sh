#!/usr/bin/env bash
# Peak RSS of the Lambda function (release build, under a local runtime API, against moto) on
# large objects: CloudFront real-time gzip objects of 5 MiB and of 50 MB of text, and a 100 MB
# plain S3 access log.
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
ls -l "$dir"
CLOUDFRONT_REALTIME_FIELDS="$("$gen" --format cloudfront-realtime --print-fields)"
export CLOUDFRONT_REALTIME_FIELDS
export LAMBDA_MEMORY_INPUTS="cloudfront-realtime/2026/11/30/10/batch-32MB.gz=$dir/realtime-32MB.gz cloudfront-realtime/2026/11/30/10/batch-50MB.gz=$dir/realtime-50MB.gz cache-bucket/2026-11-30-10-00-00-ABCDEF=$dir/s3.log"
cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
