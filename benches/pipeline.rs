//! Every stage of the pipeline per format, next to its baselines in the same group, on logs
//! from the project's generator (`examples/generate/logs.rs`: fresh random ids, varied keys,
//! IPs, user agents and sizes, as in real logs), ~32 MB each:
//!
//! * `baseline_memchr_newlines`: a memchr newline count of the same buffer (the floor);
//! * `baseline_flate2_decompress`: decompressing the gzip of the buffer (flate2, zlib-rs);
//! * `baseline_regex_parser` (S3 only): a straightforward `regex` parser of the S3 format
//!   (captures, status and bytes parsed);
//! * `baseline_athena_regex` (ALB only): AWS's Athena regular expression for ALB logs (spec
//!   §4.5) as a `regex` parser of the whole line (captures, status and bytes parsed);
//! * `tokenize_only`: lines split and fields found, no values converted (for ELB logs,
//!   `ElbRecord::parse` over every line);
//! * `to_arrow`: text → Arrow record batches (every column; text columns `Utf8`, the default);
//! * `to_arrow_string_view`: the same with text columns as `Utf8View` pointing into the read
//!   buffers (`ReaderBuilder::with_string_view`);
//! * `to_arrow_from_buffer`, `to_arrow_string_view_from_buffer`: the same two from the buffer
//!   in memory, decoded where it lies (`ReaderBuilder::build_from_buffer`: no copy into read
//!   buffers; the views point into the buffer itself);
//! * `to_parquet`: text → Parquet (zstd 3) in memory (from `Utf8` columns: the file is the
//!   same from string views, but parquet 60 encodes those more slowly);
//! * `to_parquet_from_buffer`: the same from the buffer in memory (`build_from_buffer`);
//! * `gzip_to_parquet`: gzip → Parquet, decompression on the same thread;
//! * `to_parquet_2_threads`, `gzip_to_parquet_2_threads`: the same on two threads, as the
//!   converter runs them: `ReaderBuilder::build_parallel` with 1 decoding thread (the caller's,
//!   which also decompresses gzip) and `ParquetOptions::with_threads(2)` (the caller's thread
//!   and a helper encode; decompression and parsing run while the helper encodes).
//!
//! The Elastic Load Balancing logs run every stage for ALB access logs (30 fields, one line in
//! five with the 33 of 2025) and, for NLB, CLB and ALB connection logs, the baseline, the
//! tokenizer, `to_arrow`, `to_arrow_string_view_from_buffer` and `to_parquet`.
//!
//! Every benchmark asserts its row count. `cargo bench --bench pipeline -- --test` runs each
//! once (CI).

use std::hint::black_box;
use std::io::{Read, Write};

use arrow::buffer::Buffer;
use aws_access_logs::cloudfront::{CloudFrontRecord, FieldList};
use aws_access_logs::elb::{ElbRecord, Flavor};
use aws_access_logs::parquet::{ParquetOptions, write_parquet};
use aws_access_logs::raw::LineSplitter;
use aws_access_logs::s3::S3Record;
use aws_access_logs::{Format, Reader, ReaderBuilder};
use criterion::{Criterion, Throughput, criterion_group};

#[path = "../examples/generate/logs.rs"]
mod logs;

use logs::{Generator, Kind};

const TARGET_BYTES: usize = 32 << 20;
const SEED: u64 = 0x5eed_1e55_a3c0_ffee;

