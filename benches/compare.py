"""Raw text -> typed Parquet (zstd) with DuckDB and Polars, the way users write it.

    python compare.py TOOL FORMAT INPUT OUTPUT [REALTIME_FIELDS]

TOOL: duckdb | polars; FORMAT: s3 | cloudfront-realtime | alb. Prints the row count.
Run by benches/compare.sh, which times each run.

ALB access logs are read with the regular expression of AWS's Athena documentation (spec
§4.5, the 2024 version with conn_trace_id), anchored at both ends as Athena's RegexSerDe
matches whole lines; lines it does not match are dropped, as Athena returns them as nulls.
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


# ATH-ALB's regular expression, as AWS publishes it; group 35 holds what follows conn_trace_id.
ALB_REGEX = (
    r'([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) '
    r'([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) "([^ ]*) (.*) (- |[^ ]*)" '
    r'"([^"]*)" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^"]*)" '
    r'([-.0-9]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^ ]*)" "([^\s]+?)" "([^\s]+)" "([^ ]*)" '
    r'"([^ ]*)" ?([^ ]*)?( .*)?'
)
ALB_LINE = "^(?:" + ALB_REGEX + ")$"
# Athena's column names (ATH-ALB), then the rest of the line.
ALB_NAMES = [
    "type", "time", "elb", "client_ip", "client_port", "target_ip", "target_port",
    "request_processing_time", "target_processing_time", "response_processing_time",
    "elb_status_code", "target_status_code", "received_bytes", "sent_bytes", "request_verb",
    "request_url", "request_proto", "user_agent", "ssl_cipher", "ssl_protocol",
    "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
    "request_creation_time", "actions_executed", "redirect_url", "lambda_error_reason",
    "target_port_list", "target_status_code_list", "classification", "classification_reason",
    "conn_trace_id", "rest",
]
# Typed as the converter types them: times as timestamps, ports and counts as integers.
ALB_TYPES = {
    "client_port": "INTEGER", "target_port": "INTEGER", "request_processing_time": "DOUBLE",
    "target_processing_time": "DOUBLE", "response_processing_time": "DOUBLE",
    "elb_status_code": "SMALLINT", "target_status_code": "SMALLINT", "received_bytes": "BIGINT",
    "sent_bytes": "BIGINT", "matched_rule_priority": "INTEGER",
}
ALB_TIMES = {"time", "request_creation_time"}


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


def duckdb_alb(src, dst):
    import duckdb
    con = duckdb.connect()
    groups = ", ".join(f"'{n}'" for n in ALB_NAMES)
    cols = []
    for n in ALB_NAMES:
        v = f"nullif(nullif(r.{n}, '-'), '')"
        if n in ALB_TIMES:
            cols.append(f"strptime({v}, '%Y-%m-%dT%H:%M:%S.%fZ') AS {n}")
        elif n in ALB_TYPES:
            cols.append(f"TRY_CAST({v} AS {ALB_TYPES[n]}) AS {n}")
        else:
            cols.append(f"{v} AS {n}")
    con.execute(f"""
        COPY (
          SELECT {", ".join(cols)} FROM (
            SELECT regexp_extract(line, '{ALB_LINE.replace("'", "''")}', [{groups}]) AS r
            FROM read_csv('{src}', columns = {{'line': 'VARCHAR'}}, header = false,
                          delim = '\\x01', quote = '', escape = '', auto_detect = false)
          ) WHERE r.type <> ''
        ) TO '{dst}' (FORMAT parquet, COMPRESSION zstd)""")
    return con.execute(f"SELECT count(*) FROM '{dst}'").fetchone()[0]


def polars_alb(src, dst):
    import polars as pl
    lf = pl.scan_csv(src, has_header=False, separator="\x01", quote_char=None,
                     new_columns=["line"], schema_overrides={"line": pl.String})
    r = pl.col("line").str.extract_groups(ALB_LINE)
    exprs = []
    for i, n in enumerate(ALB_NAMES):
        v = r.struct[str(i + 1)]
        v = pl.when((v == "-") | (v == "")).then(None).otherwise(v)
        if n in ALB_TIMES:
            exprs.append(v.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.fZ").alias(n))
        elif ALB_TYPES.get(n) == "DOUBLE":
            exprs.append(v.cast(pl.Float64, strict=False).alias(n))
        elif n in ALB_TYPES:
            exprs.append(v.cast(pl.Int64, strict=False).alias(n))
        else:
            exprs.append(v.alias(n))
    # A line the expression does not match gives nulls in every group.
    df = lf.select(exprs).filter(pl.col("type").is_not_null())
    df.sink_parquet(dst, compression="zstd")
    return pl.scan_parquet(dst).select(pl.len()).collect().item()


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
        ("duckdb", "alb"): lambda: duckdb_alb(src, dst),
        ("polars", "alb"): lambda: polars_alb(src, dst),
    }[(tool, fmt)]
    print(run())


if __name__ == "__main__":
    main()
