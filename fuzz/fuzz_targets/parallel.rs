//! Differential: `ParallelReader` (one or several threads, fuzzer-chosen segment size, plain
//! or gzip input) gives the rows, rejects, counters and error of `Reader` on the same input;
//! so does a `Reader` with string views (`with_string_view`), its text as `Utf8View` (whose
//! arrays debug builds, as fuzzing builds are, check in full), and a `Reader` over the input as
//! a buffer in memory (`build_from_buffer`), with and without string views.

#![no_main]

use std::io::{Cursor, Write};

use arrow::array::RecordBatch;
use aws_access_logs::{BatchSource, DecodeStats, ErrorPolicy, Format, ReaderBuilder, Reject};
use aws_access_logs_fuzz::{ELB_FORMATS, check_rejects, check_stats, default_realtime_fields};
use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
struct Outcome {
    rows: Option<RecordBatch>,
    rejects: Vec<(u64, u64, Vec<u8>, String)>,
    stats: DecodeStats,
    error: Option<String>,
}

fn drain(source: &mut dyn BatchSource) -> (Outcome, Vec<RecordBatch>, Vec<Reject>) {
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
    // (Empty batches, handed out when the rejects held fill up, carry no rows.)
    let rows = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .map(|b| arrow::compute::concat_batches(&b.schema(), &batches).unwrap());
    let described = rejects
        .iter()
        .map(|r| {
            (
                r.line(),
                r.byte_offset(),
                r.raw().to_vec(),
                r.error().to_string(),
            )
        })
        .collect();
    let outcome = Outcome {
        rows,
        rejects: described,
        stats: source.stats(),
        error,
    };
    (outcome, batches, rejects)
}

/// `batch` with `want`'s schema (string views cast to `Utf8`).
fn plain(batch: RecordBatch, want: &Outcome) -> RecordBatch {
    let schema = want
        .rows
        .as_ref()
        .expect("rows where Reader has rows")
        .schema();
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| arrow::compute::cast(c, f.data_type()).unwrap())
        .collect();
    RecordBatch::try_new(schema, columns).unwrap()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, text) = data.split_at(4);
    // head[0]: format (bits 0-1: auto, S3, real-time, standard; with bit 6: ALB, NLB, CLB, ALB
    // connection log), fail-fast 4, gzip 8, cut short 16.
    let builder = match (head[0] & 0x40 != 0, head[0] % 4) {
        (true, i) => ReaderBuilder::new(ELB_FORMATS[usize::from(i)]),
        (false, 0) => ReaderBuilder::auto(),
        (false, 1) => ReaderBuilder::new(Format::S3),
        (false, 2) => {
            ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(default_realtime_fields())
        }
        (false, _) => ReaderBuilder::new(Format::CloudFrontStandard),
    };
    let policy = if head[0] & 4 != 0 {
        ErrorPolicy::FailFast
    } else {
        ErrorPolicy::Skip
    };
    let builder = builder
        .with_batch_size(1 + head[1] as usize % 16)
        .with_max_line_length(64 + head[2] as usize * 4)
        .with_max_rejects(3, 1 << 16)
        .with_error_policy(policy)
        .with_segment_size(1 + head[3] as usize);
    let input = if head[0] & 8 != 0 {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(text).unwrap();
        let mut gz = gz.finish().unwrap();
        if head[0] & 16 != 0 {
            gz.truncate(gz.len() * 2 / 3);
        }
        gz
    } else {
        text.to_vec()
    };
    let Ok(mut reader) = builder.clone().build(&input[..]) else {
        return;
    };
    let (want, batches, rejects) = drain(&mut reader);
    check_stats(&want.stats, &batches);
    if head[0] & 8 == 0 {
        check_rejects(text, &rejects, &want.stats);
    }
    let mut views = builder
        .clone()
        .with_string_view(true)
        .build(&input[..])
        .expect("builds where Reader builds");
    let (mut got, _, _) = drain(&mut views);
    got.rows = got.rows.map(|batch| plain(batch, &want));
    assert_eq!(got, want, "string views");
    for string_view in [false, true] {
        let mut in_memory = builder
            .clone()
            .with_string_view(string_view)
            .build_from_buffer(arrow::buffer::Buffer::from(&input[..]))
            .expect("builds where Reader builds");
        let (mut got, _, _) = drain(&mut in_memory);
        got.rows = got.rows.map(|batch| plain(batch, &want));
        assert_eq!(got, want, "in memory, string views {string_view}");
    }
    let mut first: Option<Vec<RecordBatch>> = None;
    for threads in [1, 2] {
        let mut parallel = builder
            .clone()
            .build_parallel(Cursor::new(input.clone()), threads)
            .expect("builds where Reader builds");
        let (got, batches, _) = drain(&mut parallel);
        assert_eq!(got, want, "threads {threads}");
        match &first {
            None => first = Some(batches),
            Some(first) => assert_eq!(first, &batches, "the batches depend on the thread count"),
        }
    }
});
