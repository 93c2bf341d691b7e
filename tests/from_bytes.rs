//! `ReaderBuilder::build_from_bytes` gives what `build` gives over the same bytes (rows,
//! rejects, counters, bytes read, errors), plain and gzip, for S3 and CloudFront logs; with
//! string views its batches point into the `Bytes` (no copy) and keep it alive.

mod common;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow::array::{Array, AsArray, ByteView, RecordBatch};
use arrow::datatypes::DataType;
use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::{DecodeStats, ErrorKind, Format, ReaderBuilder};
use bytes::Bytes;
use common::{all_rows, assert_same_outcome, balanced, drain, fixture, gzip};

/// The real-time fixture's field list.
fn realtime_fields() -> FieldList {
    let config = std::fs::read_to_string(fixture("cloudfront/realtime.config.json")).unwrap();
    FieldList::realtime(&config).unwrap()
}

/// A fixture repeated `times` times (past one 256 KiB read buffer when large enough).
fn repeated(path: &str, times: usize) -> Vec<u8> {
    std::fs::read(fixture(path)).unwrap().repeat(times)
}

/// The logs checked, each with its builder: S3 with rejects and repaired lines, CloudFront
/// real-time (routed, with its field list, and detected), CloudFront standard (detected, and
/// with the format given).
fn cases() -> Vec<(&'static str, ReaderBuilder, Vec<u8>)> {
    vec![
        (
            "s3 quirks",
            ReaderBuilder::new(Format::S3),
            repeated("s3/quirks.log", 300),
        ),
        (
            "s3 detected",
            ReaderBuilder::auto(),
            repeated("s3/quirks.log", 3),
        ),
        (
            "cloudfront real-time",
            ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(realtime_fields()),
            repeated("cloudfront/realtime.log", 400),
        ),
        (
            "cloudfront real-time detected",
            ReaderBuilder::auto().with_fields(realtime_fields()),
            repeated("cloudfront/realtime.log", 2),
        ),
        (
            "cloudfront standard",
            ReaderBuilder::auto(),
            repeated("cloudfront/standard-24.log", 2),
        ),
        (
            "cloudfront standard 33",
            ReaderBuilder::new(Format::CloudFrontStandard),
            std::fs::read(fixture("cloudfront/standard-33.log")).unwrap(),
        ),
    ]
}

/// `build_from_bytes` over `input` gives what `build` gives over the same bytes.
fn check_same_as_build(name: &str, builder: &ReaderBuilder, input: &[u8]) {
    for views in [false, true] {
        let context = format!("{name}, {} bytes, views {views}", input.len());
        let builder = builder
            .clone()
            .with_string_view(views)
            .with_batch_size(1000);
        let mut streamed = builder.clone().build(input).unwrap();
        let schema = streamed.schema();
        let format = streamed.format();
        let is_gzip = streamed.is_gzip();
        let want = drain(&mut streamed);
        let mut from_bytes = builder
            .build_from_bytes(Bytes::copy_from_slice(input))
            .unwrap();
        assert_eq!(from_bytes.schema(), schema, "{context}");
        assert_eq!(from_bytes.format(), format, "{context}");
        assert_eq!(from_bytes.is_gzip(), is_gzip, "{context}");
        let got = drain(&mut from_bytes);
        assert!(want.stats.rows > 0, "{context}");
        assert!(balanced(got.stats), "{context}");
        assert_same_outcome(&got, &want, &schema, &context);
        assert_eq!(got.bytes_read, want.bytes_read, "{context}");
    }
}

#[test]
fn the_same_as_build_plain_and_gzip() {
    for (name, builder, input) in cases() {
        check_same_as_build(name, &builder, &input);
        check_same_as_build(&format!("{name}, gzip"), &builder, &gzip(&input));
    }
    // Standard logs with several headers (each `#Fields:` line changes the layout).
    let multi = std::fs::read(fixture("cloudfront/standard-multi.log")).unwrap();
    check_same_as_build("standard multi", &ReaderBuilder::auto(), &multi);
    check_same_as_build(
        "standard multi, gzip",
        &ReaderBuilder::auto(),
        &gzip(&multi),
    );
    // The S3 case has rejects and repaired lines; both paths list the same ones.
    let (_, builder, input) = cases().swap_remove(0);
    let mut reader = builder.build_from_bytes(Bytes::from(input)).unwrap();
    let outcome = drain(&mut reader);
    assert!(outcome.stats.rejected > 0 && outcome.stats.repaired > 0);
}

