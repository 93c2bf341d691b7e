//! `ParallelReader` gives what `Reader` gives — rows, rejects, counters, errors — for any
//! thread count, and its batches do not depend on the thread count; so does a `Reader` over a
//! buffer in memory (`ReaderBuilder::build_from_buffer`).

mod common;

use std::io::Cursor;

use arrow::array::RecordBatch;
use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::{DecodeStats, ErrorPolicy, ReaderBuilder};
use common::{assert_same_outcome, balanced, concat, drain, fixture, gzip};

/// Checks `ParallelReader` against `Reader` on `input` for several thread counts and segment
/// sizes; returns the batch sizes per segment size (the same for every thread count).
fn check(builder: &ReaderBuilder, input: &[u8]) {
    let mut reader = builder.clone().build(input).unwrap();
    let schema = reader.schema();
    let want = drain(&mut reader);
    let want_rows = concat(&want.batches, &schema);
    check_in_memory(builder, input);
    for segment in [1, 97, 4096, 5003, 1 << 16] {
        let mut first: Option<Vec<RecordBatch>> = None;
        for threads in [1, 2, 3] {
            let mut parallel = builder
                .clone()
                .with_segment_size(segment)
                .build_parallel(Cursor::new(input.to_vec()), threads)
                .unwrap();
            assert_eq!(parallel.schema(), schema);
            let got = drain(&mut parallel);
            let context = format!("segment {segment}, threads {threads}");
            assert_eq!(concat(&got.batches, &schema), want_rows, "{context}");
            assert_eq!(got.rejects, want.rejects, "{context}");
            assert_eq!(got.stats, want.stats, "{context}");
            if want.error.is_none() {
                // (After an error, a Reader may have read ahead of it.)
                assert_eq!(got.bytes_read, want.bytes_read, "{context}");
            }
            assert_eq!(got.error, want.error, "{context}");
            match &first {
                None => first = Some(got.batches),
                Some(batches) => assert_eq!(&got.batches, batches, "{context}"),
            }
        }
    }
}

/// `build_from_buffer` gives what `build` gives over the same bytes, with and without string
/// views.
fn check_in_memory(builder: &ReaderBuilder, input: &[u8]) {
    for views in [false, true] {
        let builder = builder.clone().with_string_view(views);
        let mut streamed = builder.clone().build(input).unwrap();
        let schema = streamed.schema();
        let want = drain(&mut streamed);
        let mut in_memory = builder
            .build_from_buffer(arrow::buffer::Buffer::from(input))
            .unwrap();
        assert_eq!(in_memory.schema(), schema);
        let got = drain(&mut in_memory);
        let context = format!("in memory, views {views}");
        assert_same_outcome(&got, &want, &schema, &context);
    }
}

/// S3 lines with every kind of trouble: the quirks fixture (rejects, a repaired line, blank
/// lines), repeated past several segments, with `\r\n` in places, a byte order mark first and
/// no newline at the end.
fn s3_input() -> Vec<u8> {
    let quirks = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let mut input = b"\xef\xbb\xbf".to_vec();
    for i in 0..12 {
        if i % 3 == 1 {
            let text: Vec<u8> = quirks
                .split(|&b| b == b'\n')
                .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
                .collect();
            input.extend(text);
        } else {
            input.extend(&quirks);
        }
    }
    while input.last() == Some(&b'\n') || input.last() == Some(&b'\r') {
        input.pop();
    }
    input
}

#[test]
fn s3_logs_decode_the_same_on_any_number_of_threads() {
    let input = s3_input();
    assert!(input.len() > 3 * 5003, "{}", input.len());
    let builder = ReaderBuilder::auto().with_batch_size(7);
    check(&builder, &input);
    check(&builder, &gzip(&input));
    // Few rejects held at once: the segments pause to hand them over.
    check(&builder.clone().with_max_rejects(2, 1 << 20), &input);
}

