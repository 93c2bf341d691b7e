//! S3 server access log lines: the borrowed record and its accessors on each line, the
//! field scanner, and the decoder on the whole input.

#![no_main]

use aws_access_logs::raw::FieldCursor;
use aws_access_logs::s3::{S3Field, S3Record};
use aws_access_logs::{Format, ReaderBuilder};
use aws_access_logs_fuzz::{check_rejects, check_stats, decode_chunks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&b| b == b'\n') {
        for sep in [b' ', b'\t'] {
            let mut cursor = FieldCursor::new(line, sep);
            let mut last = 0;
            while let Some(span) = cursor.next_field() {
                assert!(span.start as usize >= last && span.end as usize <= line.len());
                assert!(span.start <= span.end);
                last = span.end as usize;
                assert!(cursor.pos() <= line.len());
            }
        }
        let Ok(record) = S3Record::parse(line) else {
            continue;
        };
        let fields = record.line();
        assert!(line.starts_with(fields));
        for &field in S3Field::ALL {
            if let Some(span) = record.span(field) {
                assert!(span.start <= span.end && span.end as usize <= fields.len());
                assert_eq!(record.raw(field), Some(span.get(fields)));
            }
            if let Some(text) = record.text(field) {
                let range = fields.as_ptr_range();
                assert!(text.is_empty() || range.contains(&text.as_ptr()));
            }
        }
        let _ = record.time();
        let _ = record.http_status();
        let _ = record.bytes_sent();
        let _ = record.object_size();
        let _ = record.total_time_ms();
        let _ = record.turn_around_time_ms();
        let _ = record.acl_required();
        let _ = record.trailing_fields();
        let _ = record.values();
    }

    let mut decoder = ReaderBuilder::new(Format::S3)
        .with_batch_size(7)
        .with_max_line_length(4096)
        .with_max_fields(40)
        .build_decoder()
        .unwrap();
    let (batches, rejects) = decode_chunks(&mut decoder, [data]);
    let stats = decoder.stats();
    check_stats(&stats, &batches);
    check_rejects(data, &rejects, &stats);
});