#[test]
fn errors_are_those_of_build() {
    // A truncated gzip: the rows before it, then the same error.
    let input = gzip(&repeated("s3/quirks.log", 50));
    let cut = &input[..input.len() * 2 / 3];
    let builder = ReaderBuilder::new(Format::S3);
    let want = drain(&mut builder.clone().build(cut).unwrap());
    let got = drain(
        &mut builder
            .build_from_bytes(Bytes::copy_from_slice(cut))
            .unwrap(),
    );
    assert!(want.error.is_some());
    assert_eq!(got, want);
    // An undetectable format fails at build time, as with `build`.
    let garbage = Bytes::from_static(b"\x00\x01 not a log\n");
    let err = ReaderBuilder::auto().build_from_bytes(garbage).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
    // Real-time logs detected without a field list, as with `build`.
    let log = repeated("cloudfront/realtime.log", 1);
    let err = ReaderBuilder::auto()
        .build_from_bytes(Bytes::from(log))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingFieldList);
}

/// Every data buffer of every text column of `batches` (string views), as address ranges.
fn view_buffers(batches: &[RecordBatch]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for batch in batches {
        for column in batch.columns() {
            if column.data_type() == &DataType::Utf8View {
                for buffer in column.as_string_view().data_buffers().iter() {
                    let start = buffer.as_ptr() as usize;
                    ranges.push(start..start + buffer.len());
                }
            }
        }
    }
    ranges
}

fn address_range(bytes: &[u8]) -> Range<usize> {
    let start = bytes.as_ptr() as usize;
    start..start + bytes.len()
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The text values longer than 12 bytes (not inlined in their views) of `batches`: how many
/// lie in `memory`, and how many elsewhere.
fn long_values(batches: &[RecordBatch], memory: &Range<usize>) -> (usize, usize) {
    let (mut inside, mut outside) = (0, 0);
    for batch in batches {
        for column in batch.columns() {
            if column.data_type() != &DataType::Utf8View {
                continue;
            }
            let array = column.as_string_view();
            for (row, &view) in array.views().iter().enumerate() {
                let view = ByteView::from(view);
                if array.is_null(row) || view.length <= 12 {
                    continue;
                }
                let buffer = &array.data_buffers()[view.buffer_index as usize];
                let start = buffer.as_ptr() as usize + view.offset as usize;
                if within(&(start..start + view.length as usize), memory) {
                    inside += 1;
                } else {
                    outside += 1;
                }
            }
        }
    }
    (inside, outside)
}

#[test]
fn string_views_point_into_the_bytes() {
    for (name, builder, input) in cases() {
        let bytes = Bytes::from(input);
        let memory = address_range(&bytes);
        let mut reader = builder
            .with_string_view(true)
            .build_from_bytes(bytes.clone())
            .unwrap();
        let outcome = drain(&mut reader);
        // The whole input is one buffer, shared by the batches (not a copy of it).
        assert!(view_buffers(&outcome.batches).contains(&memory), "{name}");
        let (inside, outside) = long_values(&outcome.batches, &memory);
        // Only lines the decoder rewrites (the fixtures' quirks: repaired text, extra
        // fields) have their values copied.
        assert!(
            inside > outside,
            "{name}: {inside} values in place, {outside} copied"
        );
    }
    // Well-formed lines: every long value lies in the bytes.
    let log: String = (0..2000)
        .map(|i| {
            format!(
                "79a59df900b949e5 awsexamplebucket1 [06/Feb/2019:00:00:{:02} +0000] 192.0.2.3 \
                 arn:aws:iam::123456789012:user/alice 3E57427F3EXAMPLE{i} REST.GET.OBJECT \
                 photos/{i}/cat.jpg \"GET /awsexamplebucket1/photos/{i}/cat.jpg HTTP/1.1\" \
                 200 - 113 113 7 6 \"https://www.example.com/\" \"curl/8.4.0\" -\n",
                i % 60
            )
        })
        .collect();
    let bytes = Bytes::from(log);
    let memory = address_range(&bytes);
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_string_view(true)
        .build_from_bytes(bytes.clone())
        .unwrap();
    let outcome = drain(&mut reader);
    assert_eq!(outcome.stats.rows, 2000);
    let (inside, outside) = long_values(&outcome.batches, &memory);
    // bucket_owner, bucket, requester, request_id, operation, key, request_uri, referer.
    assert_eq!((inside, outside), (2000 * 8, 0));
    // Gzip input is decompressed: its views point into the reader's own buffers.
    let (_, builder, input) = cases().swap_remove(0);
    let bytes = Bytes::from(gzip(&input));
    let memory = address_range(&bytes);
    let mut reader = builder
        .with_string_view(true)
        .build_from_bytes(bytes.clone())
        .unwrap();
    assert!(reader.is_gzip());
    let batches = drain(&mut reader).batches;
    assert!(!view_buffers(&batches).is_empty());
    assert_eq!(long_values(&batches, &memory).0, 0);
}

/// Bytes that say when they are freed.
struct Owned {
    bytes: Vec<u8>,
    freed: Arc<AtomicBool>,
}

impl AsRef<[u8]> for Owned {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        self.freed.store(true, Ordering::SeqCst);
    }
}

