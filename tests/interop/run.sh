#!/usr/bin/env bash
# Interoperability: the converter's Parquet read by the engines people query these logs with.
#
#   bash tests/interop/run.sh        (after `cargo test`, which builds the converter)
#
# Converts a fixture of every format (S3 access log; CloudFront real-time with its log
# configuration's field list; CloudFront standard with 33 fields, the v2 field set, and 24 fields
# gzipped) twice: to one flat file each, and with `--partition-by hour` to a Hive-partitioned
# table each. Then tests/interop/check.py reads every one of them with pyarrow, DuckDB, Polars and
# Spark (local[2], session time zone UTC) and asserts, for each engine, the column names, the
# engine's types (signed integers of the documented widths, never a decimal; timestamps as
# UTC timestamps, their instants compared in epoch milliseconds) and every value of every row
# against the fixtures' hand-written *.expected.json (partitioned rows in any order, with the
# partition columns year/month/day/hour equal to each row's UTC time, NULL without a time). It
# also checks that no Parquet file written has an unsigned integer logical type; that the Athena
# DDL of `convert --print-ddl athena` (every fixture's schema, hour and day partitions) parses in
# sqlglot's Athena dialect with the expected columns; and that Spark, with Hive support and a
# throwaway Derby metastore under target/interop/spark/, runs that DDL over the partitioned
# table (translated only where Spark's dialect needs it, see SPARK_TRANSLATION in check.py),
# finds the partitions with MSCK REPAIR TABLE (Spark has no partition projection) and returns
# every row with the declared types.
#
# The engines are installed by tests/interop/engines.sh: pyarrow and DuckDB (tests/interop/venv.sh),
# pyspark, Polars and sqlglot from PyPI into the venv under target/, and a Java runtime from
# Debian's packages if `java` is missing or older than 17. Outputs go to target/interop/.
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
mkdir -p "$OUT/flat" "$OUT/part" "$OUT/ddl"
gzip -c fixtures/cloudfront/standard-24.log > "$OUT/standard-24.log.gz"
REALTIME=(--format cloudfront-realtime --fields @fixtures/cloudfront/realtime.config.json)

# name | table folder | the converter's arguments
CASES=(
    "s3|s3-access|fixtures/s3/quirks.log"
    "realtime|cloudfront-realtime|${REALTIME[*]} fixtures/cloudfront/realtime.log"
    "standard-33|cloudfront-standard|fixtures/cloudfront/standard-33.log"
    "standard-v2|cloudfront-standard|fixtures/cloudfront/standard-v2.log"
    "standard-24|cloudfront-standard|$OUT/standard-24.log.gz"
)
# The DDL's arguments for each fixture's schema: the format, and the field list where there is one.
ddl_args() {
    case "$1" in
        s3) echo "--format s3" ;;
        realtime) echo "${REALTIME[*]}" ;;
        standard-*) echo "--format cloudfront-standard --fields @fixtures/cloudfront/$1.log" ;;
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
    # shellcheck disable=SC2086
    "$CONVERT" --quiet --partition-by hour $args -o "$OUT/part/$name/"
    for granularity in hour day; do
        print_ddl "$name" "$granularity" "s3://amzn-s3-demo-bucket/logs/$table/" \
            "${name//-/_}_$granularity" >"$OUT/ddl/$name.$granularity.sql"
    done
    print_ddl "$name" hour "file://$OUT/part/$name/$table/" "interop_${name//-/_}" \
        >"$OUT/ddl/$name.spark.sql"
done
"$VENV/bin/python" tests/interop/check.py "$OUT"
echo "interop: done in $((SECONDS - started)) s"
