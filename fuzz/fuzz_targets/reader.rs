//! The whole `Reader` on arbitrary bytes: plain, gzip made from the fuzzer's text (one or two
//! members, possibly cut short), or the fuzzer's own bytes taken as gzip when they start with
//! its magic bytes. Gzip input must decode exactly as its plain text does. With an Elastic Load
//! Balancing format, `ElbRecord::parse` checks each line too (`check_elb_lines`).

#![no_main]

use std::io::Write;

use arrow::array::RecordBatch;
use aws_access_logs::{DecodeStats, Error, ErrorKind, Format, ReaderBuilder, Reject};
use aws_access_logs_fuzz::{
    ELB_FORMATS, check_elb_lines, check_rejects, check_stats, default_realtime_fields, elb_flavor,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;

struct Outcome {
    built: Result<(), ErrorKind>,
    batches: Vec<RecordBatch>,
    rejects: Vec<Reject>,
    stats: DecodeStats,
    error: Option<Error>,
    bytes_read: u64,
}

const MAX_LINE: usize = 8192;

/// The format of `format` (0 auto, 1 S3, 2 real-time, 3 standard, 4 to 7 the ELB formats).
fn builder(format: u8) -> ReaderBuilder {
    match format {
        0 => ReaderBuilder::auto(),
        1 => ReaderBuilder::new(Format::S3),
        2 => ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(default_realtime_fields()),
        3 => ReaderBuilder::new(Format::CloudFrontStandard),
        _ => ReaderBuilder::new(ELB_FORMATS[usize::from(format & 3)]),
    }
}

fn read(input: &[u8], format: u8, batch_size: usize) -> Outcome {
    let builder = builder(format)
        .with_batch_size(batch_size)
        .with_max_line_length(MAX_LINE)
        .with_max_rejects(3, 1 << 16)
        .with_max_decompressed_bytes(4 << 20);
    let mut outcome = Outcome {
        built: Ok(()),
        batches: Vec::new(),
        rejects: Vec::new(),
        stats: DecodeStats::default(),
        error: None,
        bytes_read: 0,
    };
    let mut reader = match builder.build(input) {
        Ok(reader) => reader,
        Err(err) => {
            outcome.built = Err(err.kind());
            return outcome;
        }
    };
    loop {
        match reader.next_batch() {
            Ok(Some(batch)) => {
                assert!(batch.num_rows() <= batch_size);
                outcome.batches.push(batch);
            }
            Ok(None) => break,
            Err(err) => {
                outcome.error = Some(err);
                // After an error the reader is done.
                assert!(reader.next_batch().unwrap().is_none());
                break;
            }
        }
        outcome.rejects.extend(reader.take_rejects());
    }
    outcome.rejects.extend(reader.take_rejects());
    outcome.stats = reader.stats();
    outcome.bytes_read = reader.bytes_read();
    check_stats(&outcome.stats, &outcome.batches);
    outcome
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(part).unwrap();
        out.extend(encoder.finish().unwrap());
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    // flags: format (bits 0-1; bit 7: the ELB formats), gzip 4, two members 8, cut short 16,
    // batch size 1 to 4 (bits 5-6).
    let format = (flags & 3) | (flags >> 5 & 4);
    let batch_size = 1 + (flags >> 5 & 3) as usize;
    let plain = read(text, format, batch_size);
    if plain.built.is_ok() {
        if text.starts_with(&[0x1f, 0x8b]) {
            // The fuzzer's own gzip: whatever it decompresses to, the counters balance; an
            // error is a gzip error or the decompression limit.
            if let Some(err) = &plain.error {
                assert!(
                    matches!(err.kind(), ErrorKind::Gzip | ErrorKind::DecompressionLimit),
                    "{err}"
                );
            }
        } else {
            assert!(plain.error.is_none(), "{:?}", plain.error);
            check_rejects(text, &plain.rejects, &plain.stats);
            assert_eq!(plain.bytes_read, text.len() as u64);
            if format >= 4 {
                let flavor = elb_flavor(ELB_FORMATS[usize::from(format & 3)]).unwrap();
                let refused = check_elb_lines(flavor, text, MAX_LINE);
                assert!(
                    refused <= plain.stats.rejected,
                    "{refused} refused, {:?}",
                    plain.stats
                );
            }
        }
    }
    if flags & 4 == 0 || text.starts_with(&[0x1f, 0x8b]) {
        return;
    }
    // The same text as gzip, in one or two members.
    let cut = if flags & 8 != 0 {
        text.len() / 2
    } else {
        text.len()
    };
    let compressed = gzip(&[&text[..cut], &text[cut..]]);
    if flags & 16 == 0 {
        let zipped = read(&compressed, format, batch_size);
        assert_eq!(zipped.built, plain.built);
        assert!(zipped.error.is_none(), "{:?}", zipped.error);
        assert_eq!(zipped.batches, plain.batches);
        assert_eq!(zipped.rejects, plain.rejects);
        assert_eq!(zipped.stats, plain.stats);
        assert_eq!(zipped.bytes_read, plain.bytes_read);
    } else {
        // Cut short: the rows and rejects that come back are the text's, then an error.
        let truncated = &compressed[..compressed.len() - 1 - (flags as usize >> 5 & 3)];
        let zipped = read(truncated, format, batch_size);
        if zipped.built.is_ok() {
            check_rejects(text, &zipped.rejects, &zipped.stats);
            assert!(zipped.bytes_read <= text.len() as u64);
            if zipped.bytes_read < text.len() as u64 {
                let err = zipped.error.as_ref().expect("a cut stream is an error");
                assert_eq!(err.kind(), ErrorKind::Gzip, "{err}");
            }
        }
    }
});