/// About [`TARGET_BYTES`] of a generated log, and its number of data lines.
fn generate(kind: Kind) -> (Vec<u8>, u64) {
    let mut generator = Generator::new(kind, SEED);
    let mut out = String::with_capacity(TARGET_BYTES + 4096);
    let mut rows = 0;
    while out.len() < TARGET_BYTES {
        generator.line(&mut out);
        rows += 1;
    }
    (out.into_bytes(), rows)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn builder(kind: Kind) -> ReaderBuilder {
    match kind {
        Kind::S3 => ReaderBuilder::new(Format::S3),
        Kind::CloudFrontRealtime => ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_fields(FieldList::realtime(logs::REALTIME_FIELDS).unwrap()),
        Kind::CloudFrontStandard => ReaderBuilder::new(Format::CloudFrontStandard),
        Kind::Alb => ReaderBuilder::new(Format::Alb),
        Kind::Nlb => ReaderBuilder::new(Format::Nlb),
        Kind::Clb => ReaderBuilder::new(Format::Clb),
        Kind::AlbConnection => ReaderBuilder::new(Format::AlbConnection),
    }
}

/// The ELB flavor of a kind of log.
fn flavor(kind: Kind) -> Option<Flavor> {
    match kind {
        Kind::Alb => Some(Flavor::Alb),
        Kind::Nlb => Some(Flavor::Nlb),
        Kind::Clb => Some(Flavor::Clb),
        Kind::AlbConnection => Some(Flavor::AlbConnection),
        Kind::S3 | Kind::CloudFrontRealtime | Kind::CloudFrontStandard => None,
    }
}

/// Lines split and fields found; returns the records that split.
fn tokenize(kind: Kind, data: &[u8]) -> u64 {
    let mut splitter = LineSplitter::new(1 << 20);
    let mut pos = 0;
    let mut records = 0;
    let mut spans = Vec::new();
    if let Some(flavor) = flavor(kind) {
        while let Some(line) = splitter.next_line(data, &mut pos) {
            records += u64::from(ElbRecord::parse(flavor, line.bytes).is_ok());
        }
        return records;
    }
    let fields = match kind {
        Kind::S3 | Kind::Alb | Kind::Nlb | Kind::Clb | Kind::AlbConnection => None,
        Kind::CloudFrontRealtime => Some(FieldList::realtime(logs::REALTIME_FIELDS).unwrap()),
        Kind::CloudFrontStandard => {
            Some(FieldList::standard(&format!("#Fields: {}", logs::STANDARD_FIELDS)).unwrap())
        }
    };
    while let Some(line) = splitter.next_line(data, &mut pos) {
        let ok = match &fields {
            None => S3Record::parse(line.bytes).is_ok(),
            Some(_) if line.bytes.first() == Some(&b'#') => false,
            Some(fields) => CloudFrontRecord::parse(line.bytes, fields, &mut spans).is_ok(),
        };
        records += u64::from(ok);
    }
    records
}

/// The S3 format as one regular expression, the way a quick parser is usually written.
const S3_REGEX: &str = r#"^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) ("[^"]*"|-) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) ("[^"]*"|-) ("[^"]*"|-) (\S+)(?: (\S+) (\S+) (\S+) (\S+) (\S+) (\S+))?(?: (\S+))?(?: (\S+))?"#;

/// Lines matched by [`S3_REGEX`], with the status and bytes-sent fields parsed.
fn regex_parse(re: &regex::bytes::Regex, data: &[u8]) -> (u64, u64) {
    let mut locations = re.capture_locations();
    let (mut matched, mut checksum) = (0, 0u64);
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if re.captures_read(&mut locations, line).is_none() {
            continue;
        }
        matched += 1;
        let field = |i: usize| locations.get(i).map_or(&b""[..], |(s, e)| &line[s..e]);
        let number = |b: &[u8]| {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        };
        checksum += number(field(10)).unwrap_or(0) + number(field(12)).unwrap_or(0);
    }
    (matched, checksum)
}

/// AWS's Athena regular expression for ALB access logs (spec §4.5, the 2024 version with
/// `conn_trace_id`), anchored at both ends: Athena's RegexSerDe matches whole lines.
const ALB_ATHENA_REGEX: &str = r#"^(?:([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) "([^ ]*) (.*) (- |[^ ]*)" "([^"]*)" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^"]*)" ([-.0-9]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^ ]*)" "([^\s]+?)" "([^\s]+)" "([^ ]*)" "([^ ]*)" ?([^ ]*)?( .*)?)$"#;

/// Lines matched by [`ALB_ATHENA_REGEX`], with `elb_status_code` and `sent_bytes` parsed.
fn athena_parse(re: &regex::bytes::Regex, data: &[u8]) -> (u64, u64) {
    let mut locations = re.capture_locations();
    let (mut matched, mut checksum) = (0, 0u64);
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if re.captures_read(&mut locations, line).is_none() {
            continue;
        }
        matched += 1;
        let field = |i: usize| locations.get(i).map_or(&b""[..], |(s, e)| &line[s..e]);
        let number = |b: &[u8]| {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        };
        checksum += number(field(11)).unwrap_or(0) + number(field(14)).unwrap_or(0);
    }
    (matched, checksum)
}

/// Text → Arrow batches (`views`: text columns as string views); returns the rows, checking
/// that no line was rejected.
fn to_arrow(kind: Kind, data: &[u8], views: bool) -> u64 {
    rows_of(builder(kind).with_string_view(views).build(data).unwrap())
}

/// [`to_arrow`] from a buffer in memory, decoded where it lies.
fn to_arrow_from_buffer(kind: Kind, data: &Buffer, views: bool) -> u64 {
    rows_of(
        builder(kind)
            .with_string_view(views)
            .build_from_buffer(data.clone())
            .unwrap(),
    )
}

