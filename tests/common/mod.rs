//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Float64Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType,
};
use aws_access_logs::{BatchSource, DecodeStats, Decoder, Format, ReaderBuilder, Reject};
use serde_json::{Map, Value};

/// `target/<profile>/examples/convert`, next to this test's `deps/` directory.
pub fn convert_exe() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("convert{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not built (run `cargo test`)",
        path.display()
    );
    path
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

/// The peer corpus (`../shared/corpus`, or `AWS_ACCESS_LOGS_CORPUS`), or `None` with a note
/// when it is absent (outside the project's checkouts) — unless
/// `AWS_ACCESS_LOGS_REQUIRE_CORPUS=1`, which makes its absence a failure.
pub fn corpus_dir(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("AWS_ACCESS_LOGS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("AWS_ACCESS_LOGS_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!(
            "peer corpus not found at {} (required by AWS_ACCESS_LOGS_REQUIRE_CORPUS=1)",
            dir.display()
        );
    }
    eprintln!(
        "peer corpus not found at {}: skipping the {what} conformance test",
        dir.display()
    );
    None
}

/// One row of a batch as a JSON object: column name → value (null for null).
pub fn rows_as_json(batch: &RecordBatch) -> Vec<Map<String, Value>> {
    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|row| {
            let mut map = Map::new();
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                map.insert(field.name().clone(), value_at(column.as_ref(), row));
            }
            map
        })
        .collect()
}

pub fn value_at(column: &dyn Array, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Utf8 => Value::from(column.as_string::<i32>().value(row)),
        DataType::Utf8View => Value::from(column.as_string_view().value(row)),
        DataType::Int16 => Value::from(column.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => Value::from(column.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => Value::from(column.as_primitive::<Int64Type>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Value::from(column.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        DataType::Timestamp(_, _) => {
            Value::from(column.as_primitive::<TimestampMillisecondType>().value(row))
        }
        DataType::Boolean => Value::from(column.as_boolean().value(row)),
        DataType::Float64 => Value::from(column.as_primitive::<Float64Type>().value(row)),
        other => panic!("unexpected type {other}"),
    }
}

/// Decodes S3 access log `input` split into chunks of `chunk` bytes, with `batch_size` rows
/// per batch.
pub fn decode_chunked(
    input: &[u8],
    chunk: usize,
    batch_size: usize,
) -> (Vec<RecordBatch>, Vec<Reject>, aws_access_logs::DecodeStats) {
    decode_chunked_with(ReaderBuilder::new(Format::S3), input, chunk, batch_size)
}

/// Decodes `input` with `builder`'s options, split into chunks of `chunk` bytes, with
/// `batch_size` rows per batch.
pub fn decode_chunked_with(
    builder: ReaderBuilder,
    input: &[u8],
    chunk: usize,
    batch_size: usize,
) -> (Vec<RecordBatch>, Vec<Reject>, aws_access_logs::DecodeStats) {
    let mut decoder: Decoder = builder.with_batch_size(batch_size).build_decoder().unwrap();
    let mut batches = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            let n = decoder.decode(rest).unwrap();
            rest = &rest[n..];
            if decoder.is_full() {
                batches.push(decoder.flush().unwrap().unwrap());
            }
        }
    }
    decoder.finish().unwrap();
    while let Some(batch) = decoder.flush().unwrap() {
        batches.push(batch);
    }
    let rejects = decoder.take_rejects();
    (batches, rejects, decoder.stats())
}

/// All rows of all batches, in order.
pub fn all_rows(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    batches.iter().flat_map(rows_as_json).collect()
}

/// Milliseconds since the epoch of an ISO-8601 UTC time `YYYY-MM-DDTHH:MM:SS(.mmm)Z`.
pub fn iso_ms(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, mo, d, h, mi, se) = (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19));
    let ms = if s.as_bytes().get(19) == Some(&b'.') {
        n(20..23)
    } else {
        0
    };
    // Days from civil (H. Hinnant), written out independently of the crate's own.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms
}

/// `data` as one gzip member (default level).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Every line is a row, a reject or a skipped line.
pub fn balanced(stats: DecodeStats) -> bool {
    stats.rows + stats.rejected + stats.blank_lines + stats.comment_lines == stats.lines
}

/// A reader that hands out at most `step` bytes per read, so lines are cut between reads.
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Everything a source hands out: batches, rejects (line, offset, raw, error text), counters,
/// bytes read and the error, if any.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub batches: Vec<RecordBatch>,
    pub rejects: Vec<(u64, u64, Vec<u8>, String)>,
    pub stats: DecodeStats,
    pub bytes_read: u64,
    pub error: Option<String>,
}

pub fn drain(source: &mut dyn BatchSource) -> Outcome {
    let mut batches = Vec::new();
    let mut rejects = Vec::new();
    let error = loop {
        match source.next_batch() {
            Ok(Some(batch)) => batches.push(batch),
            Ok(None) => break None,
            Err(err) => break Some(err.to_string()),
        }
        rejects.extend(source.take_rejects());
    };
    rejects.extend(source.take_rejects());
    assert!(source.next_batch().unwrap().is_none(), "ends after the end");
    Outcome {
        batches,
        rejects: rejects
            .iter()
            .map(|r| {
                (
                    r.line(),
                    r.byte_offset(),
                    r.raw().to_vec(),
                    r.error().to_string(),
                )
            })
            .collect(),
        stats: source.stats(),
        bytes_read: source.bytes_read(),
        error,
    }
}

/// The rows of all batches as one batch (batch boundaries do not matter for equality).
pub fn concat(batches: &[RecordBatch], schema: &arrow::datatypes::SchemaRef) -> RecordBatch {
    arrow::compute::concat_batches(schema, batches).unwrap()
}

/// Asserts that `got` handed out what `want` did: the same rows (batch boundaries aside),
/// rejects, counters and error, and the same bytes read unless the read failed.
pub fn assert_same_outcome(
    got: &Outcome,
    want: &Outcome,
    schema: &arrow::datatypes::SchemaRef,
    context: &str,
) {
    assert_eq!(
        concat(&got.batches, schema),
        concat(&want.batches, schema),
        "{context}"
    );
    assert_eq!(got.rejects, want.rejects, "{context}");
    assert_eq!(got.stats, want.stats, "{context}");
    assert_eq!(got.error, want.error, "{context}");
    if want.error.is_none() {
        assert_eq!(got.bytes_read, want.bytes_read, "{context}");
    }
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's civil_from_days, written out here
/// independently of the crate).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn iso_us(us: i64) -> String {
    let (y, m, d) = civil_from_days(us.div_euclid(86_400_000_000));
    let rem = us.rem_euclid(86_400_000_000);
    let secs = rem / 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        rem % 1_000_000
    )
}