#[test]
fn cloudfront_logs_decode_the_same_on_any_number_of_threads() {
    let config = std::fs::read_to_string(fixture("cloudfront/realtime.config.json")).unwrap();
    let fields = FieldList::realtime(&config).unwrap();
    let realtime = std::fs::read(fixture("cloudfront/realtime.log"))
        .unwrap()
        .repeat(40);
    check(
        &ReaderBuilder::auto().with_fields(fields).with_batch_size(5),
        &realtime,
    );
    // Standard logs are decoded as one piece (their #Fields: lines carry state).
    let standard = std::fs::read(fixture("cloudfront/standard-multi.log"))
        .unwrap()
        .repeat(30);
    check(&ReaderBuilder::auto().with_batch_size(5), &standard);
}

#[test]
fn a_line_longer_than_a_segment_switches_to_one_piece() {
    let quirks = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let mut input = quirks.repeat(4);
    input.extend(vec![b'x'; 9000]);
    input.push(b'\n');
    input.extend(quirks.repeat(4));
    // The long line is rejected either way (maximum 1000 bytes) ...
    check(
        &ReaderBuilder::auto()
            .with_batch_size(7)
            .with_max_line_length(1000),
        &input,
    );
    // ... or within the maximum, longer than a 4096-byte segment, and still one line.
    check(&ReaderBuilder::auto().with_batch_size(7), &input);
}

#[test]
fn truncated_gzip_gives_the_rows_before_the_cut_then_the_error() {
    let input = s3_input();
    let gz = gzip(&input);
    let truncated = &gz[..gz.len() * 2 / 3];
    let builder = ReaderBuilder::auto().with_batch_size(7);
    check(&builder, truncated);
    let mut reader = builder
        .with_segment_size(4096)
        .build_parallel(Cursor::new(truncated.to_vec()), 2)
        .unwrap();
    let got = drain(&mut reader);
    assert!(
        got.error
            .unwrap()
            .contains("truncated or corrupt gzip stream after")
    );
    assert!(balanced(got.stats), "{:?}", got.stats);
    assert!(got.stats.rows > 100, "{:?}", got.stats);
}

#[test]
fn fail_fast_stops_at_the_first_bad_line_of_any_segment() {
    let good = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE \
                REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \
                \"S3Console/0.4\" -\n";
    let mut input = good.repeat(60);
    input.push_str("not a log line\n");
    input.push_str(&good.repeat(60));
    check(
        &ReaderBuilder::auto()
            .with_error_policy(ErrorPolicy::FailFast)
            .with_batch_size(7),
        input.as_bytes(),
    );
}

#[test]
fn options_are_checked() {
    let builder = ReaderBuilder::auto();
    let err = builder
        .clone()
        .build_parallel(Cursor::new(Vec::new()), 0)
        .unwrap_err();
    assert!(err.to_string().contains("at least one thread"), "{err}");
    let err = builder
        .with_segment_size(0)
        .build_parallel(Cursor::new(Vec::new()), 2)
        .unwrap_err();
    assert!(err.to_string().contains("segment size"), "{err}");
    // An empty input is no rows, and no error.
    let mut reader = ReaderBuilder::new(aws_access_logs::Format::S3)
        .build_parallel(Cursor::new(Vec::new()), 2)
        .unwrap();
    assert!(reader.next_batch().unwrap().is_none());
    assert_eq!(reader.stats(), DecodeStats::default());
}

#[test]
fn a_buffer_in_memory_is_decoded_where_it_lies() {
    use arrow::array::{Array, AsArray};
    let input = arrow::buffer::Buffer::from_vec(s3_input());
    let mut reader = ReaderBuilder::new(aws_access_logs::Format::S3)
        .with_string_view(true)
        .build_from_buffer(input.clone())
        .unwrap();
    let batch = reader.next_batch().unwrap().unwrap();
    let uri = batch
        .column_by_name("request_uri")
        .unwrap()
        .as_string_view();
    // The long values point into the input itself: no copy was made.
    assert!(
        uri.data_buffers()
            .iter()
            .any(|b| b.as_ptr() == input.as_ptr() && b.len() == input.len()),
        "the views point into the input"
    );
    assert!(uri.len() > 0);
    // An empty buffer is no rows, and no error.
    let mut empty = ReaderBuilder::new(aws_access_logs::Format::S3)
        .build_from_buffer(arrow::buffer::Buffer::from_vec(Vec::<u8>::new()))
        .unwrap();
    assert!(empty.next_batch().unwrap().is_none());
    assert_eq!(empty.stats(), DecodeStats::default());
}

