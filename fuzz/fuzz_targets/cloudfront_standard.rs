//! CloudFront standard (W3C) logs under a `#Fields:` header chosen by the fuzzer (known and
//! unknown names in any order), read by the `Reader` (which reads the header ahead) and by a
//! `Decoder` given the same header as its field list.

#![no_main]

use aws_access_logs::cloudfront::{CloudFrontRecord, FieldList};
use aws_access_logs::{ErrorKind, Format, ReaderBuilder};
use aws_access_logs_fuzz::{
    check_rejects, check_stats, decode_chunks, standard_names, take_indices,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let (indices, rest) = take_indices(data, 48, 42);
    let header = format!("#Fields: {}", standard_names(&indices));
    let mut input = Vec::with_capacity(header.len() + rest.len() + 16);
    if flags & 1 != 0 {
        input.extend_from_slice(b"#Version: 1.0\n");
    }
    input.extend_from_slice(header.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(rest);
    let batch_size = 1 + (flags >> 4) as usize;

    // The Reader: the schema from the input's own header.
    match ReaderBuilder::new(Format::CloudFrontStandard)
        .with_batch_size(batch_size)
        .with_max_line_length(8192)
        .build(&input[..])
    {
        Ok(mut reader) => {
            let mut batches = Vec::new();
            let mut rejects = Vec::new();
            for batch in reader.by_ref() {
                batches.push(batch.expect("plain in-memory input never fails"));
            }
            rejects.extend(reader.take_rejects());
            let stats = reader.stats();
            check_stats(&stats, &batches);
            check_rejects(&input, &rejects, &stats);
            assert_eq!(reader.bytes_read(), input.len() as u64);
        }
        Err(err) => {
            // Only a header that cannot be a schema: ours names no fields, or the input's
            // own later `#Fields:` line (before the first data line) is unusable.
            assert_eq!(err.kind(), ErrorKind::InvalidHeader, "{err}");
        }
    }

    // The Decoder with the header as its field list, and the record view.
    let Ok(fields) = FieldList::standard(&header) else {
        return;
    };
    let mut spans = Vec::new();
    for line in rest.split(|&b| b == b'\n') {
        if let Ok(record) = CloudFrontRecord::parse(line, &fields, &mut spans) {
            assert!(record.len() <= fields.len());
            let _ = record.timestamp();
            for name in fields.aws_names() {
                let _ = record.text(name);
                let _ = record.uint(name);
                let _ = record.seconds(name);
            }
        }
    }
    let mut decoder = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_fields(fields)
        .with_batch_size(batch_size)
        .with_max_line_length(8192)
        .build_decoder()
        .unwrap();
    let (batches, rejects) = decode_chunks(&mut decoder, [&input[..]]);
    let stats = decoder.stats();
    check_stats(&stats, &batches);
    check_rejects(&input, &rejects, &stats);
});
