#!/usr/bin/env bash
# Peak RSS of the Lambda function (release build, under a local runtime API, against moto) on
# large objects: CloudFront real-time gzip objects of 32 MB and 50 MB of text, a 100 MB plain
# S3 access log (then all three twice in one warm process), and a 1 GB plain S3 access log
# (with MAX_OBJECT_BYTES raised above it; its own run, without the warm round).
# Then objects whose records span many partitions (the function writes one Parquet file per
# partition): the 32 MB real-time object with its records spread over 48 hours (interleaved,
# the worst case for the writers, and in time order), a 10 MB S3 access log whose records
# fall in 2,000 hours between 2012 and 2025 (2,000 files: against moto this takes a while),
# and a 500 MB S3 access log over 8 hours, interleaved (the writers' worst case).
#   examples/lambda/measure-memory.sh          # all
#   SKIP_1GB=1 examples/lambda/measure-memory.sh
#   ONLY_PARTITIONS=1 examples/lambda/measure-memory.sh   # only the many-partition objects
#   IN_MEMORY_OBJECT_BYTES=0 examples/lambda/measure-memory.sh   # every object streamed (by
#       default objects of at most 32 MiB as stored are read whole into memory)
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
if [ "${SKIP_1GB:-0}" != 1 ] && [ "${ONLY_PARTITIONS:-0}" != 1 ] && [ ! -f "$dir/s3-1GB.log" ]; then
    "$gen" --format s3 --size 1GB -o "$dir/s3-1GB.log"
fi
# Records spread over many partitions: the generated times rewritten (deterministically).
spread() { # MODE INPUT OUTPUT
    "$(examples/lambda/tools.sh)/bin/python" - "$@" <<'PY'
import gzip, random, re, sys, time
mode, src, dst = sys.argv[1:4]
rng = random.Random(7)
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rt") as f:
    lines = f.readlines()
n = len(lines)
base = 1764460800  # 2025-11-30T00:00:00Z
out = []
if mode in ("rt-48h-interleaved", "rt-48h-ordered"):
    for i, line in enumerate(lines):
        if mode == "rt-48h-interleaved":
            t = base + (i % 48) * 3600 + (i // 48) % 3600
        else:
            t = base + i * 48 * 3600 // n
        head, _, rest = line.partition("\t")
        out.append(f"{t}.{head.split('.')[-1]}\t{rest}")
    with gzip.open(dst, "wt", compresslevel=6) as f:
        f.writelines(out)
elif mode == "s3-2000h":
    first, last = 1325376000, 1767225600  # 2012-01-01, 2026-01-01
    hours = rng.sample(range((last - first) // 3600), 2000)
    stamp = re.compile(r"\[[^\]]+\]")
    for line in lines:
        t = first + rng.choice(hours) * 3600 + rng.randrange(3600)
        text = time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime(t))
        out.append(stamp.sub(text, line, count=1))
    with open(dst, "w") as f:
        f.writelines(out)
elif mode == "s3-8h":
    stamp = re.compile(r"\[[^\]]+\]")
    with open(dst, "w") as f:
        for i, line in enumerate(lines):
            t = base + (i % 8) * 3600 + (i // 8) % 3600
            text = time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime(t))
            f.write(stamp.sub(text, line, count=1))
PY
}
[ -f "$dir/realtime-48h-interleaved.gz" ] || spread rt-48h-interleaved "$dir/realtime-32MB.gz" "$dir/realtime-48h-interleaved.gz"
[ -f "$dir/realtime-48h-ordered.gz" ] || spread rt-48h-ordered "$dir/realtime-32MB.gz" "$dir/realtime-48h-ordered.gz"
if [ ! -f "$dir/s3-2000h.log" ]; then
    "$gen" --format s3 --size 10MB -o "$dir/s3-10MB.log"
    spread s3-2000h "$dir/s3-10MB.log" "$dir/s3-2000h.log"
    rm "$dir/s3-10MB.log"
fi
if [ ! -f "$dir/s3-8h.log" ]; then
    "$gen" --format s3 --size 500MB -o "$dir/s3-500MB.log"
    spread s3-8h "$dir/s3-500MB.log" "$dir/s3-8h.log"
    rm "$dir/s3-500MB.log"
fi
ls -l "$dir"
CLOUDFRONT_REALTIME_FIELDS="$("$gen" --format cloudfront-realtime --print-fields)"
export CLOUDFRONT_REALTIME_FIELDS
if [ "${ONLY_PARTITIONS:-0}" != 1 ]; then
    LAMBDA_MEMORY_INPUTS="cloudfront-realtime/2026/11/30/10/batch-32MB.gz=$dir/realtime-32MB.gz cloudfront-realtime/2026/11/30/10/batch-50MB.gz=$dir/realtime-50MB.gz cache-bucket/2026-11-30-10-00-00-ABCDEF=$dir/s3.log" \
        cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
fi
# Many partitions: one file per hour the records fall in.
LAMBDA_MEMORY_INPUTS="cloudfront-realtime/2026/11/30/10/batch-48h-interleaved.gz=$dir/realtime-48h-interleaved.gz cloudfront-realtime/2026/11/30/10/batch-48h-ordered.gz=$dir/realtime-48h-ordered.gz cache-bucket/2026-11-30-12-00-00-8h=$dir/s3-8h.log cache-bucket/2026-11-30-12-00-00-2000h=$dir/s3-2000h.log" \
    LAMBDA_MEMORY_SKIP_WARM=1 LAMBDA_MEMORY_TIMEOUT_S=1800 \
    cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
if [ "${SKIP_1GB:-0}" != 1 ] && [ "${ONLY_PARTITIONS:-0}" != 1 ]; then
    LAMBDA_MEMORY_INPUTS="cache-bucket/2026-11-30-11-00-00-1GB=$dir/s3-1GB.log" \
        MAX_OBJECT_BYTES=2000000000 LAMBDA_MEMORY_SKIP_WARM=1 \
        cargo test --release -p aws-access-logs-lambda --test e2e -- --ignored --nocapture peak_memory
fi
