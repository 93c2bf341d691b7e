//! CloudFront real-time logs with a field list chosen by the fuzzer (which fields, canonical
//! or configured order, percent-decoding on or off), then the log text.

#![no_main]

use aws_access_logs::cloudfront::{CloudFrontRecord, FieldList, FieldOrder, UnknownFields};
use aws_access_logs::{Format, ReaderBuilder};
use aws_access_logs_fuzz::{
    check_rejects, check_stats, decode_chunks, realtime_names, take_indices,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let (indices, log) = take_indices(data, 80, 69);
    let mut names = realtime_names(&indices);
    if flags & 4 != 0 {
        names.push_str(" x-future-field");
    }
    let order = if flags & 1 == 0 {
        FieldOrder::Canonical
    } else {
        FieldOrder::AsGiven
    };
    let unknown = if flags & 4 != 0 {
        UnknownFields::Text
    } else {
        UnknownFields::Reject
    };
    let Ok(fields) = FieldList::realtime_with(&names, order, unknown) else {
        // An empty list, or unknown names with the canonical order: refused, never a panic.
        return;
    };

    let mut spans = Vec::new();
    for line in log.split(|&b| b == b'\n') {
        if let Ok(record) = CloudFrontRecord::parse(line, &fields, &mut spans) {
            assert_eq!(record.len(), fields.len());
            let range = line.as_ptr_range();
            for i in 0..record.len() {
                let value = record.get(i).unwrap();
                assert!(value.is_empty() || range.contains(&value.as_ptr()));
                assert!(value.len() <= line.len());
            }
            let _ = record.timestamp();
            for name in fields.aws_names() {
                let _ = record.text(name);
                let _ = record.uint(name);
                let _ = record.seconds(name);
            }
        }
    }

    let mut builder = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(fields)
        .with_batch_size(1 + (flags >> 4) as usize)
        .with_max_line_length(8192);
    if flags & 2 != 0 {
        builder = builder.with_percent_decoding(["cs-user-agent", "cs-uri-query", "cs-headers"]);
    }
    // Percent-decoding a column the list lacks is refused when the decoder is built.
    let Ok(mut decoder) = builder.build_decoder() else {
        return;
    };
    let (batches, rejects) = decode_chunks(&mut decoder, [log]);
    let stats = decoder.stats();
    check_stats(&stats, &batches);
    check_rejects(log, &rejects, &stats);
});
