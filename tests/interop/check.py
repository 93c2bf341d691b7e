"""Reads the converter's Parquet with pyarrow, DuckDB, Polars and Spark and checks it against the
fixtures' hand-written *.expected.json: column names, each engine's types, every value of every row.
The Elastic Load Balancing logs' inputs and expected values are in tests/interop/elb/ (the lines
of tests/convert.rs's ELB tests); their times are microseconds ("TimestampUs").
Run by tests/interop/run.sh, which writes the files and the DDL this reads:

    python check.py OUT

OUT/flat/NAME.parquet             one file per fixture (rows in the log's order)
OUT/{hour,day}/NAME/TABLE/year=…/ the same fixture converted with --partition-by hour, day
OUT/ddl/NAME.{hour,day}.sql       `convert --print-ddl athena` at an s3:// location (parsed by
                                  sqlglot)
OUT/ddl/NAME.spark-{hour,day}.sql the same at OUT/{hour,day}/NAME/TABLE/ (run by Spark)

Besides: every Parquet file under OUT is free of unsigned integer logical types, and the flat
files carry the statistics, page index, compression and key-value metadata the converter writes.
Every failure is listed; the exit status is 1 if there was any.
"""
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

OUT = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PARTS = ["year", "month", "day", "hour"]
KINDS = ["flat", "hour", "day"]  # one file; tables partitioned by the hour, by the day


def parts(kind):
    # The partition columns of a kind of output.
    return {"flat": [], "hour": PARTS, "day": PARTS[:3]}[kind]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)
US = timedelta(microseconds=1)
# The unit of each timestamp type of the expected JSON, whose values are epoch integers in it.
TIME_UNITS = {"Timestamp": "ms", "TimestampUs": "us"}
UNIT = {"ms": MS, "us": US}

# The fixtures: name (the converter's output name) and expected JSON (under the repository's
# root); the table folder of the partitioned output is that of the format.
CASES = [
    ("s3", "fixtures/s3/quirks.expected.json", "s3-access"),
    ("realtime", "fixtures/cloudfront/realtime.expected.json", "cloudfront-realtime"),
    ("standard-33", "fixtures/cloudfront/standard-33.expected.json", "cloudfront-standard"),
    ("standard-v2", "fixtures/cloudfront/standard-v2.expected.json", "cloudfront-standard"),
    ("standard-24", "fixtures/cloudfront/standard-24.expected.json", "cloudfront-standard"),
    ("alb", "tests/interop/elb/alb.expected.json", "alb-access"),
    ("nlb", "tests/interop/elb/nlb.expected.json", "nlb-access"),
    ("clb", "tests/interop/elb/clb.expected.json", "clb-access"),
    ("alb-connection", "tests/interop/elb/alb-connection.expected.json", "alb-connection"),
]

# The S3 fixture's expected JSON has no "columns" list (its columns are its rows' keys): the types
# of its non-text columns, as in the S3 schema table (the s3 module's docs).
S3_TYPES = {
    "time": "Timestamp", "http_status": "Int16", "bytes_sent": "Int64", "object_size": "Int64",
    "total_time_ms": "Int32", "turn_around_time_ms": "Int32", "acl_required": "Boolean",
}


def spark_types():
    from pyspark.sql import types as T
    return {
        "Utf8": T.StringType(), "Int16": T.ShortType(), "Int32": T.IntegerType(),
        "Int64": T.LongType(), "Float64": T.DoubleType(), "Boolean": T.BooleanType(),
        "Timestamp": T.TimestampType(), "TimestampUs": T.TimestampType(),
    }


# Arrow type names of the expected JSON -> each engine's type.
ENGINE_TYPES = {
    "pyarrow": {
        "Utf8": pa.string(), "Int16": pa.int16(), "Int32": pa.int32(), "Int64": pa.int64(),
        "Float64": pa.float64(), "Boolean": pa.bool_(), "Timestamp": pa.timestamp("ms", tz="UTC"),
        "TimestampUs": pa.timestamp("us", tz="UTC"),
    },
    "duckdb": {
        "Utf8": "VARCHAR", "Int16": "SMALLINT", "Int32": "INTEGER", "Int64": "BIGINT",
        "Float64": "DOUBLE", "Boolean": "BOOLEAN", "Timestamp": "TIMESTAMP WITH TIME ZONE",
        "TimestampUs": "TIMESTAMP WITH TIME ZONE",
    },
    "polars": {
        "Utf8": pl.String, "Int16": pl.Int16, "Int32": pl.Int32, "Int64": pl.Int64,
        "Float64": pl.Float64, "Boolean": pl.Boolean, "Timestamp": pl.Datetime("ms", "UTC"),
        "TimestampUs": pl.Datetime("us", "UTC"),
    },
    # Spark's (filled in when its session starts).
}
# The Athena DDL's column types (what `--print-ddl athena` must declare).
ATHENA_TYPES = {
    "Utf8": "STRING", "Int16": "SMALLINT", "Int32": "INT", "Int64": "BIGINT",
    "Float64": "DOUBLE", "Boolean": "BOOLEAN", "Timestamp": "TIMESTAMP", "TimestampUs": "TIMESTAMP",
}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