fn owned(bytes: Vec<u8>) -> (Bytes, Arc<AtomicBool>) {
    let freed = Arc::new(AtomicBool::new(false));
    let bytes = Bytes::from_owner(Owned {
        bytes,
        freed: Arc::clone(&freed),
    });
    (bytes, freed)
}

#[test]
fn the_batches_keep_the_bytes_alive() {
    let input = repeated("s3/quirks.log", 20);
    let (bytes, freed) = owned(input.clone());
    let memory = address_range(&bytes);
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_string_view(true)
        .build_from_bytes(bytes)
        .unwrap();
    let batches = drain(&mut reader).batches;
    // The last handle went into the reader; the reader goes too: only the batches are left.
    drop(reader);
    assert!(!freed.load(Ordering::SeqCst), "the batches hold the bytes");
    assert!(view_buffers(&batches).contains(&memory));
    assert!(long_values(&batches, &memory).0 > 0);
    let want = ReaderBuilder::new(Format::S3)
        .build(&input[..])
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    assert_eq!(all_rows(&batches), all_rows(&want));
    drop(batches);
    assert!(freed.load(Ordering::SeqCst), "freed with the last batch");

    // Without string views the batches own their values: the bytes go with the reader.
    let (bytes, freed) = owned(input);
    let mut reader = ReaderBuilder::new(Format::S3)
        .build_from_bytes(bytes)
        .unwrap();
    let batches = drain(&mut reader).batches;
    drop(reader);
    assert!(freed.load(Ordering::SeqCst));
    assert_eq!(all_rows(&batches), all_rows(&want));
}

#[test]
fn empty_bytes_are_no_rows() {
    for bytes in [
        Bytes::new(),
        Bytes::from(Vec::new()),
        Bytes::from_static(b""),
    ] {
        for views in [false, true] {
            let mut reader = ReaderBuilder::new(Format::S3)
                .with_string_view(views)
                .build_from_bytes(bytes.clone())
                .unwrap();
            assert!(!reader.is_gzip());
            assert!(reader.next_batch().unwrap().is_none());
            assert_eq!(reader.stats(), DecodeStats::default());
            assert_eq!(reader.bytes_read(), 0);
        }
    }
    // Nothing to detect a format from: the error of `build`.
    let want = ReaderBuilder::auto().build(&b""[..]).unwrap_err();
    let got = ReaderBuilder::auto()
        .build_from_bytes(Bytes::new())
        .unwrap_err();
    assert_eq!(got.kind(), want.kind());
    assert_eq!(got.to_string(), want.to_string());
}

#[test]
fn a_slice_of_larger_bytes_is_read_alone() {
    let log = repeated("s3/quirks.log", 10);
    let mut whole = b"not a log line before the slice\n".to_vec();
    let start = whole.len();
    whole.extend_from_slice(&log);
    whole.extend_from_slice(b"nor after it\n");
    let (whole, freed) = owned(whole);
    let slice = whole.slice(start..start + log.len());
    assert_eq!(slice, log);
    let memory = address_range(&slice);
    drop(whole);
    for views in [false, true] {
        let builder = ReaderBuilder::new(Format::S3).with_string_view(views);
        let want = drain(&mut builder.clone().build(&log[..]).unwrap());
        let mut reader = builder.build_from_bytes(slice.clone()).unwrap();
        let schema = reader.schema();
        let got = drain(&mut reader);
        assert_same_outcome(&got, &want, &schema, &format!("views {views}"));
        assert_eq!(got.bytes_read, log.len() as u64);
        if views {
            assert!(view_buffers(&got.batches).contains(&memory));
            let (inside, outside) = long_values(&got.batches, &memory);
            assert!(inside > 0);
            assert!(outside as u64 <= got.stats.repaired * 28);
            // The slice's batches keep the whole allocation alive.
            drop(reader);
            drop(slice);
            assert!(!freed.load(Ordering::SeqCst));
            drop(got);
            assert!(freed.load(Ordering::SeqCst));
            break;
        }
    }
}
