#!/usr/bin/env bash
# Interoperability: the converter's Parquet read by the engines people query these logs with.
#
#   bash tests/interop/run.sh        (after `cargo test`, which builds the converter)
#
# Installs what it needs first (tests/interop/engines.sh: a Java runtime from Debian's packages
# if `java` is missing or older than 17; pyarrow, DuckDB, pyspark, Polars and sqlglot from PyPI,
# pinned, into the venv under target/interop-venv). Writes everything to target/interop/.
#
# Converts a fixture of every format (the S3 access log fixtures/s3/quirks.log; CloudFront
# real-time with its log configuration's field list; CloudFront standard with 33 fields, the v2
# field set, and 24 fields gzipped; the Elastic Load Balancing logs of tests/interop/elb/: ALB
# and NLB gzipped and detected, CLB and ALB connection logs plain with --format) three times: to
# one flat file, and with `--partition-by hour` and `--partition-by day` to Hive-partitioned
# tables. Then tests/interop/check.py asserts:
#
# * with pyarrow, DuckDB, Polars and Spark (local[2], session time zone UTC), for every file and
#   table: the column names; the engine's types (signed integers of the documented widths, never
#   a decimal; timestamps as UTC timestamps); every value of every row against the fixture's
#   hand-written *.expected.json, timestamps compared as epoch milliseconds (microseconds for the
#   Elastic Load Balancing logs, whose times have them; partitioned rows in
#   any order, as multisets, each row's year/month/day/hour equal to its UTC time, NULL without
#   a time);
# * no Parquet file written (flat or partitioned) has an unsigned integer logical type; the flat
#   files have statistics, page indexes, zstd and the converter's key-value metadata;
# * the Athena DDL of `convert --print-ddl athena` for each fixture's schema, by the hour and by
#   the day, parses in sqlglot's Athena dialect as a CREATE TABLE with the fixture's columns and
#   types and the partition columns; its partition projection's storage.location.template and
#   ranges name every partition folder the converter wrote;
# * Spark, with Hive support and a throwaway Derby metastore and warehouse under
#   target/interop/spark/, runs that DDL (located at the table folders written here; no line of
#   it translated, see SPARK_TRANSLATION in check.py), registers the partitions with
#   MSCK REPAIR TABLE (Spark has no partition projection) and returns every row from
#   `SELECT *` with the declared types, the table holding the DDL's properties unchanged.
#
# Takes about 30 s once installed (most of it Spark, one session for everything).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
OUT="$PWD/target/interop"
CONVERT=target/debug/examples/convert
if [ ! -x "$CONVERT" ]; then
    cargo build -q --example convert
fi
VENV="$(bash tests/interop/engines.sh)"
rm -rf "$OUT"
mkdir -p "$OUT/flat" "$OUT/ddl"
gzip -c fixtures/cloudfront/standard-24.log > "$OUT/standard-24.log.gz"
gzip -c tests/interop/elb/alb.log > "$OUT/alb.log.gz"
gzip -c tests/interop/elb/nlb.log > "$OUT/nlb.log.gz"
REALTIME=(--format cloudfront-realtime --fields @fixtures/cloudfront/realtime.config.json)

# name | table folder | the converter's arguments
CASES=(
    "s3|s3-access|fixtures/s3/quirks.log"
    "realtime|cloudfront-realtime|${REALTIME[*]} fixtures/cloudfront/realtime.log"
    "standard-33|cloudfront-standard|fixtures/cloudfront/standard-33.log"
    "standard-v2|cloudfront-standard|fixtures/cloudfront/standard-v2.log"
    "standard-24|cloudfront-standard|$OUT/standard-24.log.gz"
    "alb|alb-access|$OUT/alb.log.gz"
    "nlb|nlb-access|$OUT/nlb.log.gz"
    "clb|clb-access|--format clb tests/interop/elb/clb.log"
    "alb-connection|alb-connection|--format alb-connection tests/interop/elb/alb-connection.log"
)
# The DDL's arguments for each fixture's schema: the format, and the field list where there is one.
ddl_args() {
    case "$1" in
        s3) echo "--format s3" ;;
        realtime) echo "${REALTIME[*]}" ;;
        standard-*) echo "--format cloudfront-standard --fields @fixtures/cloudfront/$1.log" ;;
        alb | nlb | clb | alb-connection) echo "--format $1" ;;
    esac
}
# print_ddl NAME hour|day LOCATION TABLE
print_ddl() {
    # shellcheck disable=SC2046 # the arguments are words without spaces
    "$CONVERT" --print-ddl athena $(ddl_args "$1") --partition-by "$2" --location "$3" --table "$4"
}
for entry in "${CASES[@]}"; do
    IFS='|' read -r name table args <<<"$entry"
    # shellcheck disable=SC2086 # the arguments are words without spaces
    "$CONVERT" --quiet --force $args -o "$OUT/flat/$name.parquet"
    for granularity in hour day; do
        # shellcheck disable=SC2086
        "$CONVERT" --quiet --partition-by "$granularity" $args -o "$OUT/$granularity/$name/"
        print_ddl "$name" "$granularity" "s3://amzn-s3-demo-bucket/logs/$table/" \
            "${name//-/_}_$granularity" >"$OUT/ddl/$name.$granularity.sql"
        print_ddl "$name" "$granularity" "file://$OUT/$granularity/$name/$table/" \
            "interop_${name//-/_}_$granularity" >"$OUT/ddl/$name.spark-$granularity.sql"
    done
done
"$VENV/bin/python" tests/interop/check.py "$OUT"
echo "interop: pyarrow, DuckDB, Polars and Spark read every file as expected ($((SECONDS - started)) s)"