/// Rejected lines of `len` bytes each (with the terminator), numbered.
fn rejected_lines(n: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * len);
    for i in 0..n {
        let head = format!("not a log line {i} ");
        out.extend_from_slice(head.as_bytes());
        out.extend(std::iter::repeat_n(b'x', len - head.len() - 1));
        out.push(b'\n');
    }
    out
}

/// The raw bytes of the rejects a reader holds.
fn held_bytes(reader: &aws_access_logs::ParallelReader) -> usize {
    reader.rejects().iter().map(|r| r.raw().len()).sum()
}

/// Segments that yield no batch (every line rejected, fewer than the reject limits per
/// segment) must not pile up their rejects: the reader pauses once the rejects held reach the
/// limits, with an empty batch, and drops the details of further ones (counting them) when they
/// are not taken — on any thread count, whatever the line length.
#[test]
fn rejects_of_segments_without_rows_are_bounded() {
    for (lines, len, max_rejects, max_bytes, segment) in [
        // Many short lines: the count limit (20 to 21 lines per segment).
        (20_000, 100, 100, 1 << 20, 2048),
        // Long lines: the byte limit (one or two 5000-byte lines per segment).
        (2_000, 5000, 1_000_000, 20_000, 9000),
    ] {
        let input = rejected_lines(lines, len);
        let builder = ReaderBuilder::new(aws_access_logs::Format::S3)
            .with_max_rejects(max_rejects, max_bytes)
            .with_segment_size(segment);
        let bounded = |reader: &aws_access_logs::ParallelReader| {
            reader.rejects().len() <= 2 * max_rejects && held_bytes(reader) <= 2 * max_bytes + len
        };
        for threads in [1, 2, 3] {
            let context = format!("{len}-byte lines, {threads} threads");
            // Taken after each batch: all kept, in order, never more than the bound held.
            let mut reader = builder
                .clone()
                .build_parallel(Cursor::new(input.clone()), threads)
                .unwrap();
            let mut kept = Vec::new();
            let mut pauses = 0;
            while let Some(batch) = reader.next_batch().unwrap() {
                assert_eq!(batch.num_rows(), 0, "{context}");
                assert!(
                    bounded(&reader),
                    "{context}: {} held",
                    reader.rejects().len()
                );
                pauses += 1;
                kept.extend(reader.take_rejects());
            }
            assert!(
                bounded(&reader),
                "{context}: {} held",
                reader.rejects().len()
            );
            kept.extend(reader.take_rejects());
            assert!(pauses > 10, "{context}: {pauses}");
            assert_eq!(kept.len(), lines, "{context}");
            assert!(
                kept.iter()
                    .enumerate()
                    .all(|(i, r)| r.line() == i as u64 + 1),
                "{context}"
            );
            assert_eq!(reader.stats().rejects_dropped, 0, "{context}");

            // Never taken: the bound still holds; the rest is counted.
            let mut reader = builder
                .clone()
                .build_parallel(Cursor::new(input.clone()), threads)
                .unwrap();
            while let Some(batch) = reader.next_batch().unwrap() {
                assert_eq!(batch.num_rows(), 0, "{context}");
                assert!(
                    bounded(&reader),
                    "{context}: {} held",
                    reader.rejects().len()
                );
            }
            assert!(
                bounded(&reader),
                "{context}: {} held",
                reader.rejects().len()
            );
            let stats = reader.stats();
            assert_eq!(stats.rejected, lines as u64, "{context}");
            assert_eq!(
                stats.rejects_dropped + reader.rejects().len() as u64,
                lines as u64,
                "{context}"
            );
            assert!(balanced(stats), "{context}: {stats:?}");
        }
    }
}