/// Every batch of `reader`; returns the rows (none rejected).
fn rows_of<R: Read>(mut reader: Reader<R>) -> u64 {
    let n: u64 = reader
        .by_ref()
        .map(|batch| batch.unwrap().num_rows() as u64)
        .sum();
    assert_eq!(reader.stats().rejected, 0);
    n
}

/// [`to_parquet`] from a buffer in memory, decoded where it lies.
fn to_parquet_from_buffer(kind: Kind, data: &Buffer, out: &mut Vec<u8>) -> u64 {
    out.clear();
    let mut reader = builder(kind).build_from_buffer(data.clone()).unwrap();
    write_parquet(&mut reader, out, &ParquetOptions::default())
        .unwrap()
        .stats
        .rows
}

/// Text → Parquet (zstd 3) into `out` (cleared first); returns the rows.
fn to_parquet(kind: Kind, data: &[u8], out: &mut Vec<u8>) -> u64 {
    out.clear();
    let mut reader = builder(kind).build(data).unwrap();
    write_parquet(&mut reader, out, &ParquetOptions::default())
        .unwrap()
        .stats
        .rows
}

/// Every stage, or only the baseline, the tokenizer, `to_arrow`,
/// `to_arrow_string_view_from_buffer` and `to_parquet`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stages {
    All,
    Core,
}

fn bench_format(c: &mut Criterion, name: &str, kind: Kind, stages: Stages) {
    let (data, rows) = generate(kind);
    let gz = if stages == Stages::All {
        gzip(&data)
    } else {
        Vec::new()
    };
    let mut group = c.benchmark_group(format!("pipeline_{name}"));
    group.sample_size(10);
    group.throughput(Throughput::Bytes(data.len() as u64));
    // Lines in the buffer: data lines plus a standard log's two header lines.
    let lines = rows
        + if kind == Kind::CloudFrontStandard {
            2
        } else {
            0
        };

    group.bench_function("baseline_memchr_newlines", |b| {
        b.iter(|| {
            let n = memchr::memchr_iter(b'\n', black_box(&data)).count() as u64;
            assert_eq!(n, lines);
        })
    });
    if stages == Stages::All {
        group.bench_function("baseline_flate2_decompress", |b| {
            let mut out = Vec::with_capacity(data.len());
            b.iter(|| {
                out.clear();
                flate2::read::MultiGzDecoder::new(black_box(&gz[..]))
                    .read_to_end(&mut out)
                    .unwrap();
                assert_eq!(out.len(), data.len());
                assert_eq!(memchr::memchr_iter(b'\n', &out).count() as u64, lines);
            })
        });
    }
    if kind == Kind::S3 {
        let re = regex::bytes::Regex::new(S3_REGEX).unwrap();
        group.bench_function("baseline_regex_parser", |b| {
            b.iter(|| {
                let (matched, checksum) = regex_parse(&re, black_box(&data));
                // The regex cannot express requesters with spaces or quotes inside quoted
                // fields, so about a tenth of the lines escape it; count those that match.
                assert!(
                    matched <= rows && matched * 100 >= rows * 85,
                    "{matched} of {rows}"
                );
                black_box(checksum);
            })
        });
    }
    if kind == Kind::Alb {
        let re = regex::bytes::Regex::new(ALB_ATHENA_REGEX).unwrap();
        group.bench_function("baseline_athena_regex", |b| {
            b.iter(|| {
                let (matched, checksum) = athena_parse(&re, black_box(&data));
                // The generated lines hold one-item lists only: every line matches.
                assert_eq!(matched, rows);
                black_box(checksum);
            })
        });
    }
    group.bench_function("tokenize_only", |b| {
        b.iter(|| assert_eq!(tokenize(kind, black_box(&data)), rows))
    });
    let arrow_stages: &[(&str, bool)] = match stages {
        Stages::All => &[("to_arrow", false), ("to_arrow_string_view", true)],
        Stages::Core => &[("to_arrow", false)],
    };
    for &(name, string_view) in arrow_stages {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(to_arrow(kind, black_box(&data), string_view), rows))
        });
    }
    // Made once: handing it to a reader copies nothing.
    let buffer = Buffer::from(data.as_slice());
    let buffer_stages: &[(&str, bool)] = match stages {
        Stages::All => &[
            ("to_arrow_from_buffer", false),
            ("to_arrow_string_view_from_buffer", true),
        ],
        Stages::Core => &[("to_arrow_string_view_from_buffer", true)],
    };
    for &(name, string_view) in buffer_stages {
        group.bench_function(name, |b| {
            b.iter(|| {
                assert_eq!(
                    to_arrow_from_buffer(kind, black_box(&buffer), string_view),
                    rows
                )
            })
        });
    }
    let mut out = Vec::with_capacity(data.len() / 4);
    group.bench_function("to_parquet", |b| {
        b.iter(|| assert_eq!(to_parquet(kind, black_box(&data), &mut out), rows))
    });
    if stages == Stages::Core {
        group.finish();
        return;
    }
    group.bench_function("to_parquet_from_buffer", |b| {
        b.iter(|| {
            assert_eq!(
                to_parquet_from_buffer(kind, black_box(&buffer), &mut out),
                rows
            )
        })
    });
    group.bench_function("gzip_to_parquet", |b| {
        b.iter(|| {
            out.clear();
            let mut reader = builder(kind).build(black_box(&gz[..])).unwrap();
            let summary = write_parquet(&mut reader, &mut out, &ParquetOptions::default()).unwrap();
            assert_eq!(summary.stats.rows, rows);
        })
    });
    // Shared, so that handing the input to a parallel reader copies nothing. Two threads as
    // the converter runs them for Parquet: the caller's reads (and decompresses) and decodes,
    // and with a helper encodes; a reading thread and two decoding threads besides were
    // 13-20% slower (2026-12-03).
    let two = ParquetOptions::default().with_threads(2);
    for (name, input) in [
        ("to_parquet_2_threads", bytes::Bytes::from(data.clone())),
        ("gzip_to_parquet_2_threads", bytes::Bytes::from(gz.clone())),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                let mut reader = builder(kind)
                    .build_parallel(std::io::Cursor::new(black_box(input.clone())), 1)
                    .unwrap();
                let summary = write_parquet(&mut reader, &mut out, &two).unwrap();
                assert_eq!(summary.stats.rows, rows);
            })
        });
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    for (name, kind, stages) in [
        ("s3", Kind::S3, Stages::All),
        ("cloudfront_realtime", Kind::CloudFrontRealtime, Stages::All),
        ("cloudfront_standard", Kind::CloudFrontStandard, Stages::All),
        ("alb", Kind::Alb, Stages::All),
        ("nlb", Kind::Nlb, Stages::Core),
        ("clb", Kind::Clb, Stages::Core),
        ("alb_connection", Kind::AlbConnection, Stages::Core),
    ] {
        bench_format(c, name, kind, stages);
    }
}