class Case:
    def __init__(self, name, expected_path, table):
        self.name = name
        self.table = table
        expected = json.load(open(os.path.join(ROOT, expected_path), encoding="utf-8"))
        self.expected = expected
        rows = expected["rows"]
        if "columns" in expected:
            self.columns = [(c, t) for c, t in expected["columns"]]
        else:
            self.columns = [(c, S3_TYPES.get(c, "Utf8")) for c in rows[0] if not c.startswith("_")]
        self.names = [c for c, _ in self.columns]
        # A Float64 value written as a JSON integer (0) is the float 0.0 (rows are compared
        # with their Python types: an engine's 0 for a double column is a failure).
        floats = {c for c, t in self.columns if t == "Float64"}
        self.rows = [
            {c: float(r[c]) if c in floats and r[c] is not None else r[c] for c in self.names}
            for r in rows
        ]
        # The timestamp columns and their units (values are epoch integers in that unit).
        self.units = {c: TIME_UNITS[t] for c, t in self.columns if t in TIME_UNITS}
        self.timestamps = list(self.units)
        # The record time: the partition key (time, timestamp or timestamp_ms).
        self.time = next(c for c in ("time", "timestamp", "timestamp_ms") if c in self.timestamps)
        # The partitioned table's rows: each row with its UTC time parts (all NULL without a time).
        self.part_rows = []  # with every part; a day table's rows are these without `hour`
        unit = UNIT[self.units[self.time]]
        for r in self.rows:
            t = None if r[self.time] is None else EPOCH + r[self.time] * unit
            values = [None] * 4 if t is None else [t.year, t.month, t.day, t.hour]
            self.part_rows.append({**r, **dict(zip(PARTS, values))})
        for c, t in self.columns:
            check(t in ATHENA_TYPES, f"{self.name}.{c}: type {t} in the expected JSON (not a portable type)")

    @property
    def flat(self):
        return os.path.join(OUT, "flat", f"{self.name}.parquet")

    def part(self, kind):
        return os.path.join(OUT, kind, self.name, self.table)

    def rows_of(self, kind):
        names = self.names + parts(kind)
        return [{c: r[c] for c in names} for r in self.part_rows]


def key(row, names):
    # A hashable row for multiset comparison; bool and int kept apart (True == 1 in Python).
    return tuple((type(row[c]).__name__, row[c]) for c in names)