/// `lines` blank lines (empty, or spaces and tabs, some ending in `\r\n`) after a byte order
/// mark: more than the 256 KiB that format detection reads ahead.
fn blank_lines(lines: usize) -> Vec<u8> {
    let mut out = b"\xef\xbb\xbf".to_vec();
    for i in 0..lines {
        out.extend_from_slice(match i % 3 {
            0 => b"\n".as_slice(),
            1 => b"   \t  \r\n",
            _ => b"\t\t\t\t\t\t\t\t\t\t\t\n",
        });
    }
    out
}

/// Format detection skips any amount of blank lines before the first line that tells the
/// format (it gave up after 256 KiB of them): the detected reader gives what a reader of the
/// known format gives — rows, rejects with their lines and offsets, counters (the blank lines
/// among them) — and so do the parallel reader and a reader over the buffer in memory.
#[test]
fn detection_skips_any_amount_of_blank_lines() {
    let quirks = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let standard = std::fs::read(fixture("cloudfront/standard-multi.log")).unwrap();
    let config = std::fs::read_to_string(fixture("cloudfront/realtime.config.json")).unwrap();
    let fields = FieldList::realtime(&config).unwrap();
    let realtime = std::fs::read(fixture("cloudfront/realtime.log")).unwrap();
    let blanks = blank_lines(60_000);
    assert!(blanks.len() > 400 << 10, "{}", blanks.len());
    let cases = [
        (aws_access_logs::Format::S3, ReaderBuilder::auto(), quirks),
        (
            aws_access_logs::Format::CloudFrontStandard,
            ReaderBuilder::auto(),
            standard,
        ),
        (
            aws_access_logs::Format::CloudFrontRealtime,
            ReaderBuilder::auto().with_fields(fields.clone()),
            realtime,
        ),
    ];
    for (format, auto, log) in cases {
        let mut input = blanks.clone();
        input.extend(&log);
        for input in [input.clone(), gzip(&input)] {
            let known = match format {
                aws_access_logs::Format::CloudFrontRealtime => {
                    ReaderBuilder::new(format).with_fields(fields.clone())
                }
                _ => ReaderBuilder::new(format),
            }
            .with_batch_size(7);
            let mut reader = known.build(&input[..]).unwrap();
            let schema = reader.schema();
            let want = drain(&mut reader);
            assert!(want.error.is_none(), "{format}: {:?}", want.error);
            assert!(want.stats.blank_lines >= 60_000, "{format}");
            assert!(want.stats.rows > 0, "{format}");
            let auto = auto.clone().with_batch_size(7);
            let mut detected = auto.clone().build(&input[..]).unwrap();
            assert_eq!(detected.format(), format);
            let got = drain(&mut detected);
            let rows = concat(&want.batches, &schema);
            assert_eq!(concat(&got.batches, &schema), rows, "{format}");
            assert_eq!(got.rejects, want.rejects, "{format}");
            assert_eq!(got.stats, want.stats, "{format}");
            assert_eq!(got.bytes_read, want.bytes_read, "{format}");
            let mut in_memory = auto
                .clone()
                .build_from_buffer(arrow::buffer::Buffer::from(&input[..]))
                .unwrap();
            let got = drain(&mut in_memory);
            assert_eq!(concat(&got.batches, &schema), rows, "{format} in memory");
            assert_eq!(got.rejects, want.rejects, "{format} in memory");
            assert_eq!(got.stats, want.stats, "{format} in memory");
            for (segment, threads) in [(4096, 1), (4096, 2), (1 << 16, 3)] {
                let context = format!("{format}, segment {segment}, threads {threads}");
                let mut parallel = auto
                    .clone()
                    .with_segment_size(segment)
                    .build_parallel(Cursor::new(input.clone()), threads)
                    .unwrap();
                let got = drain(&mut parallel);
                assert_eq!(concat(&got.batches, &schema), rows, "{context}");
                assert_eq!(got.rejects, want.rejects, "{context}");
                assert_eq!(got.stats, want.stats, "{context}");
                assert_eq!(got.bytes_read, want.bytes_read, "{context}");
            }
        }
    }
}