/// With `PIPELINE_ONE_PASS=<format>:<stage>` set (format `s3`, `cloudfront_realtime`,
/// `cloudfront_standard`, `alb`, `nlb`, `clb` or `alb_connection`; stage `tokenize_only`, `to_arrow`, `to_arrow_string_view`,
/// `to_arrow_from_buffer`, `to_arrow_string_view_from_buffer`, `to_parquet` or
/// `to_parquet_from_buffer`), one pass of that stage over the format's log and nothing else:
/// fixed work for an instruction profiler (`benches/profile.sh` runs each under callgrind).
fn one_pass(spec: &str) {
    let (format, stage) = spec
        .split_once(':')
        .expect("PIPELINE_ONE_PASS=<format>:<stage>");
    let kind = match format {
        "s3" => Kind::S3,
        "cloudfront_realtime" => Kind::CloudFrontRealtime,
        "cloudfront_standard" => Kind::CloudFrontStandard,
        "alb" => Kind::Alb,
        "nlb" => Kind::Nlb,
        "clb" => Kind::Clb,
        "alb_connection" => Kind::AlbConnection,
        other => panic!("unknown format {other:?}"),
    };
    let (data, rows) = generate(kind);
    let data = Buffer::from_vec(data);
    assert_eq!(run_stage(kind, stage, &data), rows);
    println!("{} bytes {rows} rows", data.len());
}

/// One pass of `stage` (a function of its own, so that a profiler can count it alone:
/// callgrind's `--toggle-collect=*run_stage*`); returns the rows.
#[inline(never)]
fn run_stage(kind: Kind, stage: &str, data: &Buffer) -> u64 {
    match stage {
        "tokenize_only" => tokenize(kind, data),
        "to_arrow" => to_arrow(kind, data, false),
        "to_arrow_string_view" => to_arrow(kind, data, true),
        "to_arrow_from_buffer" => to_arrow_from_buffer(kind, data, false),
        "to_arrow_string_view_from_buffer" => to_arrow_from_buffer(kind, data, true),
        "to_parquet" => to_parquet(kind, data, &mut Vec::new()),
        "to_parquet_from_buffer" => to_parquet_from_buffer(kind, data, &mut Vec::new()),
        other => panic!("unknown stage {other:?}"),
    }
}

criterion_group!(benches, bench);

fn main() {
    match std::env::var("PIPELINE_ONE_PASS") {
        Ok(spec) => one_pass(&spec),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