def compare_rows(case, engine, kind, got, ordered):
    """got: list of dicts (timestamps as epoch integers in their unit). Flat files keep the log's
    order; partitioned tables come back in any order and are compared as multisets (partition
    columns included)."""
    want = case.rows_of(kind)
    names = case.names + parts(kind)
    what = f"{case.name} ({kind}) {engine}"
    if not check(len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"):
        return
    if ordered:
        for c in names:
            wrong = [i for i, (g, w) in enumerate(zip(got, want)) if key(g, [c]) != key(w, [c])]
            for i in wrong[:2]:
                check(False, f"{what} row {i} {c}: {got[i][c]!r} != {want[i][c]!r}")
            check(len(wrong) <= 2, f"{what} {c}: {len(wrong) - 2} more rows differ")
        return
    g, w = Counter(key(r, names) for r in got), Counter(key(r, names) for r in want)
    if g != w:
        for row in list((g - w).elements())[:3]:
            check(False, f"{what}: unexpected row {dict(zip(names, (v for _, v in row)))}")
        for row in list((w - g).elements())[:3]:
            check(False, f"{what}: missing row {dict(zip(names, (v for _, v in row)))}")


def check_names(case, engine, kind, got, parts_in_order=True):
    """The file's columns in order; a partitioned table's partition columns after them (DuckDB
    sorts those by name: parts_in_order=False)."""
    got = list(got)
    want = case.names + parts(kind)
    if kind != "flat" and not parts_in_order:
        rank = {c: i for i, c in enumerate(PARTS)}
        got = got[: len(case.names)] + sorted(got[len(case.names):], key=lambda c: rank.get(c, 9))
    check(got == want, f"{case.name} ({kind}) {engine}: columns {got} != {want}")


def epoch(value, unit):
    # A datetime as an epoch integer in `unit` (ms or us).
    return None if value is None else (value - EPOCH) // UNIT[unit]


# --- Parquet files: no unsigned integer logical type anywhere ------------------------------------


def check_parquet_files():
    files = []
    for root, _, names in os.walk(OUT):
        files += [os.path.join(root, n) for n in names if n.endswith(".parquet")]
    # At least a flat file and a file of each partitioned table per fixture.
    check(len(files) >= 3 * len(CASES), f"only {len(files)} Parquet files under {OUT}")
    for path in sorted(files):
        schema = pq.ParquetFile(path).schema
        for i in range(len(schema)):
            col = schema.column(i)
            logical = json.loads(col.logical_type.to_json())
            unsigned = logical.get("Type") == "Int" and not logical.get("isSigned", True)
            check(
                not unsigned and not col.converted_type.startswith("UINT"),
                f"{os.path.relpath(path, OUT)}: column {col.name} has an unsigned type "
                f"({col.logical_type}, {col.converted_type})",
            )


def check_flat_metadata(case):
    md = pq.read_metadata(case.flat)
    for g in range(md.num_row_groups):
        for c in range(md.num_columns):
            col = md.row_group(g).column(c)
            where = f"{case.name}.{col.path_in_schema}"
            check(col.has_column_index and col.has_offset_index, f"{where}: page index")
            check(col.is_stats_set, f"{where}: statistics")
            check(col.compression == "ZSTD", f"{where}: compression {col.compression}")
    meta = md.metadata
    check(meta[b"aws_access_logs.rows"] == str(len(case.rows)).encode(), f"{case.name}: rows metadata")
    rejected = len([r for r in case.expected["rejects"] if r["outcome"] == "rejected"])
    check(meta[b"aws_access_logs.rejected"] == str(rejected).encode(), f"{case.name}: rejected metadata")
    for k in [b"aws_access_logs.format", b"aws_access_logs.fields", b"aws_access_logs.version"]:
        check(k in meta, f"{case.name}: {k} metadata")


# --- pyarrow -------------------------------------------------------------------------------------


def check_pyarrow(case, kind):
    types = ENGINE_TYPES["pyarrow"]
    if kind == "flat":
        table = pq.read_table(case.flat)
    else:
        table = ds.dataset(case.part(kind), format="parquet", partitioning="hive").to_table()
    what = f"{case.name} ({kind}) pyarrow"
    check_names(case, "pyarrow", kind, table.schema.names)
    for c, t in case.columns:
        got = table.schema.field(c).type
        check(got == types[t], f"{what} {c}: type {got} != {types[t]}")
    for c in parts(kind):
        got = table.schema.field(c).type
        check(pa.types.is_integer(got), f"{what} {c}: type {got}, not an integer")
    rows = table.to_pylist()
    for r in rows:
        for c, unit in case.units.items():
            r[c] = epoch(r[c], unit)
    compare_rows(case, "pyarrow", kind, rows, ordered=kind == "flat")


# --- DuckDB --------------------------------------------------------------------------------------


def check_duckdb(con, case, kind):
    types = ENGINE_TYPES["duckdb"]
    if kind == "flat":
        source = f"read_parquet('{case.flat}')"
    else:
        hive = ", ".join(f"'{c}': INTEGER" for c in parts(kind))
        source = (
            f"read_parquet('{case.part(kind)}/**/*.parquet', hive_partitioning = true, "
            f"hive_types = {{{hive}}})"
        )
    what = f"{case.name} ({kind}) duckdb"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    check_names(case, "duckdb", kind, [r[0] for r in described], parts_in_order=False)
    described = dict((r[0], r[1]) for r in described)
    for c, t in case.columns:
        check(described.get(c) == types[t], f"{what} {c}: type {described.get(c)} != {types[t]}")
    for c in parts(kind):
        check(described.get(c) == "INTEGER", f"{what} {c}: type {described.get(c)} != INTEGER")
    names = case.names + parts(kind)
    select = ", ".join(
        f'epoch_{case.units[c]}("{c}")' if c in case.units else f'"{c}"' for c in names
    )
    rows = [dict(zip(names, r)) for r in con.execute(f"SELECT {select} FROM {source}").fetchall()]
    compare_rows(case, "duckdb", kind, rows, ordered=kind == "flat")


# --- Polars --------------------------------------------------------------------------------------


def check_polars(case, kind):
    types = ENGINE_TYPES["polars"]
    if kind == "flat":
        df = pl.read_parquet(case.flat)
    else:
        glob = os.path.join(case.part(kind), "**", "*.parquet")
        df = pl.scan_parquet(glob, hive_partitioning=True).collect()
    what = f"{case.name} ({kind}) polars"
    check_names(case, "polars", kind, df.columns)
    for c, t in case.columns:
        got = df.schema.get(c)
        check(got == types[t], f"{what} {c}: type {got!r} != {types[t]!r}")
    for c in parts(kind):
        got = df.schema.get(c)
        check(got is not None and got.is_integer(), f"{what} {c}: type {got!r}, not an integer")
    df = df.with_columns([pl.col(c).dt.epoch(unit) for c, unit in case.units.items()])
    compare_rows(case, "polars", kind, df.to_dicts(), ordered=kind == "flat")


# --- Spark ---------------------------------------------------------------------------------------


def start_spark():
    from pyspark.sql import SparkSession

    home = os.path.join(OUT, "spark")
    shutil.rmtree(home, ignore_errors=True)  # a throwaway metastore and warehouse
    os.makedirs(home)
    log4j = os.path.join(home, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
                "appender.console.type = Console\nappender.console.name = console\n"
                "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
                "appender.console.layout.pattern = spark: %p %c{1}: %m%n\n"
                # Spark's own loggers configured at the root's level: else pyspark announces
                # that it sets them to WARN.
                "logger.apache.name = org.apache\nlogger.apache.level = error\n")
    java_opts = (
        f"-Dlog4j2.configurationFile=file:{log4j} -Dderby.system.home={home} "
        f"-Dderby.stream.error.file={home}/derby.log"
    )
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("aws-access-logs interop")
        .config("spark.sql.session.timeZone", "UTC")
        # Spark substitutes ${name} in SQL text with its variables, an undefined one with
        # nothing: the DDL's 'storage.location.template'='…/year=${year}/…' would be stored as
        # '…/year=/…'. Off, the DDL is taken as Athena takes it (see SPARK_TRANSLATION).
        .config("spark.sql.variable.substitute", "false")
        .config("spark.driver.memory", "512m")
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", os.path.join(home, "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={home}/metastore_db;create=true")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    ENGINE_TYPES["spark"] = spark_types()
    return spark


def spark_rows(df, case, names):
    from pyspark.sql import functions as F

    def as_epoch(c):
        unit = case.units[c]
        return (F.unix_millis if unit == "ms" else F.unix_micros)(F.col(c)).alias(c)

    cols = [as_epoch(c) if c in case.units else F.col(c) for c in names]
    return [r.asDict() for r in df.select(cols).collect()]


def check_spark_df(df, case, kind, engine, part_types):
    from pyspark.sql import types as T

    types = ENGINE_TYPES["spark"]
    what = f"{case.name} ({kind}) {engine}"
    check_names(case, engine, kind, [f.name for f in df.schema.fields])
    fields = {f.name: f.dataType for f in df.schema.fields}
    for name, t in fields.items():
        check(not isinstance(t, T.DecimalType), f"{what} {name}: a decimal ({t.simpleString()})")
    for c, t in case.columns:
        got = fields.get(c)
        check(got == types[t], f"{what} {c}: type {got} != {types[t]}")
    for c in parts(kind):
        check(fields.get(c) == part_types, f"{what} {c}: type {fields.get(c)} != {part_types}")
    names = case.names + parts(kind)
    compare_rows(case, engine, kind, spark_rows(df, case, names), ordered=kind == "flat")


def check_spark(spark, case, kind):
    from pyspark.sql import types as T

    df = spark.read.parquet(case.flat if kind == "flat" else case.part(kind))
    check_spark_df(df, case, kind, "spark", T.IntegerType())


# The generated Athena DDL, run by Spark (Hive support, a Derby metastore): the lines Spark's
# dialect needs changed, each as (pattern, replacement, reason). None: Spark 4.3 runs the DDL of
# `convert --print-ddl athena` as it is printed, every line of it:
# * CREATE EXTERNAL TABLE IF NOT EXISTS `t` (`c` type COMMENT '…', …) PARTITIONED BY (`year` int,
#   …) STORED AS PARQUET LOCATION '…' is Hive DDL, which Spark with Hive support takes as it is
#   (a Hive table with ParquetHiveSerDe, read by Spark's own Parquet reader); the types string,
#   smallint, int, bigint, double, boolean, timestamp are Spark's too.
# * TBLPROPERTIES ('projection.…', 'storage.location.template', 'classification'): Spark stores
#   them and ignores them (it has no partition projection: MSCK REPAIR TABLE registers the
#   partitions instead). The one thing Spark would change is the ${year}… of the template, which
#   its variable substitution empties: turned off in the session (spark.sql.variable.substitute
#   = false), not by editing the DDL; check_spark_ddl asserts that the table Spark created holds
#   every property exactly as the DDL gives it.
# The location is the converter's table folder as a file:/// URI: given to --print-ddl, not
# translated.
SPARK_TRANSLATION = []


def translate_for_spark(sql):
    lines = sql.splitlines()
    changed = []
    for pattern, replacement, why in SPARK_TRANSLATION:
        for i, line in enumerate(lines):
            new = re.sub(pattern, replacement, line)
            if new != line:
                changed.append((line.strip(), new.strip(), why))
                lines[i] = new
    return "\n".join(lines), changed


def check_spark_ddl(spark, case, kind):
    from pyspark.sql import types as T

    path = os.path.join(OUT, "ddl", f"{case.name}.spark-{kind}.sql")
    sql, changed = translate_for_spark(open(path, encoding="utf-8").read())
    for old, new, why in changed:
        print(f"   spark ddl {case.name}: {old!r} -> {new!r} ({why})")
    table = spark_table_name(sql)
    if not check(table is not None, f"{case.name}: no table name in {path}"):
        return
    spark.sql(f"DROP TABLE IF EXISTS {table}")
    spark.sql(sql)
    given = dict(re.findall(r"^\s*'([^']*)'\s*=\s*'([^']*)'", sql, re.M))
    stored = {r.key: r.value for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}
    check(given, f"{case.name} spark ddl: no TBLPROPERTIES in {path}")
    for k, v in given.items():
        check(stored.get(k) == v,
              f"{case.name} spark ddl: property {k} stored as {stored.get(k)!r}, the DDL gives {v!r}")
    # Spark has no partition projection: the partitions are found in the table's folder.
    spark.sql(f"MSCK REPAIR TABLE {table}")
    df = spark.sql(f"SELECT * FROM {table}")
    check_spark_df(df, case, kind, "spark ddl", T.IntegerType())
    spark.sql(f"DROP TABLE {table}")


def check_projection(case, kind):
    """Athena finds partitions by projection, which Spark cannot test: the DDL's
    storage.location.template, with each partition value written with its projection digits, must
    name every partition folder the converter wrote (rows without a time excepted: projection
    never reads them), and every value must be in its projection range."""
    path = os.path.join(OUT, "ddl", f"{case.name}.spark-{kind}.sql")
    sql = open(path, encoding="utf-8").read()
    props = dict(re.findall(r"^\s*'([^']*)'\s*=\s*'([^']*)'", sql, re.M))
    if not check(props.get("projection.enabled") == "true", f"{case.name}: no projection in {path}"):
        return
    template = props["storage.location.template"]
    folders = set()
    for root, _, names in os.walk(case.part(kind)):
        if any(n.endswith(".parquet") for n in names) and "__HIVE_DEFAULT_PARTITION__" not in root:
            folders.add("file://" + root)
    check(folders, f"{case.name}: no timed partition under {case.part(kind)}")
    for folder in sorted(folders):
        values = dict(p.split("=", 1) for p in folder.split("/") if "=" in p)
        projected = template
        for c in PARTS:
            if c not in values:
                continue
            v = int(values[c])
            low, high = (int(x) for x in props[f"projection.{c}.range"].split(","))
            check(low <= v <= high, f"{case.name}: {c}={v} outside the projection range {low},{high}")
            digits = int(props.get(f"projection.{c}.digits", "1"))
            projected = projected.replace(f"${{{c}}}", f"{v:0{digits}d}")
        check(projected.rstrip("/") == folder, f"{case.name}: projected {projected}, written {folder}")


def spark_table_name(sql):
    # The table of CREATE EXTERNAL TABLE [IF NOT EXISTS] [`db`.]`t`, quoted as in the DDL.
    name = r"(?:`[^`]+`|\w+)"
    m = re.search(
        rf"CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({name}(?:\.{name})?)", sql, re.I
    )
    return m and m.group(1)


# --- sqlglot: the Athena DDL parses in the Athena dialect ----------------------------------------


def athena_type(name):
    # sqlglot's type for an Athena DDL type name (STRING is its TEXT).
    return exp.DataType.build(name, dialect="athena").this


def check_athena_ddl(case, granularity):
    path = os.path.join(OUT, "ddl", f"{case.name}.{granularity}.sql")
    what = f"{case.name} athena ddl ({granularity})"
    sql = open(path, encoding="utf-8").read()
    try:
        tree = sqlglot.parse_one(sql, read="athena", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as e:
        check(False, f"{what}: {path} does not parse: {e}")
        return
    if not check(isinstance(tree, exp.Create) and tree.kind == "TABLE",
                 f"{what}: parsed as {type(tree).__name__}, not CREATE TABLE"):
        return
    schema = tree.this
    columns = [(d.name, d.args["kind"].this) for d in schema.expressions if isinstance(d, exp.ColumnDef)]
    want = [(c, athena_type(ATHENA_TYPES[t])) for c, t in case.columns if t in ATHENA_TYPES]
    check(columns == want, f"{what}: columns {columns} != {want}")
    props = tree.args.get("properties")
    partitioned = [p for p in (props.expressions if props else []) if isinstance(p, exp.PartitionedByProperty)]
    parts = []
    if partitioned:
        parts = [(d.name, d.args["kind"].this) for d in partitioned[0].this.expressions]
    want_parts = [(c, athena_type("INT")) for c in (PARTS if granularity == "hour" else PARTS[:3])]
    check(parts == want_parts, f"{what}: partition columns {parts} != {want_parts}")


def run(what, f, *args):
    # An engine that raises (a type it refuses, a DDL it cannot parse) is a failure; the other
    # checks still run.
    try:
        f(*args)
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        check(False, f"{what}: {type(e).__name__}: {first[:500]}")


def report(before, message, started):
    status = "ok" if len(failures) == before else f"FAILED ({len(failures) - before} failures)"
    print(f"{status}: {message} ({time.monotonic() - started:.1f} s)", flush=True)


def main():
    started = time.monotonic()
    cases = [Case(*c) for c in CASES]
    before = len(failures)
    run("parquet files", check_parquet_files)
    report(before, "every Parquet file written: no unsigned integer logical type", started)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for case in cases:
        before = len(failures)
        run(f"{case.name} metadata", check_flat_metadata, case)
        for kind in KINDS:
            run(f"{case.name} ({kind}) pyarrow", check_pyarrow, case, kind)
            run(f"{case.name} ({kind}) duckdb", check_duckdb, con, case, kind)
            run(f"{case.name} ({kind}) polars", check_polars, case, kind)
        for kind in KINDS[1:]:
            run(f"{case.name} athena ddl ({kind})", check_athena_ddl, case, kind)
            run(f"{case.name} projection ({kind})", check_projection, case, kind)
        report(before, f"{case.name}: {len(case.rows)} rows, {len(case.columns)} columns, flat and "
               f"partitioned by the hour and the day, read by pyarrow {pa.__version__}, duckdb "
               f"{duckdb.__version__}, polars {pl.__version__}; its Athena DDL parsed by sqlglot "
               f"{sqlglot.__version__}, its projection templates matching the partition folders",
               started)
    spark = start_spark()
    print(f"   spark {spark.version} started ({time.monotonic() - started:.1f} s)", flush=True)
    for case in cases:
        before = len(failures)
        for kind in KINDS:
            run(f"{case.name} ({kind}) spark", check_spark, spark, case, kind)
        for kind in KINDS[1:]:
            run(f"{case.name} ({kind}) spark ddl", check_spark_ddl, spark, case, kind)
        report(before, f"{case.name}: read by spark {spark.version}: the file, the folders "
               f"partitioned by the hour and the day, and the tables of their DDL", started)
    spark.stop()
    if failures:
        print(f"interop: {len(failures)} failures")
        sys.exit(1)


if __name__ == "__main__":
    main()
