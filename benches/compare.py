"""Raw text -> typed Parquet (zstd) with DuckDB and Polars, the way users write it.

    python compare.py TOOL FORMAT INPUT OUTPUT [REALTIME_FIELDS]

TOOL: duckdb | polars; FORMAT: s3 | cloudfront-realtime. Prints the row count.
Run by benches/compare.sh, which times each run.
"""
import sys

S3_REGEX = (
    r'^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) ("[^"]*"|-) (\S+) (\S+) (\S+) '
    r'(\S+) (\S+) (\S+) ("[^"]*"|-) ("[^"]*"|-) (\S+)'
)
S3_NAMES = [
    "bucket_owner", "bucket", "time", "remote_ip", "requester", "request_id", "operation",
    "key", "request_uri", "http_status", "error_code", "bytes_sent", "object_size",
    "total_time_ms", "turn_around_time_ms", "referer", "user_agent", "version_id",
]
S3_INTS = {"http_status": "SMALLINT", "bytes_sent": "BIGINT", "object_size": "BIGINT",
           "total_time_ms": "INTEGER", "turn_around_time_ms": "INTEGER"}


def duckdb_s3(src, dst):
    import duckdb
    con = duckdb.connect()
    groups = ", ".join(f"'{n}'" for n in S3_NAMES)
    cols = []
    for n in S3_NAMES:
        v = f"nullif(r.{n}, '-')"
        if n == "time":
            cols.append(f"strptime(r.time, '%d/%b/%Y:%H:%M:%S %z') AS time")
        elif n in S3_INTS:
            cols.append(f"TRY_CAST({v} AS {S3_INTS[n]}) AS {n}")
        else:
            cols.append(f"trim({v}, '\"') AS {n}")
    con.execute(f"""
        COPY (
          SELECT {", ".join(cols)} FROM (
            SELECT regexp_extract(line, '{S3_REGEX.replace("'", "''")}', [{groups}]) AS r
            FROM read_csv('{src}', columns = {{'line': 'VARCHAR'}}, header = false,
                          delim = '\\x01', quote = '', escape = '', auto_detect = false)
          ) WHERE r.bucket <> ''
        ) TO '{dst}' (FORMAT parquet, COMPRESSION zstd)""")
    return con.execute(f"SELECT count(*) FROM '{dst}'").fetchone()[0]


def duckdb_realtime(src, dst, fields):
    import duckdb
    con = duckdb.connect()
    names = [f.replace("-", "_") for f in fields]
    con.execute(f"""
        COPY (SELECT * REPLACE (to_timestamp(timestamp) AS timestamp)
              FROM read_csv('{src}', delim = '\\t', header = false, quote = '', escape = '',
                            names = {names}, nullstr = '-'))
        TO '{dst}' (FORMAT parquet, COMPRESSION zstd)""")
    return con.execute(f"SELECT count(*) FROM '{dst}'").fetchone()[0]


def polars_s3(src, dst):
    import polars as pl
    lf = pl.scan_csv(src, has_header=False, separator="\x01", quote_char=None,
                     new_columns=["line"], schema_overrides={"line": pl.String})
    r = pl.col("line").str.extract_groups(S3_REGEX)
    exprs = []
    for i, n in enumerate(S3_NAMES):
        v = r.struct[str(i + 1)]
        v = pl.when(v == "-").then(None).otherwise(v)
        if n == "time":
            exprs.append(v.str.strptime(pl.Datetime("ms", "UTC"), "%d/%b/%Y:%H:%M:%S %z").alias(n))
        elif n in S3_INTS:
            exprs.append(v.cast(pl.Int64, strict=False).alias(n))
        else:
            exprs.append(v.str.strip_chars('"').alias(n))
    df = lf.select(exprs).filter(pl.col("bucket").is_not_null())
    df.sink_parquet(dst, compression="zstd")
    return pl.scan_parquet(dst).select(pl.len()).collect().item()


def polars_realtime(src, dst, fields):
    import polars as pl
    names = [f.replace("-", "_") for f in fields]
    lf = pl.scan_csv(src, has_header=False, separator="\t", quote_char=None,
                     new_columns=names, null_values="-", infer_schema_length=10000)
    lf = lf.with_columns((pl.col("timestamp") * 1000).cast(pl.Int64)
                         .cast(pl.Datetime("ms", "UTC")).alias("timestamp"))
    lf.sink_parquet(dst, compression="zstd")
    return pl.scan_parquet(dst).select(pl.len()).collect().item()


def main():
    tool, fmt, src, dst = sys.argv[1:5]
    fields = sys.argv[5].split(",") if len(sys.argv) > 5 else None
    run = {
        ("duckdb", "s3"): lambda: duckdb_s3(src, dst),
        ("duckdb", "cloudfront-realtime"): lambda: duckdb_realtime(src, dst, fields),
        ("polars", "s3"): lambda: polars_s3(src, dst),
        ("polars", "cloudfront-realtime"): lambda: polars_realtime(src, dst, fields),
    }[(tool, fmt)]
    print(run())


if __name__ == "__main__":
    main()
