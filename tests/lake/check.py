#!/usr/bin/env python3
"""Checks a partitioned table the way a query engine uses it: DuckDB reads every Parquet file
under TABLE with `hive_partitioning = true`, and for every partition a query filtered on the
partition columns must return exactly the rows whose record time is in that partition, with the
counts the fixture generator computed (fixtures/lake/expected.json, or the one tests/lake/make_elb.py
writes for the Elastic Load Balancing logs); the union is every row, nothing twice.

    python check.py TABLE --expected fixtures/lake/expected.json --fixture s3 \
        --granularity hour --time time --id request_id

TABLE is the `{format}` folder (the Lambda's `{prefix}{format}/`, or the converter's
`DIR/{format}/`). Exits non-zero with a message on the first difference.
"""

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import duckdb

NULL = "__HIVE_DEFAULT_PARTITION__"


def fail(message):
    print(f"lake check: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("table")
    ap.add_argument("--expected", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--granularity", choices=["hour", "day"], default="hour")
    ap.add_argument("--time", required=True, help="the record-time column")
    ap.add_argument("--id", required=True, help="a column unique per record")
    args = ap.parse_args()
    expected = json.load(open(args.expected, encoding="utf-8"))[args.fixture]
    untimed = expected.get("untimed", 0)
    columns = ["year", "month", "day"] + (["hour"] if args.granularity == "hour" else [])

    # The layout: Parquet files and nothing else, each at the depth of the partition columns,
    # in folders named column=value in order.
    files = []
    for root, dirs, names in os.walk(args.table):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, args.table).split(os.sep)
            if not name.endswith(".parquet"):
                fail(f"{path}: not a Parquet file inside the table folder")
            if len(rel) != len(columns) + 1:
                fail(f"{path}: not at the depth of the partition columns {columns}")
            for column, part in zip(columns, rel):
                if not part.startswith(column + "="):
                    fail(f"{path}: folder {part!r} is not {column}=…")
            files.append(rel)
    if not files:
        fail(f"no Parquet file under {args.table}")

    con = duckdb.connect()
    # Timestamps compared and shown in UTC, as the partitions are.
    con.execute("SET TimeZone = 'UTC'")
    glob = os.path.join(args.table, "**", "*.parquet").replace("'", "''")
    types = ", ".join(f"'{c}': INTEGER" for c in columns)
    con.execute(
        f"CREATE VIEW t AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true, "
        f"hive_types = {{{types}}})"
    )

    def ids(where, params=()):
        rows = con.execute(f'SELECT "{args.id}" FROM t WHERE {where}', list(params)).fetchall()
        found = [r[0] for r in rows]
        if len(found) != len(set(found)):
            fail(f"a row is there twice where {where} {params}")
        return set(found)

    total = con.execute("SELECT count(*), count(DISTINCT \"%s\") FROM t" % args.id).fetchone()
    want = expected["rows"]
    if total != (want, want):
        fail(f"{total[0]} rows, {total[1]} distinct ids; expected {want} of each")

    partitions = con.execute(
        f"SELECT DISTINCT {', '.join(columns)} FROM t ORDER BY ALL NULLS LAST"
    ).fetchall()
    seen = set()
    for values in partitions:
        if any(v is None for v in values):
            if not all(v is None for v in values):
                fail(f"partition {values}: some columns null, some not")
            by_partition = ids(" AND ".join(f"{c} IS NULL" for c in columns))
            by_time = ids(f'"{args.time}" IS NULL')
            if by_partition != by_time or len(by_partition) != untimed:
                fail(
                    f"untimed partition: {len(by_partition)} rows by the partition columns, "
                    f"{len(by_time)} without a time, {untimed} expected"
                )
            seen |= by_partition
            continue
        year, month, day = values[:3]
        start = datetime(year, month, day, values[3] if len(values) > 3 else 0, tzinfo=timezone.utc)
        end = start + (timedelta(hours=1) if args.granularity == "hour" else timedelta(days=1))
        path = "/".join(
            f"{c}={v:04d}" if c == "year" else f"{c}={v:02d}" for c, v in zip(columns, values)
        )
        # What a user writes: a filter on the partition columns (pruned by folder)...
        by_partition = ids(" AND ".join(f"{c} = ?" for c in columns), values)
        # ... against the rows whose own time is in the partition, over all files.
        by_time = ids(f'"{args.time}" >= ? AND "{args.time}" < ?', (start, end))
        if by_partition != by_time:
            fail(
                f"{path}: the partition filter returns {len(by_partition)} rows, "
                f"{len(by_time)} rows have their time in it "
                f"({len(by_partition - by_time)} misplaced, {len(by_time - by_partition)} missing)"
            )
        if len(by_partition) != expected[args.granularity].get(path, -1):
            fail(
                f"{path}: {len(by_partition)} rows, the fixture has "
                f"{expected[args.granularity].get(path, 0)}"
            )
        if seen & by_partition:
            fail(f"{path}: rows also in another partition")
        seen |= by_partition
    timed = [p for p in partitions if p[0] is not None]
    if len(timed) != len(expected[args.granularity]):
        fail(f"{len(timed)} partitions, the fixture has {len(expected[args.granularity])}")
    if len(seen) != want:
        fail(f"the partitions hold {len(seen)} rows, expected {want}")
    print(
        f"lake check: {args.table}: {want} rows in {len(partitions)} {args.granularity} "
        f"partitions ({len(files)} files), each partition filter exact"
    )


if __name__ == "__main__":
    main()
