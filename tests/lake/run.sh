#!/usr/bin/env bash
# Partitioned tables, read as a query engine reads them: converts the lake fixtures (records
# spanning hours, days and years; fixtures/lake/make_lake.py) and Elastic Load Balancing logs
# written here (an ALB log, gzip, and a CLB log, with microsecond times up to the last
# microsecond of an hour; tests/lake/make_elb.py) with `convert --partition-by hour|day`, once
# with one thread and once with two (the outputs must be byte-identical), and
# checks with DuckDB (`hive_partitioning = true`) that every partition filter returns exactly the
# rows whose time is in it (tests/lake/check.py). The Lambda's side of the same check is the
# end-to-end test `partitions_query_exactly_with_duckdb` (examples/lambda/tests/e2e.rs).
#
#   bash tests/lake/run.sh        (after `cargo test`, which builds the converter)
set -euo pipefail
cd "$(dirname "$0")/../.."
CONVERT=target/debug/examples/convert
if [ ! -x "$CONVERT" ]; then
    cargo build -q --example convert
fi
VENV="$(bash tests/interop/venv.sh)"
OUT=target/lake/convert
ELB=target/lake/elb
rm -rf "$OUT" "$ELB"
"$VENV/bin/python" tests/lake/make_elb.py "$ELB"
# fixture, table folder, time column, a column unique per record, expected counts
TABLES=(
    "s3 s3-access time request_id fixtures/lake/expected.json"
    "realtime cloudfront-realtime timestamp x_edge_request_id fixtures/lake/expected.json"
    "standard cloudfront-standard timestamp x_edge_request_id fixtures/lake/expected.json"
    "alb alb-access time trace_id $ELB/expected.json"
    "clb clb-access time request_url $ELB/expected.json"
)
for granularity in hour day; do
    for threads in 1 2; do
        dir="$OUT/$granularity-threads-$threads"
        "$CONVERT" --quiet --partition-by "$granularity" --threads "$threads" \
            fixtures/lake/s3.log fixtures/lake/standard.log -o "$dir/"
        "$CONVERT" --quiet --partition-by "$granularity" --threads "$threads" \
            --format cloudfront-realtime --fields @fixtures/lake/realtime.fields \
            fixtures/lake/realtime.log -o "$dir/"
        # Detected from their first lines.
        "$CONVERT" --quiet --partition-by "$granularity" --threads "$threads" \
            "$ELB/alb.log.gz" "$ELB/clb.log" -o "$dir/"
    done
    diff -r "$OUT/$granularity-threads-1" "$OUT/$granularity-threads-2"
    for table in "${TABLES[@]}"; do
        read -r fixture format time id expected <<<"$table"
        "$VENV/bin/python" tests/lake/check.py "$OUT/$granularity-threads-1/$format" \
            --expected "$expected" --fixture "$fixture" \
            --granularity "$granularity" --time "$time" --id "$id"
    done
    for format in s3-access alb-access; do
        if [ -z "$(ls -A "$OUT/$granularity-threads-1/_rejects/$format" 2>/dev/null)" ]; then
            echo "lake: no rejects under _rejects/$format (its log has one)" >&2
            exit 1
        fi
    done
done
echo "lake: the converter's partitioned tables are exact, and the same with 1 and 2 threads"
