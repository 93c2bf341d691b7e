"""Checks that pyarrow and DuckDB read the converter's Parquet with the documented types.

Expected row counts and values come from the fixtures' hand-written *.expected.json files.
"""
import json
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

OUT = sys.argv[1]

# Arrow type names of the expected JSON -> pyarrow type and DuckDB type.
TYPES = {
    "Utf8": (pa.string(), ["VARCHAR"]),
    "UInt16": (pa.uint16(), ["USMALLINT"]),
    "UInt32": (pa.uint32(), ["UINTEGER"]),
    "UInt64": (pa.uint64(), ["UBIGINT"]),
    "Float64": (pa.float64(), ["DOUBLE"]),
    "Boolean": (pa.bool_(), ["BOOLEAN"]),
    "Timestamp": (pa.timestamp("ms", tz="UTC"), ["TIMESTAMP WITH TIME ZONE"]),
}

S3_TYPES = {
    "time": "Timestamp", "http_status": "UInt16", "bytes_sent": "UInt64",
    "object_size": "UInt64", "total_time_ms": "UInt32", "turn_around_time_ms": "UInt32",
    "acl_required": "Boolean",
}

CASES = [
    ("s3", "s3/quirks.expected.json"),
    ("realtime", "cloudfront/realtime.expected.json"),
    ("standard-33", "cloudfront/standard-33.expected.json"),
    ("standard-v2", "cloudfront/standard-v2.expected.json"),
    ("standard-24", "cloudfront/standard-24.expected.json"),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


for name, expected_path in CASES:
    expected = json.load(open(f"fixtures/{expected_path}"))
    rows = expected["rows"]
    if "columns" in expected:
        columns = [(c, t) for c, t in expected["columns"]]
    else:
        columns = [(c, S3_TYPES.get(c, "Utf8")) for c in rows[0].keys() if not c.startswith("_")]
    path = f"{OUT}/{name}.parquet"

    # pyarrow
    table = pq.read_table(path)
    check(table.num_rows == len(rows), f"{name}: pyarrow rows {table.num_rows} != {len(rows)}")
    check(table.schema.names == [c for c, _ in columns], f"{name}: pyarrow column names")
    for col, t in columns:
        got = table.schema.field(col).type
        check(got == TYPES[t][0], f"{name}.{col}: pyarrow type {got} != {TYPES[t][0]}")
    # Statistics and the page index (column and offset indexes) for every column.
    md = pq.read_metadata(path)
    for g in range(md.num_row_groups):
        for c in range(md.num_columns):
            col = md.row_group(g).column(c)
            check(col.has_column_index and col.has_offset_index, f"{name}.{col.path_in_schema}: page index")
            check(col.is_stats_set, f"{name}.{col.path_in_schema}: statistics")
            check(col.compression == "ZSTD", f"{name}.{col.path_in_schema}: compression {col.compression}")
    meta = md.metadata
    check(meta[b"aws_access_logs.rows"] == str(len(rows)).encode(), f"{name}: rows metadata")
    rejected = len([r for r in expected["rejects"] if r["outcome"] == "rejected"])
    check(meta[b"aws_access_logs.rejected"] == str(rejected).encode(), f"{name}: rejected metadata")
    for key in [b"aws_access_logs.format", b"aws_access_logs.fields", b"aws_access_logs.version"]:
        check(key in meta, f"{name}: {key} metadata")
    # Values: every timestamp and integer of every row as in the expected JSON.
    data = table.to_pylist()
    for i, (got, want) in enumerate(zip(data, rows)):
        for col, t in columns:
            w = want[col]
            g = got[col]
            if t == "Timestamp" and g is not None:
                g = int(g.timestamp() * 1000)
            check(g == w, f"{name} row {i} {col}: pyarrow {g!r} != {w!r}")

    # DuckDB
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    check(n == len(rows), f"{name}: duckdb rows {n} != {len(rows)}")
    described = dict(
        (r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    )
    for col, t in columns:
        check(described.get(col) in TYPES[t][1], f"{name}.{col}: duckdb type {described.get(col)} not in {TYPES[t][1]}")
    ts_cols = [c for c, t in columns if t == "Timestamp"]
    for col in ts_cols:
        got = [r[0] for r in con.execute(f"SELECT epoch_ms({col}) FROM read_parquet('{path}')").fetchall()]
        check(got == [r[col] for r in rows], f"{name}.{col}: duckdb epoch_ms values")
    print(f"ok: {name}: {len(rows)} rows, {len(columns)} columns read by pyarrow {pa.__version__} and duckdb {duckdb.__version__}")

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
